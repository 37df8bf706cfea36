package sc.fiji.cdi.simulate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import pl.edu.icm.jlargearrays.ConcurrencyUtils;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.simulate.SimulationParameters.PhaseModel;
import sc.fiji.cdi.simulate.SimulationParameters.Shape;
import sc.fiji.cdi.util.CdiException;

class CrystalSimulatorTest {

	private static final SimulationParameters DEFAULTS = SimulationParameters.defaults();

	/** Inclusive voxel extent of the support along z, y, x. */
	private static int[] supportExtent(final Grid g, final boolean[] support) {
		final int[] lo = { Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE }, hi = { -1, -1, -1 };
		for (int z = 0, i = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++, i++) {
			if (!support[i]) continue;
			final int[] c = { z, y, x };
			for (int a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], c[a]); hi[a] = Math.max(hi[a], c[a]); }
		}
		return new int[] { hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1 };
	}

	private static Map<String, Object> logged(final SimulatedCrystal c) {
		return c.diffraction().log.steps().get(0).parameters();
	}

	@Test
	void sameSeedGivesIdenticalArraysWhateverTheThreadCount() {
		final Grid g = Grid.cube(64); // above JTransforms' threading threshold
		final SimulationParameters p = DEFAULTS.withPhotons(1e7);
		final int threads = ConcurrencyUtils.getNumberOfThreads();
		try {
			ConcurrencyUtils.setNumberOfThreads(1);
			final SimulatedCrystal a = CrystalSimulator.simulate(g, p, 11);
			ConcurrencyUtils.setNumberOfThreads(4);
			final SimulatedCrystal b = CrystalSimulator.simulate(g, p, 11);
			assertArrayEquals(a.object().data, b.object().data);
			assertArrayEquals(a.support(), b.support());
			assertArrayEquals(a.diffraction().values.data, b.diffraction().values.data);
			final SimulatedCrystal c = CrystalSimulator.simulate(g, p, 12);
			assertFalse(Arrays.equals(a.object().data, c.object().data), "another seed gives another crystal");
		}
		finally {
			ConcurrencyUtils.setNumberOfThreads(threads);
		}
	}

	@Test
	void noiseAndPhaseModelDoNotChangeTheShape() {
		final Grid g = Grid.cube(32);
		final SimulatedCrystal clean = CrystalSimulator.simulate(g, DEFAULTS, 5);
		final SimulatedCrystal noisy = CrystalSimulator.simulate(g, DEFAULTS.withPhotons(1e6).withPhaseModel(PhaseModel.VORTEX), 5);
		assertArrayEquals(clean.support(), noisy.support());
	}

	@Test
	void supportFitsTheSizeFractionAndOversamplesByAtLeastTwo() {
		final Grid[] grids = { Grid.cube(32), new Grid(48, 40, 36), Grid.of2D(128, 128), Grid.of2D(50, 70) };
		for (final Grid g : grids) for (final Shape s : Shape.values()) {
			if (s == Shape.POLYGON && !g.is2D()) continue;
			for (final double f : new double[] { 0.45, 0.3 }) for (long seed = 0; seed < 6; seed++) {
				final SimulatedCrystal c = CrystalSimulator.simulate(g, DEFAULTS.withShape(s).withSizeFraction(f), seed);
				final int[] e = supportExtent(g, c.support());
				final int[] n = g.zyx();
				double slack = Double.POSITIVE_INFINITY;
				for (int a = g.is2D() ? 1 : 0; a < 3; a++) {
					assertTrue(e[a] <= f * n[a], s + " seed " + seed + " on " + g + ": support spans " + e[a] + " voxels along axis " + a + ", more than " + f + " x " + n[a]);
					if (f == 0.45) assertTrue(n[a] / (double) e[a] >= 2, "oversampling along axis " + a);
					slack = Math.min(slack, f * n[a] - e[a]);
				}
				// the particle is as large as allowed along its tightest axis, to within 3 voxels (facet corners are
				// points, and the "- 1" voxel of discretisation margin)
				assertTrue(slack <= 3, s + " seed " + seed + " on " + g + " is " + slack + " voxels smaller than allowed along its tightest axis");
				assertTrue(c.support()[g.index(g.nz / 2, g.ny / 2, g.nx / 2)], "the centre voxel is inside the particle");
			}
		}
	}

	@Test
	void phasePeakToPeakInsideTheSupportIsThePhaseRangeWithZeroMean() {
		for (final PhaseModel m : new PhaseModel[] { PhaseModel.SINES_GAUSSIANS, PhaseModel.LINEAR_STRAIN })
			for (final Grid g : new Grid[] { Grid.cube(32), Grid.of2D(64, 64) })
				for (final double range : new double[] { 1.0, 2.0, 3.0 }) for (long seed = 0; seed < 4; seed++) {
					final SimulatedCrystal c = CrystalSimulator.simulate(g, DEFAULTS.withPhaseModel(m).withPhaseRange(range), seed);
					final RealVolume ph = c.phase();
					double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, sum = 0;
					int count = 0;
					for (int i = 0; i < ph.data.length; i++) {
						if (!c.support()[i]) { assertEquals(0, ph.data[i], 0, "phase is 0 outside the support"); continue; }
						lo = Math.min(lo, ph.data[i]); hi = Math.max(hi, ph.data[i]); sum += ph.data[i]; count++;
					}
					assertEquals(range, hi - lo, 0.05 * range, m + " peak-to-peak on " + g + " seed " + seed);
					assertEquals(0, sum / count, 1e-3, m + " mean phase");
				}
	}

	@Test
	void noPhaseGivesARealPositiveObjectAndACentredPeak() {
		for (final Grid g : new Grid[] { new Grid(33, 30, 31), Grid.of2D(45, 64) }) {
			final SimulatedCrystal c = CrystalSimulator.simulate(g, DEFAULTS.withPhaseModel(PhaseModel.NONE).withShape(Shape.CUBE), 3);
			for (int i = 0; i < g.size(); i++) {
				assertEquals(0, c.object().data[2 * i + 1], 0);
				assertTrue(c.object().data[2 * i] >= 0 && c.object().data[2 * i] <= 1);
			}
			final float[] v = c.diffraction().values.data;
			int argmax = 0;
			for (int i = 1; i < v.length; i++) if (v[i] > v[argmax]) argmax = i;
			assertEquals(g.index(g.nz / 2, g.ny / 2, g.nx / 2), argmax, "peak at n/2 on " + g);
		}
	}

	@Test
	void diffractionIsTheIntensityAndObeysParseval() {
		for (final Grid g : new Grid[] { Grid.cube(32), Grid.of2D(128, 128) }) {
			final SimulatedCrystal c = CrystalSimulator.simulate(g, DEFAULTS, 9);
			assertEquals(Quantity.INTENSITY, c.diffraction().quantity);
			assertNull(c.diffraction().mask);
			assertEquals("simulated", c.diffraction().source);
			assertEquals(g, c.diffraction().grid());
			double energy = 0;
			for (final float v : c.object().data) energy += (double) v * v;
			assertEquals(g.size() * energy, c.diffraction().values.sum(), 1e-4 * g.size() * energy, "sum I = N sum |rho|^2 on " + g);
			final Map<String, Object> log = logged(c);
			assertEquals("simulate", c.diffraction().log.steps().get(0).name());
			assertEquals(9L, log.get("seed"));
			assertEquals("POLYHEDRON", log.get("shape"));
			assertEquals(0.45, log.get("size_fraction"));
		}
	}

	@Test
	void poissonNoiseGivesIntegerCountsSummingToThePhotonCount() {
		final Grid g = Grid.cube(32);
		for (final double photons : new double[] { 1e5, 1e8 }) {
			final SimulatedCrystal c = CrystalSimulator.simulate(g, DEFAULTS.withPhotons(photons), 4);
			double sum = 0;
			for (final float v : c.diffraction().values.data) { assertEquals(Math.rint(v), v, 0); sum += v; }
			assertEquals(photons, sum, 0.01 * photons);
		}
	}

	@Test
	void vortexPhaseWindsOnceAroundItsCore() {
		// 2D: a square loop around the centre
		final Grid g2 = Grid.of2D(64, 64);
		final RealVolume p2 = CrystalSimulator.simulate(g2, DEFAULTS.withPhaseModel(PhaseModel.VORTEX), 1).phase();
		final int c = 32, r = 4;
		final int[][] loop = new int[8 * r][];
		int k = 0;
		for (int x = -r; x < r; x++) loop[k++] = new int[] { -r, x };
		for (int y = -r; y < r; y++) loop[k++] = new int[] { y, r };
		for (int x = r; x > -r; x--) loop[k++] = new int[] { r, x };
		for (int y = r; y > -r; y--) loop[k++] = new int[] { y, -r };
		double w = 0;
		for (int i = 0; i < loop.length; i++) {
			final int[] a = loop[i], b = loop[(i + 1) % loop.length];
			w += wrap(p2.get(0, c + b[0], c + b[1]) - p2.get(0, c + a[0], c + a[1]));
		}
		assertEquals(2 * Math.PI, Math.abs(w), 1e-3, "2D winding");

		// 3D: a circle of radius 5 in the plane normal to the logged random axis
		for (long seed = 0; seed < 3; seed++) {
			final SimulatedCrystal s = CrystalSimulator.simulate(Grid.cube(48), DEFAULTS.withPhaseModel(PhaseModel.VORTEX), seed);
			final double[] axis = Arrays.stream(((String) logged(s).get("vortex_axis_zyx")).split(",")).mapToDouble(Double::parseDouble).toArray();
			final double[] e1 = unit(cross(axis, Math.abs(axis[0]) < 0.9 ? new double[] { 1, 0, 0 } : new double[] { 0, 1, 0 })), e2 = cross(axis, e1);
			final RealVolume p3 = s.phase();
			final int m = 64;
			double w3 = 0, prev = Double.NaN, first = 0;
			for (int i = 0; i <= m; i++) {
				final double t = 2 * Math.PI * i / m;
				final int[] v = new int[3];
				for (int a = 0; a < 3; a++) v[a] = (int) Math.round(24 + 5 * (Math.cos(t) * e1[a] + Math.sin(t) * e2[a]));
				final double ph = p3.get(v[0], v[1], v[2]);
				if (i == 0) first = ph; else w3 += wrap(ph - prev);
				prev = ph;
			}
			assertEquals(first, prev, 1e-6, "closed loop");
			assertEquals(2 * Math.PI, Math.abs(w3), 1e-3, "3D winding, seed " + seed);
		}
	}

	@Test
	void linearStrainHasTheLoggedConstantPhaseCurvature() {
		for (final Grid g : new Grid[] { Grid.cube(64), Grid.of2D(128, 96) }) {
			final SimulatedCrystal c = CrystalSimulator.simulate(g, DEFAULTS.withPhaseModel(PhaseModel.LINEAR_STRAIN).withShape(Shape.SPHERE).withPhaseRange(1.5), 2);
			final double kappa = (Double) logged(c).get("phase_curvature_rad_per_voxel2");
			final RealVolume p = c.phase();
			// along the strain axis through the centre, the second difference of φ is κ and the slope is κ·s
			final int n = g.is2D() ? g.ny : g.nz, h = n / 2;
			for (int s = -8; s <= 8; s++) {
				final double second = g.is2D()
					? p.get(0, h + s + 1, g.nx / 2) - 2 * p.get(0, h + s, g.nx / 2) + p.get(0, h + s - 1, g.nx / 2)
					: p.get(h + s + 1, g.ny / 2, g.nx / 2) - 2 * p.get(h + s, g.ny / 2, g.nx / 2) + p.get(h + s - 1, g.ny / 2, g.nx / 2);
				assertEquals(kappa, second, 1e-3 * kappa + 2e-6, "second difference at s = " + s + " on " + g);
			}
			// a sphere of diameter D has max s² = (D/2)², so κ ≈ 2·range/(D/2)²
			final int d = supportExtent(g, c.support())[g.is2D() ? 1 : 0];
			assertEquals(2 * 1.5 / Math.pow(d / 2.0, 2), kappa, 0.15 * kappa);
		}
	}

	/** √(largest / smallest eigenvalue) of the support's second-moment matrix: 1 for a cube, s for a cube stretched s×. */
	private static double elongation(final Grid g, final boolean[] support) {
		final double[] m = new double[3];
		final double[][] c = new double[3][3];
		int count = 0;
		for (int z = 0, i = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++, i++)
			if (support[i]) { m[0] += z; m[1] += y; m[2] += x; count++; }
		for (int a = 0; a < 3; a++) m[a] /= count;
		for (int z = 0, i = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++, i++) {
			if (!support[i]) continue;
			final double[] d = { z - m[0], y - m[1], x - m[2] };
			for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) c[a][b] += d[a] * d[b] / count;
		}
		final double[] ev = new org.apache.commons.math3.linear.EigenDecomposition(new org.apache.commons.math3.linear.Array2DRowRealMatrix(c)).getRealEigenvalues();
		Arrays.sort(ev);
		return Math.sqrt(ev[2] / ev[0]);
	}

	@Test
	void aStretchedCubeHasItsAspectAndFitsTheBox() {
		final Grid g = Grid.cube(64);
		for (int seed = 0; seed < 3; seed++) {
			final SimulatedCrystal plain = CrystalSimulator.simulate(g, DEFAULTS.withShape(Shape.CUBE).withSizeFraction(0.45), seed);
			final SimulatedCrystal rod = CrystalSimulator.simulate(g, DEFAULTS.withShape(Shape.CUBE).withSizeFraction(0.45).withAspect(2), seed);
			assertEquals(1.0, elongation(g, plain.support()), 0.08, "cube, seed " + seed);
			assertEquals(2.0, elongation(g, rod.support()), 0.2, "cube stretched 2x, seed " + seed);
			for (final int e : supportExtent(g, rod.support())) assertTrue(e <= 0.45 * 64, "extent " + e);
			assertEquals(2.0, (double) logged(rod).get("aspect"), 0);
		}
		assertThrows(CdiException.class, () -> DEFAULTS.withAspect(0.5));
		assertThrows(CdiException.class, () -> DEFAULTS.withShape(Shape.SPHERE).withAspect(1.5));
	}

	@Test
	void rejectsImpossibleRequestsWithSpecificMessages() {
		final CdiException polygon3D = assertThrows(CdiException.class, () -> CrystalSimulator.simulate(Grid.cube(16), DEFAULTS.withShape(Shape.POLYGON), 0));
		assertTrue(polygon3D.getMessage().contains("POLYGON"));
		final CdiException tiny = assertThrows(CdiException.class, () -> CrystalSimulator.simulate(Grid.cube(4), DEFAULTS, 0));
		assertTrue(tiny.getMessage().contains("too small"));
		assertThrows(CdiException.class, () -> DEFAULTS.withSizeFraction(0));
		assertThrows(CdiException.class, () -> DEFAULTS.withSizeFraction(1.5));
		assertThrows(CdiException.class, () -> DEFAULTS.withPhotons(-1));
		assertThrows(CdiException.class, () -> DEFAULTS.withPhaseRange(Double.NaN));
		assertThrows(CdiException.class, () -> DEFAULTS.withEdgeSigma(-0.5));
	}

	@Test
	void softEdgeIsAGaussianBlurredStep() {
		assertEquals(0.5, CrystalSimulator.edge(0, 1), 1e-6);
		assertEquals(0.8413447, CrystalSimulator.edge(-1, 1), 1e-6);
		assertEquals(0.1, CrystalSimulator.edge(1.2815516 * 2, 2), 1e-6);
		assertEquals(1, CrystalSimulator.edge(-0.1, 0), 0);
		assertEquals(0, CrystalSimulator.edge(0.1, 0), 0);
	}

	private static double wrap(final double d) { return d - 2 * Math.PI * Math.rint(d / (2 * Math.PI)); }

	private static double[] cross(final double[] a, final double[] b) {
		return new double[] { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
	}

	private static double[] unit(final double[] v) {
		final double l = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
		return new double[] { v[0] / l, v[1] / l, v[2] / l };
	}
}
