package sc.fiji.cdi.io;

import java.nio.file.Path;
import java.util.Arrays;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.io.TiffEncoder;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * Writes a {@link RealVolume} as a 32-bit float TIFF (one page per z plane) with the ImageJ description that
 * carries the voxel size (x, y from pixel width/height, z as spacing) and unit, so Fiji opens it calibrated, and
 * the display range of the whole volume.
 * The exact voxel size is also kept in the description ({@link #VOXEL_KEY}). The file appears complete or not at all ({@link AtomicOutput}).
 */
public final class TiffWriter {

	/**
	 * ImageJ stores the x/y pixel size as a TIFF resolution rational (1/size scaled by 10^6), which loses digits for
	 * large sizes (55000 nm came back as 55555.6); the exact (z, y, x) voxel size is added to the ImageJ
	 * description under this key, which ImageJ ignores and {@link DiffractionReader} prefers.
	 */
	static final String VOXEL_KEY = "cdi_voxel_size_zyx";

	private TiffWriter() {}

	public static void write(final Path file, final RealVolume v) {
		final Grid g = v.grid;
		final ImageStack stack = new ImageStack(g.nx, g.ny);
		final int plane = g.nx * g.ny;
		for (int z = 0; z < g.nz; z++) stack.addSlice(new FloatProcessor(g.nx, g.ny, Arrays.copyOfRange(v.data, z * plane, (z + 1) * plane)));
		final ImagePlus imp = new ImagePlus(String.valueOf(file.getFileName()), stack);
		imp.setDimensions(1, g.nz, 1);
		final Calibration cal = imp.getCalibration();
		cal.pixelDepth = v.voxelSize[0];
		cal.pixelHeight = v.voxelSize[1];
		cal.pixelWidth = v.voxelSize[2];
		cal.setUnit(v.unit);
		// the display range Fiji opens the file with (min=/max= in the description): the whole volume's, not the first
		// slice's (a 3D prediction's support file opened as 0–0, its amplitude as 0–0.03 of a maximum of 1)
		final double[] range = v.finiteRange();
		if (range[0] < range[1]) imp.setDisplayRange(range[0], range[1]);
		final FileInfo fi = imp.getFileInfo();
		final String desc = new FileSaver(imp).getDescriptionString();
		fi.description = (desc.endsWith("\n") ? desc : desc + "\n") + VOXEL_KEY + "=" + v.voxelSize[0] + "," + v.voxelSize[1] + "," + v.voxelSize[2] + "\n";
		AtomicOutput.write(file, out -> new TiffEncoder(fi).write(out));
	}
}
