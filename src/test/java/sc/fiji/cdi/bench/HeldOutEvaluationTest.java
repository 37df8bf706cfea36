package sc.fiji.cdi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.simulate.SimulatedCrystal;

/** The network-alone diagnostics of {@link HeldOutEvaluation}: the flat-phase baseline and the left-out share. */
class HeldOutEvaluationTest {

	/** A 16² square of amplitude 1 in a 32² box, phase +0.5 rad in its left half and −0.5 in its right half. */
	private static SimulatedCrystal twoHalves() {
		final Grid g = Grid.of2D(32, 32);
		final float[] a = new float[g.size()], p = new float[g.size()];
		final boolean[] s = new boolean[g.size()];
		for (int y = 8; y < 24; y++)
			for (int x = 8; x < 24; x++) {
				final int i = g.index(0, y, x);
				a[i] = 1;
				p[i] = x < 16 ? 0.5f : -0.5f;
				s[i] = true;
			}
		return new SimulatedCrystal(ComplexVolume.fromAmplitudePhase(new RealVolume(g, a), new RealVolume(g, p)), s, null);
	}

	@Test
	void aFlatPhaseMissesTheTruePhaseByItsSpreadAboutTheMean() {
		// the phases ±0.5 about their mean 0: a flat phase is off by 0.5 everywhere
		assertEquals(0.5, HeldOutEvaluation.flatPhaseRms(twoHalves()), 1e-6);
	}

	@Test
	void thePhaseIsJudgedOnlyWhereThePredictionHasAmplitude() {
		final SimulatedCrystal c = twoHalves();
		// a prediction with the true phase on the left half and nothing on the right, plus a wrong phase there at a
		// tenth of the threshold: the right half is left out, and the phase where it is not is exact
		final float[] d = c.object().data.clone();
		final Grid g = c.object().grid;
		for (int y = 8; y < 24; y++)
			for (int x = 16; x < 24; x++) {
				final int i = g.index(0, y, x);
				d[2 * i] = 0;
				d[2 * i + 1] = 0.01f;
			}
		final ComplexVolume prediction = new ComplexVolume(g, d);
		final Quality.Comparison q = new Quality.Comparison(1, 1, false, new int[3], 1, prediction);
		final double[] r = HeldOutEvaluation.coveredPhaseRms(q, c);
		assertEquals(0.5, r[1], 1e-12, "share of the true support left out");
		assertEquals(0, r[0], 1e-6, "phase RMS where the prediction has amplitude");
		// the headline phase RMS over the whole true support counts the left-out half's meaningless phase
		assertEquals(true, Quality.phaseRms(prediction, c.object(), c.support()) > 0.5);
	}

	/** The random starts' recipe needs random starts: with only the network start it is refused, not ignored. */
	@Test
	void aRandomRecipeWithoutRandomStartsIsRefused() {
		for (final String[] starts : new String[][] { {}, { "--starts", "1" } }) {
			final String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--random-recipe", "10*ER+200*HIO"), java.util.Arrays.stream(starts)).toArray(String[]::new);
			final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeldOutEvaluation.main(args));
			assertTrue(e.getMessage().contains("--starts with some k > 1"), e.getMessage());
		}
	}
}
