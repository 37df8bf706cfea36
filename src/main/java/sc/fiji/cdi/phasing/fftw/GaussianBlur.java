package sc.fiji.cdi.phasing.fftw;

import java.nio.FloatBuffer;

import sc.fiji.cdi.data.Grid;

/**
 * Separable Gaussian blur of a real (z, y, x) array for shrink-wrap (cohere blurs |ρ| with
 * scipy.ndimage.gaussian_filter, σ ≈ 1 voxel): kernel truncated at ⌈4σ⌉ (scipy's truncate = 4) and normalised to
 * sum 1, with <em>periodic</em> boundaries like the DFT and like {@code JTransformsBackend}, so the CPU backends
 * shrink-wrap identically. Axes of length 1 are skipped. Every pass is written with x innermost and contiguous
 * (a weighted sum of shifted rows), which the JIT vectorises; the x pass can read |ρ| straight from an interleaved
 * complex buffer, which saves a pass over memory.
 */
public final class GaussianBlur {

	private GaussianBlur() {}

	/** Normalised kernel of radius max(1, ⌈4σ⌉) (scipy's default truncate = 4.0). */
	public static float[] kernel(final double sigma) {
		final int r = Math.max(1, (int) Math.ceil(4 * sigma));
		final float[] k = new float[2 * r + 1];
		double s = 0;
		for (int i = -r; i <= r; i++) s += Math.exp(-0.5 * i * i / (sigma * sigma));
		for (int i = -r; i <= r; i++) k[i + r] = (float) (Math.exp(-0.5 * i * i / (sigma * sigma)) / s);
		return k;
	}

	/** Source of one x-row of a real array. */
	private interface RowSource {
		/** Writes row {@code row} into {@code pad[r .. r + nx)}. */
		void read(int row, float[] pad, int r);
	}

	/**
	 * Blurs {@code data} in place.
	 *
	 * @param scratch work array of the same length (contents overwritten)
	 */
	public static void blur(final Grid g, final float[] data, final float[] scratch, final double sigma, final ParallelChunks loops) {
		if (sigma <= 0) return;
		final float[] k = kernel(sigma);
		final int nx = g.nx;
		xPass(g, (row, pad, r) -> System.arraycopy(data, row * nx, pad, r, nx), scratch, k, loops);
		final float[] result = yzPasses(g, scratch, data, k, loops);
		if (result != data) System.arraycopy(result, 0, data, 0, data.length);
	}

	/** x pass of the blur of |ρ|, ρ interleaved complex: out = G_x ∗ |ρ|; the kernel radius r ≥ 1 (or σ ≤ 0: |ρ|). */
	public static void xPassModulus(final Grid g, final FloatBuffer rho, final float[] out, final float[] k, final ParallelChunks loops) {
		final int nx = g.nx;
		xPass(g, (row, pad, r) -> {
			final int o = row * nx;
			for (int x = 0; x < nx; x++) {
				final float re = rho.get(2 * (o + x)), im = rho.get(2 * (o + x) + 1);
				pad[r + x] = (float) Math.sqrt(re * re + im * im);
			}
		}, out, k, loops);
	}

	private static void xPass(final Grid g, final RowSource src, final float[] out, final float[] k, final ParallelChunks loops) {
		final int nx = g.nx, rows = g.nz * g.ny;
		final int r = nx > 1 && k != null ? k.length / 2 : 0;
		loops.forEach(rows, 16, (from, to) -> {
			final float[] pad = new float[nx + 2 * r];
			for (int row = from; row < to; row++) {
				src.read(row, pad, r);
				final int o = row * nx;
				if (r == 0) {
					System.arraycopy(pad, 0, out, o, nx);
					continue;
				}
				for (int i = 1; i <= r; i++) { // periodic padding
					pad[r - i] = pad[r + Math.floorMod(-i, nx)];
					pad[r + nx - 1 + i] = pad[r + Math.floorMod(nx - 1 + i, nx)];
				}
				final float k0 = k[0];
				for (int x = 0; x < nx; x++) out[o + x] = k0 * pad[x];
				for (int j = 1; j < k.length; j++) {
					final float w = k[j];
					for (int x = 0; x < nx; x++) out[o + x] += w * pad[x + j];
				}
			}
		});
	}

	/**
	 * y then z passes on {@code a}, using {@code b} as the other buffer; returns the array that holds the result
	 * ({@code a} or {@code b}).
	 */
	public static float[] yzPasses(final Grid g, final float[] a, final float[] b, final float[] k, final ParallelChunks loops) {
		float[] in = a, out = b;
		if (g.ny > 1) {
			rowPass(g, in, out, k, false, loops);
			in = out;
			out = in == a ? b : a;
		}
		if (g.nz > 1) {
			rowPass(g, in, out, k, true, loops);
			in = out;
		}
		return in;
	}

	/** out[z, y, :] = Σ_j k_j · in[row shifted by j − r along y (or z)], periodic. */
	private static void rowPass(final Grid g, final float[] in, final float[] out, final float[] k, final boolean alongZ, final ParallelChunks loops) {
		final int nx = g.nx, ny = g.ny, nz = g.nz, r = k.length / 2;
		loops.forEach(nz * ny, 16, (from, to) -> {
			for (int row = from; row < to; row++) {
				final int z = row / ny, y = row % ny, o = row * nx;
				for (int j = 0; j < k.length; j++) {
					final int src = alongZ ? (Math.floorMod(z + j - r, nz) * ny + y) * nx : (z * ny + Math.floorMod(y + j - r, ny)) * nx;
					final float w = k[j];
					if (j == 0) for (int x = 0; x < nx; x++) out[o + x] = w * in[src + x];
					else for (int x = 0; x < nx; x++) out[o + x] += w * in[src + x];
				}
			}
		});
	}
}
