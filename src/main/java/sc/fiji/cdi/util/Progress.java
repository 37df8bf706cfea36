package sc.fiji.cdi.util;

/**
 * Progress and cancellation for long work. The core reports through this; Fiji commands adapt it to the
 * StatusService, the headless runner to a progress line on stderr. Implementations must be thread-safe.
 */
public interface Progress {

	/** A short human-readable status ("HIO 120/620, χ²=0.013"). */
	void status(String message);

	/** Fraction done, {@code done} of {@code total} work units. */
	void progress(long done, long total);

	/** True once the user asked to stop. */
	boolean isCancelled();

	/** Throws {@link CancelledException} if cancelled; call it at least every few hundred ms in long loops. */
	default void checkCancelled() {
		if (isCancelled()) throw new CancelledException();
	}

	/** Reports nothing and never cancels. */
	Progress NONE = new Progress() {
		@Override public void status(final String message) {}
		@Override public void progress(final long done, final long total) {}
		@Override public boolean isCancelled() { return false; }
	};
}
