package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.fft.Fft;

/**
 * A network that under-estimates the crystal (amplitude below the support threshold in its outer rim) but whose phase
 * is right there: the prediction keeps that phase, while the refinement's seed is still cut to the support.
 */
class PostProcessingTest {

	private static final Grid G = Grid.of2D(64, 64);
	private static final double GY = 0.1, GX = -0.15;

	/** Inside the ellipse with semi-axes a (y) and b (x) about the centre. */
	private static boolean inside(final int y, final int x, final double a, final double b) {
		return (y - 32) * (y - 32) / (a * a) + (x - 32) * (x - 32) / (b * b) <= 1;
	}

	/** The crystal's phase: a ramp and a bump. */
	private static double phase(final int y, final int x) {
		final double dy = y - 32, dx = x - 32;
		return GY * dy + GX * dx + 0.8 * Math.exp(-(dy * dy + (dx - 4) * (dx - 4)) / 30.0);
	}

	@Test
	void thePhaseWhereTheNetworkUnderEstimatesTheCrystalIsKept() {
		final ComplexVolume truth = new ComplexVolume(G);
		final boolean[] crystal = new boolean[G.size()];
		// the network's raw outputs: full amplitude in an ellipse smaller than the crystal, 0.05 (below the 0.1
		// threshold) in the rest of the crystal, 0.01 outside; the crystal's phase without its ramp (a network cannot
		// see a ramp), and an unrelated phase outside
		final float[] amp = new float[G.size()], ph = new float[G.size()];
		for (int y = 0, i = 0; y < G.ny; y++)
			for (int x = 0; x < G.nx; x++, i++) {
				crystal[i] = inside(y, x, 12, 8);
				if (crystal[i]) {
					truth.data[2 * i] = (float) Math.cos(phase(y, x));
					truth.data[2 * i + 1] = (float) Math.sin(phase(y, x));
				}
				amp[i] = inside(y, x, 9, 6) ? 1f : crystal[i] ? 0.05f : 0.01f;
				ph[i] = (float) (crystal[i] ? phase(y, x) - GY * (y - 32) - GX * (x - 32) : 2.5);
			}
		final float[] intensity = Fft.diffractionIntensity(truth).data, input = new float[G.size()];
		float max = 0;
		for (final float v : intensity) max = Math.max(max, v);
		for (int i = 0; i < input.length; i++) input[i] = (float) Math.sqrt(intensity[i] / max);
		final Prediction p = new PostProcessing(G, 0.1, "test").apply(amp, ph, input, null, null, new double[] { 1, 1, 1 }, new int[] { 1, 1, 1 }, G, new ProcessingLog(), 0);

		int rim = 0;
		for (int y = 0, i = 0; y < G.ny; y++)
			for (int x = 0; x < G.nx; x++, i++) {
				assertEquals(inside(y, x, 9, 6), p.support()[i]);
				if (crystal[i] && !p.support()[i]) {
					rim++;
					assertEquals(0.05, Math.hypot(p.object().data[2 * i], p.object().data[2 * i + 1]), 1e-5, "the amplitude in the rim");
				}
			}
		assertTrue(rim > 100, "a rim of " + rim + " pixels");
		// the whole object has the crystal's phase over the whole crystal (up to what the ramp matching leaves: the
		// bump moves the data's mean gradient a little)
		final double whole = Quality.phaseRms(p.object(), truth, crystal);
		final ComplexVolume cut = NnRefine.cut(p.object(), p.support());
		final double cutRms = Quality.phaseRms(cut, truth, crystal);
		assertTrue(whole < 0.15, "phase RMS of the whole prediction over the crystal " + whole);
		assertTrue(cutRms > 3 * whole, "the cut prediction has no phase in the rim: " + cutRms + " against " + whole);
		// the ramp was measured on the crystal inside the support, as before (the cut object has the data's ramp)
		assertArrayEquals(RampMatching.gradient(G, intensity, null, null), RampMatching.gradient(cut), 2e-3);

		// on the data grid: the whole object is what Predict shows, the cut one seeds the refinement
		final Diffraction d = new Diffraction(Fft.diffractionIntensity(truth), Quantity.INTENSITY, null, new ProcessingLog(), "rim");
		final ComplexVolume shown = NnRefine.onDataGrid(p, d);
		final ComplexVolume seed = NnRefine.initialGuess(p, d).object();
		assertEquals(whole, Quality.phaseRms(shown, truth, crystal), 1e-3);
		for (int i = 0; i < G.size(); i++) {
			if (p.support()[i]) continue;
			assertEquals(0f, seed.data[2 * i]);
			assertEquals(0f, seed.data[2 * i + 1]);
		}
		assertFalse(shown.data[2 * G.index(0, 32, 32 + 7)] == 0f, "the rim is shown");
	}
}
