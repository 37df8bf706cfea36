package sc.fiji.cdi.strain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.strain.KnownDisplacement.G;
import static sc.fiji.cdi.strain.KnownDisplacement.minusMean;
import static sc.fiji.cdi.strain.KnownDisplacement.range;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/** A simulated Au crystal with a known displacement field: the strain comes back exactly from the true phase. */
class StrainAnalysisTest {

	static final int N = 40;
	static final double[] VOXEL = { 8, 10, 12 }; // nm, anisotropic on purpose
	static final double[] NO_RAMP = { 0, 0, 0 };
	final KnownDisplacement crystal = new KnownDisplacement(N, VOXEL);

	static double maxAbsDiff(final float[] a, final float[] b, final boolean[] m) {
		double d = 0;
		for (int i = 0; i < a.length; i++) if (m[i]) d = Math.max(d, Math.abs(a[i] - b[i]));
		return d;
	}

	@Test
	void homogeneousStrainOfOneTenthPercentIsExactToFloatPrecision() {
		final Grid g = crystal.grid;
		final double[] gHat = normalise(0.3, 0.8, 0.52);
		final double eps0 = 1e-3;
		final KnownDisplacement.Field f = KnownDisplacement.homogeneous(eps0, gHat);
		final boolean[] s = crystal.sphere(150);
		for (final int sign : new int[] { 1, -1 }) {
			final StrainParameters p = StrainParameters.defaults().withGNorm(G).withGDirection(gHat).withPhaseSign(sign).withRampRemoval(RampRemoval.NONE);
			final StrainResult r = StrainAnalysis.analyse(crystal.object(s, f, sign, 0, NO_RAMP, 0.9), s, p);
			double maxErr = 0;
			for (int i = 0; i < g.size(); i++) {
				if (s[i]) maxErr = Math.max(maxErr, Math.abs(r.strain().data[i] - eps0));
				else assertTrue(Float.isNaN(r.strain().data[i]), "strain outside the support must be NaN");
			}
			assertTrue(maxErr < 1e-8, "strain error " + maxErr + " for ε = 1e-3 (sign " + sign + ")");
			// displacement: the true field minus its mean inside the support, in nm
			final float[] uTrue = minusMean(crystal.displacement(f), s);
			assertTrue(maxAbsDiff(r.displacement().data, uTrue, s) < 1e-5, "displacement error " + maxAbsDiff(r.displacement().data, uTrue, s) + " nm");
		}
		// the sign convention matters: analysing φ = +G·u with phaseSign −1 gives −ε
		final StrainResult wrong = StrainAnalysis.analyse(crystal.object(s, f, 1, 0, NO_RAMP, 0), s,
			StrainParameters.defaults().withGNorm(G).withGDirection(gHat).withPhaseSign(-1).withRampRemoval(RampRemoval.NONE));
		assertEquals(-eps0, wrong.strain().data[crystal.grid.index(N / 2, N / 2, N / 2)], 1e-8);
	}

