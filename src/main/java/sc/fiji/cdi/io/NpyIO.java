package sc.fiji.cdi.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0, 3.0), the exchange format of the Python CDI tools (cohere,
 * PyNX, the CDI NN / AutoPhaseNN examples). Reads real integer and float element types in either byte order, in C
 * or Fortran order (converted to C order); writes little-endian float32 ({@code <f4}), C order.
 */
public final class NpyIO {

	private static final byte[] MAGIC = { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y' };
	private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
	private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
	private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

	private NpyIO() {}

	/** Reads a 2D (y, x) or 3D (z, y, x) array; values as float, voxel size 1 pixel. Does not check the values. */
	public static RealVolume read(final Path file) {
		final RawArray a = readRaw(file);
		return new RealVolume(a.grid(), a.data());
	}

	static RawArray readRaw(final Path file) { return readRaw(file, file, false); }

	/**
	 * Reads a mask or support ({@code binary}: numpy bool, {@code |b1}, is read as 0/1, as numpy writes a boolean
	 * mask) or data (bool refused: not counts).
	 */
	static RawArray readRaw(final Path file, final boolean binary) { return readRaw(file, file, binary); }

	/** Reads {@code source}, naming it {@code file} in messages (an array of an .npz, extracted to a temporary file). */
	private static RawArray readRaw(final Path source, final Path file, final boolean binary) {
		try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
			final long length = ch.size();
			final ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
			while (head.hasRemaining() && ch.read(head) >= 0) { /* fill */ }
			head.flip();
			if (head.limit() < 10) throw new CdiException("File " + file + " is too short (" + length + " bytes) to be a NumPy .npy file; expected a 10-byte header at least.");
			for (int i = 0; i < MAGIC.length; i++)
				if (head.get(i) != MAGIC[i]) throw new CdiException("File " + file + " is not a NumPy .npy file: it does not start with the \\x93NUMPY magic string.");
			final int major = head.get(6) & 0xff;
			final long headerLength, dataStart;
			switch (major) {
				case 1 -> { headerLength = head.getShort(8) & 0xffff; dataStart = 10 + headerLength; }
				case 2, 3 -> {
					if (head.limit() < 12) throw new CdiException("File " + file + " is truncated inside the .npy header.");
					headerLength = head.getInt(8) & 0xffffffffL; dataStart = 12 + headerLength;
				}
				default -> throw new CdiException("File " + file + " has .npy format version " + major + "; expected version 1, 2 or 3.");
			}
			if (dataStart > length) throw new CdiException("File " + file + " declares a " + headerLength + "-byte .npy header but has only " + length + " bytes; the file is truncated or corrupt.");
			final ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
			ch.read(hb, dataStart - headerLength);
			final String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
			final String descr = group(DESCR, header, file, "descr");
			final boolean fortran = "True".equals(group(FORTRAN, header, file, "fortran_order"));
			final String shapeText = group(SHAPE, header, file, "shape");
			final long[] shape = parseShape(shapeText, file);
			final ByteOrder order = switch (descr.isEmpty() ? '?' : descr.charAt(0)) {
				case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
				case '>' -> ByteOrder.BIG_ENDIAN;
				case '=' -> ByteOrder.nativeOrder();
				default -> throw new CdiException("File " + file + " has an unsupported .npy element type '" + descr + "'; expected e.g. '<f4', '<f8', '<u2', '<i4'.");
			};
			final ElementType type = binary && "b1".equals(descr.substring(1)) ? ElementType.UINT8 : elementType(descr.substring(1), file);
			final Grid grid = Validation.grid(shape, file, "The array");
			final long needed = (long) grid.size() * type.bytes;
			if (dataStart + needed > length)
				throw new CdiException("File " + file + " is truncated: its header declares shape (" + shapeText.trim() + ") of '" + descr + "' (" + needed + " bytes of data) but only "
						+ (length - dataStart) + " bytes follow the header.");
			if (dataStart + needed < length) // numpy writes exactly the data; more means the header's shape or dtype was changed
				throw new CdiException("File " + file + " has " + (length - dataStart - needed) + " bytes more than its header declares: shape (" + shapeText.trim() + ") of '" + descr
						+ "' is " + needed + " bytes of data but " + (length - dataStart) + " bytes follow the header; expected exactly the declared data (a header edited by hand"
						+ " or two files joined: the shape or dtype would be wrong). Save the array again with numpy.save.");
			float[] data = type.read(ch, dataStart, grid.size(), order, file);
			if (fortran) data = fortranToC(data, shape);
			return new RawArray(grid, data, descr + (fortran ? " (Fortran order)" : ""), shape);
		} catch (final NoSuchFileException e) {
			throw new CdiException("File " + file + " does not exist.");
		} catch (final IOException | RuntimeException e) {
			throw Validation.corrupt(file, "NumPy .npy", e);
		}
	}

