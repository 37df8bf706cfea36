package sc.fiji.cdi.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import sc.fiji.cdi.util.CdiException;

/**
 * Checks that a TIFF file holds all the pages and pixel bytes it declares, before ImageJ's decoder reads it: ImageJ
 * stops quietly at a page directory past the end of the file (a multi-page TIFF cut short by an interrupted copy is
 * then read as its first page) and pads missing pixel data with zeros.
 * <p>
 * Walks the chain of image file directories (IFDs) of classic TIFF (TIFF 6.0, Adobe 1992, section 2) and BigTIFF
 * (the 64-bit variant, magic 43), and checks for every page that its directory and every strip or tile
 * ({@code StripOffsets}/{@code StripByteCounts}, tags 273/279; {@code TileOffsets}/{@code TileByteCounts}, 324/325)
 * lie inside the file, and for uncompressed data that the byte counts cover width × height × bits per sample.
 * Every failure names the file, the page and how many pages or bytes are missing.
 */
public final class TiffStructure {

	/** Pages with a directory beyond this are refused as corrupt (a loop or garbage), not walked for ever. */
	static final int MAX_PAGES = 1 << 20;

	/**
	 * What the walk found: the number of full-resolution pages, the first page's ImageJ description (if any), the
	 * byte order and the layout of each full-resolution page (what {@link TiffReader} needs to read the pixel data
	 * ImageJ's decoder refuses, 64 bits per sample).
	 */
	public record Summary(int pages, String description, long fileLength, ByteOrder order, List<Layout> layout, boolean bigTiff) {}

	/**
	 * One page's pixel layout: {@code sampleFormat} is tag 339 (1 unsigned integer, the default; 2 signed; 3 IEEE
	 * float), {@code rowsPerStrip} the height when the tag is absent, {@code counts} null when the writer omitted them.
	 */
	public record Layout(long width, long height, int bits, int samples, int sampleFormat, int compression, boolean tiled, long rowsPerStrip,
		long[] offsets, long[] counts) {}

	private TiffStructure() {}

