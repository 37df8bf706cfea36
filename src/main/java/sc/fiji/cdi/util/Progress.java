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

	/**
	 * One part of a longer job: its status lines are prefixed with {@code prefix}, and its progress (done of its own
	 * total) is mapped onto {@code [start, start + span]} of {@code total} work units of this one; cancellation is this
	 * one's.
	 */
	default Progress part(final String prefix, final long start, final long span, final long total) {
		final Progress whole = this;
		return new Progress() {
			@Override public void status(final String s) { whole.status(prefix + s); }
			@Override public void progress(final long done, final long partTotal) { whole.progress(Math.min(total, start + span * done / Math.max(1, partTotal)), total); }
			@Override public boolean isCancelled() { return whole.isCancelled(); }
			@Override public void checkCancelled() { whole.checkCancelled(); }
		};
	}

	/**
	 * This progress, never reported backwards: a step that starts again (a second try of a tuning, a retried
	 * attempt) keeps the bar where it was until it passes it.
	 */
	default Progress forwardOnly() {
		final Progress whole = this;
		return new Progress() {
			private double best = -1;
			@Override public void status(final String s) { whole.status(s); }
			@Override public synchronized void progress(final long done, final long total) {
				final double f = total > 0 ? (double) done / total : 0;
				if (f < best) return;
				best = f;
				whole.progress(done, total);
			}
			@Override public boolean isCancelled() { return whole.isCancelled(); }
			@Override public void checkCancelled() { whole.checkCancelled(); }
		};
	}

	/** Reports nothing and never cancels. */
	Progress NONE = new Progress() {
		@Override public void status(final String message) {}
		@Override public void progress(final long done, final long total) {}
		@Override public boolean isCancelled() { return false; }
	};
}
