package sc.fiji.cdi.strain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/** A simulated Au crystal with a known displacement field: the strain comes back exactly from the true phase. */
class StrainAnalysisTest {

	/** Au (111): |G| = 2π√3/0.40782 nm = 26.68 rad/nm. */
	static final double G = 2 * Math.PI * Math.sqrt(3) / 0.40782;
	static final int N = 40;
	static final double[] VOXEL = { 8, 10, 12 }; // nm, anisotropic on purpose
	static final double C = N / 2 + 0.5; // crystal and vortex centre between voxels (no voxel on the core)

	/** A sphere of radius 15 voxels-ish (in nm: 15·10) with displacement u(r) along Ĝ, phase φ = sign·|G|·u. */
	interface Field { double u(double z, double y, double x); } // nm, positions in nm from the centre

	static boolean[] sphere(final Grid g, final double radiusNm) {
		final boolean[] s = new boolean[g.size()];
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final double dz = (z - C) * VOXEL[0], dy = (y - C) * VOXEL[1], dx = (x - C) * VOXEL[2];
			s[g.index(z, y, x)] = dz * dz + dy * dy + dx * dx <= radiusNm * radiusNm;
		}
		return s;
	}

	static ComplexVolume object(final Grid g, final boolean[] s, final Field f, final int sign, final double noiseRad, final double[] rampRadPerVoxel, final double offset) {
		final float[] c = new float[2 * g.size()];
		final Random r = new Random(7);
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final int i = g.index(z, y, x);
			if (!s[i]) continue;
			double phi = sign * G * f.u((z - C) * VOXEL[0], (y - C) * VOXEL[1], (x - C) * VOXEL[2]) + noiseRad * r.nextGaussian() + offset;
			phi += rampRadPerVoxel[0] * (z - N / 2) + rampRadPerVoxel[1] * (y - N / 2) + rampRadPerVoxel[2] * (x - N / 2);
			c[2 * i] = (float) Math.cos(phi);
			c[2 * i + 1] = (float) Math.sin(phi);
		}
		return new ComplexVolume(g, c, VOXEL, "nm");
	}

	/** Strain ∂u/∂s along Ĝ by central differences of the continuous field (the discrete truth) in double. */
	static float[] discreteStrain(final Grid g, final boolean[] s, final Field f, final double[] gHat) {
		final float[] e = new float[g.size()];
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final double pz = (z - C) * VOXEL[0], py = (y - C) * VOXEL[1], px = (x - C) * VOXEL[2];
			final double dz = (f.u(pz + VOXEL[0], py, px) - f.u(pz - VOXEL[0], py, px)) / (2 * VOXEL[0]);
			final double dy = (f.u(pz, py + VOXEL[1], px) - f.u(pz, py - VOXEL[1], px)) / (2 * VOXEL[1]);
			final double dx = (f.u(pz, py, px + VOXEL[2]) - f.u(pz, py, px - VOXEL[2])) / (2 * VOXEL[2]);
			e[g.index(z, y, x)] = (float) (gHat[0] * dz + gHat[1] * dy + gHat[2] * dx);
		}
		return e;
	}

	static double range(final float[] v, final boolean[] m) {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (int i = 0; i < v.length; i++) if (m[i]) { lo = Math.min(lo, v[i]); hi = Math.max(hi, v[i]); }
		return hi - lo;
	}

	static double maxAbsDiff(final float[] a, final float[] b, final boolean[] m) {
		double d = 0;
		for (int i = 0; i < a.length; i++) if (m[i]) d = Math.max(d, Math.abs(a[i] - b[i]));
		return d;
	}

	static final double[] NO_RAMP = { 0, 0, 0 };

	@Test
	void homogeneousStrainOfOneTenthPercentIsExactToFloatPrecision() {
		final Grid g = Grid.cube(N);
		final double[] gHat = normalise(0.3, 0.8, 0.52);
		final double eps0 = 1e-3;
		final Field f = (z, y, x) -> eps0 * (gHat[0] * z + gHat[1] * y + gHat[2] * x);
		final boolean[] s = sphere(g, 150);
		for (final int sign : new int[] { 1, -1 }) {
			final StrainParameters p = StrainParameters.defaults().withGNorm(G).withGDirection(gHat).withPhaseSign(sign).withRampRemoval(RampRemoval.NONE);
			final StrainResult r = StrainAnalysis.analyse(object(g, s, f, sign, 0, NO_RAMP, 0.9), s, p);
			double maxErr = 0;
			for (int i = 0; i < g.size(); i++) {
				if (s[i]) maxErr = Math.max(maxErr, Math.abs(r.strain().data[i] - eps0));
				else assertTrue(Float.isNaN(r.strain().data[i]), "strain outside the support must be NaN");
			}
			assertTrue(maxErr < 1e-8, "strain error " + maxErr + " for ε = 1e-3 (sign " + sign + ")");
			// displacement: the true field minus its mean inside the support, in nm
			final float[] uTrue = new float[g.size()];
			double mean = 0; int k = 0;
			for (int z = 0; z < N; z++) for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) {
				final int i = g.index(z, y, x);
				uTrue[i] = (float) f.u((z - C) * VOXEL[0], (y - C) * VOXEL[1], (x - C) * VOXEL[2]);
				if (s[i]) { mean += uTrue[i]; k++; }
			}
			for (int i = 0; i < uTrue.length; i++) uTrue[i] -= (float) (mean / k);
			assertTrue(maxAbsDiff(r.displacement().data, uTrue, s) < 1e-5, "displacement error " + maxAbsDiff(r.displacement().data, uTrue, s) + " nm");
		}
	}

	/** Linearly varying strain (±0.1 % across the crystal along Ĝ) plus an edge-dislocation-like phase vortex. */
	static Field gradedStrainWithVortex(final double[] gHat) {
		final double L = 150; // nm
		final double eps0 = 1e-3;
		final double d = 2 * Math.PI / G; // Burgers vector along G: one 2π phase winding
		return (z, y, x) -> {
			final double s = gHat[0] * z + gHat[1] * y + gHat[2] * x;
			// vortex line along x (⊥ G = y), azimuth measured in voxel units so that the core is between voxels
			final double theta = Math.atan2(z / VOXEL[0], y / VOXEL[1]);
			return eps0 * s * s / (2 * L) + d * theta / (2 * Math.PI);
		};
	}

	@Test
	void gradedStrainAndVortexFromTheTruePhaseMatchTheDiscreteTruthToFloatPrecision() {
		final Grid g = Grid.cube(N);
		final double[] gHat = { 0, 1, 0 };
		final Field f = gradedStrainWithVortex(gHat);
		final boolean[] s = sphere(g, 150);
		final StrainParameters p = StrainParameters.defaults().withGNorm(G).withGDirection(gHat).withRampRemoval(RampRemoval.NONE);
		final StrainResult r = StrainAnalysis.analyse(object(g, s, f, 1, 0, NO_RAMP, 0), s, p);
		final float[] truth = discreteStrain(g, s, f, gHat);
		final boolean[] interior = StrainAnalysis.erode(g, s, 1); // central differences everywhere
		final double rng = range(truth, interior);
		final double err = maxAbsDiff(r.strain().data, truth, interior);
		assertTrue(err < 1e-5 * rng, "max strain error " + err + " vs range " + rng);

		// against the analytic derivative, away from the core (the stencil's own truncation error only)
		final float[] analytic = new float[g.size()];
		final boolean[] away = interior.clone();
		for (int z = 0; z < N; z++) for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) {
			final int i = g.index(z, y, x);
			final double yn = (y - C) * VOXEL[1];
			final double zv = z - C, yv = y - C, r2 = zv * zv + yv * yv;
			analytic[i] = (float) (1e-3 * yn / 150 + (2 * Math.PI / G) / (2 * Math.PI) * (-zv / r2) / VOXEL[1]);
			if (r2 < 16) away[i] = false;
		}
		final double relRms = StrainAnalysis.rmsDifference(r.strain().data, analytic, away) / range(analytic, away);
		assertTrue(relRms < 0.01, "strain vs analytic, RMS relative to range: " + relRms);
	}

	@Test
	void noisyPhaseWithRampAndOffsetGivesStrainWithinTenPercentOfTheRange() {
		final Grid g = Grid.cube(N);
		final double[] gHat = { 0, 1, 0 };
		final Field f = gradedStrainWithVortex(gHat);
		final boolean[] s = sphere(g, 150);
		final float[] truth = discreteStrain(g, s, f, gHat);
		// judged as the acceptance criterion: inside the support without a 2-voxel skin and without the vortex core
		final boolean[] judged = StrainAnalysis.erode(g, s, 2);
		for (int z = 0; z < N; z++) for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) {
			final double zv = z - C, yv = y - C;
			if (zv * zv + yv * yv < 9) judged[g.index(z, y, x)] = false;
		}
		final double rng = range(truth, judged);
		final double[] ramp = { 0.05, -0.11, 0.07 }; // rad/voxel: a Bragg peak off centre by (0.3, 0.7, 0.45) pixels
		for (final RampRemoval rr : new RampRemoval[] { RampRemoval.PLANE_FIT, RampRemoval.FOURIER_COM }) {
			final StrainParameters p = StrainParameters.defaults().withGNorm(G).withGDirection(gHat).withRampRemoval(rr);
			final StrainResult r = StrainAnalysis.analyse(object(g, s, f, 1, 0.02, ramp, 2.5), s, p);
			// ramp removal also removes the mean strain: compare after removing the mean of each
			final double err = StrainAnalysis.rmsDifference(minusMean(r.strain().data, judged), minusMean(truth, judged), judged);
			assertTrue(err < 0.10 * rng, rr + ": strain RMS error " + err + " vs true range " + rng);
			for (int a = 0; a < 3; a++) assertEquals(ramp[a], r.rampRadPerVoxel()[a], 0.01, rr + " ramp along axis " + a);
			System.out.printf("strain from noisy phase (σ 0.02 rad), %s: RMS error %.3g = %.2f%% of the true range %.3g%n", rr, err, 100 * err / rng, rng);
		}
	}

	@Test
	void unwrappedPhaseOfASmoothFieldEqualsTheTruePhase() {
		final Grid g = Grid.cube(N);
		final boolean[] s = sphere(g, 150);
		// 0.5 % strain: ~40 rad across the crystal, many wraps
		final Field f = (z, y, x) -> 5e-3 * (y + 0.5 * x) + 2e-3 * z * z / 150;
		final StrainParameters p = StrainParameters.defaults().withGNorm(G).withRampRemoval(RampRemoval.NONE);
		final StrainResult r = StrainAnalysis.analyse(object(g, s, f, 1, 0, NO_RAMP, 0), s, p);
		double mean = 0; int k = 0;
		final float[] truth = new float[g.size()];
		for (int z = 0; z < N; z++) for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) {
			final int i = g.index(z, y, x);
			truth[i] = (float) (G * f.u((z - C) * VOXEL[0], (y - C) * VOXEL[1], (x - C) * VOXEL[2]));
			if (s[i]) { mean += truth[i]; k++; }
		}
		for (int i = 0; i < truth.length; i++) truth[i] -= (float) (mean / k);
		assertTrue(range(truth, s) > 30, "test field must wrap many times");
		assertTrue(maxAbsDiff(r.phase().data, truth, s) < 1e-3, "unwrap error " + maxAbsDiff(r.phase().data, truth, s));
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

	static float[] minusMean(final float[] v, final boolean[] m) {
		double s = 0; int k = 0;
		for (int i = 0; i < v.length; i++) if (m[i]) { s += v[i]; k++; }
		final float[] o = v.clone();
		for (int i = 0; i < o.length; i++) o[i] -= (float) (s / k);
		return o;
	}

	static double[] normalise(final double... v) {
		final double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
		return new double[] { v[0] / n, v[1] / n, v[2] / n };
	}
}
