package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.bench.HeldOutCrystals;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;

/** The network sees the crystal with its proportions: one binning factor along every axis. */
class IsotropicBinningTest {

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	@Test
	void anElongatedCrystalIsBinnedAlikeAlongEveryAxis() {
		try (Predictor p = Predictor.load("3d", "cpu")) {
			// the size the model was trained on, as the autocorrelation estimate sees it (per axis)
			final double[] t = p.fitting().trainedFraction();
			// a crystal twice as long along z as across, its length the trained size: per axis this was binned [1, 2, 2],
			// which squashed it into a cube for the network; isotropically the mean size is matched
			assertArrayEquals(new int[] { 2, 2, 2 }, p.fitting().binning(Grid.cube(64), new double[] { t[0], t[1] / 2, t[2] / 2 }));
			// half the trained size along every axis: binned 2; of the trained size: not binned; 2 does not divide 65 (no binning)
			assertArrayEquals(new int[] { 2, 2, 2 }, p.fitting().binning(Grid.cube(64), new double[] { t[0] / 2, t[1] / 2.2, t[2] / 1.9 }));
			assertArrayEquals(new int[] { 1, 1, 1 }, p.fitting().binning(Grid.cube(64), new double[] { t[0] * 0.95, t[1], t[2] * 0.9 }));
			assertArrayEquals(new int[] { 1, 1, 1 }, p.fitting().binning(new Grid(65, 64, 64), new double[] { t[0] / 2, t[1] / 2, t[2] / 2 }));
			// end to end on held-out crystals, some of them elongated: every prediction binned isotropically
			for (int k = 0; k < 2; k++) {
				final int[] b = p.predict(HeldOutCrystals.crystal(Grid.cube(64), 3, k).diffraction()).binZyx();
				assertEquals(b[0], b[1], "crystal " + k);
				assertEquals(b[1], b[2], "crystal " + k);
			}
		}
	}
}
