package sc.fiji.cdi.util;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Refuses, with a message a user can act on, work whose arrays would not fit in the Java heap — instead of an
 * {@link OutOfMemoryError} half-way through (which in Fiji can leave the whole application unstable).
 * <p>
 * Available memory is what the heap can still grow to: {@code maxMemory − (totalMemory − freeMemory)}. Garbage
 * counts as used, so when an estimate does not fit, the guard asks for one garbage collection and looks again
 * before refusing. Estimates are made by the allocating code (phasing, preprocessing, export) from its own buffers.
 * <p>
 * The memory source can be replaced for tests ({@link #withAvailable}) so that refusals are checked without
 * allocating gigabytes.
 */
public final class MemoryGuard {

	/** What a user can change, for callers that have nothing more specific to say. */
	public static final String GENERIC_ADVICE = "raise Java's memory limit (Fiji: Edit > Options > Memory & Threads; command line: java -Xmx…)";

	private static final LongSupplier RUNTIME = () -> {
		final Runtime r = Runtime.getRuntime();
		return r.maxMemory() - (r.totalMemory() - r.freeMemory());
	};

	private static volatile LongSupplier source = RUNTIME;

	private MemoryGuard() {}

	/** Bytes the heap can still provide now (after one GC if {@code collect}). */
	public static long available(final boolean collect) {
		final LongSupplier s = source;
		if (collect && s == RUNTIME) System.gc();
		return s.getAsLong();
	}

	/**
	 * Throws a {@link CdiException} when {@code bytes} will not fit.
	 *
	 * @param bytes  estimated bytes the work is about to allocate (on the Java heap)
	 * @param what   the work, as a user names it ("phase retrieval of scan54.tif on a 256×256×256 grid")
	 * @param advice what to change, e.g. "bin the data 2×2×2 or crop it" (the generic heap advice is appended)
	 */
	public static void require(final long bytes, final String what, final String advice) {
		if (bytes <= 0) return;
		long free = available(false);
		if (bytes <= free) return;
		free = available(true);
		if (bytes <= free) return;
		throw new CdiException(String.format(Locale.ROOT,
			"Not enough memory for %s: it needs about %s but only %s are available to Java (heap limit %s). %s%s.",
			what, human(bytes), human(Math.max(0, free)), human(Runtime.getRuntime().maxMemory()),
			advice == null || advice.isBlank() ? "" : capitalise(advice.trim()) + ", or ", advice == null || advice.isBlank() ? capitalise(GENERIC_ADVICE) : GENERIC_ADVICE));
	}

	/** Human-readable size in MB or GB (binary units). */
	public static String human(final long bytes) {
		if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
		return String.format(Locale.ROOT, "%d MB", (bytes + (1L << 20) - 1) >> 20);
	}

	private static String capitalise(final String s) { return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1); }

	/** A replaced memory source, restored on close. For tests: {@code try (var g = MemoryGuard.withAvailable(() -> 64L << 20)) {…}}. */
	public static synchronized Restore withAvailable(final LongSupplier availableBytes) {
		final LongSupplier previous = source;
		source = availableBytes;
		return () -> source = previous;
	}

	/** Restores the previous memory source. */
	@FunctionalInterface
	public interface Restore extends AutoCloseable {
		@Override
		void close();
	}
}
