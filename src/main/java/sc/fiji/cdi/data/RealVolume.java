package sc.fiji.cdi.data;

/**
 * A real-valued 2D/3D array in (z, y, x) order, x fastest, with a voxel size in nanometres (z, y, x) when known
 * (in reciprocal space the voxel size is left at 1 and {@link #unit} says "pixel").
 */
public final class RealVolume {

	public final Grid grid;
	public final float[] data;
	/** Voxel size (z, y, x) in {@link #unit}. */
	public final double[] voxelSize;
	public final String unit;

	public RealVolume(final Grid grid, final float[] data, final double[] voxelSize, final String unit) {
		if (data.length != grid.size()) throw new IllegalArgumentException("data length " + data.length + " does not match grid " + grid);
		this.grid = grid; this.data = data; this.voxelSize = voxelSize.clone(); this.unit = unit;
	}

	public RealVolume(final Grid grid, final float[] data) { this(grid, data, new double[] { 1, 1, 1 }, "pixel"); }

	public RealVolume(final Grid grid) { this(grid, new float[grid.size()]); }

	public float get(final int z, final int y, final int x) { return data[grid.index(z, y, x)]; }

	public RealVolume copy() { return new RealVolume(grid, data.clone(), voxelSize, unit); }

	/** Same grid and calibration, new values. */
	public RealVolume with(final float[] values) { return new RealVolume(grid, values, voxelSize, unit); }

	public RealVolume calibrated(final double[] voxelSizeZyx, final String newUnit) { return new RealVolume(grid, data, voxelSizeZyx, newUnit); }

	public double max() { double m = Double.NEGATIVE_INFINITY; for (final float v : data) if (v > m) m = v; return m; }

	/**
	 * The smallest and largest finite value, {NaN, NaN} when there is none: the display range of the whole volume
	 * (ImageJ's own range looks at the current slice only, and a crystal whose first slice is empty opened saturated).
	 */
	public double[] finiteRange() {
		float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
		for (final float x : data) if (Float.isFinite(x)) { if (x < min) min = x; if (x > max) max = x; }
		return min <= max ? new double[] { min, max } : new double[] { Double.NaN, Double.NaN };
	}

	public double sum() { double s = 0; for (final float v : data) s += v; return s; }
}
