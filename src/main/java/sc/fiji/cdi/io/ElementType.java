package sc.fiji.cdi.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import sc.fiji.cdi.util.CdiException;

/** Numeric element types of the raw formats (NPY, EDF) and their conversion to float. */
enum ElementType {
	INT8(1), UINT8(1), INT16(2), UINT16(2), INT32(4), UINT32(4), INT64(8), UINT64(8), FLOAT32(4), FLOAT64(8);

	final int bytes;

	ElementType(final int bytes) { this.bytes = bytes; }

	/** The next element of {@code b} (in its byte order) as float. */
	float get(final ByteBuffer b) {
		return switch (this) {
			case INT8 -> b.get();
			case UINT8 -> b.get() & 0xff;
			case INT16 -> b.getShort();
			case UINT16 -> b.getShort() & 0xffff;
			case INT32 -> b.getInt();
			case UINT32 -> b.getInt() & 0xffffffffL;
			case INT64 -> b.getLong();
			case UINT64 -> { final long v = b.getLong(); yield v >= 0 ? v : (float) (v >>> 1) * 2f; }
			case FLOAT32 -> b.getFloat();
			case FLOAT64 -> (float) b.getDouble();
		};
	}

	/**
	 * Reads {@code count} elements starting at byte {@code offset} of a file opened read-only, in chunks, converting
	 * to float. The caller has checked that the file is long enough.
	 */
	float[] read(final FileChannel ch, final long offset, final int count, final ByteOrder order, final Path file) throws IOException {
		final float[] out = new float[count];
		final int chunkElements = Math.max(1, (1 << 24) / bytes);
		final ByteBuffer buf = ByteBuffer.allocate(chunkElements * bytes).order(order);
		long pos = offset;
		int done = 0;
		while (done < count) {
			final int n = Math.min(chunkElements, count - done);
			buf.clear().limit(n * bytes);
			while (buf.hasRemaining()) {
				final int r = ch.read(buf, pos + buf.position());
				if (r < 0) throw new CdiException("File " + file + " ends early: expected " + (long) count * bytes + " bytes of data from byte " + offset + ". The file is truncated.");
			}
			pos += (long) n * bytes;
			buf.flip();
			if (this == FLOAT64) {
				for (int i = 0; i < n; i++) {
					final double v = buf.getDouble();
					if (beyondFloat(v)) throw beyondFloat("File " + file, v, "element " + (done + i) + " (counting from 0 in file order)");
					out[done + i] = (float) v;
				}
			} else for (int i = 0; i < n; i++) out[done + i] = get(buf);
			done += n;
		}
		return out;
	}

	/**
	 * Whether a 64-bit value is finite but beyond float32's range, where it would turn into infinity: the readers say
	 * so ({@link #beyondFloat(String, double, String)}) rather than the later "contains NaN or Inf".
	 */
	static boolean beyondFloat(final double v) {
		return Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE;
	}

	/** The refusal of such a value: {@code subject} ("File x", "Dataset 'd' in x") holds it at {@code where}. */
	static CdiException beyondFloat(final String subject, final double v, final String where) {
		return new CdiException(subject + " holds the 64-bit value " + v + " at " + where + ", beyond the 32-bit float range (±3.4e38) the"
			+ " data are processed in; expected values within it (rescale the data).");
	}
}
