package sc.fiji.cdi.robustness;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Multi-page TIFF files byte by byte, laid out as most writers other than ImageJ do (libtiff, tifffile, detector
 * software): for each page its directory (IFD), its strip tables, then its pixel data; classic TIFF or BigTIFF,
 * either byte order, strips or tiles. Test inputs only: a truncated copy is then {@code Arrays.copyOf(bytes, n)}.
 */
final class TiffBytes {

	private TiffBytes() {}

	/** Options; {@code format} is the TIFF SampleFormat (1 unsigned integer, 3 float). */
	record Spec(int pages, int height, int width, int bits, int format, ByteOrder order, boolean big, int strips, int tile, boolean loop, String description) {
		static Spec floats(final int pages, final int h, final int w) { return new Spec(pages, h, w, 32, 3, ByteOrder.LITTLE_ENDIAN, false, 1, 0, false, null); }
		static Spec shorts(final int pages, final int h, final int w) { return new Spec(pages, h, w, 16, 1, ByteOrder.LITTLE_ENDIAN, false, 1, 0, false, null); }
		Spec bigEndian() { return new Spec(pages, height, width, bits, format, ByteOrder.BIG_ENDIAN, big, strips, tile, loop, description); }
		Spec bigTiff() { return new Spec(pages, height, width, bits, format, order, true, strips, tile, loop, description); }
		Spec strips(final int n) { return new Spec(pages, height, width, bits, format, order, big, n, tile, loop, description); }
		Spec tiles(final int size) { return new Spec(pages, height, width, bits, format, order, big, 1, size, loop, description); }
		Spec looped() { return new Spec(pages, height, width, bits, format, order, big, strips, tile, true, description); }
		/** An ImageDescription (tag 270) on the first page, e.g. tifffile's {"shape": [10, 32, 32]}. */
		Spec described(final String text) { return new Spec(pages, height, width, bits, format, order, big, strips, tile, loop, text); }
	}

	static byte[] write(final Spec s) {
		final int bpp = s.bits() / 8, rowBytes = s.width() * bpp;
		final boolean tiled = s.tile() > 0;
		final int blocks = tiled ? ((s.height() + s.tile() - 1) / s.tile()) * ((s.width() + s.tile() - 1) / s.tile()) : s.strips();
		final int rowsPerStrip = (s.height() + s.strips() - 1) / s.strips();
		final byte[] desc = s.description() == null ? new byte[0] : (s.description() + "\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
		final int descSize = desc.length;
		final int entries = s.description() == null ? 10 : 11, entrySize = s.big() ? 20 : 12, countSize = s.big() ? 8 : 2, nextSize = s.big() ? 8 : 4, valueSize = s.big() ? 8 : 4;
		final int ifdSize = countSize + entries * entrySize + nextSize;
		final boolean inline = blocks * valueSize <= valueSize;
		final int tableSize = inline ? 0 : blocks * valueSize;
		final int dataBytes = tiled ? blocks * s.tile() * s.tile() * bpp : s.height() * rowBytes;
		final int pageSize = ifdSize + 2 * tableSize + descSize + dataBytes;
		final int header = s.big() ? 16 : 8;
		final ByteBuffer b = ByteBuffer.allocate(header + s.pages() * pageSize).order(s.order());
		b.put((byte) (s.order() == ByteOrder.LITTLE_ENDIAN ? 'I' : 'M')).put((byte) (s.order() == ByteOrder.LITTLE_ENDIAN ? 'I' : 'M'));
		if (s.big()) b.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(header);
		else b.putShort((short) 42).putInt(header);
		final int offsetType = s.big() ? 16 : 4;
		for (int p = 0; p < s.pages(); p++) {
			final int ifd = header + p * pageSize, offTable = ifd + ifdSize, cntTable = offTable + tableSize, descAt = cntTable + tableSize, data = descAt + descSize;
			final long[] offsets = new long[blocks], counts = new long[blocks];
			for (int k = 0; k < blocks; k++) {
				if (tiled) {
					counts[k] = (long) s.tile() * s.tile() * bpp;
					offsets[k] = data + k * counts[k];
				} else {
					final int rows = Math.min(rowsPerStrip, s.height() - k * rowsPerStrip);
					offsets[k] = data + (long) k * rowsPerStrip * rowBytes;
					counts[k] = (long) rows * rowBytes;
				}
			}
			b.position(ifd);
			if (s.big()) b.putLong(entries); else b.putShort((short) entries);
			entry(b, s.big(), 256, 4, 1, s.width());
			entry(b, s.big(), 257, 4, 1, s.height());
			entry(b, s.big(), 258, 3, 1, s.bits());
			entry(b, s.big(), 259, 3, 1, 1);
			entry(b, s.big(), 262, 3, 1, 1);
			if (s.description() != null) entry(b, s.big(), 270, 2, desc.length, descAt);
			if (tiled) {
				entry(b, s.big(), 322, 3, 1, s.tile());
				entry(b, s.big(), 323, 3, 1, s.tile());
				entry(b, s.big(), 324, offsetType, blocks, inline ? offsets[0] : offTable);
				entry(b, s.big(), 325, offsetType, blocks, inline ? counts[0] : cntTable);
			} else {
				entry(b, s.big(), 273, offsetType, blocks, inline ? offsets[0] : offTable);
				entry(b, s.big(), 277, 3, 1, 1);
				entry(b, s.big(), 278, 4, 1, rowsPerStrip);
				entry(b, s.big(), 279, offsetType, blocks, inline ? counts[0] : cntTable);
			}
			entry(b, s.big(), 339, 3, 1, s.format());
			final long next = p + 1 < s.pages() ? header + (long) (p + 1) * pageSize : s.loop() ? header : 0;
			if (s.big()) b.putLong(next); else b.putInt((int) next);
			if (!inline) {
				b.position(offTable);
				for (final long o : offsets) if (s.big()) b.putLong(o); else b.putInt((int) o);
				for (final long c : counts) if (s.big()) b.putLong(c); else b.putInt((int) c);
			}
			if (descSize > 0) { b.position(descAt); b.put(desc); }
			b.position(data);
			final int n = dataBytes / bpp;
			for (int i = 0; i < n; i++) {
				final int v = 100 + ((i * 7 + p * 3) % 50);
				switch (s.bits()) {
					case 8 -> b.put((byte) v);
					case 16 -> b.putShort((short) v);
					default -> { if (s.format() == 3) b.putFloat(v); else b.putInt(v); }
				}
			}
		}
		return b.array();
	}

	/** Tags are written in increasing order; a value fits in the entry (SHORT/LONG/LONG8 left-justified). */
	private static void entry(final ByteBuffer b, final boolean big, final int tag, final int type, final long count, final long value) {
		b.putShort((short) tag).putShort((short) type);
		if (big) b.putLong(count); else b.putInt((int) count);
		final int start = b.position(), size = big ? 8 : 4;
		switch (type) {
			case 3 -> b.putShort((short) value);
			case 4 -> b.putInt((int) value);
			default -> { if (big) b.putLong(value); else b.putInt((int) value); } // an offset (ASCII) or LONG8
		}
		while (b.position() < start + size) b.put((byte) 0);
	}
}
