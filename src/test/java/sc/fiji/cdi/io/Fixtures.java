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
