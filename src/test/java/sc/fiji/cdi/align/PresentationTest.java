package sc.fiji.cdi.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.Moments;
import sc.fiji.cdi.phasing.TestObjects;

/** Centring in the box, phase ramp and phase zero of the presented result; sub-voxel alignment; PRTF. */
class PresentationTest {

	private static final Grid G = Grid.cube(32);

	/** An ellipsoid crystal moved across the box corner (split by all three edges) is brought back whole to n/2. */
	@Test
	void anObjectSplitByTheBoxEdgeIsCentredWhole() {
		final TestObjects.Sample s = TestObjects.ellipsoid(G, new double[] { 5, 6, 7 }, 1.0);
		final int[] move = { 16, 14, -15 }; // centre n/2 = 16 → 0, 30, 1: every axis wraps
		final ComplexVolume split = Alignment.shift(s.object(), move);
		final boolean[] splitSupport = FftShift.roll(G, s.support(), move[0], move[1], move[2]);
		final double[] plain = Moments.centreOfMass(G, splitSupport);
		assertTrue(Math.abs(plain[0] - 16) < 3, "the plain centre of mass of the split object sits mid-box: " + plain[0]);
		final Alignment.Centred c = Alignment.centreInBox(split, splitSupport);
		final double[] com = Moments.centreOfMass(G, c.support());
		for (int d = 0; d < 3; d++) assertEquals(16, com[d], 0.51, "axis " + d);
		assertFalse(touchesEdge(G, c.support()), "centred support does not touch the box edge");
		final Quality.Comparison q = Quality.compare(c.object(), s.object(), s.support());
		assertEquals(0, q.shiftZyx()[0]);
		assertTrue(q.amplitudeCorrelation() > 0.999);
	}

	/** A ramp and an offset added to a crystal are removed: the phase at the centre is 0 and the rest as the truth's. */
	@Test
	void presentRemovesTheRampAndZeroesThePhaseAtTheCentre() {
		final TestObjects.Sample s = TestObjects.ellipsoid(G, new double[] { 6, 7, 8 }, 1.2);
		final float[] d = s.object().data.clone();
		for (int z = 0, i = 0; z < G.nz; z++)
			for (int y = 0; y < G.ny; y++)
				for (int x = 0; x < G.nx; x++, i++) {
					final double p = 0.9 + 2 * Math.PI * (2.0 * y / G.ny - 1.0 * x / G.nx); // 2 and −1 fringes: whole frequencies
					final double c = Math.cos(p), sn = Math.sin(p), re = d[2 * i], im = d[2 * i + 1];
					d[2 * i] = (float) (c * re - sn * im);
					d[2 * i + 1] = (float) (sn * re + c * im);
				}
		final ComplexVolume ramped = Alignment.shift(new ComplexVolume(G, d), new int[] { 3, -4, 5 });
		final Alignment.Centred c = Alignment.present(ramped, FftShift.roll(G, s.support(), 3, -4, 5));
		final int centre = G.index(16, 16, 16);
		assertEquals(0, Math.atan2(c.object().data[2 * centre + 1], c.object().data[2 * centre]), 0.05, "phase zero at the crystal centre");
		// the truth presented the same way (its own slow phase has a ramp component too): the added ramp and
		// offset are gone, whatever is left is the same
		final ComplexVolume truthZeroed = Alignment.present(s.object(), s.support()).object();
		assertTrue(Quality.phaseRms(c.object(), truthZeroed, s.support()) < 0.02, "ramp removed: phase RMS " + Quality.phaseRms(c.object(), truthZeroed, s.support()));
		double meanDiff = 0;
		int n = 0;
		for (int i = 0; i < G.size(); i++) if (s.support()[i]) {
			meanDiff += Quality.wrapPi(Math.atan2(c.object().data[2 * i + 1], c.object().data[2 * i]) - Math.atan2(truthZeroed.data[2 * i + 1], truthZeroed.data[2 * i]));
			n++;
		}
		assertEquals(0, meanDiff / n, 0.05, "no offset left against the truth zeroed at its centre");
	}

	/** A fractional shift is found to 0.05 voxel and undone. */
	@Test
	void subVoxelShiftIsRecovered() {
		final TestObjects.Sample s = TestObjects.ellipsoid(G, new double[] { 6, 7, 8 }, 1.0);
		final double[] shift = { 0.3, -0.25, 0.4 };
		final ComplexVolume moved = Alignment.rotatePhase(Alignment.shiftFourier(s.object(), shift), 1.1);
		final double[] found = Alignment.subVoxelShift(moved, s.object());
		for (int d = 0; d < 3; d++) assertEquals(-shift[d], found[d], 0.08, "axis " + d);
		final Alignment.Match m = Alignment.matchSubVoxel(moved, s.object());
		assertTrue(m.correlation() > 0.999, "aligned correlation " + m.correlation());
		assertTrue(Alignment.match(moved, s.object()).correlation() < m.correlation());
	}

	/** PRTF: 1 for identical reconstructions; below 1/e at high q for reconstructions with random phase there. */
	@Test
	void prtfIsOneForAgreeingStartsAndFallsForRandomHighFrequencyPhases() {
		final TestObjects.Sample s = TestObjects.ellipsoid(G, new double[] { 6, 7, 8 }, 1.0);
		final Diffraction data = s.diffraction();
		final Prtf.Result same = Prtf.compute(s.object(), data, 2);
		for (int k = 0; k < same.prtf().length; k++) if (!Double.isNaN(same.prtf()[k])) assertEquals(1, same.prtf()[k], 1e-3);
		assertFalse(same.reachedThreshold());
		// average of 8 objects whose Fourier phases beyond |f| = 0.2 are random: the average's modulus there is ~1/√8
		final float[] f = sc.fiji.cdi.fft.Fft.forwardCopy(G, s.object().data);
		final java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
		final float[] sum = new float[f.length];
		for (int k = 0; k < 8; k++) {
			final float[] g = f.clone();
			for (int z = 0, i = 0; z < G.nz; z++) for (int y = 0; y < G.ny; y++) for (int x = 0; x < G.nx; x++, i++) {
				final double q = Math.sqrt(sq(wrap(z) / 32.0) + sq(wrap(y) / 32.0) + sq(wrap(x) / 32.0));
				if (q <= 0.2) continue;
				final double p = 2 * Math.PI * rng.nextDouble(), c = Math.cos(p), sn = Math.sin(p), re = g[2 * i], im = g[2 * i + 1];
				g[2 * i] = (float) (c * re - sn * im);
				g[2 * i + 1] = (float) (sn * re + c * im);
			}
			sc.fiji.cdi.fft.Fft.inverse(G, g);
			for (int i = 0; i < g.length; i++) sum[i] += g[i] / 8f;
		}
		final Prtf.Result r = Prtf.compute(new ComplexVolume(G, sum), data, 8);
		assertTrue(r.reachedThreshold());
		assertEquals(0.2, r.resolutionFrequency(), 1.5 / 32, "falls below 1/e just beyond f = 0.2");
		assertEquals(1 / (2 * r.resolutionFrequency()), r.resolutionVoxels(), 1e-12);
	}

	private static int wrap(final int k) { return k >= 16 ? k - 32 : k; }

	private static double sq(final double v) { return v * v; }

	static boolean touchesEdge(final Grid g, final boolean[] s) {
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++)
					if (s[i] && (z == 0 || y == 0 || x == 0 || z == g.nz - 1 || y == g.ny - 1 || x == g.nx - 1)) return true;
		return false;
	}
}
