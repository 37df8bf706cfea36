package sc.fiji.cdi.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/**
 * ESRF Data Format (EDF) frames: an ASCII header {@code { key = value ; ... }} padded to a multiple of 512 bytes,
 * followed by the binary frame. {@code Dim_1} is the fast axis (x, detector column), {@code Dim_2} the row (y).
 * Several header+frame blocks in one file become a 3D stack (z = block number); all frames must have the same
 * size and type.
 */
public final class EdfReader {

	private static final int MAX_HEADER = 1 << 20;

	private EdfReader() {}

	static RawArray readRaw(final Path file) {
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			final long length = ch.size();
			if (length == 0) throw new CdiException("File " + file + " is empty; expected an EDF header starting with '{'.");
			final List<float[]> frames = new ArrayList<>();
			long pos = 0;
			int ny = -1, nx = -1;
			String dtype = null;
			String previous = null; // how the last frame's size was reckoned, for a message about what follows it
			while (pos < length) {
				final Header h = header(ch, pos, length, file, frames.size(), previous);
				if (h == null) break; // trailing padding only
				final int dim1 = h.intValue("Dim_1", file), dim2 = h.intValue("Dim_2", file);
				final int dim3 = h.map.containsKey("dim_3") ? h.intValue("Dim_3", file) : 1;
				if (dim3 != 1) throw new CdiException("File " + file + " declares Dim_3 = " + dim3 + " in frame " + frames.size() + "; expected 2D EDF frames (several frames are stacked along z).");
				final String compression = h.map.getOrDefault("compression", "none").trim();
				if (!compression.isEmpty() && !compression.equalsIgnoreCase("none") && !compression.equalsIgnoreCase("no"))
					throw new CdiException("File " + file + " frame " + frames.size() + " is compressed (Compression = " + compression + "), which is not supported: expected uncompressed EDF frames. "
						+ "Write them uncompressed (e.g. with fabio) or as TIFF.");
				final String typeName = h.string("DataType", file);
				final ElementType type = type(typeName, file);
				final ByteOrder order = switch (h.map.getOrDefault("byteorder", "LowByteFirst")) {
					case "HighByteFirst" -> ByteOrder.BIG_ENDIAN;
					case "LowByteFirst" -> ByteOrder.LITTLE_ENDIAN;
					default -> throw new CdiException("File " + file + " has ByteOrder '" + h.map.get("byteorder") + "'; expected LowByteFirst or HighByteFirst.");
				};
				Validation.grid(new long[] { dim2, dim1 }, file, "EDF frame " + frames.size());
				final long bytes = (long) dim1 * dim2 * type.bytes;
				final long size = h.map.containsKey("size") ? h.longValue("Size", file) : bytes;
				// Size is where the next frame starts: a larger one skipped frames silently (9999 for 4096-byte frames read 1 of 2)
				if (size != bytes) throw new CdiException("File " + file + " frame " + frames.size() + " declares Size = " + size + " bytes but Dim_1 x Dim_2 x " + typeName + " = "
					+ dim1 + " x " + dim2 + " x " + type.bytes + " = " + bytes + " bytes; expected them to agree (uncompressed EDF). The header is inconsistent.");
				if (h.dataStart + bytes > length) throw new CdiException("File " + file + " is truncated: frame " + frames.size() + " needs " + bytes + " bytes after its header but only " + (length - h.dataStart) + " remain.");
				if (ny >= 0 && (ny != dim2 || nx != dim1)) throw new CdiException("File " + file + " frame " + frames.size() + " is " + dim2 + "x" + dim1 + " but frame 0 is " + ny + "x" + nx + "; all EDF frames must have the same size.");
				ny = dim2; nx = dim1;
				dtype = typeName + " " + h.map.getOrDefault("byteorder", "LowByteFirst");
				frames.add(type.read(ch, h.dataStart, dim1 * dim2, order, file));
				pos = h.dataStart + size;
				previous = "bytes " + h.dataStart + " to " + pos + ": Dim_1 x Dim_2 x " + typeName + " = " + dim1 + " x " + dim2 + " x " + type.bytes + " bytes"
					+ (h.map.containsKey("size") ? ", as its Size says" : "");
			}
			if (frames.isEmpty()) throw new CdiException("File " + file + " contains no EDF frame.");
			final Grid grid = Validation.grid(frames.size() == 1 ? new long[] { ny, nx } : new long[] { frames.size(), ny, nx }, file, "The EDF data");
			final float[] data = new float[grid.size()];
			for (int z = 0; z < frames.size(); z++) System.arraycopy(frames.get(z), 0, data, z * ny * nx, ny * nx);
			final long[] shape = frames.size() == 1 ? new long[] { ny, nx } : new long[] { frames.size(), ny, nx };
			return new RawArray(grid, data, dtype, shape);
		} catch (final NoSuchFileException e) {
			throw new CdiException("File " + file + " does not exist.");
		} catch (final IOException | RuntimeException e) {
			throw Validation.corrupt(file, "ESRF EDF", e);
		}
	}

	private record Header(Map<String, String> map, long dataStart) {
		String string(final String key, final Path file) {
			final String v = map.get(key.toLowerCase(Locale.ROOT));
			if (v == null) throw new CdiException("File " + file + " has an EDF header without '" + key + "'; expected Dim_1, Dim_2 and DataType.");
			return v;
		}

		long longValue(final String key, final Path file) {
			final String v = string(key, file);
			try {
				return Long.parseLong(v);
			} catch (final NumberFormatException e) {
				throw new CdiException("File " + file + " has EDF header entry " + key + " = '" + v + "'; expected an integer.");
			}
		}

		int intValue(final String key, final Path file) {
			final long v = longValue(key, file);
			if (v < 0 || v > Integer.MAX_VALUE) throw new CdiException("File " + file + " has an absurd EDF header entry " + key + " = " + v + "; the header is corrupt.");
			return (int) v;
		}
	}

	/** Parses the header block at {@code pos}; null if only whitespace/padding remains. */
	private static Header header(final FileChannel ch, final long pos, final long length, final Path file, final int frame, final String previous) throws IOException {
		final int n = (int) Math.min(MAX_HEADER, length - pos);
		final ByteBuffer b = ByteBuffer.allocate(n);
		while (b.hasRemaining() && ch.read(b, pos + b.position()) >= 0) { /* fill */ }
		final byte[] a = b.array();
		int open = 0;
		while (open < n && (a[open] == '\n' || a[open] == '\r' || a[open] == ' ' || a[open] == 0)) open++;
		if (open == n) return null;
		if (a[open] != '{' && frame > 0)
			throw new CdiException("File " + file + " has " + (length - pos) + " bytes after EDF frame " + (frame - 1) + " (" + previous + ") that do not start another frame's header"
				+ " '{'; expected the file to end there or another frame. The header's Dim_1, Dim_2 or DataType may not match the data, or the file is corrupt.");
		if (a[open] != '{') throw new CdiException("File " + file + " is not an EDF file: expected a header starting with '{'.");
		int close = open;
		while (close < n && a[close] != '}') close++;
		if (close == n) throw new CdiException("File " + file + " has an EDF header without a closing '}' in frame " + frame + "; the file is truncated or corrupt.");
		int end = close + 1;
		while (end < n && a[end] != '\n') end++;
		final long dataStart = pos + Math.min(end + 1, n);
		final Map<String, String> map = new LinkedHashMap<>();
		for (final String entry : new String(a, open + 1, close - open - 1, StandardCharsets.ISO_8859_1).split(";")) {
			final int eq = entry.indexOf('=');
			if (eq < 0) continue;
			map.put(entry.substring(0, eq).trim().toLowerCase(Locale.ROOT), entry.substring(eq + 1).trim());
		}
		return new Header(map, dataStart);
	}

	/** EDF DataType names (ESRF EdfFile conventions; "Long" is 32-bit there). */
	private static ElementType type(final String name, final Path file) {
		return switch (name.toLowerCase(Locale.ROOT)) {
			case "floatvalue", "float", "real" -> ElementType.FLOAT32;
			case "doublevalue", "double" -> ElementType.FLOAT64;
			case "signedbyte" -> ElementType.INT8;
			case "unsignedbyte" -> ElementType.UINT8;
			case "signedshort" -> ElementType.INT16;
			case "unsignedshort" -> ElementType.UINT16;
			case "signedinteger", "signedlong" -> ElementType.INT32;
			case "unsignedinteger", "unsignedlong" -> ElementType.UINT32;
			case "signed64" -> ElementType.INT64;
			case "unsigned64" -> ElementType.UINT64;
			default -> throw new CdiException("File " + file + " has EDF DataType '" + name + "'; expected FloatValue, DoubleValue, SignedByte, UnsignedByte, SignedShort, UnsignedShort, SignedInteger, UnsignedInteger, SignedLong, UnsignedLong, Signed64 or Unsigned64.");
		};
	}
}
