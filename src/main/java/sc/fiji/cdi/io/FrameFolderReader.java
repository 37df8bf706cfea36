package sc.fiji.cdi.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/**
 * A folder of single-frame detector TIFFs, one per rocking-curve point (APS 34-ID-C layout: a Timepix/Medipix
 * frame per angle), stacked along z by the frame number in their names ({@code scan_9.tif} before
 * {@code scan_10.tif}; {@code scan_-0001.tif} is frame −1, before {@code scan_00000.tif}).
 * <p>
 * The frames are the TIFFs that share one name pattern: the name with each number replaced by {@code #}
 * ({@code scan54_#.tif}), the pattern most files have. A TIFF of another pattern ({@code notes.tif},
 * {@code preview.tif}, {@code scan54_sum.tif}) is not a frame: it is left out and named ({@link Listing#ignored()},
 * a warning in the import log). The frame numbers must run without a gap and without a repeat: a missing
 * {@code scan54_00003.tif} would shift every later point of the rocking curve, so it is an error naming the missing
 * number. Dark-, white-field and mask files given as such are not frames; hidden files (a leading dot) are skipped.
 * A broken or self-referencing link, a folder or an unreadable file with a frame name is an error naming it: a
 * rocking curve with a point silently missing would give a wrong reconstruction.
 */
final class FrameFolderReader {

	private FrameFolderReader() {}

	static boolean isTiff(final Path p) {
		final String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		return n.endsWith(".tif") || n.endsWith(".tiff");
	}

	/**
	 * The frames of a folder in stacking order, and the TIFFs left out because their names do not follow the frames'
	 * pattern ({@code pattern}, e.g. {@code scan54_#.tif}), in name order.
	 */
	record Listing(List<Path> frames, List<Path> ignored, String pattern) {}

	/** The frame files in stacking order. */
	static List<Path> frames(final Path folder, final Set<Path> exclude) {
		return list(folder, exclude).frames();
	}

	/** The frame files in stacking order and the TIFFs that are not frames ({@link Listing}). */
	static Listing list(final Path folder, final Set<Path> exclude) {
		final List<Path> tiffs = new ArrayList<>();
		try (Stream<Path> s = Files.list(folder)) {
			s.filter(p -> isTiff(p) && !p.getFileName().toString().startsWith("."))
					.filter(p -> !exclude.contains(p.toAbsolutePath().normalize()))
					.sorted(Comparator.comparing(p -> p.getFileName().toString(), FrameFolderReader::naturalCompare))
					.forEach(tiffs::add);
		} catch (final IOException | java.io.UncheckedIOException e) {
			throw listFailure(folder, e);
		}
		if (tiffs.isEmpty()) throw new CdiException("Folder " + folder + " contains no .tif/.tiff frames; expected one detector TIFF per rocking-curve point.");
		final Listing listing = select(folder, tiffs);
		final List<Path> out = listing.frames();
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
		requireNoFrameInAnotherFormat(folder, out);
		requireConsecutive(folder, out);
		return listing;
	}

	/** A frame name: its pattern (each number as {@code #}) and its numbers, a {@code -} before one counted as its sign. */
	record FrameName(String pattern, List<Long> numbers) {}

	/**
	 * {@code scan54_00003.tif} → pattern {@code scan54_#.tif}, numbers [54, 3]. A {@code -} right before a number is its
	 * sign when it follows no letter or digit ({@code scan_-0001} is −1; {@code scan-0001} and {@code S54-0001} are
	 * separators). The extension's case is ignored. A number of more than 18 digits is kept as text in the pattern.
	 */
	static FrameName parse(final String fileName) {
		final StringBuilder pattern = new StringBuilder();
		final List<Long> numbers = new ArrayList<>();
		final int n = fileName.length();
		int i = 0;
		while (i < n) {
			final char c = fileName.charAt(i);
			final boolean sign = c == '-' && i + 1 < n && Character.isDigit(fileName.charAt(i + 1))
				&& (i == 0 || !Character.isLetterOrDigit(fileName.charAt(i - 1)));
			if (!sign && !Character.isDigit(c)) {
				pattern.append(c);
				i++;
				continue;
			}
			int e = sign ? i + 1 : i;
			while (e < n && Character.isDigit(fileName.charAt(e))) e++;
			final String digits = fileName.substring(i, e);
			if (digits.length() - (sign ? 1 : 0) > 18) pattern.append(digits);
			else {
				pattern.append('#');
				numbers.add(Long.parseLong(digits));
			}
			i = e;
		}
		return new FrameName(pattern.toString().toLowerCase(Locale.ROOT).replaceAll("\\.tiff$", ".tif"), numbers);
	}

