package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.fft.Fft;

/** The phase ramp a prediction gets from the pattern's first moment. */
class RampMatchingTest {

	private static final Grid G = Grid.of2D(64, 64);

	/** An ellipse (semi-axes 12 and 8 px about the centre) with phase g·(r − n/2) plus a bump of this height. */
	private static ComplexVolume crystal(final double gy, final double gx, final double bump) {
		final ComplexVolume o = new ComplexVolume(G);
		final boolean[] s = support();
		for (int y = 0, i = 0; y < G.ny; y++)
			for (int x = 0; x < G.nx; x++, i++) {
				if (!s[i]) continue;
				final double dy = y - 32, dx = x - 32;
				final double phi = gy * dy + gx * dx + bump * Math.exp(-(dy * dy + (dx - 4) * (dx - 4)) / 30.0);
				o.data[2 * i] = (float) Math.cos(phi);
				o.data[2 * i + 1] = (float) Math.sin(phi);
			}
		return o;
	}

	private static boolean[] support() {
		final boolean[] s = new boolean[G.size()];
		for (int y = 0, i = 0; y < G.ny; y++)
			for (int x = 0; x < G.nx; x++, i++) s[i] = (y - 32) * (y - 32) / 144.0 + (x - 32) * (x - 32) / 64.0 <= 1;
		return s;
	}

	@Test
	void thePattersonGivesTheRamp() {
		final ComplexVolume ramp = crystal(0.05, -0.08, 0);
		final double[] fromData = RampMatching.gradient(G, Fft.diffractionIntensity(ramp).data, null, null);
		assertArrayEquals(new double[] { 0, 0.05, -0.08 }, fromData, 1e-4);
		assertArrayEquals(fromData, RampMatching.gradient(ramp), 1e-4);
		final ComplexVolume matched = RampMatching.match(crystal(0, 0, 0), fromData);
		assertTrue(Quality.phaseRms(matched, ramp, support()) < 1e-3);
	}

	@Test
	void aFlatGuessGetsTheRampOfTheData() {
		final ComplexVolume truth = crystal(0.05, -0.08, 0.8);
		final float[] intensity = Fft.diffractionIntensity(truth).data;
		final double[] target = RampMatching.gradient(G, intensity, null, null);
		final ComplexVolume flat = crystal(0, 0, 0);
		final double before = Quality.phaseRms(flat, truth, support());
		final ComplexVolume matched = RampMatching.match(flat, target);
		final double after = Quality.phaseRms(matched, truth, support());
		assertTrue(before > 0.3, "a flat guess is far from a ramp of 0.05 and 0.08 rad/px: " + before);
		// what is left is the bump, less its own mean gradient (a ramp cannot fit it)
		assertTrue(after < before / 2, "phase RMS after matching " + after + " (before " + before + ")");
		assertArrayEquals(target, RampMatching.gradient(G, Fft.diffractionIntensity(matched).data, null, null), 1e-4);
		// the amplitude is untouched
		for (int i = 0; i < G.size(); i++)
			assertEquals(Math.hypot(flat.data[2 * i], flat.data[2 * i + 1]), Math.hypot(matched.data[2 * i], matched.data[2 * i + 1]), 1e-5);
	}

	@Test
	void aDetectorGapBarelyMovesTheGradient() {
		final ComplexVolume truth = crystal(0.05, -0.08, 0.8);
		final float[] intensity = Fft.diffractionIntensity(truth).data;
		final double[] all = RampMatching.gradient(G, intensity, null, null);
		// a detector gap 8–10 px from the centre on one side of the pattern: its pixels read 0 and are unmeasured
		final boolean[] gap = new boolean[G.size()];
		final float[] gapped = intensity.clone();
		for (int y = 0; y < G.ny; y++)
			for (int x = 40; x < 43; x++) { gap[y * G.nx + x] = true; gapped[y * G.nx + x] = 0; }
		final double[] naive = RampMatching.gradient(G, gapped, null, null);
		final double[] paired = RampMatching.gradient(G, gapped, RampMatching.friedelMeasured(G, Mask.fromUnmeasured(G, gap)), null);
		// pairs lose the gap's share of the asymmetry (a bias towards no gradient) but not in one arbitrary direction
		assertTrue(Math.abs(paired[2] - all[2]) < Math.abs(naive[2] - all[2]) / 2, "Friedel pairs " + paired[2] + ", plain sum " + naive[2] + ", no gap " + all[2]);
		assertEquals(all[2], paired[2], 0.005);
		assertEquals(all[1], paired[1], 0.005);
	}

	/** An ellipsoid (semi-axes a·n per axis about n/2; a[0] ignored in 2D) with the linear phase g·(r − n/2). */
	private static ComplexVolume ramped(final Grid g, final double[] a, final double[] grad) {
		final ComplexVolume o = new ComplexVolume(g);
		final int[] n = g.zyx();
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final double[] d = { z - g.nz / 2, y - g.ny / 2, x - g.nx / 2 };
					double r2 = 0, phi = 0;
					for (int k = g.is2D() ? 1 : 0; k < 3; k++) { r2 += d[k] * d[k] / (a[k] * n[k] * a[k] * n[k]); phi += grad[k] * d[k]; }
					if (r2 > 1) continue;
					o.data[2 * i] = (float) Math.cos(phi);
					o.data[2 * i + 1] = (float) Math.sin(phi);
				}
		return o;
	}

	@Test
	void everyAxisOfA3dPatternGivesItsGradient() {
		final Grid g = Grid.cube(32);
		final ComplexVolume o = ramped(g, new double[] { 0.2, 0.15, 0.25 }, new double[] { -0.07, 0.04, 0.02 });
		assertArrayEquals(new double[] { -0.07, 0.04, 0.02 }, RampMatching.gradient(g, Fft.diffractionIntensity(o).data, null, null), 1e-4);
		assertArrayEquals(new double[] { -0.07, 0.04, 0.02 }, RampMatching.gradient(o), 1e-4);
	}

	@Test
	void aBinnedPatternGivesTheSameGradient() {
		// a small crystal in a 128² pattern: the 2D model (64²) bins it by 2, in blocks that start at the centre pixel,
		// which moves zero frequency a quarter of a binned pixel off n/2; the prediction still gets the data's ramp
		final Grid g = Grid.of2D(128, 128);
		final double[] grad = { 0, 0.03, -0.05 };
		final ComplexVolume o = ramped(g, new double[] { 0, 0.06, 0.045 }, grad);
		final Diffraction d = new Diffraction(Fft.diffractionIntensity(o), Quantity.INTENSITY, null, new ProcessingLog(), "binned ramp");
		try (Predictor p = Predictor.load("2d", "cpu")) {
			final Prediction pr = p.predict(d);
			assertArrayEquals(new int[] { 1, 2, 2 }, pr.binZyx(), "the test needs a binned pattern");
			// binned by 2, then 64 → 64: the network voxel is the data's, so the gradient per voxel is the same
			final double[] got = (double[]) pr.log().steps().stream().filter(st -> st.name().equals("nn_phase_ramp")).findFirst().orElseThrow().parameters()
				.get("mean_phase_gradient_zyx_rad_per_voxel");
			assertArrayEquals(grad, got, 2e-3, java.util.Arrays.toString(got));
			// and so does the prediction itself
			assertArrayEquals(grad, RampMatching.gradient(pr.object()), 2e-3);
		}
	}
}
