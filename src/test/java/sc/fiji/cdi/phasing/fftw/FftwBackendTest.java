package sc.fiji.cdi.phasing.fftw;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;

import org.jtransforms.fft.FloatFFT_3D;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.GaussianBlur;
import sc.fiji.cdi.phasing.PhasingBackend;

class FftwBackendTest {

	@BeforeAll
	static void natives() {
		assertTrue(Fftw.available(), () -> "FFTW natives must load on linux-x86_64: " + Fftw.loadError());
	}

	/** A small object with a phase ramp inside a centred box, its support and its measured |FFT|. */
	static final Grid G = new Grid(12, 10, 16);

	static float[] object(final long seed) {
		final Random r = new Random(seed);
		final float[] o = new float[2 * G.size()];
		for (int z = 3; z < 9; z++) for (int y = 3; y < 7; y++) for (int x = 4; x < 12; x++) {
			final int i = G.index(z, y, x);
			final double a = 0.5 + r.nextDouble(), ph = 0.4 * x - 0.2 * z;
			o[2 * i] = (float) (a * Math.cos(ph));
			o[2 * i + 1] = (float) (a * Math.sin(ph));
		}
		return o;
	}

	static float[] modulus(final float[] o) {
		final float[] f = o.clone();
		new FloatFFT_3D(G.nz, G.ny, G.nx).complexForward(f);
		final float[] m = new float[G.size()];
		for (int i = 0; i < m.length; i++) m[i] = (float) Math.hypot(f[2 * i], f[2 * i + 1]);
		return m;
	}

	static boolean[] box() {
		final boolean[] s = new boolean[G.size()];
		for (int z = 2; z < 10; z++) for (int y = 2; y < 8; y++) for (int x = 3; x < 13; x++) s[G.index(z, y, x)] = true;
		return s;
	}

	@Test
	void theTrueObjectIsAFixedPointOfTheModulusProjection() {
		final float[] o = object(1);
		try (PhasingBackend.Session s = new FftwBackend(2, Fftw.Rigour.ESTIMATE).open(G, modulus(o), null, o, box())) {
			assertEquals(0, s.projectModulus(), 1e-10);
			s.er();
			final float[] r = s.readObject();
			double maxErr = 0;
			for (int k = 0; k < r.length; k++) maxErr = Math.max(maxErr, Math.abs(r[k] - o[k]));
			assertTrue(maxErr < 2e-6, "ρ' differs from ρ by " + maxErr);
		}
	}

	@Test
	void chi2IsCoheresRelativeErrorAndUnmeasuredPixelsKeepTheirValue() {
		final float[] o = object(2);
		final float[] m = modulus(o);
		final float[] doubled = m.clone();
		for (int i = 0; i < m.length; i++) doubled[i] *= 2;
		// |F| = M/2 of the data: χ² = Σ(M/2)² / ΣM² = 1/4
		try (PhasingBackend.Session s = new FftwBackend(1, Fftw.Rigour.ESTIMATE).open(G, doubled, null, o, box())) {
			assertEquals(0.25, s.projectModulus(), 1e-6);
		}
		// nothing measured: the projection is the identity and χ² is 0
		final boolean[] none = new boolean[G.size()];
		try (PhasingBackend.Session s = new FftwBackend(2, Fftw.Rigour.ESTIMATE).open(G, doubled, Mask.fromMeasured(G, none), o, box())) {
			assertEquals(0, s.projectModulus());
			s.hio(0.9);
			final float[] r = s.readObject();
			final boolean[] sup = box();
			for (int i = 0; i < G.size(); i++) {
				// inside S: ρ' = ρ; outside: ρ − 0.9ρ' = 0.1ρ, and ρ = 0 outside the object anyway
				final float expRe = sup[i] ? o[2 * i] : 0.1f * o[2 * i];
				assertEquals(expRe, r[2 * i], 1e-5, "voxel " + i);
			}
		}
	}

