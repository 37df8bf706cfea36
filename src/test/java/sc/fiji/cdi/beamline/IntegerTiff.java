package sc.fiji.cdi.beamline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One uncompressed grey frame as detector software writes it (libtiff, areaDetector's NDFileTIFF): 16- or 32-bit
 * integers, signed or not, little-endian, one strip. Test inputs for the integer frames ImageJ's writer cannot make.
 */
final class IntegerTiff {

	private IntegerTiff() {}

	/** {@code bits} 16 or 32; {@code signed}: SampleFormat 2, else 1; values in row order, cast to the type. */
	static Path write(final Path file, final int ny, final int nx, final int bits, final boolean signed, final long[] values) throws IOException {
		final int bpp = bits / 8, entries = 10, ifd = 8, data = ifd + 2 + entries * 12 + 4;
		final ByteBuffer b = ByteBuffer.allocate(data + ny * nx * bpp).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd).putShort((short) entries);
		final int[][] tags = { { 256, 4, nx }, { 257, 4, ny }, { 258, 3, bits }, { 259, 3, 1 }, { 262, 3, 1 }, { 273, 4, data }, { 277, 3, 1 }, { 278, 4, ny },
			{ 279, 4, ny * nx * bpp }, { 339, 3, signed ? 2 : 1 } };
		for (final int[] t : tags) {
			b.putShort((short) t[0]).putShort((short) t[1]).putInt(1);
			if (t[1] == 3) b.putShort((short) t[2]).putShort((short) 0); else b.putInt(t[2]);
		}
		b.putInt(0);
		for (final long v : values) if (bits == 16) b.putShort((short) v); else b.putInt((int) v);
		return Files.write(file, b.array());
	}
}
