package sc.fiji.cdi.phasing;

import sc.fiji.cdi.fft.Fft;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.Grid;

/** The backend's elementary operations against direct (slow, obvious) implementations. */
class JTransformsBackendTest {

	private static float[] randomComplex(final int n, final long seed) {
		final SplittableRandom r = new SplittableRandom(seed);
		final float[] a = new float[2 * n];
		for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() - 0.5);
		return a;
	}

	private static float[] randomPositive(final int n, final long seed) {
		final SplittableRandom r = new SplittableRandom(seed);
		final float[] a = new float[n];
		for (int i = 0; i < n; i++) a[i] = (float) (0.1 + r.nextDouble());
		return a;
	}

	/** Naive DFT along every axis (numpy's fftn convention). */
	private static double[] naiveDft(final Grid g, final float[] in) {
		double[] cur = new double[in.length];
		for (int i = 0; i < in.length; i++) cur[i] = in[i];
		final int[] dims = g.zyx(), strides = { g.ny * g.nx, g.nx, 1 };
		for (int d = 0; d < 3; d++) {
			final int len = dims[d], st = strides[d];
			final double[] out = new double[cur.length];
			for (int i = 0; i < g.size(); i++) {
				final int pos = (i / st) % len, base = i - pos * st;
				double re = 0, im = 0;
				for (int j = 0; j < len; j++) {
					final double ang = -2 * Math.PI * (double) pos * j / len;
					final double xr = cur[2 * (base + j * st)], xi = cur[2 * (base + j * st) + 1];
					re += xr * Math.cos(ang) - xi * Math.sin(ang);
					im += xr * Math.sin(ang) + xi * Math.cos(ang);
				}
				out[2 * i] = re; out[2 * i + 1] = im;
			}
			cur = out;
		}
		return cur;
	}

	@Test
	void fftIsThePlainDftAndInverseIsNormalised() {
		for (final Grid g : new Grid[] { new Grid(4, 6, 5), Grid.of2D(6, 8), new Grid(3, 1, 4), Grid.of2D(1, 7), new Grid(1, 1, 1) }) {
			final float[] x = randomComplex(g.size(), 3);
			final double[] ref = naiveDft(g, x);
			final float[] f = Fft.forwardCopy(g, x);
			for (int i = 0; i < f.length; i++) assertEquals(ref[i], f[i], 1e-4, g + " index " + i);
			final float[] back = Fft.inverseCopy(g, f);
			for (int i = 0; i < x.length; i++) assertEquals(x[i], back[i], 1e-5);
		}
	}

	@Test
	void modulusProjectionAndChi2MatchTheDefinition() {
		final Grid g = new Grid(6, 8, 10);
		final int n = g.size();
		final float[] rho = randomComplex(n, 1), amp = randomPositive(n, 2);
		final boolean[] measured = new boolean[n];
		final SplittableRandom r = new SplittableRandom(5);
		for (int i = 0; i < n; i++) measured[i] = r.nextDouble() > 0.2;
		for (final int threads : new int[] { 1, 2 }) {
			try (PhasingBackend.Session s = new JTransformsBackend(threads).open(g, amp, Mask.fromMeasured(g, measured), rho, new boolean[n])) {
				final double chi2 = s.projectModulus();
				// expected: F = DFT(ρ); χ² = Σ(|F|−M)²/ΣM² over measured; P = IDFT(M·F/|F| measured, F elsewhere)
				final float[] f = Fft.forwardCopy(g, rho);
				double num = 0, den = 0;
				final float[] pf = f.clone();
				for (int i = 0; i < n; i++) {
					if (!measured[i]) continue;
					final double mod = Math.hypot(f[2 * i], f[2 * i + 1]);
					num += (mod - amp[i]) * (mod - amp[i]);
					den += amp[i] * amp[i];
					pf[2 * i] = (float) (f[2 * i] * amp[i] / mod);
					pf[2 * i + 1] = (float) (f[2 * i + 1] * amp[i] / mod);
				}
				assertEquals(num / den, chi2, 1e-6 * num / den);
				// ER with an all-true support exposes ρ' = P_M(ρ)
				s.writeSupport(fill(n, true));
				s.projectModulus();
				s.er();
				final float[] proj = s.readObject();
				final float[] fp = Fft.forwardCopy(g, proj);
				for (int i = 0; i < n; i++) {
					assertEquals(pf[2 * i], fp[2 * i], 2e-4, "re at " + i);
					assertEquals(pf[2 * i + 1], fp[2 * i + 1], 2e-4, "im at " + i);
					if (!measured[i]) { // masked pixels are unconstrained: F is left unchanged
						assertEquals(f[2 * i], fp[2 * i], 2e-4);
						assertEquals(f[2 * i + 1], fp[2 * i + 1], 2e-4);
					} else assertEquals(amp[i], Math.hypot(fp[2 * i], fp[2 * i + 1]), 2e-4);
				}
			}
		}
	}

	private static boolean[] fill(final int n, final boolean v) { final boolean[] b = new boolean[n]; java.util.Arrays.fill(b, v); return b; }

	@Test
	void erHioRaarUpdatesFollowTheirFormulas() {
		final Grid g = new Grid(4, 8, 8);
		final int n = g.size();
		final float[] rho = randomComplex(n, 11), amp = randomPositive(n, 12);
		final boolean[] support = new boolean[n];
		for (int i = 0; i < n; i += 3) support[i] = true;
		final double beta = 0.7;
		// ρ' from an all-true-support ER step
		final float[] proj;
		try (PhasingBackend.Session s = new JTransformsBackend(1).open(g, amp, null, rho, fill(n, true))) {
			s.projectModulus(); s.er(); proj = s.readObject();
		}
		for (final String alg : new String[] { "er", "hio", "raar" }) {
			try (PhasingBackend.Session s = new JTransformsBackend(2).open(g, amp, null, rho, support)) {
				s.projectModulus();
				switch (alg) { case "er" -> s.er(); case "hio" -> s.hio(beta); default -> s.raar(beta); }
				final float[] out = s.readObject();
				for (int i = 0; i < 2 * n; i++) {
					final double p = proj[i], x = rho[i];
					final double expected = support[i / 2] ? p : switch (alg) {
						case "er" -> 0;
						case "hio" -> x - beta * p;
						default -> beta * x + (1 - 2 * beta) * p;
					};
					assertEquals(expected, out[i], 1e-5, alg + " at " + i);
				}
			}
		}
	}

	@Test
	void blurIsAPeriodicSeparableGaussianOfTheModulus() {
		final Grid g = new Grid(5, 7, 9);
		final int n = g.size();
		final float[] rho = randomComplex(n, 21);
		final double sigma = 1.3;
		final float[] k = GaussianBlur.kernel(sigma);
		final int r = k.length / 2;
		double ksum = 0;
		for (final float v : k) ksum += v;
		assertEquals(1, ksum, 1e-6);
		assertEquals((int) Math.ceil(3 * sigma), r);
		final float[] mod = Moments.modulus(rho);
		for (final int threads : new int[] { 1, 2 }) {
			try (PhasingBackend.Session s = new JTransformsBackend(threads).open(g, new float[n], null, rho, new boolean[n])) {
				s.blurModulus(sigma);
				double max = 0;
				final double[] direct = new double[n];
				for (int z = 0; z < g.nz; z++)
					for (int y = 0; y < g.ny; y++)
						for (int x = 0; x < g.nx; x++) {
							double acc = 0;
							for (int a = -r; a <= r; a++)
								for (int b = -r; b <= r; b++)
									for (int c = -r; c <= r; c++)
										acc += k[a + r] * k[b + r] * k[c + r] * mod[g.index(Math.floorMod(z + a, g.nz), Math.floorMod(y + b, g.ny), Math.floorMod(x + c, g.nx))];
							max = Math.max(max, acc);
							direct[g.index(z, y, x)] = acc;
						}
				assertEquals(max, s.workMax(), 1e-5);
				// threshold between two middle values: the support must be exactly the direct blur's
				final double[] sorted = direct.clone();
				java.util.Arrays.sort(sorted);
				final double level = 0.5 * (sorted[n / 2] + sorted[n / 2 + 1]);
				final long count = s.supportFromWork(level);
				final boolean[] sup = s.readSupport();
				for (int i = 0; i < n; i++) assertEquals(direct[i] >= level, sup[i], "voxel " + i);
				assertEquals(n - n / 2 - 1, count);
			}
		}
		// 2D: no blur along z
		final Grid g2 = Grid.of2D(1, 9);
		final float[] line = new float[18];
		line[2 * 4] = 1f; // a delta at x = 4
		try (PhasingBackend.Session s = new JTransformsBackend(1).open(g2, new float[9], null, line, new boolean[9])) {
			s.blurModulus(1.0);
			assertEquals(GaussianBlur.kernel(1.0)[3], s.workMax(), 1e-6, "a 1-row image is blurred along x only");
		}
	}

	@Test
	void reductionsAndAveraging() {
		final Grid g = new Grid(3, 4, 5);
		final int n = g.size();
		final float[] rho = randomComplex(n, 31);
		final boolean[] support = new boolean[n];
		for (int i = 0; i < n / 2; i++) support[i] = true;
		try (PhasingBackend.Session s = new JTransformsBackend(2).open(g, new float[n], null, rho, support)) {
			double out = 0, all = 0;
			for (int i = 0; i < n; i++) {
				final double p = rho[2 * i] * rho[2 * i] + rho[2 * i + 1] * rho[2 * i + 1];
				all += p;
				if (!support[i]) out += p;
			}
			assertEquals(out / all, s.fractionOutsideSupport(), 1e-9);
			s.accumulate();
			s.accumulate();
			assertEquals(2, s.accumulated());
			final float[] acc = s.readAccumulated();
			for (int i = 0; i < 2 * n; i++) assertEquals(2 * rho[i], acc[i], 1e-6);
			assertArrayEquals(support, s.readSupport());
		}
	}

	@Test
	void largeArraysGiveTheSameResultForOneAndTwoThreadsUpToRounding() {
		final Grid g = Grid.cube(48); // above the parallel threshold
		final int n = g.size();
		final float[] rho = randomComplex(n, 41), amp = randomPositive(n, 42);
		final boolean[] sup = Phaser.boxSupport(g, 0.5);
		final double[] chi = new double[2];
		final float[][] res = new float[2][];
		for (int t = 1; t <= 2; t++) {
			try (PhasingBackend.Session s = new JTransformsBackend(t).open(g, amp, null, rho, sup)) {
				chi[t - 1] = s.projectModulus();
				s.hio(0.9);
				s.blurModulus(1);
				s.supportFromWork(0.1 * s.workMax());
				res[t - 1] = s.readObject();
			}
		}
		assertEquals(chi[0], chi[1], 1e-9 * chi[0]);
		for (int i = 0; i < res[0].length; i++) assertEquals(res[0][i], res[1][i], 1e-5);
	}
}
