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
 * TIFF decoder; pages become z (also time points when there is no other axis: rocking-curve frames written as T, by
 * ImageJ or as an OME-TIFF). RGB, indexed colour, several samples per pixel, hyperstacks with several channels or with
 * both z slices and time points, OME-TIFFs with planes along more than one of C, T and Z, and pages of different sizes
 * or sample types are rejected: a diffraction pattern is one real value per pixel. Reduced-resolution pages (thumbnails) are skipped.
 * ImageJ reads 8-bit data as unsigned and 32-bit integers as signed: SampleFormat decides (signed 8-bit, unsigned
 * 32-bit are corrected). ImageJ's decoder refuses 64 bits per sample and reads no BigTIFF, so 64-bit float files and
 * BigTIFFs (uncompressed strips, either byte order) are read here from the layout {@link TiffStructure} walked, and
 * converted to 32-bit float.
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
			requireOneOmeChannel(file, structure.description());
			// layouts ImageJ's decoder cannot read, named before it fails with a message that blames the file
			final TiffStructure.Layout first = structure.layout().get(0);
			requireSamePages(file, structure.layout());
			if (first.samples() > 1 && first.samples() != 3 && first.samples() != 4) // 3 and 4: colour, named as such below
				throw new CdiException("File " + file + " has " + first.samples() + " samples per pixel (colour or complex data); expected one grey value per pixel.");
			if (first.tiled() && first.bits() != 64 && !structure.bigTiff())
				throw new CdiException("File " + file + " stores its image in tiles, which is not supported: expected a TIFF stored in strips (save it again from Fiji, or with tifffile without tile=).");
			if (first.samples() == 1 && !java.util.Set.of(1, 8, 12, 16, 32, 64).contains(first.bits()))
				throw new CdiException("File " + file + " holds " + first.bits() + "-bit samples, which are not supported: expected 8-, 16- or 32-bit integers or 32- or 64-bit floats"
					+ " (12-bit packed and 1-bit masks are read too). Save it as 16- or 32-bit.");
			if (first.sampleFormat() == 3 && first.bits() == 16)
				throw new CdiException("File " + file + " holds 16-bit (half-precision) floats, which are not supported: expected 8-, 16- or 32-bit integers or 32- or 64-bit floats (save it as float32).");
			// ImageJ's TiffDecoder throws "Unsupported BitsPerSample: 64" for these, and reads no BigTIFF at all (an
			// image of 0 x 0 pixels): read them from the structure
			if (first.bits() == 64 || structure.bigTiff()) return readStrips(file, structure);
			final Path abs = file.toAbsolutePath();
			final String dir = abs.getParent().toString() + java.io.File.separator;
			FileInfo[] info;
			try {
				info = new TiffDecoder(dir, abs.getFileName().toString()).getTiffInfo();
			} catch (final IOException e) {
				throw new CdiException("Cannot read " + file + " as TIFF: " + e.getMessage() + ". The file is truncated, corrupt or not a TIFF file.", e);
			}
			if (info == null || info.length == 0) throw new CdiException("File " + file + " contains no TIFF image.");
			info = fullResolution(info, structure.pages(), first);
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
			// ImageJ opens an 8-bit palette image as grey levels with a colour LUT (type GRAY8): its values, indices into
			// the palette, were read as counts. A grey palette running one way (the ramp, or ImageJ's inverted LUT, which
			// it writes as a palette too) only shows the values: that is a grey image and is read
			if (fi.fileType == FileInfo.COLOR8 && !greyPalette(fi))
				throw new CdiException("File " + file + " is an indexed-colour (palette) TIFF: its values are indices into a colour table, not counts; expected a grey-level 8-, 16- or 32-bit "
					+ "detector image with one value per pixel (a figure or screenshot is not the data: export the detector frames themselves; an 8-bit image whose values are the"
					+ " data and that ImageJ showed with a colour lookup table: set Image > Lookup Tables > Grays and save it again).");
			final long pages = info.length > 1 ? info.length : Math.max(1, fi.nImages);
			Validation.grid(pages == 1 ? new long[] { fi.height, fi.width } : new long[] { pages, fi.height, fi.width }, file, "The TIFF image");
			checkLength(file, info);
			final ImagePlus imp = info.length > 1 ? new Opener().openTiffStack(info) : new FileOpener(fi).openImage();
			if (imp == null) throw new CdiException("Cannot read " + file + " as TIFF: ImageJ could not decode it (unsupported compression or corrupt file).");
			if (imp.getType() == ImagePlus.COLOR_RGB || imp.getType() == ImagePlus.COLOR_256)
				throw new CdiException("File " + file + " is a colour TIFF; expected a grey-level detector image with one value per pixel.");
			// rocking-curve frames saved as time points (slices=1, frames=N) are a stack of frames, as an OME-TIFF with
			// SizeT=N alone (requireOneOmeChannel); channels (a complex image's re/im) or z and t together are not
			if (imp.getNChannels() > 1 || imp.getNFrames() > 1 && imp.getNSlices() > 1)
				throw new CdiException("File " + file + " is a hyperstack with " + imp.getNChannels() + " channel" + (imp.getNChannels() == 1 ? "" : "s") + ", " + imp.getNSlices()
					+ " z slice" + (imp.getNSlices() == 1 ? "" : "s") + " and " + imp.getNFrames() + " time point" + (imp.getNFrames() == 1 ? "" : "s")
					+ "; expected a single-channel stack with frames along one axis only (z or time), e.g. not a complex (2-channel) image.");
			final int nx = imp.getWidth(), ny = imp.getHeight(), nz = imp.getStackSize();
			final long[] shape = nz == 1 ? new long[] { ny, nx } : new long[] { nz, ny, nx };
			final Grid grid = Validation.grid(shape, file, "The TIFF image");
			final float[] data = new float[grid.size()];
			final ImageStack stack = imp.getStack();
			final Calibration cal = imp.getCalibration();
			final float[] cTable = imp.getBitDepth() == 32 ? null : cal.getCTable();
			// ImageJ reads every 8-bit image as unsigned and every 32-bit integer image as signed (GRAY32_INT) whatever
			// its SampleFormat (1 unsigned, the default; 2 signed): an unsigned value from 2^31 up (a detector's 2^32 - 1
			// gap marker) would come back negative
			final boolean signed8 = first.bits() == 8 && first.sampleFormat() == 2;
			final boolean unsigned32 = fi.fileType == FileInfo.GRAY32_INT && first.sampleFormat() == 1;
			final int plane = nx * ny;
			for (int z = 0; z < nz; z++) {
				final ImageProcessor ip = stack.getProcessor(z + 1);
				for (int i = 0; i < plane; i++) {
					final float raw = ip.getf(i);
					data[z * plane + i] = signed8 ? (byte) (int) raw : unsigned32 && raw < 0 ? (float) (raw + 4294967296.0) : cTable == null ? raw : cTable[(int) raw];
				}
			}
			double[] voxel = { nz == 1 ? 1 : cal.pixelDepth, cal.pixelHeight, cal.pixelWidth };
			final double[] exact = exactVoxelSize(fi.description);
			if (exact != null && close(exact[1], voxel[1]) && close(exact[2], voxel[2])) voxel = exact;
			final String unit = cal.getUnit() == null || cal.getUnit().isBlank() ? "pixel" : cal.getUnit();
			return new RawArray(grid, data, signed8 ? "int8" : unsigned32 ? "uint32" : typeName(fi.fileType), shape, voxel, unit, null, null);
		} catch (final RuntimeException | IOException e) {
			throw Validation.corrupt(file, "TIFF", e);
		}
	}

	/**
	 * Whether an indexed-colour page's palette is grey (red = green = blue at every index) and runs one way, brighter
	 * or darker with the index: the grey ramp, or the inverted grey LUT ImageJ saves as a palette with an 8-bit image
	 * (its pixel values are the data; the LUT only shows them). Then it is a grey image.
	 */
	static boolean greyPalette(final FileInfo fi) {
		if (fi.reds == null || fi.greens == null || fi.blues == null) return true; // no palette read: nothing to map
		final int n = Math.min(fi.lutSize, Math.min(fi.reds.length, Math.min(fi.greens.length, fi.blues.length)));
		boolean up = true, down = true;
		for (int i = 0; i < n; i++) {
			final int r = fi.reds[i] & 0xff;
			if (r != (fi.greens[i] & 0xff) || r != (fi.blues[i] & 0xff)) return false;
			if (i > 0) {
				final int prev = fi.reds[i - 1] & 0xff;
				up &= r >= prev;
				down &= r <= prev;
			}
		}
		return n < 2 || (up || down) && (fi.reds[0] & 0xff) != (fi.reds[n - 1] & 0xff);
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

	private static final java.util.regex.Pattern OME_PIXELS = java.util.regex.Pattern.compile("<(?:\\w+:)?Pixels\\b([^>]*)>");

	/**
	 * Refuses an OME-TIFF whose OME-XML (the first page's description) declares planes along more than one of
	 * channels, time points and z, or several images: ImageJ's decoder reads all their planes as one z stack, volumes
	 * glued together. Planes along one axis only are read as z: T alone is a rocking curve written as time points
	 * (SizeT=N, SizeZ=1), and tifffile writes a 3D array without axes as channels.
	 */
	static void requireOneOmeChannel(final Path file, final String description) {
		if (description == null || !description.contains("<OME")) return;
		final java.util.regex.Matcher m = OME_PIXELS.matcher(description);
		int images = 0;
		String attributes = null;
		while (m.find()) if (images++ == 0) attributes = m.group(1);
		if (attributes == null) return;
		if (images > 1)
			throw new CdiException("File " + file + " is an OME-TIFF holding " + images + " images (series); expected one 2D pattern or one 3D stack. Save each image to its own file.");
		final long c = omeSize(attributes, "SizeC"), t = omeSize(attributes, "SizeT"), z = omeSize(attributes, "SizeZ");
		if ((c > 1 ? 1 : 0) + (t > 1 ? 1 : 0) + (z > 1 ? 1 : 0) > 1) {
			final java.util.regex.Matcher order = java.util.regex.Pattern.compile("\\bDimensionOrder\\s*=\\s*\"(\\w+)\"").matcher(attributes);
			throw new CdiException("File " + file + " is an OME-TIFF with " + c + " channel" + (c == 1 ? "" : "s") + ", " + t + " time point" + (t == 1 ? "" : "s") + " and " + z
				+ " z plane" + (z == 1 ? "" : "s") + (order.find() ? " (DimensionOrder " + order.group(1) + ")" : "") + ", whose " + c * t * z + " planes would be read as one stack;"
				+ " expected one 2D pattern or one 3D stack (one channel, one time point). Save each channel and time point to its own file.");
		}
	}

	private static long omeSize(final String attributes, final String name) {
		final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + name + "\\s*=\\s*\"(\\d+)\"").matcher(attributes);
		return m.find() ? Long.parseLong(m.group(1)) : 1;
	}

	/** Every full-resolution page must have the first page's size and sample type: ImageJ's decoder fails on them without saying which. */
	static void requireSamePages(final Path file, final List<TiffStructure.Layout> pages) {
		final TiffStructure.Layout first = pages.get(0);
		for (int k = 1; k < pages.size(); k++) {
			final TiffStructure.Layout p = pages.get(k);
			if (p.width() != first.width() || p.height() != first.height())
				throw new CdiException("File " + file + ": page " + (k + 1) + " is " + p.width() + " × " + p.height() + " pixels but page 1 is " + first.width() + " × " + first.height()
					+ "; expected pages of the same size (one detector frame per page).");
			if (p.bits() != first.bits() || p.sampleFormat() != first.sampleFormat() || p.samples() != first.samples())
				throw new CdiException("File " + file + ": page " + (k + 1) + " holds " + sampleType(p) + " but page 1 holds " + sampleType(first)
					+ "; expected the same sample type on every page (save all frames with one type).");
		}
	}

	private static String sampleType(final TiffStructure.Layout p) {
		final String kind = switch (p.sampleFormat()) {
			case 1 -> "unsigned integer";
			case 2 -> "signed integer";
			case 3 -> "float";
			default -> "SampleFormat " + p.sampleFormat();
		};
		return p.bits() + "-bit " + kind + " samples" + (p.samples() > 1 ? " (" + p.samples() + " per pixel)" : "");
	}

	/**
	 * ImageJ's decoder lists reduced-resolution pages (thumbnails, NewSubfileType 1) with the others, then cannot make
	 * a stack of them: keep the full-resolution ones, which {@link TiffStructure} counted.
	 */
	private static FileInfo[] fullResolution(final FileInfo[] info, final int pages, final TiffStructure.Layout first) {
		if (info.length <= pages) return info;
		final FileInfo[] full = java.util.Arrays.stream(info).filter(f -> f.width == first.width() && f.height == first.height()).toArray(FileInfo[]::new);
		return full.length == pages ? full : info;
	}

	/**
	 * A TIFF ImageJ's decoder does not read: 64-bit float samples or a BigTIFF, one grey plane per page (or an
	 * ImageJ stack: one directory, {@code images=N} planes stored one after another), as float32. Anything else
	 * (64-bit integers, several samples, compression, tiles) is refused naming what it is.
	 */
	private static RawArray readStrips(final Path file, final TiffStructure.Summary structure) throws IOException {
		final List<TiffStructure.Layout> pages = structure.layout();
		final TiffStructure.Layout first = pages.get(0);
		final boolean f64 = first.bits() == 64;
		final String supported = f64 ? "; 64-bit TIFF is supported as uncompressed IEEE float (SampleFormat 3) with one sample per pixel in strips. Save it as such, or as 32-bit float."
			: "; a BigTIFF (which ImageJ's decoder does not read) is supported uncompressed, in strips, with one 8-, 16- or 32-bit integer or 32- or 64-bit float sample per pixel."
				+ " Save it as such, or as a classic TIFF (under 4 GB).";
		final String what = f64 ? "64-bit float data" : "BigTIFF data (" + sampleType(first) + ")";
		ElementType type = null;
		for (int k = 0; k < pages.size(); k++) {
			final TiffStructure.Layout p = pages.get(k);
			final String page = pages.size() > 1 ? " (page " + (k + 1) + ")" : "";
			if (p.samples() != 1)
				throw new CdiException("File " + file + " has " + p.samples() + " samples per pixel" + page + " (colour or complex data); expected one grey value per pixel.");
			type = elementType(p);
			if (type == null && f64)
				throw new CdiException("File " + file + " holds 64-bit " + (p.sampleFormat() == 2 ? "signed integer" : p.sampleFormat() == 1 ? "unsigned integer" : "SampleFormat " + p.sampleFormat())
					+ " data" + page + ", which is not supported" + supported);
			if (type == null) throw new CdiException("File " + file + " is a BigTIFF of " + sampleType(p) + page + ", which is not supported" + supported);
			if (p.compression() != 1)
				throw new CdiException("File " + file + " holds " + what + " with " + compressionName(p.compression()) + " compression (Compression " + p.compression() + ")" + page
					+ ", which is not supported" + supported);
			if (p.tiled()) throw new CdiException("File " + file + " holds " + what + " in tiles" + page + ", which is not supported" + supported);
		}
		final int images = pages.size() == 1 ? Math.max(1, TiffStructure.imageJImages(structure.description())) : pages.size();
		final long[] shape = images == 1 ? new long[] { first.height(), first.width() } : new long[] { images, first.height(), first.width() };
		final Grid grid = Validation.grid(shape, file, "The TIFF image");
		final float[] data = new float[grid.size()];
		final int size = type.bytes;
		final long rowBytes = first.width() * size, planeBytes = rowBytes * first.height();
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
						for (int i = 0; i < n / size; i++) {
							if (type != ElementType.FLOAT64) {
								data[at++] = type.get(b);
								continue;
							}
							final double v = b.getDouble();
							if (ElementType.beyondFloat(v)) throw ElementType.beyondFloat("File " + file, v, grid.position(at));
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
		return new RawArray(grid, data, type.name().toLowerCase(java.util.Locale.ROOT), shape, exact != null ? exact : new double[] { 1, 1, 1 },
			exact != null ? imageJUnit(structure.description()) : "pixel", null, null);
	}

	/** The element type of a page's samples, or null for one this reader does not decode (64-bit integers, 1-, 12- or 24-bit samples, half floats). */
	private static ElementType elementType(final TiffStructure.Layout p) {
		final int f = p.sampleFormat();
		return switch (p.bits()) {
			case 8 -> f == 1 ? ElementType.UINT8 : f == 2 ? ElementType.INT8 : null;
			case 16 -> f == 1 ? ElementType.UINT16 : f == 2 ? ElementType.INT16 : null;
			case 32 -> f == 1 ? ElementType.UINT32 : f == 2 ? ElementType.INT32 : f == 3 ? ElementType.FLOAT32 : null;
			case 64 -> f == 3 ? ElementType.FLOAT64 : null;
			default -> null;
		};
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

	/** The dtype of a 1-bit (black and white) image, read as 0/255: a mask or support, never counts. */
	static final String BITMAP_TYPE = "1-bit";

	private static String typeName(final int fileType) {
		return switch (fileType) {
			case FileInfo.BITMAP -> BITMAP_TYPE;
			case FileInfo.GRAY8 -> "uint8";
			case FileInfo.GRAY12_UNSIGNED -> "uint12";
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
				// 1- and 12-bit images pack their pixels, each row starting on a byte
				final int bits = fi.fileType == FileInfo.BITMAP ? 1 : fi.fileType == FileInfo.GRAY12_UNSIGNED ? 12 : 8 * fi.getBytesPerPixel();
				final long plane = ((long) fi.width * bits + 7) / 8 * fi.height;
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
