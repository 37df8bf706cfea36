package sc.fiji.cdi.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

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
 * rejected: a diffraction pattern is one real value per pixel. ImageJ's decoder refuses 64 bits per sample, so
 * 64-bit float files (uncompressed strips, either byte order, classic TIFF or BigTIFF) are read here from the
 * layout {@link TiffStructure} walked, and converted to 32-bit float.
 */
final class TiffReader {

	private TiffReader() {}

	static RawArray readRaw(final Path file) {
		if (!Files.isRegularFile(file))
			throw new CdiException("File " + file + (Files.isDirectory(file) ? " is a folder" : Files.exists(file) ? " is not a regular file" : " does not exist") + "; expected a file.");
		try {
			// every page and every byte the file declares must be there (ImageJ would read a cut-short stack as its first pages)
			final TiffStructure.Summary structure = TiffStructure.check(file);
			requireAtMostThreeAxes(file, structure.description());
			// layouts ImageJ's decoder cannot read, named before it fails with a message that blames the file
			final TiffStructure.Layout first = structure.layout().get(0);
			if (first.tiled() && first.bits() != 64)
				throw new CdiException("File " + file + " stores its image in tiles, which is not supported: expected a TIFF stored in strips (save it again from Fiji, or with tifffile without tile=).");
			if (first.sampleFormat() == 3 && first.bits() == 16)
				throw new CdiException("File " + file + " holds 16-bit (half-precision) floats, which are not supported: expected 8-, 16- or 32-bit integers or 32- or 64-bit floats (save it as float32).");
			// ImageJ's TiffDecoder throws "Unsupported BitsPerSample: 64" for these: read them from the structure
			if (structure.layout().get(0).bits() == 64) return readFloat64(file, structure);
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
			// ImageJ's decoder reads every 32-bit integer TIFF as signed (GRAY32_INT) whatever its SampleFormat: an
			// unsigned value from 2^31 up (a detector's 2^32 - 1 gap marker) would come back negative
			final boolean unsigned32 = fi.fileType == FileInfo.GRAY32_INT && first.sampleFormat() == 1;
			final int plane = nx * ny;
			for (int z = 0; z < nz; z++) {
				final ImageProcessor ip = stack.getProcessor(z + 1);
				for (int i = 0; i < plane; i++) {
					final float raw = ip.getf(i);
					data[z * plane + i] = cTable != null ? cTable[(int) raw] : unsigned32 && raw < 0 ? raw + 0x1p32f : raw;
				}
			}
			double[] voxel = { nz == 1 ? 1 : cal.pixelDepth, cal.pixelHeight, cal.pixelWidth };
			final double[] exact = exactVoxelSize(fi.description);
			if (exact != null && close(exact[1], voxel[1]) && close(exact[2], voxel[2])) voxel = exact;
			final String unit = cal.getUnit() == null || cal.getUnit().isBlank() ? "pixel" : cal.getUnit();
			return new RawArray(grid, data, unsigned32 ? "uint32" : typeName(fi.fileType), shape, voxel, unit, null, null);
		} catch (final RuntimeException | IOException e) {
			throw Validation.corrupt(file, "TIFF", e);
		}
	}

	private static final java.util.regex.Pattern TIFFFILE_SHAPE = java.util.regex.Pattern.compile("^\\s*\\{\\s*\"shape\"\\s*:\\s*\\[([\\d,\\s]*)\\]");

	/**
	 * Refuses a file whose tifffile description ({@code {"shape": [2, 8, 64, 64]}}, what {@code tifffile.imwrite}
	 * writes) gives more than three axes longer than 1: its pages would otherwise be read as one stack, several
	 * volumes glued together.
	 */
	static void requireAtMostThreeAxes(final Path file, final String description) {
		if (description == null) return;
		final java.util.regex.Matcher m = TIFFFILE_SHAPE.matcher(description);
		if (!m.find()) return;
		final List<Long> axes = new java.util.ArrayList<>();
		for (final String t : m.group(1).split(",")) if (!t.isBlank()) axes.add(Long.parseLong(t.trim()));
		if (axes.stream().filter(n -> n > 1).count() > 3)
			throw new CdiException("File " + file + " holds a " + axes.size() + "-axis array (shape " + axes + ", from its tifffile description): expected one 2D pattern or one 3D stack"
				+ " (z, y, x). Save each volume to its own file.");
	}

	/** Bytes read at a time from a strip (a multiple of 8; a strip may be larger than a Java array). */
	private static final int CHUNK = 1 << 24;

