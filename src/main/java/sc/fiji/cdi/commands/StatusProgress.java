package sc.fiji.cdi.commands;

import java.util.Locale;

import org.scijava.app.StatusService;

import sc.fiji.cdi.util.Progress;

/**
 * {@link Progress} for commands: Fiji's status bar and progress bar through the StatusService, or, headless,
 * a progress line with ETA on stderr at most once per second. Cancellation: Esc in Fiji (ImageJ 1's
 * escape flag), {@link #cancel()}, or interrupting the thread that runs the command.
 */
public final class StatusProgress implements Progress {

	private final StatusService status;
	private final boolean headless;
	private final long start = System.nanoTime();
	private volatile long lastPrint;
	private volatile String lastMessage = "";
	private volatile boolean cancelled;

	public StatusProgress(final StatusService status, final boolean headless) {
		this.status = status;
		this.headless = headless;
	}

	public void cancel() { cancelled = true; }

	@Override
	public void status(final String message) {
		lastMessage = message;
		if (status != null && !headless) status.showStatus(message);
	}

	@Override
	public void progress(final long done, final long total) {
		if (status != null && !headless) status.showProgress((int) Math.min(done, Integer.MAX_VALUE), (int) Math.min(total, Integer.MAX_VALUE));
		if (!headless) return;
		final long now = System.nanoTime();
		if (now - lastPrint < 1_000_000_000L && done < total) return;
		lastPrint = now;
		final double elapsed = (now - start) / 1e9;
		final double eta = done > 0 ? elapsed * (total - done) / done : Double.NaN;
		System.err.printf(Locale.ROOT, "[%3.0f%%] %s  elapsed %.1f s, ETA %.1f s%n", 100.0 * done / Math.max(1, total), lastMessage, elapsed, eta);
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
