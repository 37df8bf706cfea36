package sc.fiji.cdi.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/**
 * A folder of single-frame detector TIFFs, one per rocking-curve point (APS 34-ID-C layout: a Timepix/Medipix
 * frame per angle), stacked along z in the natural numeric order of the file names ({@code scan_9.tif} before
 * {@code scan_10.tif}). Dark- and white-field files that lie in the same folder are not taken as frames; hidden
 * files (a leading dot) are skipped. A broken or self-referencing link, a folder or an unreadable file with a frame
 * name is an error naming it: a rocking curve with a point silently missing would give a wrong reconstruction.
 */
final class FrameFolderReader {

	private FrameFolderReader() {}

	static boolean isTiff(final Path p) {
		final String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		return n.endsWith(".tif") || n.endsWith(".tiff");
	}

	/** The frame files in stacking order. */
	static List<Path> frames(final Path folder, final Set<Path> exclude) {
		final List<Path> out = new ArrayList<>();
		try (Stream<Path> s = Files.list(folder)) {
			s.filter(p -> isTiff(p) && !p.getFileName().toString().startsWith("."))
					.filter(p -> !exclude.contains(p.toAbsolutePath().normalize()))
					.sorted(Comparator.comparing(p -> p.getFileName().toString(), FrameFolderReader::naturalCompare))
					.forEach(out::add);
		} catch (final IOException | java.io.UncheckedIOException e) {
			throw listFailure(folder, e);
		}
		// every entry with a frame name must be a readable frame: a broken link or a stray folder is an error, not a
		// silently missing rocking-curve point
		for (final Path p : out) {
			if (Files.isSymbolicLink(p) && !Files.exists(p)) {
				String target;
				try { target = Files.readSymbolicLink(p).toString(); } catch (final IOException e) { target = "?"; }
				final boolean self = p.getFileName().toString().equals(Path.of(target).getFileName() == null ? "" : Path.of(target).getFileName().toString());
				throw new CdiException("Frame " + p + " in folder " + folder + " is a " + (self ? "link to itself" : "broken link") + " (it points to '" + target
						+ "', which " + (self ? "is the link again" : "does not exist") + "); expected a TIFF frame: remove the link or restore its target.");
			}
			if (Files.isDirectory(p)) throw new CdiException("Entry " + p + " in folder " + folder + " is a folder with a frame's name; expected a TIFF file per rocking-curve point.");
			if (!Files.isRegularFile(p)) throw new CdiException("Entry " + p + " in folder " + folder + " is not a regular file (a device or pipe); expected a TIFF frame.");
			if (!Files.isReadable(p)) throw new CdiException("Frame " + p + " in folder " + folder + " cannot be read (permission denied); expected a readable TIFF frame.");
		}
		if (out.isEmpty()) throw new CdiException("Folder " + folder + " contains no .tif/.tiff frames; expected one detector TIFF per rocking-curve point.");
		requireNoFrameInAnotherFormat(folder, out);
		return out;
	}