	/**
	 * A 64-bit float TIFF, one grey plane per page (or an ImageJ stack: one directory, {@code images=N} planes
	 * stored one after another), as float32. Anything else with 64 bits per sample (integers, several samples,
	 * compression, tiles) is refused naming what it is.
	 */
	private static RawArray readFloat64(final Path file, final TiffStructure.Summary structure) throws IOException {
		final List<TiffStructure.Layout> pages = structure.layout();
		final TiffStructure.Layout first = pages.get(0);
		for (int k = 0; k < pages.size(); k++) {
			final TiffStructure.Layout p = pages.get(k);
			final String page = pages.size() > 1 ? " (page " + (k + 1) + ")" : "";
			final String supported = "; 64-bit TIFF is supported as uncompressed IEEE float (SampleFormat 3) with one sample per pixel in strips. Save it as such, or as 32-bit float.";
			if (p.bits() != 64)
				throw new CdiException("File " + file + " mixes " + first.bits() + "-bit and " + p.bits() + "-bit pages" + page + "; expected the same sample type on every page.");
			if (p.sampleFormat() != 3)
				throw new CdiException("File " + file + " holds 64-bit " + (p.sampleFormat() == 2 ? "signed integer" : p.sampleFormat() == 1 ? "unsigned integer" : "SampleFormat " + p.sampleFormat())
					+ " data" + page + ", which is not supported" + supported);
			if (p.samples() != 1)
				throw new CdiException("File " + file + " has " + p.samples() + " samples per pixel" + page + " (colour or complex data); expected one grey value per pixel.");
			if (p.compression() != 1)
				throw new CdiException("File " + file + " holds 64-bit float data with " + compressionName(p.compression()) + " compression (Compression " + p.compression() + ")" + page
					+ ", which is not supported" + supported);
			if (p.tiled()) throw new CdiException("File " + file + " holds 64-bit float data in tiles" + page + ", which is not supported" + supported);
			if (p.width() != first.width() || p.height() != first.height())
				throw new CdiException("File " + file + ": page " + (k + 1) + " is " + p.width() + " × " + p.height() + " but page 1 is " + first.width() + " × " + first.height()
					+ "; expected pages of the same size.");
		}
		final int images = pages.size() == 1 ? Math.max(1, TiffStructure.imageJImages(structure.description())) : pages.size();
		final long[] shape = images == 1 ? new long[] { first.height(), first.width() } : new long[] { images, first.height(), first.width() };
		final Grid grid = Validation.grid(shape, file, "The TIFF image");
		final float[] data = new float[grid.size()];
		final long rowBytes = first.width() * 8L, planeBytes = rowBytes * first.height();
		final long length = structure.fileLength();
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			int at = 0;
			for (int z = 0; z < images; z++) {
				final TiffStructure.Layout p = pages.size() == 1 ? first : pages.get(z);
				// an ImageJ stack: every plane follows the first page's single strip
				final long[] offsets = pages.size() == 1 && images > 1 ? new long[] { first.offsets()[0] + z * planeBytes } : p.offsets();
				final long rowsPerStrip = pages.size() == 1 && images > 1 ? first.height() : p.rowsPerStrip();
				for (int k = 0; k < offsets.length && k * rowsPerStrip < p.height(); k++) {
					final long bytes = Math.min(rowsPerStrip, p.height() - k * rowsPerStrip) * rowBytes;
					if (offsets[k] < 0 || offsets[k] + bytes > length)
						throw new CdiException("File " + file + " is truncated: the pixel data of plane " + (z + 1) + " need bytes up to " + (offsets[k] + bytes) + " but the file has only "
							+ length + " bytes. Copy the complete file again.");
					for (long done = 0; done < bytes;) {
						final int n = (int) Math.min(CHUNK, bytes - done);
						final ByteBuffer b = ByteBuffer.allocate(n).order(structure.order());
						while (b.hasRemaining()) {
							if (ch.read(b, offsets[k] + done + b.position()) < 0)
								throw new CdiException("File " + file + " is truncated: it ends inside the pixel data of plane " + (z + 1) + ".");
						}
						b.flip();
						for (int i = 0; i < n / 8; i++) {
							final double v = b.getDouble();
							// beyond float32's range a finite value would turn into infinity: say so rather than later "contains Inf"
							if (Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE)
								throw new CdiException("File " + file + " holds the 64-bit value " + v + " at " + grid.position(at) + ", beyond the 32-bit float range (±3.4e38) the data are processed in; expected values within it (rescale the data).");
							data[at++] = (float) v;
						}
						done += n;
					}
				}
			}
			if (at != data.length)
				throw new CdiException("File " + file + " is corrupt: its strips hold " + at + " of the " + data.length + " values its size (" + grid + ") needs.");
		}
		final double[] exact = exactVoxelSize(structure.description());
		return new RawArray(grid, data, "float64", shape, exact != null ? exact : new double[] { 1, 1, 1 }, exact != null ? imageJUnit(structure.description()) : "pixel", null, null);
	}

	private static String compressionName(final int c) {
		return switch (c) {
			case 2 -> "CCITT";
			case 5 -> "LZW";
			case 7 -> "JPEG";
			case 8, 32946 -> "Deflate";
			case 32773 -> "PackBits";
			case 50000 -> "Zstandard";
			default -> "an unknown";
		};
	}

	/** The {@code unit=} of an ImageJ description ("pixel" when there is none). */
	private static String imageJUnit(final String description) {
		for (final String line : description.split("\n")) if (line.startsWith("unit=") && !line.substring(5).isBlank()) return line.substring(5).trim();
		return "pixel";
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
