package sc.fiji.cdi.io;

import java.nio.file.Path;
import java.util.Locale;

import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/**
 * A real volume (amplitude, phase, support, strain, … with its voxel size and unit) from a grey-level TIFF, through
 * the same decoder and checks as the diffraction import ({@link TiffReader}): what Reconstruct and Strain write.
 */
public final class VolumeReader {

	private VolumeReader() {}

	/** The TIFF's values as floats (calibrated when the file carries a calibration table), (z, y, x). */
	public static RealVolume read(final Path file) {
		final String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
		if (!n.endsWith(".tif") && !n.endsWith(".tiff"))
			throw new CdiException("File " + file + " is not a TIFF (.tif, .tiff); expected a 32-bit TIFF such as Reconstruct writes.");
		DiffractionReader.requireRegularFile(file, "File");
		DiffractionReader.requireContentOfExtension(file, DiffractionReader.extension(file), "File");
		final RawArray a = TiffReader.readRaw(file);
		return new RealVolume(a.grid(), a.data(), a.voxelSize(), a.unit());
	}
}