	@Test
	void gradedStrainAndVortexFromTheTruePhaseMatchTheDiscreteTruthToFloatPrecision() {
		final Grid g = crystal.grid;
		final double[] gHat = { 0, 1, 0 };
		final KnownDisplacement.Field f = crystal.gradedWithVortex(1e-3, 150, gHat);
		final boolean[] s = crystal.sphere(150);
		final StrainParameters p = StrainParameters.defaults().withGNorm(G).withGDirection(gHat).withRampRemoval(RampRemoval.NONE);
		final StrainResult r = StrainAnalysis.analyse(crystal.object(s, f, 1, 0, NO_RAMP, 0), s, p);
		final float[] truth = crystal.discreteStrain(f, gHat);
		final boolean[] interior = StrainAnalysis.erode(g, s, 1); // central differences everywhere
		final double rng = range(truth, interior);
		final double err = maxAbsDiff(r.strain().data, truth, interior);
		assertTrue(err < 1e-5 * rng, "max strain error " + err + " vs range " + rng);

		// against the analytic derivative, away from the core (the stencil's own truncation error only)
		final float[] analytic = new float[g.size()];
		final boolean[] away = crystal.judgedRegion(s, 1, 4);
		for (int z = 0; z < N; z++) for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) {
			final double zv = z - crystal.centre, yv = y - crystal.centre, r2 = zv * zv + yv * yv;
			analytic[g.index(z, y, x)] = (float) (1e-3 * yv * VOXEL[1] / 150 + (1 / G) * (-zv / r2) / VOXEL[1]);
		}
		final double relRms = StrainAnalysis.rmsDifference(r.strain().data, analytic, away) / range(analytic, away);
		assertTrue(relRms < 0.01, "strain vs analytic, RMS relative to range: " + relRms);
	}

	@Test
	void noisyPhaseWithRampAndOffsetGivesStrainWithinTenPercentOfTheRange() {
		final double[] gHat = { 0, 1, 0 };
		final KnownDisplacement.Field f = crystal.gradedWithVortex(1e-3, 150, gHat);
		final boolean[] s = crystal.sphere(150);
		final float[] truth = crystal.discreteStrain(f, gHat);
		// judged as the acceptance criterion: inside the support without a 2-voxel skin and without the vortex core
		final boolean[] judged = crystal.judgedRegion(s, 2, 3);
		final double rng = range(truth, judged);
		final double[] ramp = { 0.05, -0.11, 0.07 }; // rad/voxel: a Bragg peak off centre by (0.3, 0.7, 0.45) pixels
		for (final RampRemoval rr : new RampRemoval[] { RampRemoval.PLANE_FIT, RampRemoval.FOURIER_COM }) {
			final StrainParameters p = StrainParameters.defaults().withGNorm(G).withGDirection(gHat).withRampRemoval(rr);
			final StrainResult r = StrainAnalysis.analyse(crystal.object(s, f, 1, 0.02, ramp, 2.5), s, p);
			// ramp removal also removes the mean strain: compare after removing the mean of each
			final double err = StrainAnalysis.rmsDifference(minusMean(r.strain().data, judged), minusMean(truth, judged), judged);
			assertTrue(err < 0.10 * rng, rr + ": strain RMS error " + err + " vs true range " + rng);
			for (int a = 0; a < 3; a++) assertEquals(ramp[a], r.rampRadPerVoxel()[a], 0.01, rr + " ramp along axis " + a);
			System.out.printf("strain from noisy phase (σ 0.02 rad), %s: RMS error %.3g = %.2f%% of the true range %.3g%n", rr, err, 100 * err / rng, rng);
		}
	}

	@Test
	void unwrappedPhaseOfASmoothFieldEqualsTheTruePhase() {
		final boolean[] s = crystal.sphere(150);
		// 0.5 % strain: ~40 rad across the crystal, many wraps
		final KnownDisplacement.Field f = (z, y, x) -> 5e-3 * (y + 0.5 * x) + 2e-3 * z * z / 150;
		final StrainParameters p = StrainParameters.defaults().withGNorm(G).withRampRemoval(RampRemoval.NONE);
		final StrainResult r = StrainAnalysis.analyse(crystal.object(s, f, 1, 0, NO_RAMP, 0), s, p);
		final float[] truth = crystal.displacement(f);
		for (int i = 0; i < truth.length; i++) truth[i] *= (float) G;
		final float[] t0 = minusMean(truth, s);
		assertTrue(range(t0, s) > 30, "test field must wrap many times");
		assertTrue(maxAbsDiff(r.phase().data, t0, s) < 1e-3, "unwrap error " + maxAbsDiff(r.phase().data, t0, s));
	}

	@Test
	void aTwoDimensionalMapWorks() {
		final Grid g = Grid.of2D(32, 32);
		final float[] c = new float[2 * g.size()];
		final boolean[] s = new boolean[g.size()];
		for (int y = 4; y < 28; y++) for (int x = 4; x < 28; x++) {
			final int i = g.index(0, y, x);
			s[i] = true;
			final double phi = G * 1e-3 * x * 10;
			c[2 * i] = (float) Math.cos(phi); c[2 * i + 1] = (float) Math.sin(phi);
		}
		final StrainResult r = StrainAnalysis.analyse(new ComplexVolume(g, c, new double[] { 1, 10, 10 }, "nm"), s,
			StrainParameters.defaults().withGNorm(G).withGDirection(0, 0, 1).withRampRemoval(RampRemoval.NONE));
		assertEquals(1e-3, r.strain().data[g.index(0, 16, 16)], 1e-8);
		assertEquals(1e-3, r.strain().data[g.index(0, 4, 4)], 1e-8, "one-sided at the surface");
	}

	@Test
	void defaultSupportAndCalibrationComeFromTheObject() {
		final Grid g = Grid.cube(16);
		final float[] c = new float[2 * g.size()];
		c[2 * g.index(8, 8, 8)] = 1; c[2 * g.index(8, 8, 9)] = 0.5f; c[2 * g.index(8, 8, 10)] = 0.05f;
		final StrainResult r = StrainAnalysis.analyse(new ComplexVolume(g, c, new double[] { 2, 3, 4 }, "nm"), null, StrainParameters.defaults());
		int n = 0; for (final boolean b : r.support()) if (b) n++;
		assertEquals(2, n, "support = [A ≥ 0.1·max]");
		assertArrayEquals(new double[] { 2, 3, 4 }, r.parameters().voxelSizeNm());
		assertEquals("nm", r.strain().unit);
	}

	@Test
	void badInputIsRejectedWithAUsefulMessage() {
		final Grid g = Grid.cube(8);
		final ComplexVolume empty = new ComplexVolume(g, new float[2 * g.size()], new double[] { 1, 1, 1 }, "nm");
		assertTrue(assertThrows(CdiException.class, () -> StrainAnalysis.analyse(empty, null, StrainParameters.defaults())).getMessage().contains("support is empty"));
		final ComplexVolume pixels = new ComplexVolume(g);
		assertTrue(assertThrows(CdiException.class, () -> StrainAnalysis.analyse(pixels, null, StrainParameters.defaults())).getMessage().contains("voxel size"));
		assertThrows(CdiException.class, () -> StrainParameters.defaults().withPhaseSign(0));
		assertThrows(CdiException.class, () -> StrainParameters.defaults().withGDirection(0, 0, 0));
		assertThrows(CdiException.class, () -> StrainParameters.defaults().withReflection(new int[] { 0, 0, 0 }, 0.4));
		assertEquals(0.40782 / Math.sqrt(3), StrainParameters.defaults().dSpacingNm(), 1e-12);
		assertEquals(RampRemoval.FOURIER_COM, RampRemoval.parse("Fourier COM"));
	}

	static double[] normalise(final double... v) {
		final double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
		return new double[] { v[0] / n, v[1] / n, v[2] / n };
	}
}
