package sc.fiji.cdi.util;

/**
 * The one place where a worker-thread count is resolved: a command's {@code threads} parameter, the stored
 * Edit › Options › CDI value, the automatic value (0 = all cores), the PyTorch thread setting and the phasing
 * backends all go through {@link #resolve}, so that no thread pool is ever sized from an unchecked number and the
 * count a report records is the count used.
 * <p>
 * The cap is the number of available processors: more threads only add scheduling overhead (1000 threads ran 12×
 * slower than one per core), and a thread count of 100 000 handed to PyTorch's OpenMP pool hung the JVM creating
 * thousands of threads.
 */
public final class Threads {

	private Threads() {}

	/** The most worker threads any pool of the suite gets: the processors available to this JVM (≥ 1). */
	public static int max() { return Math.max(1, Runtime.getRuntime().availableProcessors()); }

	/** The thread count to use for {@code requested}: all available processors when ≤ 0, and never more than them. */
	public static int resolve(final int requested) {
		final int cores = max();
		return requested > 0 ? Math.min(requested, cores) : cores;
	}

	/**
	 * A note for the log when {@code requested} was capped ({@code resolve(requested) < requested}), else null.
	 *
	 * @param key     the parameter or setting the number came from, e.g. {@code threads}
	 * @param purpose what the threads are for, e.g. "phasing uses"
	 */
	public static String capNote(final String key, final int requested, final String purpose) {
		final int used = resolve(requested);
		if (requested <= used) return null;
		return key + "=" + requested + " is more than the " + used + " available processors: " + purpose + " " + used + " threads.";
	}
}
