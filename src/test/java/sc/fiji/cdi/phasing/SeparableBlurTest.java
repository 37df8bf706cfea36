package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;

class SeparableBlurTest {

	private static float[] random(final int n, final long seed) {
		final Random r = new Random(seed);
		final float[] a = new float[n];
		for (int i = 0; i < n; i++) a[i] = r.nextFloat();
		return a;
	}

	/** The triple sum over the kernel with periodic wrap, in double. */
	private static double direct(final Grid g, final float[] v, final float[] k, final int z, final int y, final int x) {
		final int r = k.length / 2;
		double acc = 0;
		for (int a = -r; a <= r; a++)
			for (int b = -r; b <= r; b++)
				for (int c = -r; c <= r; c++)
					acc += (g.nz == 1 ? (a == 0 ? 1 : 0) : k[a + r]) * k[b + r] * k[c + r]
						* v[g.index(Math.floorMod(z + a, g.nz), Math.floorMod(y + b, g.ny), Math.floorMod(x + c, g.nx))];
		return acc;
	}

	@Test
	void equalsTheDirectPeriodicConvolutionForAnyPlaneSplit() {
		// nz both below and above the 7 taps of σ = 1 (the ring of planes has two modes)
		for (final Grid g : new Grid[] { new Grid(4, 6, 10), new Grid(12, 5, 8), Grid.of2D(9, 11) }) {
			final float[] v = random(g.size(), g.size());
			final SeparableBlur blur = new SeparableBlur(g, 1.0);
			final SeparableBlur.RowSource rows = (z, y, out) -> System.arraycopy(v, g.index(z, y, 0), out, 0, g.nx);
			final float[] whole = new float[g.size()], split = new float[g.size()];
			final float max = blur.blur(rows, 0, g.nz, whole);
			final int cut = g.nz / 3;
			final float m1 = blur.blur(rows, 0, cut, split), m2 = blur.blur(rows, cut, g.nz, split);
			assertArrayEquals(whole, split, "the split into plane ranges must not change any voxel (" + g + ")");
			assertEquals(max, Math.max(m1, m2));
			final float[] k = GaussianBlur.kernel(1.0);
			float expectMax = Float.NEGATIVE_INFINITY;
			for (int z = 0; z < g.nz; z++)
				for (int y = 0; y < g.ny; y++)
					for (int x = 0; x < g.nx; x++) {
						assertEquals(direct(g, v, k, z, y, x), whole[g.index(z, y, x)], 1e-5, g + " at " + z + "," + y + "," + x);
						expectMax = Math.max(expectMax, whole[g.index(z, y, x)]);
					}
			assertEquals(expectMax, max);
		}
	}

	@Test
	void keepsTheTotal() {
		final Grid g = new Grid(8, 8, 8);
		final float[] v = random(g.size(), 3), out = new float[g.size()];
		new SeparableBlur(g, 1.5).blur((z, y, o) -> System.arraycopy(v, g.index(z, y, 0), o, 0, g.nx), 0, g.nz, out);
		double a = 0, b = 0;
		for (int i = 0; i < v.length; i++) { a += v[i]; b += out[i]; }
		assertEquals(a, b, 1e-4 * a);
	}

	@Test
	void refusesANonPositiveSigma() {
		assertThrows(IllegalArgumentException.class, () -> new SeparableBlur(new Grid(2, 2, 2), 0));
	}
}