	/**
	 * The frames among a folder's TIFFs: those of the most common name pattern, ordered by the one number that differs
	 * between them. Refused naming the files: two patterns with as many files (which are the frames?), several TIFFs
	 * none of which is numbered, frames that differ in more than one number (two scans in one folder?).
	 */
	private static Listing select(final Path folder, final List<Path> tiffs) {
		final Map<String, List<Path>> byPattern = new LinkedHashMap<>();
		final Map<Path, FrameName> names = new HashMap<>();
		for (final Path p : tiffs) {
			final FrameName fn = parse(p.getFileName().toString());
			names.put(p, fn);
			byPattern.computeIfAbsent(fn.pattern(), k -> new ArrayList<>()).add(p);
		}
		final int most = byPattern.values().stream().mapToInt(List::size).max().orElse(0);
		final List<String> top = byPattern.entrySet().stream().filter(e -> e.getValue().size() == most).map(Map.Entry::getKey).toList();
		if (top.size() > 1)
			throw new CdiException("Folder " + folder + " holds " + tiffs.size() + " TIFF files of " + byPattern.size() + " name patterns, " + most + " file" + (most == 1 ? "" : "s") + " each of "
				+ String.join(" and ", top.subList(0, Math.min(3, top.size()))) + (top.size() > 3 ? " and more" : "") + " (# a number), so which are the frames cannot be told (" + examples(top, byPattern)
				+ "); expected one detector TIFF per rocking-curve point, all named alike: move the other files out of the folder.");
		final String pattern = top.get(0);
		final List<Path> frames = new ArrayList<>(byPattern.get(pattern));
		final List<Path> ignored = tiffs.stream().filter(p -> !frames.contains(p)).toList();
		if (frames.size() > 1) {
			if (!pattern.contains("#"))
				throw new CdiException("Folder " + folder + " holds " + frames.size() + " TIFF files with no number in their names; expected numbered detector frames (scan_00000.tif, scan_00001.tif, ...), whose numbers give the order of the rocking curve.");
			final int counter = counter(folder, frames, names);
			frames.sort(Comparator.comparingLong((Path p) -> names.get(p).numbers().get(counter)).thenComparing(p -> p.getFileName().toString()));
		}
		return new Listing(List.copyOf(frames), ignored, pattern);
	}

	/** Two files of each of the first patterns, for a message. */
	private static String examples(final List<String> patterns, final Map<String, List<Path>> byPattern) {
		final List<String> ex = new ArrayList<>();
		for (final String p : patterns.subList(0, Math.min(3, patterns.size())))
			for (final Path f : byPattern.get(p).subList(0, Math.min(2, byPattern.get(p).size()))) ex.add(f.getFileName().toString());
		return String.join(", ", ex);
	}

	/** Which of the frames' numbers counts the frames: the one that differs between them (the last, when none does). */
	private static int counter(final Path folder, final List<Path> frames, final Map<Path, FrameName> names) {
		final int k = names.get(frames.get(0)).numbers().size();
		final List<Integer> varying = new ArrayList<>();
		for (int j = 0; j < k; j++) {
			final long first = names.get(frames.get(0)).numbers().get(j);
			final int jj = j;
			if (frames.stream().anyMatch(p -> names.get(p).numbers().get(jj) != first)) varying.add(j);
		}
		if (varying.size() <= 1) return varying.isEmpty() ? k - 1 : varying.get(0);
		// e.g. scan54_00001.tif and scan55_00001.tif: two scans' frames, or a time stamp in the name
		final Path a = frames.get(0);
		final Path b = frames.stream().filter(p -> !names.get(p).numbers().get(varying.get(0)).equals(names.get(a).numbers().get(varying.get(0)))).findFirst().orElse(frames.get(1));
		throw new CdiException("The TIFF files in folder " + folder + " differ in more than one number (" + a.getFileName() + ", " + b.getFileName() + ": two scans' frames in one folder?),"
			+ " so the frame order cannot be told; expected one scan's frames, numbered in one place (scan54_00000.tif, scan54_00001.tif, ...): move the other files out of the folder.");
	}

	/**
	 * The frames' numbers run without a gap or a repeat: a missing number is a rocking-curve point missing, and every
	 * later frame would sit one angle early. The error names the missing numbers (up to 10) and the frames around the first.
	 */
	private static void requireConsecutive(final Path folder, final List<Path> frames) {
		if (frames.size() < 2) return;
		final FrameName first = parse(frames.get(0).getFileName().toString());
		if (first.numbers().isEmpty()) return;
		final Map<Path, FrameName> names = new HashMap<>();
		for (final Path p : frames) names.put(p, parse(p.getFileName().toString()));
		final int c = counter(folder, frames, names);
		final List<Long> missing = new ArrayList<>();
		long missingCount = 0;
		Path before = null, after = null;
		for (int i = 1; i < frames.size(); i++) {
			final long a = names.get(frames.get(i - 1)).numbers().get(c), b = names.get(frames.get(i)).numbers().get(c);
			if (a == b)
				throw new CdiException("Frames " + frames.get(i - 1).getFileName() + " and " + frames.get(i).getFileName() + " in folder " + folder + " have the same frame number " + a
					+ "; expected one TIFF per frame number: remove the copy that is not the frame.");
			if (b - a > 1) {
				if (before == null) { before = frames.get(i - 1); after = frames.get(i); }
				missingCount += b - a - 1;
				for (long m = a + 1; m < b && missing.size() < 10; m++) missing.add(m);
			}
		}
		if (missingCount == 0) return;
		final long lo = names.get(frames.get(0)).numbers().get(c), hi = names.get(frames.get(frames.size() - 1)).numbers().get(c);
		throw new CdiException("Folder " + folder + " has no frame number " + (missingCount == 1 ? missing.get(0) : missing.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
			+ (missingCount > missing.size() ? ", ... (" + missingCount + " missing)" : "")) + ": " + before.getFileName() + " is followed by " + after.getFileName() + "; its " + frames.size()
			+ " frames are numbered " + lo + " to " + hi + ". A missing rocking-curve point would shift every later frame: copy the missing frame" + (missingCount == 1 ? "" : "s")
			+ " again, or renumber the frames if a point was left out on purpose.");
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