	public static Summary check(final Path file) {
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			return walk(ch, file);
		} catch (final IOException e) {
			throw Validation.corrupt(file, "TIFF", e);
		}
	}

	private static Summary walk(final FileChannel ch, final Path file) throws IOException {
		final long length = ch.size();
		if (length == 0) throw new CdiException("File " + file + " is empty (0 bytes); expected a TIFF image.");
		if (length < 8) throw new CdiException("File " + file + " has only " + length + " bytes: too short for a TIFF header (8 bytes); the file is truncated or not a TIFF file.");
		final ByteBuffer head = read(ch, 0, (int) Math.min(16, length));
		final byte b0 = head.get(0), b1 = head.get(1);
		final ByteOrder order;
		if (b0 == 'I' && b1 == 'I') order = ByteOrder.LITTLE_ENDIAN;
		else if (b0 == 'M' && b1 == 'M') order = ByteOrder.BIG_ENDIAN;
		else throw new CdiException("File " + file + " is not a TIFF file: it starts with bytes " + hex(head, 4) + ", not 'II' or 'MM'.");
		head.order(order);
		final int magic = head.getShort(2) & 0xffff;
		final boolean big;
		long ifd;
		if (magic == 42) {
			big = false;
			ifd = head.getInt(4) & 0xffffffffL;
		} else if (magic == 43) {
			if (length < 16) throw new CdiException("File " + file + " has only " + length + " bytes: too short for a BigTIFF header (16 bytes); the file is truncated.");
			big = true;
			ifd = head.getLong(8);
		} else throw new CdiException("File " + file + " is not a TIFF file: its version number is " + magic + ", expected 42 (TIFF) or 43 (BigTIFF).");
		final Set<Long> seen = new HashSet<>();
		final List<Layout> layout = new ArrayList<>();
		int pages = 0;
		String description = null;
		long plane = 0;
		if (ifd == 0) throw new CdiException("File " + file + " contains no image: its header points to no page directory.");
		while (ifd != 0) {
			if (ifd < 8 || ifd >= length)
				throw new CdiException("File " + file + " is truncated: " + pages + " complete page" + (pages == 1 ? "" : "s") + ", then the directory of page " + (pages + 1)
					+ " should be at byte " + ifd + " but the file has only " + length + " bytes. The remaining pages are missing; copy the complete file again.");
			if (!seen.add(ifd)) throw new CdiException("File " + file + " is corrupt: its page directories form a loop (page " + (pages + 1) + " points back to byte " + ifd + ").");
			if (pages >= MAX_PAGES) throw new CdiException("File " + file + " is corrupt: it declares more than " + MAX_PAGES + " pages.");
			final Page p = page(ch, file, ifd, length, order, big, pages + 1);
			if (pages == 0) { description = p.description; plane = p.plane; }
			if (!p.reduced) { pages++; layout.add(p.layout); }
			// an ImageJ stack: one directory describes all slices, stored one after another (ImageJ's own layout;
			// its later directories may lie beyond 4 GB offsets); the length of that block is checked by TiffReader
			if (pages == 1 && imageJImages(description) > 1) break;
			ifd = p.next;
		}
		// tifffile (and writers following it) record the array shape in the first description: {"shape": [10, 32, 32]}
		final long declared = jsonShapePages(description, plane);
		if (declared > pages)
			throw new CdiException("File " + file + " is truncated: its description declares " + declared + " pages (" + description.trim() + ") but the file holds only "
				+ pages + "; " + (declared - pages) + " pages are missing. Copy the complete file again.");
		return new Summary(pages, description, length, order, layout, big);
	}

	/** Pages implied by a JSON {@code "shape"} in the description (product of the shape over the page size), or 0. */
	static long jsonShapePages(final String description, final long plane) {
		if (description == null || plane <= 0 || !description.trim().startsWith("{")) return 0;
		final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"shape\"\\s*:\\s*\\[([0-9,\\s]+)\\]").matcher(description);
		if (!m.find()) return 0;
		long product = 1;
		for (final String part : m.group(1).split(",")) {
			if (part.isBlank()) continue;
			try {
				product = Math.multiplyExact(product, Long.parseLong(part.trim()));
			} catch (final ArithmeticException | NumberFormatException e) {
				return 0;
			}
		}
		return product % plane == 0 ? product / plane : 0;
	}

	/** The number of slices an ImageJ description declares ({@code images=N}), or 0. */
	static int imageJImages(final String description) {
		if (description == null || !description.startsWith("ImageJ")) return 0;
		for (final String line : description.split("\n")) {
			if (line.startsWith("images=")) {
				try {
					return Integer.parseInt(line.substring(7).trim());
				} catch (final NumberFormatException e) {
					return 0;
				}
			}
		}
		return 0;
	}

	private record Page(long next, String description, boolean reduced, long plane, Layout layout) {}

	private static Page page(final FileChannel ch, final Path file, final long ifd, final long length, final ByteOrder order, final boolean big, final int number) throws IOException {
		final int countSize = big ? 8 : 2, entrySize = big ? 20 : 12, nextSize = big ? 8 : 4;
		if (ifd + countSize > length) throw truncatedDirectory(file, number, ifd, countSize, length);
		final ByteBuffer c = read(ch, ifd, countSize).order(order);
		final long entries = big ? c.getLong(0) : c.getShort(0) & 0xffff;
		if (entries <= 0 || entries > 4096) throw new CdiException("File " + file + " is corrupt: the directory of page " + number + " at byte " + ifd + " declares " + entries + " entries.");
		final long size = countSize + entries * entrySize + nextSize;
		if (ifd + size > length) throw truncatedDirectory(file, number, ifd, size, length);
		final ByteBuffer d = read(ch, ifd, (int) size).order(order);
		long width = -1, height = -1, rowsPerStrip = -1, tileW = -1, tileH = -1, subfile = 0;
		int bits = 1, samples = 1, compression = 1, planar = 1, format = 1;
		long[] offsets = null, counts = null;
		boolean tiled = false;
		String description = null;
		for (int k = 0; k < entries; k++) {
			final int at = countSize + k * entrySize;
			final int tag = d.getShort(at) & 0xffff, type = d.getShort(at + 2) & 0xffff;
			final long count = big ? d.getLong(at + 4) : d.getInt(at + 4) & 0xffffffffL;
			final int valueAt = at + (big ? 12 : 8);
			switch (tag) {
				case 254 -> subfile = scalar(d, valueAt, type);
				case 256 -> width = scalar(d, valueAt, type);
				case 257 -> height = scalar(d, valueAt, type);
				case 258 -> bits = (int) values(ch, file, d, valueAt, type, count, big, order, length, number, "BitsPerSample")[0]; // one per sample
				case 259 -> compression = (int) scalar(d, valueAt, type);
				case 277 -> samples = (int) scalar(d, valueAt, type);
				case 278 -> rowsPerStrip = scalar(d, valueAt, type);
				case 284 -> planar = (int) scalar(d, valueAt, type);
				case 339 -> { // one per sample; an empty tag leaves the default (unsigned integer)
					final long[] v = values(ch, file, d, valueAt, type, count, big, order, length, number, "SampleFormat");
					if (v.length > 0) format = (int) v[0];
				}
				case 322 -> tileW = scalar(d, valueAt, type);
				case 323 -> tileH = scalar(d, valueAt, type);
				case 273 -> offsets = values(ch, file, d, valueAt, type, count, big, order, length, number, "StripOffsets");
				case 279 -> counts = values(ch, file, d, valueAt, type, count, big, order, length, number, "StripByteCounts");
				case 324 -> { offsets = values(ch, file, d, valueAt, type, count, big, order, length, number, "TileOffsets"); tiled = true; }
				case 325 -> counts = values(ch, file, d, valueAt, type, count, big, order, length, number, "TileByteCounts");
				case 270 -> description = ascii(ch, d, valueAt, count, big, length);
				default -> { /* not needed for completeness */ }
			}
		}
		final long next = big ? d.getLong((int) (size - nextSize)) : d.getInt((int) (size - nextSize)) & 0xffffffffL;
		final boolean reduced = (subfile & 1) != 0;
		if (width <= 0 || height <= 0)
			throw new CdiException("File " + file + " is corrupt: page " + number + " has no valid image width/height (" + width + " × " + height + ").");
		if (offsets == null) throw new CdiException("File " + file + " is corrupt: page " + number + " has no " + (tiled ? "tile" : "strip") + " offsets (no pixel data).");
		if (counts != null && counts.length != offsets.length)
			throw new CdiException("File " + file + " is corrupt: page " + number + " lists " + offsets.length + " " + (tiled ? "tiles" : "strips") + " but " + counts.length + " byte counts.");
		final long planeBytes = (width * height * bits * samples + 7) / 8;
		final Layout layout = new Layout(width, height, bits, samples, format, compression, tiled, rowsPerStrip > 0 && rowsPerStrip < height ? rowsPerStrip : height,
			offsets, counts);
		if (counts == null) {
			// a writer may omit the byte counts of uncompressed data: the strips then follow each other
			if (compression == 1 && offsets.length == 1 && offsets[0] + planeBytes > length)
				throw truncatedData(file, number, offsets[0] + planeBytes, length);
			return new Page(next, description, reduced, width * height * samples, layout);
		}
		long total = 0;
		for (int i = 0; i < offsets.length; i++) {
			if (counts[i] < 0) throw new CdiException("File " + file + " is corrupt: page " + number + " declares a negative byte count.");
			final long end = offsets[i] + counts[i];
			if (counts[i] > 0 && (offsets[i] < 0 || end > length)) throw truncatedData(file, number, end, length);
			total += counts[i];
		}
		if (compression == 1 && !tiled && total < planeBytes)
			throw new CdiException("File " + file + " is corrupt: page " + number + " (" + width + " × " + height + ", " + bits + " bits" + (samples > 1 ? " × " + samples + " samples" : "")
				+ ") needs " + planeBytes + " bytes of uncompressed pixel data but its strips hold only " + total + " (" + (planeBytes - total) + " bytes missing).");
		if (rowsPerStrip == 0 || tiled && (tileW <= 0 || tileH <= 0))
			throw new CdiException("File " + file + " is corrupt: page " + number + " declares " + (tiled ? "tiles of " + tileW + " × " + tileH : "0 rows per strip") + ".");
		if (planar < 1 || planar > 2) throw new CdiException("File " + file + " is corrupt: page " + number + " has PlanarConfiguration " + planar + ", expected 1 or 2.");
		return new Page(next, description, reduced, width * height * samples, layout);
	}

	private static CdiException truncatedDirectory(final Path file, final int number, final long ifd, final long size, final long length) {
		return new CdiException("File " + file + " is truncated: the directory of page " + number + " at byte " + ifd + " needs " + size + " bytes but the file ends at byte " + length
			+ "; " + (number - 1) + " complete page" + (number == 2 ? "" : "s") + " before it. Copy the complete file again.");
	}

	private static CdiException truncatedData(final Path file, final int number, final long end, final long length) {
		return new CdiException("File " + file + " is truncated: the pixel data of page " + number + " need bytes up to " + end + " but the file has only " + length
			+ " bytes (" + (end - length) + " bytes missing). Copy the complete file again.");
	}

	/** A SHORT, LONG or LONG8 value stored in the entry itself. */
	private static long scalar(final ByteBuffer d, final int at, final int type) {
		return switch (type) {
			case 3 -> d.getShort(at) & 0xffff;
			case 4, 9 -> d.getInt(at) & 0xffffffffL;
			case 16, 17 -> d.getLong(at);
			case 1, 2, 6, 7 -> d.get(at) & 0xff;
			default -> d.getInt(at) & 0xffffffffL;
		};
	}

	private static int typeSize(final int type) {
		return switch (type) {
			case 1, 2, 6, 7 -> 1;
			case 3, 8 -> 2;
			case 4, 9, 11, 13 -> 4;
			default -> 8;
		};
	}

	/** The {@code count} integer values of an entry: inline when they fit, else at the offset the entry holds. */
	private static long[] values(final FileChannel ch, final Path file, final ByteBuffer d, final int at, final int type, final long count, final boolean big,
		final ByteOrder order, final long length, final int number, final String what) throws IOException {
		if (count <= 0 || count > 1 << 24) throw new CdiException("File " + file + " is corrupt: page " + number + " declares " + count + " " + what + " values.");
		final int ts = typeSize(type);
		final long bytes = count * ts;
		final ByteBuffer src;
		int base;
		if (bytes <= (big ? 8 : 4)) {
			src = d;
			base = at;
		} else {
			final long off = big ? d.getLong(at) : d.getInt(at) & 0xffffffffL;
			if (off < 0 || off + bytes > length)
				throw new CdiException("File " + file + " is truncated: the " + what + " table of page " + number + " should end at byte " + (off + bytes) + " but the file has only "
					+ length + " bytes. Copy the complete file again.");
			src = read(ch, off, (int) bytes).order(order);
			base = 0;
		}
		final long[] v = new long[(int) count];
		for (int i = 0; i < v.length; i++) {
			final int p = base + i * ts;
			v[i] = switch (ts) {
				case 1 -> src.get(p) & 0xff;
				case 2 -> src.getShort(p) & 0xffff;
				case 4 -> src.getInt(p) & 0xffffffffL;
				default -> src.getLong(p);
			};
		}
		return v;
	}

	private static String ascii(final FileChannel ch, final ByteBuffer d, final int at, final long count, final boolean big, final long length) throws IOException {
		if (count <= 0 || count > 1 << 20) return null;
		if (count <= (big ? 8 : 4)) {
			final byte[] b = new byte[(int) count];
			for (int i = 0; i < b.length; i++) b[i] = d.get(at + i);
			return new String(b, StandardCharsets.ISO_8859_1).replace("\0", "");
		}
		final long off = big ? d.getLong(at) : d.getInt(at) & 0xffffffffL;
		if (off < 0 || off + count > length) return null;
		return new String(read(ch, off, (int) count).array(), StandardCharsets.ISO_8859_1).replace("\0", "");
	}

	private static ByteBuffer read(final FileChannel ch, final long pos, final int n) throws IOException {
		final ByteBuffer b = ByteBuffer.allocate(n);
		while (b.hasRemaining()) {
			if (ch.read(b, pos + b.position()) < 0) break;
		}
		b.flip();
		if (b.limit() < n) {
			final ByteBuffer full = ByteBuffer.allocate(n);
			full.put(b);
			full.flip();
			full.limit(n);
			return full;
		}
		return b;
	}

	private static String hex(final ByteBuffer b, final int n) {
		final StringBuilder s = new StringBuilder();
		for (int i = 0; i < Math.min(n, b.limit()); i++) s.append(String.format("%02x ", b.get(i) & 0xff));
		return s.toString().trim();
	}
}