	@Test
	void resultsDoNotDependOnTheThreadCount() {
		final float[] o = object(3);
		final float[] m = modulus(o);
		final float[] start = new float[o.length];
		final Random r = new Random(4);
		for (int k = 0; k < start.length; k++) start[k] = r.nextFloat();
		final double[][] chi2 = new double[2][];
		final float[][] res = new float[2][];
		for (int t = 1; t <= 2; t++) {
			try (PhasingBackend.Session s = new FftwBackend(t, Fftw.Rigour.ESTIMATE).open(G, m, null, start, box())) {
				chi2[t - 1] = new double[20];
				for (int it = 0; it < 20; it++) {
					chi2[t - 1][it] = s.projectModulus();
					s.hio(0.9);
				}
				res[t - 1] = s.readObject();
			}
		}
		// FFTW may pick different codelets per thread count: equal to float rounding, not bitwise
		for (int it = 0; it < 20; it++) assertEquals(chi2[0][it], chi2[1][it], 1e-5 * chi2[0][it]);
		double max = 0, diff = 0;
		for (int k = 0; k < o.length; k++) { max = Math.max(max, Math.abs(res[0][k])); diff = Math.max(diff, Math.abs(res[0][k] - res[1][k])); }
		assertTrue(diff < 1e-4 * max, "1 vs 2 threads differ by " + diff + " (max " + max + ")");
		assertTrue(chi2[0][19] < chi2[0][0], "HIO should lower χ² from a random start: " + chi2[0][0] + " → " + chi2[0][19]);
	}

	@Test
	void blurOfAPointIsTheTruncatedPeriodicGaussian() {
		final double sigma = 0.8;
		final float[] k = GaussianBlur.kernel(sigma);
		final int r = k.length / 2;
		assertEquals(3, r); // ⌈3·0.8⌉
		double kSum = 0;
		for (final float v : k) kSum += v;
		assertEquals(1, kSum, 1e-6);
		assertEquals(1, GaussianBlur.axisTransfer(k, 16)[0], 1e-6); // the blur keeps the total
		// a point at a corner: the periodic blur wraps it around all three axes
		final float[] o = new float[2 * G.size()];
		o[2 * G.index(0, 0, 0)] = 1;
		try (PhasingBackend.Session s = new FftwBackend(2, Fftw.Rigour.ESTIMATE).open(G, modulus(object(1)), null, o, box())) {
			s.blurModulus(sigma);
			final double centre = Math.pow(k[r], 3), face = k[r] * k[r] * k[r + 1], edge = k[r] * k[r + 1] * k[r + 1];
			assertEquals(centre, s.workMax(), 1e-6);
			// above the face-neighbour weight: exactly the point and its 6 face neighbours (3 of them across the edges)
			assertEquals(7, s.supportFromWork(0.5 * (face + edge)));
			final boolean[] sup = s.readSupport();
			assertTrue(sup[G.index(G.nz - 1, 0, 0)] && sup[G.index(0, G.ny - 1, 0)] && sup[G.index(0, 0, G.nx - 1)] && sup[G.index(0, 0, 1)]);
			assertFalse(sup[G.index(1, 1, 0)]);
			// σ = 0: the work buffer is |ρ| itself
			s.blurModulus(0);
			assertEquals(1, s.workMax(), 1e-7);
			assertEquals(1, s.supportFromWork(0.5));
		}
	}

	@Test
	void shrinkWrapPrimitives() {
		final float[] o = object(6);
		try (PhasingBackend.Session s = new FftwBackend(2, Fftw.Rigour.ESTIMATE).open(G, modulus(o), null, o, box())) {
			s.blurModulus(0); // |ρ| itself
			double max = 0;
			for (int i = 0; i < G.size(); i++) max = Math.max(max, Math.hypot(o[2 * i], o[2 * i + 1]));
			assertEquals(max, s.workMax(), 1e-6);
			final long count = s.supportFromWork(1e-6);
			assertEquals(6 * 4 * 8, count); // exactly the object's voxels
			assertEquals(0, s.fractionOutsideSupport(), 1e-12);
			final boolean[] sup = s.readSupport();
			assertTrue(sup[G.index(5, 5, 5)]);
			assertFalse(sup[G.index(2, 2, 3)]);
			s.accumulate();
			s.accumulate();
			assertEquals(2, s.accumulated());
			assertEquals(2 * o[2 * G.index(5, 5, 5)], s.readAccumulated()[2 * G.index(5, 5, 5)], 1e-6);
		}
	}

	@Test
	void misuseIsRejectedInsteadOfCrashing() {
		final float[] o = object(7);
		final PhasingBackend.Session s = new FftwBackend(1, Fftw.Rigour.ESTIMATE).open(G, modulus(o), null, o, box());
		assertThrows(IllegalStateException.class, s::er);
		s.close();
		assertThrows(IllegalStateException.class, s::readObject);
		assertThrows(IllegalStateException.class, s::projectModulus);
		assertThrows(IllegalArgumentException.class, () -> new FftwBackend(1).open(G, new float[3], null, o, box()));
	}
}
