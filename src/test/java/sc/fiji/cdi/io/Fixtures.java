package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import sc.fiji.cdi.util.CdiException;

/** Small writers for test inputs, and assertion helpers. */
public final class Fixtures {

	private Fixtures() {}

	/** A raw .npy file: header dict text and data bytes as given (version 1 or 2). */
	static byte[] npy(final int version, final String dict, final byte[] data) {
		final StringBuilder h = new StringBuilder(dict);
		final int pre = version == 1 ? 10 : 12;
		while ((pre + h.length() + 1) % 64 != 0) h.append(' ');
		h.append('\n');
		final byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
		final ByteBuffer b = ByteBuffer.allocate(pre + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
		b.put(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0 });
		if (version == 1) b.putShort((short) hb.length); else b.putInt(hb.length);
		b.put(hb).put(data);
		return b.array();
	}

	static byte[] floats(final ByteOrder order, final float... v) {
		final ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
		for (final float f : v) b.putFloat(f);
		return b.array();
	}

	static byte[] shorts(final ByteOrder order, final int... v) {
		final ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(order);
		for (final int s : v) b.putShort((short) s);
		return b.array();
	}

	/** A 32-bit float TIFF stack written by ImageJ's FileSaver; planes[z][y*nx+x]. */
	static Path floatTiff(final Path file, final int nx, final int ny, final float[]... planes) {
		final ImageStack st = new ImageStack(nx, ny);
		for (final float[] p : planes) st.addSlice(new FloatProcessor(nx, ny, p.clone()));
		save(new ImagePlus("t", st), file);
		return file;
	}

	/** A 16-bit unsigned TIFF plane. */
	static Path shortTiff(final Path file, final int nx, final int ny, final short[] pixels) {
		save(new ImagePlus("t", new ShortProcessor(nx, ny, pixels.clone(), null)), file);
		return file;
	}

	static void save(final ImagePlus imp, final Path file) {
		final FileSaver fs = new FileSaver(imp);
		final boolean ok = imp.getStackSize() > 1 ? fs.saveAsTiffStack(file.toString()) : fs.saveAsTiff(file.toString());
		assertTrue(ok, "ImageJ could not write " + file);
	}

	static void save(final ImageProcessor ip, final Path file) { save(new ImagePlus("t", ip), file); }

	/** An EDF frame: header padded to 512 bytes, then the data. */
	public static byte[] edf(final String headerBody, final byte[] data) {
		final StringBuilder h = new StringBuilder("{\n").append(headerBody);
		while ((h.length() + 2) % 512 != 0) h.append(' ');
		h.append("}\n");
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
		out.writeBytes(data);
		return out.toByteArray();
	}

	/** One page of {@link #rawTiff}: {@code data} as stored (one strip, in the file's byte order). */
	record TiffPage(int width, int height, int bits, int sampleFormat, int samples, int compression, int subfileType, String description, byte[] data) {
		static TiffPage grey(final int width, final int height, final int bits, final int sampleFormat, final byte[] data) {
			return new TiffPage(width, height, bits, sampleFormat, 1, 1, 0, null, data);
		}

		TiffPage describedAs(final String text) { return new TiffPage(width, height, bits, sampleFormat, samples, compression, subfileType, text, data); }
	}

	/**
	 * A TIFF written byte by byte, classic or BigTIFF ({@code big}), one strip per page: for layouts neither ImageJ
	 * nor the plugin's writer produce (BigTIFF, signed 8-bit, unsigned 32-bit, mixed pages, thumbnails, OME-XML).
	 * The compression is only a tag (the data stay as given).
	 */
	static Path rawTiff(final Path file, final ByteOrder order, final boolean big, final TiffPage... pages) throws IOException {
		final int entrySize = big ? 20 : 12, countSize = big ? 8 : 2, offSize = big ? 8 : 4;
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		final ByteBuffer head = ByteBuffer.allocate(big ? 16 : 8).order(order);
		head.put((byte) (order == ByteOrder.LITTLE_ENDIAN ? 'I' : 'M')).put(head.get(0)).putShort((short) (big ? 43 : 42));
		if (big) head.putShort((short) 8).putShort((short) 0).putLong(head.capacity()); else head.putInt(head.capacity());
		out.writeBytes(head.array());
		for (int k = 0; k < pages.length; k++) {
			final TiffPage p = pages[k];
			final byte[] text = p.description() == null ? new byte[0] : (p.description() + "\0").getBytes(StandardCharsets.ISO_8859_1);
			final int entries = p.description() == null ? 10 : 11;
			final long ifd = out.size(), ifdSize = countSize + (long) entries * entrySize + offSize, textAt = ifd + ifdSize, dataAt = textAt + text.length;
			final long next = k + 1 < pages.length ? dataAt + p.data().length : 0;
			final ByteBuffer d = ByteBuffer.allocate((int) ifdSize).order(order);
			if (big) d.putLong(entries); else d.putShort((short) entries);
			final long[][] tags = { { 254, 4, 1, p.subfileType() }, { 256, 4, 1, p.width() }, { 257, 4, 1, p.height() }, { 258, 3, p.samples() <= 2 ? p.samples() : 1, p.bits() }, { 259, 3, 1, p.compression() },
				{ 262, 3, 1, 1 }, { 270, 2, text.length, textAt }, { 273, big ? 16 : 4, 1, dataAt }, { 277, 3, 1, p.samples() }, { 279, big ? 16 : 4, 1, p.data().length },
				{ 339, 3, 1, p.sampleFormat() } };
			for (final long[] t : tags) {
				if (t[0] == 270 && text.length == 0) continue;
				d.putShort((short) t[0]).putShort((short) t[1]);
				if (big) d.putLong(t[2]); else d.putInt((int) t[2]);
				final int at = d.position();
				if (t[1] == 3) for (int v = 0; v < t[2]; v++) d.putShort((short) t[3]); // BitsPerSample: one per sample (up to 2 here)
				else if (t[1] == 16) d.putLong(t[3]); else d.putInt((int) t[3]);
				d.position(at + offSize);
			}
			if (big) d.putLong(next); else d.putInt((int) next);
			out.writeBytes(d.array());
			out.writeBytes(text);
			out.writeBytes(p.data());
		}
		Files.write(file, out.toByteArray());
		return file;
	}

	public static String sha256(final Path p) throws IOException {
		try {
			final byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
			final StringBuilder s = new StringBuilder();
			for (final byte b : d) s.append(String.format("%02x", b));
			return s.toString();
		} catch (final NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Asserts that reading fails with a CdiException whose message names the file and contains the fragments. */
	static CdiException assertRejected(final Path file, final ImportOptions o, final String... fragments) throws IOException {
		final String before = Files.isRegularFile(file) ? sha256(file) : null;
		final CdiException e = assertThrows(CdiException.class, () -> DiffractionReader.read(file, o));
		assertTrue(e.getMessage().contains(file.getFileName().toString()), "message should name " + file.getFileName() + ": " + e.getMessage());
		for (final String f : fragments) assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
		if (before != null) assertArrayEquals(before.getBytes(), sha256(file).getBytes(), "input must not be modified");
		return e;
	}
}
