package sc.fiji.cdi.data;

import java.util.Arrays;

/**
 * Shape of a 2D or 3D array. Axis order is (z, y, x) everywhere in this project; x varies fastest in memory,
 * so the flat index of voxel (z, y, x) is {@code (z * ny + y) * nx + x}. A 2D array has {@code nz == 1}.
 * For BCDI data from a rocking scan, z is the rocking angle, y the detector row and x the detector column.
 */
public final class Grid {

	public final int nz, ny, nx;

	/**
	 * The most voxels a grid holds: 1,073,741,819 (about 2^30). A complex volume stores 2·n interleaved floats in one
	 * int-indexed Java array, and HotSpot's largest array is a few elements short of Integer.MAX_VALUE ({@code new
	 * float[Integer.MAX_VALUE - 1]} fails: "Requested array size exceeds VM limit"), so 2^30 voxels (e.g. a 1024³ cube)
	 * cannot be allocated.
	 */
	public static final long MAX_VOXELS = (Integer.MAX_VALUE - 8) / 2;

	public Grid(final int nz, final int ny, final int nx) {
		if (nz < 1 || ny < 1 || nx < 1) throw new IllegalArgumentException("grid dimensions must be >= 1, got " + nz + "x" + ny + "x" + nx);
		if ((long) nz * ny * nx > MAX_VOXELS) throw new IllegalArgumentException("grid " + nz + "x" + ny + "x" + nx + " is too large ("
			+ (long) nz * ny * nx + " voxels; at most " + MAX_VOXELS + " (about 2^30), so that its complex array fits in one Java array)");
		this.nz = nz; this.ny = ny; this.nx = nx;
	}

	public static Grid of2D(final int ny, final int nx) { return new Grid(1, ny, nx); }

	public static Grid cube(final int n) { return new Grid(n, n, n); }

	/** 2 for a single plane, 3 otherwise. */
	public int rank() { return nz == 1 ? 2 : 3; }

	public boolean is2D() { return nz == 1; }

	public int size() { return nz * ny * nx; }

	public int index(final int z, final int y, final int x) { return (z * ny + y) * nx + x; }

	/** The position of flat index {@code i} for messages: "(y=…, x=…)" in 2D, "(z=…, y=…, x=…)" in 3D. */
	public String position(final int i) {
		final int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
		return is2D() ? "(y=" + y + ", x=" + x + ")" : "(z=" + z + ", y=" + y + ", x=" + x + ")";
	}

	/** Dimensions as (z, y, x). */
	public int[] zyx() { return new int[] { nz, ny, nx }; }

	/** Dimensions as (x, y, z), the order of imglib2, ImageJ and VTK. */
	public int[] xyz() { return new int[] { nx, ny, nz }; }

	/**
	 * The bounding box of the true voxels of a mask on this grid: {lo, hi} (inclusive, z, y, x), or null when none is
	 * true.
	 */
	public int[][] bounds(final boolean[] mask) {
		final int[] lo = { Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE }, hi = { -1, -1, -1 };
		for (int z = 0, i = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++, i++) {
					if (!mask[i]) continue;
					lo[0] = Math.min(lo[0], z); hi[0] = Math.max(hi[0], z);
					lo[1] = Math.min(lo[1], y); hi[1] = Math.max(hi[1], y);
					lo[2] = Math.min(lo[2], x); hi[2] = Math.max(hi[2], x);
				}
		return hi[0] < 0 ? null : new int[][] { lo, hi };
	}

	@Override
	public boolean equals(final Object o) {
		return o instanceof Grid g && g.nz == nz && g.ny == ny && g.nx == nx;
	}

	@Override
	public int hashCode() { return Arrays.hashCode(zyx()); }

	/** "64x64x64" (z x y x x) or "128x128" (y x x) for a plane. */
	@Override
	public String toString() { return is2D() ? ny + "x" + nx : nz + "x" + ny + "x" + nx; }
}