	/** Why a folder could not be listed: permission denied is said as such (its exception's message is only the path). */
	static CdiException listFailure(final Path folder, final Exception e) {
		final Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
		if (cause instanceof java.nio.file.AccessDeniedException)
			return new CdiException("Folder " + folder + " cannot be read: permission denied; expected a readable folder of TIFF frames (check its permissions).", e);
		return new CdiException("Cannot list folder " + folder + ": " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")") + ".", e);
	}

	/** Extensions of detector frames in a data format (or an archive) the folder reader skips; not preview images (png, jpg). */
	private static final Set<String> OTHER_FRAME_FORMATS = Set.of("edf", "cbf", "npy", "h5", "hdf5", "fits", "fit", "raw", "img", "gz", "bz2",
		"xz", "zip");

	/**
	 * A file named like the frames but in another format ({@code scan_3.edf} or {@code scan_3.tif.gz} beside
	 * {@code scan_2.tif}) would be skipped: a rocking-curve point silently missing from the stack. Refused naming it.
	 */
	private static void requireNoFrameInAnotherFormat(final Path folder, final List<Path> frames) {
		final Set<String> stems = new java.util.HashSet<>();
		for (final Path f : frames) stems.add(stem(f.getFileName().toString()));
		final List<String> others = new ArrayList<>();
		try (Stream<Path> s = Files.list(folder)) {
			s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !isTiff(Path.of(n))).sorted(FrameFolderReader::naturalCompare).forEach(n -> {
				final int dot = n.lastIndexOf('.');
				if (dot > 0 && OTHER_FRAME_FORMATS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT)) && stems.contains(stem(n)) && !n.equals(stem(n))) others.add(n);
			});
		} catch (final IOException | java.io.UncheckedIOException e) {
			throw listFailure(folder, e);
		}
		if (others.isEmpty()) return;
		throw new CdiException("Folder " + folder + " holds " + frames.size() + " TIFF frames and " + others.size() + " file" + (others.size() == 1 ? "" : "s") + " named like frames in another format ("
			+ String.join(", ", others.subList(0, Math.min(5, others.size()))) + (others.size() > 5 ? ", ..." : "") + "), which would be left out of the stack; expected every"
			+ " rocking-curve point as a .tif/.tiff file. Convert " + (others.size() == 1 ? "it" : "them") + " to TIFF (decompress an archive), or move " + (others.size() == 1 ? "it" : "them")
			+ " out of the folder.");
	}

	/** The name before its first dot, without digits: {@code scan_0003.tif} and {@code scan_0004.edf.gz} share {@code scan_}. */
	private static String stem(final String name) {
		final int dot = name.indexOf('.');
		return (dot < 0 ? name : name.substring(0, dot)).replaceAll("[0-9]", "");
	}

	static RawArray readRaw(final Path folder, final List<Path> frames) {
		RawArray first = null;
		float[] data = null;
		Grid grid = null;
		for (int z = 0; z < frames.size(); z++) {
			final Path f = frames.get(z);
			final RawArray a = TiffReader.readRaw(f);
			if (!a.grid().is2D())
				throw new CdiException("Frame " + f + " in folder " + folder + " is a stack of " + a.grid().nz + " images; expected one 2D detector frame per file.");
			if (first == null) {
				first = a;
				grid = Validation.grid(new long[] { frames.size(), a.grid().ny, a.grid().nx }, folder, "The stack of frames");
				data = new float[grid.size()];
			} else if (!a.grid().equals(first.grid()))
				throw new CdiException("Frame " + f + " is " + a.grid() + " pixels but the first frame " + frames.get(0) + " is " + first.grid()
						+ "; all frames in folder " + folder + " must have the same size.");
			System.arraycopy(a.data(), 0, data, z * grid.ny * grid.nx, grid.ny * grid.nx);
		}
		return new RawArray(grid, data, first.dtype(), new long[] { frames.size(), grid.ny, grid.nx }, first.voxelSize(), first.unit(), null, null);
	}

	/** Compares names chunk by chunk, runs of digits by their numeric value ("f9" &lt; "f10"). */
	static int naturalCompare(final String a, final String b) {
		int i = 0, j = 0;
		while (i < a.length() && j < b.length()) {
			final char ca = a.charAt(i), cb = b.charAt(j);
			if (Character.isDigit(ca) && Character.isDigit(cb)) {
				int ei = i, ej = j;
				while (ei < a.length() && Character.isDigit(a.charAt(ei))) ei++;
				while (ej < b.length() && Character.isDigit(b.charAt(ej))) ej++;
				final String da = strip(a.substring(i, ei)), db = strip(b.substring(j, ej));
				final int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
				if (c != 0) return c;
				i = ei; j = ej;
			} else {
				if (ca != cb) return Character.compare(ca, cb);
				i++; j++;
			}
		}
		final int c = Integer.compare(a.length() - i, b.length() - j);
		return c != 0 ? c : a.compareTo(b);
	}

	private static String strip(final String digits) {
		int k = 0;
		while (k < digits.length() - 1 && digits.charAt(k) == '0') k++;
		return digits.substring(k);
	}
}
