package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.Grid;

/**
 * Shrink-wrap's Gaussian blur of |ρ| computed directly on the CPU: the periodic separable convolution with the
 * kernel of {@link GaussianBlur} (cohere blurs with σ ≈ 1 voxel, 7 taps), streamed plane by plane so that each
 * plane of |ρ| is produced once (by a {@link RowSource}) and each output voxel written once.
 * <p>
 * The loops are arranged for HotSpot's vectoriser, which (JDK 17) only vectorises a loop whose loads and stores
 * use the same index: rows are kept as separate arrays (the z and y taps combine whole rows index by index) and
 * the x taps read a shifted copy of the row. Measured at 216×256×256 with 2 threads: 50 ms per blur, against
 * 147 ms for the same convolution through an FFTW r2c/c2r pair and 140 ms for direct loops with offset indices.
 * <p>
 * An instance holds only the kernel; each call allocates its own scratch (the ring of 2r + 1 input planes and two
 * planes), so calls on disjoint plane ranges can run in parallel. The result for a voxel does not depend on how
 * the planes are split.
 */
public final class SeparableBlur {

	/** Writes the nx values of row (z, y) of the quantity to blur, e.g. |ρ|, into {@code out}. */
	@FunctionalInterface
	public interface RowSource {
		void row(int z, int y, float[] out);
	}

	private final Grid grid;
	private final double sigma;
	private final float[] k;
	private final int r;

	public SeparableBlur(final Grid grid, final double sigma) {
		if (!(sigma > 0)) throw new IllegalArgumentException("blur sigma must be > 0 voxels, got " + sigma);
		this.grid = grid;
		this.sigma = sigma;
		this.k = GaussianBlur.kernel(sigma);
		this.r = k.length / 2;
	}

	public double sigma() { return sigma; }

	/** Scratch floats one {@link #blur} call allocates (for memory estimates). */
	public long scratchFloats() { return (long) (Math.min(k.length, grid.nz) + 2) * grid.ny * grid.nx + 2L * grid.nx; }

	/**
	 * Blurs planes {@code [z0, z1)} of {@code src} into {@code dst} (z, y, x with x fastest, the whole grid) and
	 * returns the maximum of the blurred values written. Axes of length 1 are not blurred.
	 */
	public float blur(final RowSource src, final int z0, final int z1, final float[] dst) {
		final int nz = grid.nz, ny = grid.ny, nx = grid.nx, taps = k.length;
		// ring of input planes: with nz ≤ taps every plane has its own slot, else slots follow the unwrapped index
		final int slots = Math.min(taps, nz);
		final float[][][] ring = new float[slots][ny][nx];
		final int[] tag = new int[slots];
		java.util.Arrays.fill(tag, Integer.MIN_VALUE);
		final float[][] zb = nz == 1 ? null : new float[ny][nx], yb = ny == 1 ? null : new float[ny][nx];
		final float[] shifted = new float[nx], xb = new float[nx];
		float max = Float.NEGATIVE_INFINITY;
		for (int z = z0; z < z1; z++) {
			for (int j = -r; j <= r; j++) { // load the planes this z needs (one new plane per step after the first)
				final int u = z + j, wrapped = Math.floorMod(u, nz), slot = nz <= taps ? wrapped : Math.floorMod(u, taps);
				final int id = nz <= taps ? wrapped : u;
				if (tag[slot] == id) continue;
				for (int y = 0; y < ny; y++) src.row(wrapped, y, ring[slot][y]);
				tag[slot] = id;
			}
			final float[][] planeZ; // along z
			if (nz == 1) planeZ = ring[0];
			else {
				for (int y = 0; y < ny; y++) {
					for (int j = 0; j < taps; j++) {
						final int u = z + j - r, slot = nz <= taps ? Math.floorMod(u, nz) : Math.floorMod(u, taps);
						combine(zb[y], ring[slot][y], k[j], j == 0);
					}
				}
				planeZ = zb;
			}
			final float[][] planeY; // along y
			if (ny == 1) planeY = planeZ;
			else {
				for (int y = 0; y < ny; y++)
					for (int j = 0; j < taps; j++) combine(yb[y], planeZ[Math.floorMod(y + j - r, ny)], k[j], j == 0);
				planeY = yb;
			}
			for (int y = 0; y < ny; y++) { // along x, into dst
				final float[] in = planeY[y], out = nx == 1 ? in : xb;
				if (nx > 1) {
					for (int j = 0; j < taps; j++) {
						shift(in, Math.floorMod(j - r, nx), shifted);
						combine(out, shifted, k[j], j == 0);
					}
				}
				final int off = (z * ny + y) * nx;
				System.arraycopy(out, 0, dst, off, nx);
				for (int i = 0; i < nx; i++) max = Math.max(max, out[i]);
			}
		}
		return max;
	}

	/** o ← w·a (first tap) or o ← o + w·a, index by index (a loop HotSpot vectorises). */
	private static void combine(final float[] o, final float[] a, final float w, final boolean first) {
		if (first) for (int i = 0; i < o.length; i++) o[i] = w * a[i];
		else for (int i = 0; i < o.length; i++) o[i] += w * a[i];
	}

	/** out[i] = in[(i + s) mod n] for 0 ≤ s < n. */
	private static void shift(final float[] in, final int s, final float[] out) {
		final int n = in.length;
		System.arraycopy(in, s, out, 0, n - s);
		System.arraycopy(in, 0, out, n - s, s);
	}
}
