package sc.fiji.cdi.fft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;

class FftTest {

	private static float[] random(final Grid g, final long seed) {
		final SplittableRandom r = new SplittableRandom(seed);
		final float[] a = new float[2 * g.size()];
		for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
		return a;
	}

	/** Textbook DFT F(k) = Σ ρ(r) exp(−2πi k·r / n), in double. */
	private static double[] naiveDft(final Grid g, final float[] a) {
		final double[] out = new double[a.length];
		for (int kz = 0; kz < g.nz; kz++) for (int ky = 0; ky < g.ny; ky++) for (int kx = 0; kx < g.nx; kx++) {
			double re = 0, im = 0;
			for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
				final double t = -2 * Math.PI * ((double) kz * z / g.nz + (double) ky * y / g.ny + (double) kx * x / g.nx);
				final int i = g.index(z, y, x);
				re += a[2 * i] * Math.cos(t) - a[2 * i + 1] * Math.sin(t);
				im += a[2 * i] * Math.sin(t) + a[2 * i + 1] * Math.cos(t);
			}
			final int k = g.index(kz, ky, kx);
			out[2 * k] = re; out[2 * k + 1] = im;
		}
		return out;
	}

	@Test
	void forwardMatchesTheTextbookDftForOddEvenAndDegenerateGrids() {
		for (final Grid g : new Grid[] { new Grid(5, 6, 7), new Grid(4, 4, 4), Grid.of2D(6, 10), Grid.of2D(9, 5), new Grid(1, 1, 8), new Grid(4, 1, 6), new Grid(3, 5, 1) }) {
			final float[] a = random(g, g.size());
			final double[] expected = naiveDft(g, a);
			final float[] f = a.clone();
			Fft.forward(g, f);
			for (int i = 0; i < f.length; i++) assertEquals(expected[i], f[i], 1e-4 * Math.sqrt(g.size()), "grid " + g + " element " + i);
			Fft.inverse(g, f);
			for (int i = 0; i < f.length; i++) assertEquals(a[i], f[i], 1e-5, "round trip on grid " + g);
		}
	}

	@Test
	void diffractionIntensityIsCentredAndObeysParseval() {
		final Grid g = new Grid(6, 7, 8);
		final float[] a = random(g, 3);
		final ComplexVolume rho = new ComplexVolume(g, a.clone());
		final RealVolume i = Fft.diffractionIntensity(rho);
		assertArrayEquals(a, rho.data, "input must not be modified");
		final double[] f = naiveDft(g, a);
		// zero frequency lands at (n/2) per axis
		assertEquals(f[0] * f[0] + f[1] * f[1], i.get(3, 3, 4), 1e-3);
		// frequency (1, -1, 2) lands at (n/2 + k) mod n
		final int k = g.index(1, 6, 2);
		assertEquals(f[2 * k] * f[2 * k] + f[2 * k + 1] * f[2 * k + 1], i.get(4, 2, 6), 1e-3);
		double energy = 0;
		for (final float v : a) energy += v * v;
		assertEquals(g.size() * energy, i.sum(), 1e-4 * g.size() * energy);
	}
}
