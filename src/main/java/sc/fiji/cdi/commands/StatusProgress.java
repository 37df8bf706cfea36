package sc.fiji.cdi.commands;

import java.util.Locale;
import java.util.function.LongSupplier;

import org.scijava.app.StatusService;

import sc.fiji.cdi.util.Progress;

/**
 * {@link Progress} for commands: Fiji's status bar and progress bar through the StatusService, or, headless,
 * a progress line with ETA on stderr at most once per second. The ETA extrapolates the rate of the current run of
 * reports only (one whose fraction grows with one total): a step that reports nothing (loading and running a
 * network) or a finished step (preprocessing) must not make it absurd; until that run has advanced there is none. Cancellation: Esc in Fiji (ImageJ 1's
 * escape flag), {@link #cancel()}, or interrupting the thread that runs the command.
 */
public final class StatusProgress implements Progress {

	private final StatusService status;
	private final boolean headless;
	private final LongSupplier clock;
	private final long start;
	private volatile long lastPrint;
	// the current run of reports: its total, when it began, its fraction then, its latest fraction
	private long runTotal = -1, runSince;
	private double runFrom, runLast;
	private volatile String lastMessage = "";
	private volatile boolean cancelled;

	public StatusProgress(final StatusService status, final boolean headless) {
		this(status, headless, System::nanoTime);
	}

	/** With another clock (nanoseconds), for tests. */
	StatusProgress(final StatusService status, final boolean headless, final LongSupplier clock) {
		this.status = status;
		this.headless = headless;
		this.clock = clock;
		this.start = clock.getAsLong();
	}

	public void cancel() { cancelled = true; }

	@Override
	public void status(final String message) {
		lastMessage = message;
		if (status != null && !headless) status.showStatus(message);
	}

	@Override
	public synchronized void progress(final long done, final long total) {
		if (status != null && !headless) status.showProgress((int) Math.min(done, Integer.MAX_VALUE), (int) Math.min(total, Integer.MAX_VALUE));
		if (!headless) return;
		final long now = clock.getAsLong();
		final double f = (double) done / Math.max(1, total);
		// another total, or a fraction that falls: a new step began, its rate is its own
		if (total != runTotal || f < runLast) { runTotal = total; runSince = now; runFrom = f; }
		runLast = f;
		if (now - lastPrint < 1_000_000_000L && done < total) return;
		lastPrint = now;
		final double elapsed = (now - start) / 1e9, since = (now - runSince) / 1e9;
		final String eta = f > runFrom && since > 0 ? String.format(Locale.ROOT, ", ETA %.1f s", since * (1 - f) / (f - runFrom)) : "";
		System.err.printf(Locale.ROOT, "[%3.0f%%] %s  elapsed %.1f s%s%n", 100 * f, lastMessage, elapsed, eta);
	}

	@Override
	public boolean isCancelled() {
		if (cancelled) return true;
		if (Thread.currentThread().isInterrupted()) cancelled = true; // Future.cancel(true) of the command's thread
		if (!headless) {
			try {
				if (ij.IJ.escapePressed()) { cancelled = true; ij.IJ.resetEscape(); }
			} catch (final Throwable ignored) { /* ImageJ 1 absent or headless: only cancel() counts */ }
		}
		return cancelled;
	}
}
