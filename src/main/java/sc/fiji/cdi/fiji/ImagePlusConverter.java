package sc.fiji.cdi.fiji;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/**
 * ImageJ 1 {@link ImagePlus} ↔ {@link RealVolume}. An ImagePlus stack of Z slices of H×W pixels is the (z, y, x)
 * volume Z×H×W; calibration pixelDepth/Height/Width ↔ voxel size (z, y, x).
 */
public final class ImagePlusConverter {

	private ImagePlusConverter() {}

	/** A 32-bit image (stack for 3D) titled {@code title}, calibrated, sharing no memory with the volume. */
	public static ImagePlus toImagePlus(final RealVolume v, final String title) {
		final Grid g = v.grid;
		final ImageStack stack = new ImageStack(g.nx, g.ny);
		final int plane = g.nx * g.ny;
		for (int z = 0; z < g.nz; z++) {
			final float[] p = new float[plane];
			System.arraycopy(v.data, z * plane, p, 0, plane);
			stack.addSlice("z=" + z, new FloatProcessor(g.nx, g.ny, p));
		}
		final ImagePlus imp = new ImagePlus(title, stack);
		final Calibration cal = imp.getCalibration();
		cal.pixelDepth = v.voxelSize[0];
		cal.pixelHeight = v.voxelSize[1];
		cal.pixelWidth = v.voxelSize[2];
		cal.setUnit(v.unit == null ? "pixel" : v.unit);
		// the display range of the whole volume (resetDisplayRange looks at the current slice only)
		final double[] range = v.finiteRange();
		if (range[0] < range[1]) imp.setDisplayRange(range[0], range[1]);
		else imp.resetDisplayRange();
		return imp;
	}

	/** Reads a grey-level image or stack (8, 16 or 32 bit) as floats; rejects RGB and multi-channel/time images. */
	public static RealVolume toVolume(final ImagePlus imp) {
		if (imp == null) throw new CdiException("No image is open: open a diffraction stack first (File > Open or Plugins > CDI > Import Diffraction).");
		final String name = "'" + imp.getTitle() + "'";
		if (imp.getType() == ImagePlus.COLOR_RGB || imp.getType() == ImagePlus.COLOR_256)
			throw new CdiException("Image " + name + " is an RGB/colour image; expected a grey-level (8-, 16- or 32-bit) diffraction stack.");
		if (imp.getNChannels() > 1 || imp.getNFrames() > 1)
			throw new CdiException("Image " + name + " has " + imp.getNChannels() + " channels and " + imp.getNFrames()
				+ " frames; expected a single-channel stack of diffraction planes (complex data must be split into amplitude first).");
		final int w = imp.getWidth(), h = imp.getHeight(), d = imp.getStackSize();
		final Grid g = new Grid(d, h, w);
		final float[] data = new float[g.size()];
		final ImageStack st = imp.getStack();
		for (int z = 0; z < d; z++) {
			final ImageProcessor ip = st.getProcessor(z + 1);
			final int off = z * w * h;
			for (int i = 0; i < w * h; i++) data[off + i] = ip.getf(i);
		}
		final Calibration c = imp.getCalibration();
		final String unit = c.getUnit() == null || c.getUnit().isEmpty() ? "pixel" : c.getUnit();
		return new RealVolume(g, data, new double[] { c.pixelDepth, c.pixelHeight, c.pixelWidth }, unit);
	}

	/**
	 * The element type of an image's pixels as the file readers name it ({@code uint8}, {@code uint16},
	 * {@code float32}), for {@code DetectorCorrections.markerPixels}; the raw values {@link #toVolume} reads, so a
	 * signed 16-bit TIFF's calibration is not applied.
	 */
	public static String dtype(final ImagePlus imp) {
		return switch (imp.getBitDepth()) {
			case 8 -> "uint8";
			case 16 -> "uint16";
			case 32 -> "float32";
			default -> "rgb";
		};
	}

	/** A binary mask image (0/255, 8-bit) of a boolean array. */
	public static ImagePlus maskToImagePlus(final Grid g, final boolean[] mask, final String title, final double[] voxelSize, final String unit) {
		final ImageStack stack = new ImageStack(g.nx, g.ny);
		final int plane = g.nx * g.ny;
		for (int z = 0; z < g.nz; z++) {
			final byte[] p = new byte[plane];
			for (int i = 0; i < plane; i++) p[i] = mask[z * plane + i] ? (byte) 255 : 0;
			stack.addSlice("z=" + z, new ij.process.ByteProcessor(g.nx, g.ny, p));
		}
		final ImagePlus imp = new ImagePlus(title, stack);
		final Calibration cal = imp.getCalibration();
		cal.pixelDepth = voxelSize[0]; cal.pixelHeight = voxelSize[1]; cal.pixelWidth = voxelSize[2];
		cal.setUnit(unit);
		return imp;
	}
}
