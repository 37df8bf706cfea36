package sc.fiji.cdi.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.FileOpener;
import ij.io.Opener;
import ij.io.TiffDecoder;
import ij.measure.Calibration;
import ij.process.ImageProcessor;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/**
 * Grey-level TIFF files (one plane or a multi-page stack, 8/16/32-bit integer or 32/64-bit float) through ImageJ's
 * TIFF decoder; pages become z. RGB, indexed colour and hyperstacks with several channels or time points are
 * rejected: a diffraction pattern is one real value per pixel.
 */
final class TiffReader {

	private TiffReader() {}

	static RawArray readRaw(final Path file) {
		if (!Files.isRegularFile(file))
			throw new CdiException("File " + file + (Files.isDirectory(file) ? " is a folder" : Files.exists(file) ? " is not a regular file" : " does not exist") + "; expected a file.");
		try {
			// every page and every byte the file declares must be there (ImageJ would read a cut-short stack as its first pages)
			final TiffStructure.Summary structure = TiffStructure.check(file);
			final Path abs = file.toAbsolutePath();
			final String dir = abs.getParent().toString() + java.io.File.separator;
			final FileInfo[] info;
			try {
				info = new TiffDecoder(dir, abs.getFileName().toString()).getTiffInfo();
			} catch (final IOException e) {
				throw new CdiException("Cannot read " + file + " as TIFF: " + e.getMessage() + ". The file is truncated, corrupt or not a TIFF file.", e);
			}
			if (info == null || info.length == 0) throw new CdiException("File " + file + " contains no TIFF image.");
			final FileInfo fi = info[0];
			final long decoded = info.length > 1 ? info.length : Math.max(1, fi.nImages);
			if (decoded < structure.pages())
				throw new CdiException("File " + file + " has " + structure.pages() + " pages but ImageJ's TIFF decoder reads only " + decoded
					+ "; the pages differ in a way it does not support (expected one grey image of the same size per page).");
			switch (fi.fileType) {
				case FileInfo.RGB, FileInfo.RGB48, FileInfo.RGB48_PLANAR, FileInfo.BGR, FileInfo.ARGB, FileInfo.ABGR, FileInfo.BARG, FileInfo.RGB_PLANAR, FileInfo.CMYK ->
					throw new CdiException("File " + file + " is a colour (RGB) TIFF; expected a grey-level 8-, 16- or 32-bit detector image with one value per pixel.");
				default -> { /* grey */ }
			}
			if (fi.samplesPerPixel > 1)
				throw new CdiException("File " + file + " has " + fi.samplesPerPixel + " samples per pixel (colour or complex data); expected one grey value per pixel.");
			final long pages = info.length > 1 ? info.length : Math.max(1, fi.nImages);
			Validation.grid(pages == 1 ? new long[] { fi.height, fi.width } : new long[] { pages, fi.height, fi.width }, file, "The TIFF image");
			checkLength(file, info);
			final ImagePlus imp = info.length > 1 ? new Opener().openTiffStack(info) : new FileOpener(fi).openImage();
			if (imp == null) throw new CdiException("Cannot read " + file + " as TIFF: ImageJ could not decode it (unsupported compression or corrupt file).");
			if (imp.getType() == ImagePlus.COLOR_RGB || imp.getType() == ImagePlus.COLOR_256)
				throw new CdiException("File " + file + " is a colour TIFF; expected a grey-level detector image with one value per pixel.");
			if (imp.getNChannels() > 1 || imp.getNFrames() > 1)
				throw new CdiException("File " + file + " is a hyperstack with " + imp.getNChannels() + " channels and " + imp.getNFrames() + " time points; expected a single-channel z stack (channels=1, frames=1), e.g. not a complex (2-channel) image.");
			final int nx = imp.getWidth(), ny = imp.getHeight(), nz = imp.getStackSize();
			final long[] shape = nz == 1 ? new long[] { ny, nx } : new long[] { nz, ny, nx };
			final Grid grid = Validation.grid(shape, file, "The TIFF image");
			final float[] data = new float[grid.size()];
			final ImageStack stack = imp.getStack();
			final Calibration cal = imp.getCalibration();
			final float[] cTable = imp.getBitDepth() == 32 ? null : cal.getCTable();
			final int plane = nx * ny;
			for (int z = 0; z < nz; z++) {
				final ImageProcessor ip = stack.getProcessor(z + 1);
				for (int i = 0; i < plane; i++) {
					final float raw = ip.getf(i);
					data[z * plane + i] = cTable == null ? raw : cTable[(int) raw];
				}
			}
			double[] voxel = { nz == 1 ? 1 : cal.pixelDepth, cal.pixelHeight, cal.pixelWidth };
			final double[] exact = exactVoxelSize(fi.description);
			if (exact != null && close(exact[1], voxel[1]) && close(exact[2], voxel[2])) voxel = exact;
			final String unit = cal.getUnit() == null || cal.getUnit().isBlank() ? "pixel" : cal.getUnit();
			return new RawArray(grid, data, typeName(fi.fileType), shape, voxel, unit, null, null);
		} catch (final RuntimeException e) {
			throw Validation.corrupt(file, "TIFF", e);
		}
	}

	/** The exact voxel size {@link TiffWriter} adds to the ImageJ description, or null. */
	private static double[] exactVoxelSize(final String description) {
		if (description == null) return null;
		for (final String line : description.split("\n")) {
			if (!line.startsWith(TiffWriter.VOXEL_KEY + "=")) continue;
			final String[] p = line.substring(TiffWriter.VOXEL_KEY.length() + 1).trim().split(",");
			if (p.length != 3) return null;
			try {
				return new double[] { Double.parseDouble(p[0]), Double.parseDouble(p[1]), Double.parseDouble(p[2]) };
			} catch (final NumberFormatException e) {
				return null;
			}
		}
		return null;
	}

	/** Within the precision of ImageJ's resolution rational: the file was not re-calibrated since it was written. */
	private static boolean close(final double a, final double b) { return Math.abs(a - b) <= 0.02 * Math.abs(a); }

	private static String typeName(final int fileType) {
		return switch (fileType) {
			case FileInfo.GRAY8 -> "uint8";
			case FileInfo.GRAY16_UNSIGNED -> "uint16";
			case FileInfo.GRAY16_SIGNED -> "int16";
			case FileInfo.GRAY32_INT -> "int32";
			case FileInfo.GRAY32_UNSIGNED -> "uint32";
			case FileInfo.GRAY32_FLOAT -> "float32";
			case FileInfo.GRAY64_FLOAT -> "float64";
			default -> "TIFF type " + fileType;
		};
	}

	/** Uncompressed TIFF: the pixel data the IFDs point to must lie inside the file (ImageJ pads with zeros otherwise). */
	private static void checkLength(final Path file, final FileInfo[] info) {
		try {
			final long length = Files.size(file);
			for (int k = 0; k < info.length; k++) {
				final FileInfo fi = info[k];
				if (fi.compression != FileInfo.COMPRESSION_NONE) continue;
				final long plane = (long) fi.width * fi.height * fi.getBytesPerPixel();
				final long images = info.length > 1 ? 1 : Math.max(1, fi.nImages);
				final long end = fi.getOffset() + images * plane + (images - 1) * fi.getGap();
				if (end > length)
					throw new CdiException("File " + file + " is truncated: page " + (k + 1) + " needs pixel data up to byte " + end + " but the file has " + length + " bytes.");
			}
		} catch (final IOException e) {
			throw Validation.corrupt(file, "TIFF", e);
		}
	}
}
