package sc.fiji.cdi.data;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.BooleanArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.logic.NativeBoolType;
import net.imglib2.type.numeric.complex.ComplexFloatType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * imglib2 views of the core's volumes without a copy: the {@link ArrayImg} wraps the volume's own {@code float[]}, so
 * a write through either is seen by the other. imglib2's first axis is the fastest, so a (z, y, x) volume is an image
 * of dimensions (x, y, z), or (x, y) when it is 2D (nz = 1) — the axis order of ImageJ, BigDataViewer and N5 as well.
 * Calibration is not carried (an ArrayImg has none); use the volume's {@code voxelSize} (z, y, x).
 */
public final class ImgViews {

	private ImgViews() {}

	/** The volume's values as a float image of dimensions (x, y[, z]) over the same array. */
	public static ArrayImg<FloatType, FloatArray> view(final RealVolume v) {
		return ArrayImgs.floats(v.data, dimensions(v.grid));
	}

	/** The complex volume (interleaved re, im) as a complex-float image of dimensions (x, y[, z]) over the same array. */
	public static ArrayImg<ComplexFloatType, FloatArray> view(final ComplexVolume v) {
		return ArrayImgs.complexFloats(v.data, dimensions(v.grid));
	}

	/**
	 * The mask's unmeasured pixels (true = unmeasured) as a boolean image of dimensions (x, y[, z]) over the mask's own
	 * array: for reading only (a {@link Mask} never changes; to change pixels, build a new mask).
	 */
	public static ArrayImg<NativeBoolType, BooleanArray> view(final Mask m) {
		return ArrayImgs.booleans(m.unmeasuredArray(), dimensions(m.grid));
	}

	/** A float image of dimensions (x, y) or (x, y, z) as a volume over the same array (unit voxels). */
	public static RealVolume volume(final ArrayImg<FloatType, FloatArray> img) {
		return new RealVolume(grid(img.dimensionsAsLongArray()), img.update(null).getCurrentStorageArray());
	}

	/** A complex-float image of dimensions (x, y) or (x, y, z) as a complex volume over the same array (unit voxels). */
	public static ComplexVolume complexVolume(final ArrayImg<ComplexFloatType, FloatArray> img) {
		return new ComplexVolume(grid(img.dimensionsAsLongArray()), img.update(null).getCurrentStorageArray());
	}

	/** imglib2 dimensions (x, y[, z]) of a (z, y, x) grid. */
	public static long[] dimensions(final Grid g) {
		return g.is2D() ? new long[] { g.nx, g.ny } : new long[] { g.nx, g.ny, g.nz };
	}

	private static Grid grid(final long[] d) {
		if (d.length == 2) return Grid.of2D(Math.toIntExact(d[1]), Math.toIntExact(d[0]));
		if (d.length == 3) return new Grid(Math.toIntExact(d[2]), Math.toIntExact(d[1]), Math.toIntExact(d[0]));
		throw new IllegalArgumentException("an image of " + d.length + " dimensions is not a volume; expected (x, y) or (x, y, z)");
	}
}
