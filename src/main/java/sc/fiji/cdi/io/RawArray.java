package sc.fiji.cdi.io;

import java.util.Arrays;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;

/**
 * What a format reader hands to {@link DiffractionReader} before validation: values as float in (z, y, x) order,
 * the element type as written in the file and the shape as the file declares it (slowest axis first), and the
 * unmeasured pixels the file itself marks (an HDF5 sibling {@code mask}; null = none) on {@code grid}.
 */
record RawArray(Grid grid, float[] data, String dtype, long[] shape, double[] voxelSize, String unit, Mask mask, String dataset) {

	RawArray(final Grid grid, final float[] data, final String dtype, final long[] shape) {
		this(grid, data, dtype, shape, new double[] { 1, 1, 1 }, "pixel", null, null);
	}

	RawArray withMask(final Mask m) { return new RawArray(grid, data, dtype, shape, voxelSize, unit, m, dataset); }

	RawArray withDataset(final String d) { return new RawArray(grid, data, dtype, shape, voxelSize, unit, mask, d); }

	String shapeString() { return Arrays.toString(shape); }
}