	/**
	 * One array of a NumPy {@code .npz} archive ({@code np.savez}, or {@code np.savez_compressed}): the only one, or
	 * the one {@code name} gives (with or without {@code .npy}; null: none given). Several arrays and no name, or a
	 * name the archive lacks, are refused listing the arrays. Read as an {@code .npy} file, named
	 * {@code archive.npz[array.npy]} in messages ({@link #member}).
	 */
	static RawArray readNpz(final Path file, final String name) { return readNpz(file, name, false); }

	/** {@link #readNpz(Path, String)} of a mask or support ({@code binary}: numpy bool read as 0/1). */
	static RawArray readNpz(final Path file, final String name, final boolean binary) {
		try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
			final java.util.List<java.util.zip.ZipEntry> arrays = new java.util.ArrayList<>();
			zip.stream().filter(e -> !e.isDirectory() && e.getName().endsWith(".npy")).forEach(arrays::add);
			if (arrays.isEmpty()) throw new CdiException("File " + file + " is a zip archive without any .npy array; expected a NumPy .npz (np.savez) holding the diffraction data.");
			final java.util.List<String> names = arrays.stream().map(e -> e.getName().substring(0, e.getName().length() - 4)).toList();
			final java.util.zip.ZipEntry entry;
			if (name != null) {
				final String wanted = name.startsWith("/") ? name.substring(1) : name;
				final int k = names.indexOf(wanted.endsWith(".npy") ? wanted.substring(0, wanted.length() - 4) : wanted);
				if (k < 0) throw new CdiException("File " + file + " has no array '" + wanted + "'; it holds " + names + ". Give one of them as dataset=...");
				entry = arrays.get(k);
			} else if (arrays.size() == 1) entry = arrays.get(0);
			else throw new CdiException("File " + file + " holds " + arrays.size() + " arrays " + names + "; expected one, or the one to import given as dataset=... (e.g. dataset="
				+ names.get(0) + ").");
			final Path tmp = Files.createTempFile("cdi-npz-", ".npy");
			try {
				try (java.io.InputStream in = zip.getInputStream(entry)) {
					Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
				}
				final String shown = entry.getName();
				final RawArray a = readRaw(tmp, member(file, shown), binary);
				return a.withDataset(shown.substring(0, shown.length() - 4));
			} finally {
				Files.deleteIfExists(tmp);
			}
		} catch (final java.util.zip.ZipException e) {
			throw new CdiException("File " + file + " is not a readable .npz (zip) archive: " + e.getMessage() + ". The file is truncated or corrupt; copy it again.", e);
		} catch (final NoSuchFileException e) {
			throw new CdiException("File " + file + " does not exist.");
		} catch (final IOException | RuntimeException e) {
			throw Validation.corrupt(file, "NumPy .npz", e);
		}
	}

	/**
	 * How an array of an archive is named in messages: {@code /data/field.npz[psi.npy]}, a path every system accepts
	 * (Windows refuses a ':' after the drive, so "field.npz:psi.npy" made every .npz import fail there).
	 */
	static Path member(final Path archive, final String entry) {
		return archive.resolveSibling(archive.getFileName() + "[" + entry + "]");
	}

	private static String group(final Pattern p, final String header, final Path file, final String key) {
		final Matcher m = p.matcher(header);
		if (!m.find()) throw new CdiException("File " + file + " has a .npy header without a readable '" + key + "' entry (header: " + header.trim() + "); only plain numeric arrays are supported.");
		return m.group(1);
	}

	private static long[] parseShape(final String text, final Path file) {
		final String[] parts = text.split(",");
		int n = 0;
		for (final String s : parts) if (!s.isBlank()) n++;
		final long[] shape = new long[n];
		int k = 0;
		for (final String s : parts) {
			if (s.isBlank()) continue;
			try {
				shape[k++] = Long.parseLong(s.trim().replace("L", ""));
			} catch (final NumberFormatException e) {
				throw new CdiException("File " + file + " has an unreadable .npy shape (" + text + "); expected integers.");
			}
		}
		return shape;
	}

	private static ElementType elementType(final String code, final Path file) {
		return switch (code) {
			case "f4" -> ElementType.FLOAT32;
			case "f8" -> ElementType.FLOAT64;
			case "i1" -> ElementType.INT8;
			case "u1" -> ElementType.UINT8;
			case "i2" -> ElementType.INT16;
			case "u2" -> ElementType.UINT16;
			case "i4" -> ElementType.INT32;
			case "u4" -> ElementType.UINT32;
			case "i8" -> ElementType.INT64;
			case "u8" -> ElementType.UINT64;
			default -> throw new CdiException("File " + file + " has .npy element type '" + code + "'" + kindOf(code)
					+ "; expected a real number type (f4, f8, i1, u1, i2, u2, i4, u4, i8, u8)." + (code.startsWith("c") ? " Save the intensity or amplitude, not a complex field." : " Save the counts as numbers (e.g. numpy's astype('float32')).") );
		};
	}

	/** Fortran (first axis fastest) to C order (last axis fastest) for a 2D/3D shape. */
	private static float[] fortranToC(final float[] f, final long[] shape) {
		final float[] c = new float[f.length];
		if (shape.length == 2) {
			final int n0 = (int) shape[0], n1 = (int) shape[1];
			for (int i0 = 0; i0 < n0; i0++) for (int i1 = 0; i1 < n1; i1++) c[i0 * n1 + i1] = f[i0 + n0 * i1];
		} else {
			final int n0 = (int) shape[0], n1 = (int) shape[1], n2 = (int) shape[2];
			for (int i0 = 0; i0 < n0; i0++) for (int i1 = 0; i1 < n1; i1++) for (int i2 = 0; i2 < n2; i2++)
				c[(i0 * n1 + i1) * n2 + i2] = f[i0 + n0 * (i1 + n1 * i2)];
		}
		return c;
	}

	/** Writes a little-endian float32 array, shape (ny, nx) for a plane or (nz, ny, nx), C order, atomically. */
	public static void write(final Path file, final RealVolume v) {
		final Grid g = v.grid;
		final String shape = g.is2D() ? "(" + g.ny + ", " + g.nx + ")" : "(" + g.nz + ", " + g.ny + ", " + g.nx + ")";
		final StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", shape));
		while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
		h.append('\n');
		final byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
		AtomicOutput.write(file, raw -> {
			final OutputStream out = new BufferedOutputStream(raw, 1 << 16);
			out.write(MAGIC);
			out.write(1);
			out.write(0);
			out.write(header.length & 0xff);
			out.write(header.length >>> 8);
			out.write(header);
			final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
			for (final float f : v.data) {
				if (!b.hasRemaining()) { out.write(b.array(), 0, b.position()); b.clear(); }
				b.putFloat(f);
			}
			out.write(b.array(), 0, b.position());
			out.flush();
		});
	}


	/** The numpy kind of an unsupported element type, in words. */
	private static String kindOf(final String code) {
		if (code.startsWith("c")) return " (complex)";
		if (code.startsWith("b")) return " (boolean)";
		if (code.startsWith("O")) return " (Python objects)";
		if (code.startsWith("f2")) return " (half-precision float)";
		if (code.startsWith("U") || code.startsWith("S")) return " (text)";
		return "";
	}
}
