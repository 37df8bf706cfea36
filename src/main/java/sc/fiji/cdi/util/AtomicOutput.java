package sc.fiji.cdi.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The one way results reach the disk.
 * <p>
 * {@link #write}: one file appears complete or not at all — the bytes go to a temporary file in the same folder,
 * moved over the target only after the writer finished. Temporary files and folders are created with
 * {@link Files#newOutputStream} / {@link Files#createDirectory} (not {@code createTempFile}, which makes them
 * owner-only, 0600/0700, and the atomic move keeps that), so results get the user's normal permissions (umask).
 * <p>
 * {@link ResultSet}: several files of one result ({@code <name>_*}) appear as a complete set or not at all, after
 * any failure, cancel, SIGTERM or kill -9:
 * <ol>
 * <li>{@link ResultSet#open} takes a per-name lock ({@code .<name>.cdi-lock}, an OS file lock, released by the OS
 * when the process dies), refusing a second run writing the same result into the same folder; it removes what an
 * interrupted earlier run left (staging folders, journalled half-moved sets) of names nobody holds;</li>
 * <li>files are written into a hidden staging folder {@code .<name>.cdi-staging};</li>
 * <li>{@link ResultSet#commit} writes a journal {@code .<name>.cdi-pending} listing the files, moves the old
 * manifest, the files it replaces and the earlier set's files it does not write aside (into the staging folder; they
 * are gone after the commit: a folder never mixes two runs of one result), moves the files in, writes the manifest
 * {@code <name>_manifest.json} (files and byte sizes) <b>last</b>, then deletes the journal; an I/O error before the
 * manifest is in puts the earlier set back;</li>
 * <li>a set is complete exactly when its manifest is there and agrees with the files ({@link #checkComplete}); a
 * kill -9 between the journal and the manifest leaves files that {@link #checkComplete} refuses and that the next
 * run into the folder removes (so the set is then absent).</li>
 * </ol>
 * A failed or cancelled run removes its staging folder and, if it created the output folder, the folder too.
 * <p>
 * Tests inject faults at every step through {@link #faults} (a failing or slow write or move, a simulated kill -9
 * that skips all clean-up as a dead process would, a signal at a given step).
 */
public final class AtomicOutput {

	@FunctionalInterface
	public interface Writer {
		void write(OutputStream out) throws IOException;
	}

	/** A test seam: called at each step with its name and file; may throw, sleep, or throw {@link SimulatedCrash}. */
	@FunctionalInterface
	public interface FaultHook {
		void at(String step, Path file) throws IOException;
	}

	/** Thrown by a test's {@link FaultHook} to stop the process at that step as kill -9 would: no clean-up runs. */
	public static final class SimulatedCrash extends Error {
		private static final long serialVersionUID = 1L;
		public SimulatedCrash(final String step) {
			super("simulated kill -9 at " + step);
			simulatedDeath = true;
		}
	}

	/** Steps reported to {@link #faults}. */
	public static final String STEP_WRITE = "write", STEP_RENAME = "rename", STEP_JOURNAL = "journal", STEP_UNMANIFEST = "remove-old-manifest",
		STEP_MOVE = "move", STEP_MANIFEST = "manifest", STEP_FINISH = "finish";

	/** Test seam, null in normal runs. */
	public static volatile FaultHook faults;

	/** Set by {@link SimulatedCrash}: the "dead" process cleans nothing up; tests reset it. */
	public static volatile boolean simulatedDeath;

	public static final String MANIFEST_SUFFIX = "_manifest.json";
	private static final String LOCK = ".cdi-lock", STAGING = ".cdi-staging", PENDING = ".cdi-pending";
	private static final SecureRandom RANDOM = new SecureRandom();

	private AtomicOutput() {}

	static void fault(final String step, final Path file) throws IOException {
		final FaultHook h = faults;
		if (h != null) h.at(step, file);
	}

	/** A fresh name next to {@code target} for its temporary copy; created with the user's umask. */
	private static Path temporarySibling(final Path target, final String suffix) {
		return target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE) + suffix);
	}

	/** A new empty folder with a unique hidden name in {@code dir} (normal permissions, unlike createTempDirectory). */
	public static Path createHiddenFolder(final Path dir, final String prefix) throws IOException {
		for (int k = 0;; k++) {
			final Path p = dir.resolve("." + prefix + "." + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE) + ".part");
			try {
				return Files.createDirectory(p);
			} catch (final FileAlreadyExistsException e) {
				if (k > 100) throw e;
			}
		}
	}

	/** A new empty file with a unique hidden name next to {@code target} (normal permissions). */
	public static Path createHiddenFile(final Path target, final String suffix) throws IOException {
		for (int k = 0;; k++) {
			final Path p = temporarySibling(target, suffix);
			try {
				Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
				return p;
			} catch (final FileAlreadyExistsException e) {
				if (k > 100) throw e;
			}
		}
	}

	public static void write(final Path target, final Writer writer) {
		final Path dir = target.toAbsolutePath().getParent();
		Path tmp = null;
		try {
			Files.createDirectories(dir);
			tmp = createHiddenFile(target.toAbsolutePath(), ".part");
			try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
				writer.write(out);
			}
			fault(STEP_WRITE, target);
			moveReplacing(tmp, target);
			tmp = null;
		} catch (final IOException e) {
			throw new CdiException("Cannot write " + target + ": " + describe(e) + ". Check that the output folder exists, is writable and has space.", e);
		} finally {
			if (tmp != null) try { Files.deleteIfExists(tmp); } catch (final IOException ignored) { /* best effort */ }
		}
	}

	/**
	 * Writes a PNG through an in-memory image stream. ImageIO's default file cache registers a JVM shutdown hook
	 * per stream, which throws "Shutdown in progress" (a long stack trace) when results are written during SIGTERM.
	 */
	public static void writePng(final Path target, final java.awt.image.RenderedImage image) {
		write(target, out -> {
			try (javax.imageio.stream.ImageOutputStream ios = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
				if (!javax.imageio.ImageIO.write(image, "png", ios)) throw new IOException("no PNG writer available in this Java runtime");
			}
		});
	}

	/** Moves a file or folder over {@code target}: atomically where the file system can. */
	public static void moveReplacing(final Path from, final Path target) throws IOException {
		fault(STEP_RENAME, target);
		try {
			Files.move(from, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		} catch (final AtomicMoveNotSupportedException e) {
			Files.move(from, target, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	/** An I/O error in words: NIO's messages are often just the file name. */
	public static String describe(final IOException e) {
		final String m = e.getMessage() == null ? "" : e.getMessage();
		if (e instanceof NoSuchFileException nf) {
			// ENOENT also comes from file systems that refuse new entries (/proc, /sys): then the parent is there
			final Path parent = nf.getFile() == null ? null : Path.of(nf.getFile()).toAbsolutePath().getParent();
			if (parent != null && Files.isDirectory(parent))
				return "the operating system refused to create " + m + ": No such file or directory, although " + parent + " exists (a virtual or special file system?)";
			return "a folder on the way does not exist (" + m + ")";
		}
		if (e instanceof java.nio.file.AccessDeniedException) return "permission denied (" + m + ")";
		if (e instanceof FileAlreadyExistsException) return "a file is in the way (" + m + ")";
		if (e instanceof java.nio.file.NotDirectoryException) return "not a folder (" + m + ")";
		return m.isEmpty() ? e.getClass().getSimpleName() : m;
	}

	/** Deletes a file or folder tree, ignoring what is already gone. */
	public static void deleteQuietly(final Path p) {
		if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
		try (Stream<Path> walk = Files.walk(p)) {
			walk.sorted(Comparator.reverseOrder()).forEach(q -> { try { Files.deleteIfExists(q); } catch (final IOException ignored) { /* best effort */ } });
		} catch (final IOException | java.io.UncheckedIOException ignored) { /* best effort */ }
	}

	// ------------------------------------------------------------------------------------------------------------

	/**
	 * Checks that the result {@code name} in {@code dir} is complete before a reader uses it: refuses a set an
	 * interrupted run left (its journal is there, no valid manifest) and a set whose manifest disagrees with the
	 * files. A folder without manifest and journal (results of an older version, or files put there by hand) passes.
	 */
	public static void checkComplete(final Path dir, final String name, final Path file) {
		final Path manifest = dir.resolve(name + MANIFEST_SUFFIX), journal = dir.resolve("." + name + PENDING);
		if (Files.exists(manifest)) {
			final String problem = manifestProblem(dir, manifest);
			if (problem != null)
				throw new CdiException("File " + file + " belongs to an incomplete result set: " + problem + ". The run that wrote it was interrupted; run it again.");
			return;
		}
		if (Files.exists(journal))
			throw new CdiException("File " + file + " belongs to an incomplete result set '" + name + "' in " + dir + " (an interrupted run left it without "
				+ manifest.getFileName() + "); run it again — the next run into that folder removes the partial files.");
	}

	/** Null when every file the manifest lists is there with its size, else what is wrong. */
	static String manifestProblem(final Path dir, final Path manifest) {
		final Map<String, Long> listed;
		try {
			listed = readManifest(manifest);
		} catch (final IOException | RuntimeException e) {
			return manifest + " cannot be read (" + e.getMessage() + ")";
		}
		for (final Map.Entry<String, Long> e : listed.entrySet()) {
			final Path f = dir.resolve(e.getKey());
			if (Files.isDirectory(f)) continue; // a container folder (N5): listed with size 0, present
			try {
				final long size = Files.size(f);
				if (size != e.getValue()) return f.getFileName() + " has " + size + " bytes but " + manifest.getFileName() + " lists " + e.getValue();
			} catch (final IOException x) {
				return f.getFileName() + " listed in " + manifest.getFileName() + " is missing";
			}
		}
		return null;
	}

	/**
	 * Whether {@code fileName} in {@code dir} was written as part of the result set {@code name}: listed in its
	 * manifest, or in the journal of a commit that was interrupted (which the next run undoes). Lets a writer tell its
	 * own earlier output, which it may replace, from a user's file or folder that happens to have the same name.
	 */
	public static boolean belongsTo(final Path dir, final String name, final String fileName) {
		final Path manifest = dir.resolve(name + MANIFEST_SUFFIX), journal = dir.resolve("." + name + PENDING);
		try {
			if (Files.isRegularFile(manifest) && readManifest(manifest).containsKey(fileName)) return true;
		} catch (final IOException | RuntimeException e) {
			// an unreadable manifest proves nothing: try the journal
		}
		try {
			return Files.isRegularFile(journal) && Files.readAllLines(journal, StandardCharsets.UTF_8).contains(fileName);
		} catch (final IOException | RuntimeException e) {
			return false;
		}
	}

	/** The manifest's files and sizes: a small fixed JSON layout written by {@link ResultSet#commit}. */
	static Map<String, Long> readManifest(final Path manifest) throws IOException {
		final Map<String, Long> out = new LinkedHashMap<>();
		final String text = Files.readString(manifest, StandardCharsets.UTF_8);
		final int files = text.indexOf("\"files\"");
		if (files < 0) throw new IOException("no \"files\" entry");
		final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*(\\d+)").matcher(text.substring(files));
		while (m.find()) out.put(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"), Long.parseLong(m.group(2)));
		if (out.isEmpty()) throw new IOException("no file listed");
		return out;
	}

	/** The input a manifest records, still JSON-escaped and quoted (compared as written), or null if none. */
	static String manifestInput(final Path manifest) {
		if (!Files.isRegularFile(manifest)) return null;
		try {
			final String text = Files.readString(manifest, StandardCharsets.UTF_8);
			final int files = text.indexOf("\"files\"");
			final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"input\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\")")
				.matcher(files < 0 ? text : text.substring(0, files));
			return m.find() ? m.group(1) : null;
		} catch (final IOException | RuntimeException e) {
			return null; // unreadable: recovery and checkComplete deal with it
		}
	}

	private static String unjson(final String quoted) {
		return quoted.substring(1, quoted.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
	}

	/** An input file's identity for {@link ResultSet#input}: its real path (links resolved), else its absolute normal path. */
	public static String identity(final Path p) {
		try {
			return p.toRealPath().toString();
		} catch (final IOException | SecurityException e) {
			return p.toAbsolutePath().normalize().toString();
		}
	}

	private static String json(final String s) {
		final StringBuilder b = new StringBuilder("\"");
		for (final char c : s.toCharArray()) {
			if (c == '"' || c == '\\') b.append('\\').append(c);
			else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
			else b.append(c);
		}
		return b.append('"').toString();
	}

	/**
	 * Removes what interrupted runs left in {@code dir} for result names that no live run holds: staging folders,
	 * half-moved sets (journal without a valid manifest: the listed files and the journal), stale journals.
	 * Returns the names cleaned.
	 */
	static List<String> recover(final Path dir, final String heldName) {
		final List<String> cleaned = new ArrayList<>();
		final List<Path> hidden = new ArrayList<>();
		try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, ".*")) {
			for (final Path p : s) hidden.add(p);
		} catch (final IOException e) {
			return cleaned;
		}
		hidden.sort(java.util.Comparator.comparing(Path::toString));
		for (final Path p : hidden) {
			final String n = p.getFileName().toString();
			final String name;
			if (n.endsWith(PENDING)) name = n.substring(1, n.length() - PENDING.length());
			else if (n.endsWith(STAGING)) name = n.substring(1, n.length() - STAGING.length());
			else if (n.endsWith(LOCK)) name = n.substring(1, n.length() - LOCK.length());
			else continue;
			if (name.isEmpty() || cleaned.contains(name)) continue;
			if (name.equals(heldName)) {
				cleanName(dir, name);
				cleaned.add(name);
				continue;
			}
			// another name: clean only if no live run holds its lock
			final Lock l = Lock.tryAcquire(dir, name);
			if (l == null) continue;
			try {
				cleanName(dir, name);
				cleaned.add(name);
			} finally {
				l.release(true);
			}
		}
		return cleaned;
	}

	private static void cleanName(final Path dir, final String name) {
		final Path journal = dir.resolve("." + name + PENDING), manifest = dir.resolve(name + MANIFEST_SUFFIX);
		if (Files.exists(journal)) {
			if (!Files.exists(manifest) || manifestProblem(dir, manifest) != null) {
				try {
					for (final String f : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
						if (f.isBlank() || f.contains("/") || f.contains("\\") || f.startsWith(".")) continue;
						deleteQuietly(dir.resolve(f)); // a file or a container folder (N5)
					}
				} catch (final IOException ignored) { /* an unreadable journal: leave the files */ }
				try { Files.deleteIfExists(manifest); } catch (final IOException ignored) { /* best effort */ }
			}
			try { Files.deleteIfExists(journal); } catch (final IOException ignored) { /* best effort */ }
		}
		try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "." + globEscape(name) + STAGING + "*")) {
			for (final Path p : s) deleteQuietly(p);
		} catch (final IOException ignored) { /* best effort */ }
	}

	private static String globEscape(final String s) {
		return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
	}

	/** The per-name lock: an OS lock on {@code .<name>.cdi-lock} (freed by the OS when the process dies). */
	static final class Lock {
		private static final Map<Path, Lock> HELD = new java.util.concurrent.ConcurrentHashMap<>();
		final Path file;
		private final FileChannel channel;
		private final FileLock lock;

		private Lock(final Path file, final FileChannel channel, final FileLock lock) {
			this.file = file;
			this.channel = channel;
			this.lock = lock;
		}

		/** The lock, or null when another run (in this or another process) holds it. */
		static Lock tryAcquire(final Path dir, final String name) {
			final Path file = dir.resolve("." + name + LOCK).toAbsolutePath().normalize();
			synchronized (HELD) {
				if (HELD.containsKey(file)) return null;
				FileChannel ch = null;
				try {
					ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
					final FileLock l = ch.tryLock();
					if (l == null) { ch.close(); return null; }
					final Lock lock = new Lock(file, ch, l);
					HELD.put(file, lock);
					return lock;
				} catch (final OverlappingFileLockException e) {
					try { ch.close(); } catch (final IOException ignored) { /* closing */ }
					return null;
				} catch (final IOException e) {
					if (ch != null) try { ch.close(); } catch (final IOException ignored) { /* closing */ }
					throw new CdiException("Cannot create the lock file " + file + ": " + describe(e) + ". Choose an output folder you can write to.", e);
				}
			}
		}

		/** Releases the lock; {@code delete}: also removes the lock file (not after a simulated crash). */
		void release(final boolean delete) {
			synchronized (HELD) {
				HELD.remove(file);
				try {
					if (delete) Files.deleteIfExists(file);
				} catch (final IOException ignored) { /* best effort */ }
				try { lock.release(); } catch (final IOException ignored) { /* closing */ }
				try { channel.close(); } catch (final IOException ignored) { /* closing */ }
			}
		}
	}

	/**
	 * The files of one result: staged in a hidden folder and committed as a set (see the class comment).
	 * Use with try-with-resources: {@link #close()} without {@link #commit()} removes everything this run made.
	 */
	public static final class ResultSet implements AutoCloseable {
		private final Path dir, staging;
		private final String name;
		private final Lock lock;
		private final List<Path> createdFolders;
		private volatile BooleanSupplier cancelled = () -> false;
		private boolean committed, crashed, closed;
		private String input;

		private ResultSet(final Path dir, final String name, final Lock lock, final List<Path> createdFolders, final Path staging) {
			this.dir = dir;
			this.name = name;
			this.lock = lock;
			this.createdFolders = createdFolders;
			this.staging = staging;
		}

		/**
		 * Reserves result {@code name} in {@code dir} (created if needed): refuses when another run is writing the
		 * same result there, and when the folder cannot be written; removes stale leftovers of interrupted runs.
		 */
		public static ResultSet open(final Path folder, final String name) {
			if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith("."))
				throw new CdiException("Result name '" + name + "' is not usable as a file name prefix; expected a plain name.");
			final Path dir = folder.toAbsolutePath().normalize();
			if (Files.exists(dir) && !Files.isDirectory(dir))
				throw new CdiException("Output folder " + dir + " is a file, not a folder; give a folder for the results.");
			final List<Path> created = new ArrayList<>();
			try {
				Path p = dir;
				while (p != null && !Files.exists(p)) { created.add(0, p); p = p.getParent(); }
				Files.createDirectories(dir);
			} catch (final IOException | SecurityException e) {
				removeEmpty(created);
				throw new CdiException("Output folder " + dir + " cannot be created (" + (e instanceof IOException io ? describe(io) : e.getMessage()) + "); choose a folder you can write to.");
			}
			final Lock lock;
			try {
				lock = Lock.tryAcquire(dir, name);
			} catch (final CdiException e) {
				removeEmpty(created);
				throw new CdiException("Output folder " + dir + " is not writable: " + e.getMessage());
			}
			if (lock == null) {
				removeEmpty(created);
				throw new CdiException("Output folder " + dir + " is being written by another run producing '" + name + "' (lock " + dir.resolve("." + name + LOCK).getFileName()
					+ " is held); wait for that run to finish or choose another output folder.");
			}
			try {
				recover(dir, name);
				final Path staging = dir.resolve("." + name + STAGING);
				Files.createDirectory(staging);
				return new ResultSet(dir, name, lock, created, staging);
			} catch (final IOException | RuntimeException e) {
				lock.release(true);
				removeEmpty(created);
				if (e instanceof CdiException c) throw c;
				throw new CdiException("Output folder " + dir + " is not writable (" + (e instanceof IOException io ? describe(io) : e.getMessage()) + "); choose a folder you can write to.", e);
			}
		}

		public Path folder() { return dir; }

		public String name() { return name; }

		/**
		 * Records what this result is made from (in the manifest) and refuses, before any work, to replace a result of
		 * the same name made from a different input: inputs with the same base name in different folders would
		 * otherwise overwrite each other's results silently. Rerunning the same input replaces its result as before;
		 * a manifest without an input (older versions) is replaced too.
		 *
		 * @param input the input's identity ({@link #identity}), or a label such as "image 'title'"; null records nothing
		 */
		public ResultSet input(final String input) {
			this.input = input;
			requireSameInput(dir, name, input);
			return this;
		}

		/**
		 * The check of {@link #input} without opening the result: a run that writes several results checks them all
		 * before any work.
		 *
		 * @throws CdiException when {@code folder} holds the result {@code name} made from another input
		 */
		public static void requireSameInput(final Path folder, final String name, final String input) {
			if (input == null) return;
			final Path dir = folder.toAbsolutePath().normalize();
			final Path manifest = dir.resolve(name + MANIFEST_SUFFIX);
			final String before = manifestInput(manifest);
			if (before != null && !before.equals(json(input)))
				throw new CdiException("Output folder " + dir + " already holds the result '" + name + "' made from "
					+ unjson(before) + " (" + manifest.getFileName() + "); this run's input " + input
					+ " has a result of the same name and would replace it. Choose another output_dir for this input (or rename one of the inputs), "
					+ "or delete " + name + "_* there to replace it deliberately.");
		}

		/** Stops the commit before its point of no return when this says so (a cancel or SIGTERM). */
		public ResultSet cancelWhen(final BooleanSupplier c) {
			cancelled = c == null ? () -> false : c;
			return this;
		}

		/** Where to write the file {@code fileName} (e.g. {@code name + "_amplitude.tif"}) before the commit. */
		public Path file(final String fileName) {
			if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith("."))
				throw new IllegalArgumentException("not a plain file name: " + fileName);
			return staging.resolve(fileName);
		}

		/** The staging folder, for writers that make a sub-folder (N5 containers). */
		public Path stagingFolder() { return staging; }

		/**
		 * Moves the staged files into the folder as one set, the manifest last; returns the final paths
		 * (manifest excluded). After the journal is written the commit always completes or is undone by the next run.
		 */
		public List<Path> commit() {
			if (committed) throw new IllegalStateException("committed twice");
			final List<Path> staged;
			try (Stream<Path> s = Files.list(staging)) {
				staged = s.sorted().toList();
			} catch (final IOException e) {
				throw new CdiException("Cannot list the staging folder " + staging + ": " + describe(e));
			}
			if (staged.isEmpty()) throw new CdiException("Nothing was written for '" + name + "' in " + dir + ".");
			if (cancelled.getAsBoolean()) throw new CancelledException();
			final Path journal = dir.resolve("." + name + PENDING), manifest = dir.resolve(name + MANIFEST_SUFFIX);
			final List<Path> out = new ArrayList<>();
			try {
				final StringBuilder list = new StringBuilder();
				for (final Path p : staged) list.append(p.getFileName()).append('\n');
				list.append(manifest.getFileName()).append('\n');
				// temporary copies of the journal and manifest live in the staging folder: whatever happens, nothing but
				// the staging folder, the journal and the set's own files is ever left in the output folder
				final Path jtmp = createHiddenFile(staging.resolve(journal.getFileName()), ".part");
				Files.writeString(jtmp, list, StandardCharsets.UTF_8);
				fault(STEP_JOURNAL, journal);
				moveReplacing(jtmp, journal);
				// point of no return: from here on a crash leaves a journal the next run undoes. The earlier set's files
				// (and manifest) are moved aside into the staging folder, not overwritten, so that an I/O error before the
				// new manifest is in puts the earlier, complete set back (restore) instead of leaving nothing
				final Path previous = Files.createDirectory(staging.resolve(".previous"));
				final List<Path[]> asideMoves = new ArrayList<>();
				final boolean earlier = Files.exists(manifest, java.nio.file.LinkOption.NOFOLLOW_LINKS);
				final List<String> earlierFiles = new ArrayList<>();
				if (earlier) try {
					earlierFiles.addAll(readManifest(manifest).keySet());
				} catch (final IOException | RuntimeException e) {
					// an unreadable manifest names no files: only those this set writes are replaced
				}
				try {
					fault(STEP_UNMANIFEST, manifest);
					if (Files.exists(manifest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
						Files.move(manifest, previous.resolve(manifest.getFileName()));
						asideMoves.add(new Path[] { manifest, previous.resolve(manifest.getFileName()) });
					}
					// files of the earlier set that this one does not write (the mask of an import run with mask_file=)
					// go too, as the set they belong to: the folder never holds files of two runs of one result
					final java.util.Set<String> writing = new java.util.HashSet<>();
					for (final Path p : staged) writing.add(p.getFileName().toString());
					for (final String f : earlierFiles) {
						if (writing.contains(f) || f.isBlank() || f.contains("/") || f.contains("\\") || f.startsWith(".")) continue;
						final Path old = dir.resolve(f);
						if (!Files.exists(old, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
						Files.move(old, previous.resolve(f));
						asideMoves.add(new Path[] { old, previous.resolve(f) });
					}
					for (final Path p : staged) {
						final Path target = dir.resolve(p.getFileName());
						fault(STEP_MOVE, target);
						if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // the earlier set's file, or an older N5 container
							Files.move(target, previous.resolve(target.getFileName()));
							asideMoves.add(new Path[] { target, previous.resolve(target.getFileName()) });
						}
						Files.move(p, target);
						out.add(target);
					}
					final Map<String, Long> sizes = new LinkedHashMap<>();
					for (final Path target : out) sizes.put(target.getFileName().toString(), Files.isDirectory(target) ? 0L : Files.size(target));
					final StringBuilder m = new StringBuilder("{\n  \"result\": ").append(json(name)).append(",\n  \"written\": ")
						.append(json(OffsetDateTime.now().toString())).append(",\n  \"complete\": true,\n");
					if (input != null) m.append("  \"input\": ").append(json(input)).append(",\n");
					m.append("  \"files\": {\n");
					int k = 0;
					for (final Map.Entry<String, Long> e : sizes.entrySet())
						m.append("    ").append(json(e.getKey())).append(": ").append(e.getValue()).append(++k < sizes.size() ? ",\n" : "\n");
					m.append("  }\n}\n");
					final Path mtmp = createHiddenFile(staging.resolve(manifest.getFileName()), ".part");
					Files.writeString(mtmp, m, StandardCharsets.UTF_8);
					fault(STEP_MANIFEST, manifest);
					moveReplacing(mtmp, manifest);
				} catch (final IOException e) {
					final boolean restored = restore(out, asideMoves, journal);
					throw new CdiException("Cannot write the results '" + name + "' into " + dir + ": " + describe(e) + ". Nothing of this run is kept"
						+ (!earlier ? "" : restored ? " and the earlier result '" + name + "' there is as it was" : "; the earlier result '" + name + "' there could not be put back and is removed")
						+ "; check the folder's space and permissions.", e);
				}
				committed = true; // the manifest is in place: the set is complete
				try {
					fault(STEP_FINISH, journal);
					Files.deleteIfExists(journal);
				} catch (final IOException e) {
					// a stale journal next to a valid manifest is harmless; close() or the next run removes it
				}
				return out;
			} catch (final SimulatedCrash c) {
				crashed = true;
				throw c;
			} catch (final IOException e) {
				throw new CdiException("Cannot write the results '" + name + "' into " + dir + ": " + describe(e) + ". Nothing of this run is kept; check the folder's space and permissions.", e);
			}
		}

		/**
		 * After an I/O error during the moves: removes this run's files that were moved in and moves the earlier set's
		 * files back (the reverse order), then removes the journal; true when everything is back. When something cannot
		 * be put back, the journal stays and {@link #close} removes the set (absent, never mixed).
		 */
		private boolean restore(final List<Path> movedIn, final List<Path[]> aside, final Path journal) {
			try {
				for (final Path p : movedIn) deleteQuietly(p);
				for (int i = aside.size() - 1; i >= 0; i--) Files.move(aside.get(i)[1], aside.get(i)[0]);
				Files.deleteIfExists(journal);
				return true;
			} catch (final IOException | RuntimeException e) {
				return false;
			}
		}

		public boolean committed() { return committed; }

		/** Without a commit: removes the staging folder, a half-moved set and, if this run created it, the empty folder. */
		@Override
		public void close() {
			if (closed) return;
			closed = true;
			if (crashed || simulatedDeath) { // as after kill -9: nothing is cleaned, the OS frees the lock
				lock.release(false);
				return;
			}
			try {
				if (!committed) cleanName(dir, name);
				else try { Files.deleteIfExists(dir.resolve("." + name + PENDING)); } catch (final IOException ignored) { /* the next run removes it */ }
				deleteQuietly(staging);
			} finally {
				lock.release(true);
				if (!committed) removeEmpty(createdFolders);
			}
		}

		/** Marks this set as crashed (a test's simulated kill -9 outside the commit). */
		public void crashed() { crashed = true; }
	}

	/** Removes the folders this run created (deepest first) while they are empty. */
	private static void removeEmpty(final List<Path> created) {
		for (int i = created.size() - 1; i >= 0; i--) {
			try {
				Files.deleteIfExists(created.get(i));
			} catch (final IOException e) {
				return; // not empty (someone else wrote there) or not ours to remove
			}
		}
	}
}
