package sc.fiji.cdi.phasing.fftw;

import sc.fiji.cdi.data.Grid;

/**
 * Separable Gaussian blur of a real (z, y, x) array in place for shrink-wrap (cohere blurs |ρ| with
 * scipy.ndimage.gaussian_filter, σ ≈ 1 voxel): kernel truncated at ⌈4σ⌉ (scipy's truncate = 4) and normalised to
 * sum 1, with <em>periodic</em> boundaries like the DFT and like {@code JTransformsBackend}, so both CPU backends
 * shrink-wrap identically. Axes of length 1 are skipped. The y and z passes are written as weighted sums of whole
 * x-rows, so the inner loop is contiguous and vectorisable.
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

	/** Periodic index. */
	static int wrap(final int i, final int n) { return Math.floorMod(i, n); }

	/**
	 * Blurs {@code data} in place.
	 *
	 * @param scratch work array of the same length (contents overwritten)
	 */
	public static void blur(final Grid g, final float[] data, final float[] scratch, final double sigma, final ParallelChunks loops) {
		if (sigma <= 0) return;
		final float[] k = kernel(sigma);
		final int r = k.length / 2;
		final int nx = g.nx, ny = g.ny, nz = g.nz, rows = nz * ny;
		// x: data → scratch, one row at a time with a padded copy of the row
		if (nx > 1) {
			loops.forEach(rows, 16, (from, to) -> {
				final float[] pad = new float[nx + 2 * r];
				for (int row = from; row < to; row++) {
					final int o = row * nx;
					for (int i = -r; i < nx + r; i++) pad[i + r] = data[o + wrap(i, nx)];
					for (int x = 0; x < nx; x++) {
						float s = 0;
						for (int j = 0; j < k.length; j++) s += k[j] * pad[x + j];
						scratch[o + x] = s;
					}
				}
			});
		}
		else System.arraycopy(data, 0, scratch, 0, data.length);
		// y: scratch → data
		if (ny > 1) {
			loops.forEach(rows, 16, (from, to) -> {
				for (int row = from; row < to; row++) {
					final int z = row / ny, y = row % ny, o = row * nx;
					for (int x = 0; x < nx; x++) data[o + x] = 0;
					for (int j = 0; j < k.length; j++) {
						final int src = (z * ny + wrap(y + j - r, ny)) * nx;
						final float w = k[j];
						for (int x = 0; x < nx; x++) data[o + x] += w * scratch[src + x];
					}
				}
			});
		}
		else System.arraycopy(scratch, 0, data, 0, data.length);
		// z: data → scratch → data
		if (nz > 1) {
			loops.forEach(rows, 16, (from, to) -> {
				for (int row = from; row < to; row++) {
					final int z = row / ny, y = row % ny, o = row * nx;
					for (int x = 0; x < nx; x++) scratch[o + x] = 0;
					for (int j = 0; j < k.length; j++) {
						final int src = (wrap(z + j - r, nz) * ny + y) * nx;
						final float w = k[j];
						for (int x = 0; x < nx; x++) scratch[o + x] += w * data[src + x];
					}
				}
			});
			System.arraycopy(scratch, 0, data, 0, data.length);
		}
	}
}
