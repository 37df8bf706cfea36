package sc.fiji.cdi.export;

import sc.fiji.cdi.data.RealVolume;

/**
 * 32-bit float voxels that can be read one box at a time, in (x, y, z) order with x fastest (the order of N5,
 * VTK and imglib2). Writers pull data through this interface block by block, so they never hold a second copy of
 * a volume, and a volume larger than one Java array (e.g. a paged or memory-mapped source) can be exported.
 */
public interface BlockSource {

	/** Dimensions (x, y, z). */
	long[] dimensionsXyz();

	/**
	 * Copies the box at {@code offsetXyz} of {@code sizeXyz} voxels into {@code dst} (x fastest, length at least
	 * the box's voxel count).
	 */
	void read(long[] offsetXyz, int[] sizeXyz, float[] dst);

	/** A view of an in-memory volume (no copy). */
	static BlockSource of(final RealVolume v) {
		final int nx = v.grid.nx, ny = v.grid.ny;
		final float[] d = v.data;
		final long[] dims = { nx, ny, v.grid.nz };
		return new BlockSource() {
			@Override
			public long[] dimensionsXyz() { return dims.clone(); }

			@Override
			public void read(final long[] o, final int[] s, final float[] dst) {
				int k = 0;
				for (int z = 0; z < s[2]; z++)
					for (int y = 0; y < s[1]; y++) {
						final int row = (int) (((o[2] + z) * ny + (o[1] + y)) * nx + o[0]);
						System.arraycopy(d, row, dst, k, s[0]);
						k += s[0];
					}
			}
		};
	}

	/** Number of voxels, as a long. */
	default long voxelCount() {
		final long[] d = dimensionsXyz();
		return d[0] * d[1] * d[2];
	}
}
