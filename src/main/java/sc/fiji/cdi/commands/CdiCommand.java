package sc.fiji.cdi.commands;

import java.awt.GraphicsEnvironment;

import org.scijava.command.Command;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.ui.DialogPrompt;
import org.scijava.ui.UIService;

import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Base of the suite's SciJava commands: runs {@link #execute}, turns a {@link CdiException} into one clear message
 * (an error dialog in Fiji, one log line headless) instead of a stack trace, and remembers it as {@link #failure()}
 * so that the headless runner can exit with a non-zero code. Subclasses hold no algorithm: they call the core.
 */
public abstract class CdiCommand implements Command, org.scijava.Cancelable {

	@Parameter
	protected LogService log;

	@Parameter(required = false)
	protected UIService ui;

	@Parameter(required = false)
	protected org.scijava.app.StatusService statusService;

	@Parameter(required = false)
	protected org.scijava.prefs.PrefService prefService;

	/**
	 * Java system property holding the last CDI command's failure ("" after a success), so that a macro can tell a
	 * failed {@code run(...)} from a good one with {@code getInfo("cdi.lastFailure")} — in Fiji and in the
	 * standalone runner alike, where a failing command is reported and the macro goes on.
	 */
	public static final String LAST_FAILURE_PROPERTY = "cdi.lastFailure";

	private volatile String failure;
	private volatile boolean completed;
	private volatile String cancelReason;
	private volatile StatusProgress active;
	private volatile boolean callerReports;

	/**
	 * Called by a runner that reports this command's {@link #failure()} itself, in one line of its own (the headless
	 * runners, the macro bridge): the command then does not log the same reason as well (two lines for one failure).
	 */
	public void callerReportsFailure() { callerReports = true; }

	/** A command's device choice, where "auto" defers to the Edit › Options › CDI device (itself "auto" by default). */
	protected String device(final String choice) {
		if (choice != null && !choice.isBlank() && !choice.trim().equalsIgnoreCase("auto")) return choice;
		return settings().device().name().toLowerCase(java.util.Locale.ROOT);
	}

	/** The user's Edit › Options › CDI settings (defaults outside Fiji). */
	protected sc.fiji.cdi.fiji.CdiSettings settings() { return sc.fiji.cdi.fiji.CdiSettings.load(prefService); }

	/** The command's work; throw {@link CdiException} for anything the user can fix. */
	protected abstract void execute();

	@Override
	public final void run() {
		failure = null;
		// "" only once the work is done: an Error that escapes below (a native library's) must not read as success
		System.setProperty(LAST_FAILURE_PROPERTY, "did not finish");
		completed = false;
		if (cancelReason != null) { fail("Cancelled: " + cancelReason); return; }
		try {
			ParameterCheck.expandHome(this);
			ParameterCheck.checkFields(this);
			execute();
			completed = true;
			System.setProperty(LAST_FAILURE_PROPERTY, "");
		} catch (final CancelledException e) {
			final String kept = cancelledOutput();
			final String why = cancelReason != null ? "Cancelled: " + cancelReason + "." : e.getMessage();
			fail(NO_OUTPUT.equals(kept) ? why : why.replaceFirst("\\.$", "") + "; " + kept + ".");
		} catch (final CdiException e) {
			fail(e.getMessage());
		} catch (final IllegalArgumentException e) {
			fail("Invalid parameter: " + e.getMessage());
		} catch (final OutOfMemoryError e) {
			fail("Out of memory: the data set is too large for the memory given to Java (" + (Runtime.getRuntime().maxMemory() >> 20)
				+ " MB). Bin or crop the data, or raise the memory limit (Edit > Options > Memory & Threads, or java -Xmx).");
		} catch (final RuntimeException e) {
			unexpected(e);
		} catch (final Error e) {
			// a native library's UnsatisfiedLinkError, a StackOverflowError: SciJava printed "Command errored" and the stack
			if (e instanceof AtomicOutput.SimulatedCrash) throw e; // a test's kill -9: nothing may run after it
			unexpected(e);
		}
	}

	/**
	 * Integer frames' marker values (the type's maximum: a saturated counter or a gap; negatives unless
	 * {@code clampNegative}) are bad pixels since 1 Dec, left unmeasured whatever {@code bad_pixels} says: said in the
	 * log, not only counted in the import step, since a 16-bit pattern scaled to 65535 loses its brightest pixels to it.
	 * Also warns of a frames folder's TIFFs that were left out as not named like the frames
	 * ({@link sc.fiji.cdi.io.DiffractionReader#IGNORED_FILES}).
	 */
	protected void warnOfMarkers(final sc.fiji.cdi.data.Diffraction d, final boolean clampNegative) {
		if (log == null || d.log.steps().isEmpty()) return;
		final java.util.Map<String, Object> step = d.log.steps().get(0).parameters();
		// a frames folder's TIFFs that are not frames (notes.tif, preview.tif): left out, said here
		if (step.get(sc.fiji.cdi.io.DiffractionReader.IGNORED_FILES) instanceof String ignored)
			log.warn(d.source + ": left out of the stack, not frames: " + ignored + " (" + sc.fiji.cdi.io.DiffractionReader.IGNORED_FILES + " in the report).");
		if (!(step.get("markerPixels") instanceof Integer n) || n == 0) return;
		log.warn(d.source + ": " + n + (n == 1 ? " pixel" : " pixels") + " of the " + step.get("dtype") + " data " + (n == 1 ? "holds" : "hold") + " the type's largest value" + (clampNegative ? "" : " or a negative one")
			+ ", a detector's marker (gap, dead or saturated pixel) rather than counts: left unmeasured (free in the phasing) whatever bad_pixels says (markerPixels in the report; docs/io.md).");
	}

	/**
	 * Several scans summed into one (APS 34-ID-C {@code scan=54-57}): the log says which, with each one's shift against
	 * the reference, and warns of the scans of a range that were skipped (no frames folder, not in the SPEC file), which
	 * otherwise only the report would name.
	 */
	protected void logCombinedScans(final sc.fiji.cdi.data.Diffraction d) {
		if (log == null) return;
		for (final sc.fiji.cdi.data.ProcessingLog.Step st : d.log.steps()) {
			if (!st.name().equals("Combine scans")) continue;
			final java.util.Map<String, Object> p = st.parameters();
			if (p.get("shifts_zyx") instanceof java.util.Map<?, ?> shifts) {
				final StringBuilder b = new StringBuilder();
				shifts.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v instanceof int[] a ? java.util.Arrays.toString(a) : String.valueOf(v)));
				log.info(d.source + ": " + shifts.size() + " scans summed after aligning each to scan " + p.get("reference") + "; shifts (z, y, x): " + b + ".");
			}
			if (p.get("skipped") instanceof java.util.Map<?, ?> skipped && !skipped.isEmpty())
				log.warn(d.source + ": scans of the range left out: " + skipped + " (scans_skipped in the report).");
		}
	}

	/** Java property that shows a bug's stack trace headless ({@code -Dcdi.debug=true}); Fiji's console always gets it. */
	public static final String DEBUG_PROPERTY = "cdi.debug";

	/**
	 * A bug: one line naming it and how to report it; its stack trace goes to Fiji's console when a person runs the
	 * command, headless only with {@code -Dcdi.debug=true} (or a debug log level).
	 */
	private void unexpected(final Throwable e) {
		final boolean trace = interactive() || Boolean.getBoolean(DEBUG_PROPERTY) || log != null && log.isDebug();
		if (trace && log != null) log.error(e);
		fail("Unexpected error in " + getClass().getSimpleName() + ": " + e + ". Please report it with the input that caused it"
			+ (trace ? "." : " (run with -D" + DEBUG_PROPERTY + "=true for the details)."));
	}

	private void fail(final String message) {
		failure = message;
		System.setProperty(LAST_FAILURE_PROPERTY, message == null ? "failed" : message);
		if (log != null && !callerReports) log.error(message);
		// a dialog only for a person at the GUI: inside a macro it would wait for a click on every failed scan
		if (interactive()) ui.showDialog(message, "CDI", DialogPrompt.MessageType.ERROR_MESSAGE);
	}

	/**
	 * Headless, a command run without an output folder keeps nothing (its results are image outputs, which no window
	 * shows): says so in the log, naming what was lost (the run itself succeeds, as Fiji's own commands do).
	 *
	 * @param result e.g. "the imported stack is only an image output"
	 */
	protected void warnIfNothingKept(final java.io.File outputDir, final String command, final String result) {
		if (outputDir != null && !outputDir.getPath().isBlank()) return;
		if ((ui == null || ui.isHeadless() || GraphicsEnvironment.isHeadless()) && log != null)
			log.warn(command + " without output_dir: " + result + ", which a headless run does not keep; give output_dir=\"<folder>\" to write the files.");
	}

	/** A person sees this run's dialog and results: Fiji's GUI, not headless and not inside a macro. */
	protected boolean interactive() {
		return ui != null && !ui.isHeadless() && !GraphicsEnvironment.isHeadless() && !ij.IJ.isMacro();
	}
	/** True once the last run finished its work without failure (its results, if any, are complete). */
	public boolean completed() { return completed; }

	/** Null when the last run succeeded, else the one-line reason. */
	public String failure() { return failure; }

	/** Progress reported to Fiji's status bar (or a line on stderr when headless); cancel with Esc in Fiji. */
	protected Progress progress() {
		final StatusProgress p = new StatusProgress(statusService, ui == null || ui.isHeadless() || GraphicsEnvironment.isHeadless());
		if (cancelReason != null) p.cancel();
		active = p;
		return p;
	}

	/** What a cancelled run leaves, by default: nothing ({@link AtomicOutput}'s result sets are complete or absent). */
	public static final String NO_OUTPUT = "no output was written";

	/**
	 * What this command leaves when it is cancelled, for the cancel messages (Fiji, and the runner's SIGTERM line):
	 * {@link #NO_OUTPUT} unless the command keeps something, such as a training's checkpoint.
	 */
	public String cancelledOutput() { return NO_OUTPUT; }

	/** Stops a running command at its next progress check (at least once per iteration): no output is written, except what {@link #cancelledOutput} says. */
	@Override
	public void cancel(final String reason) {
		cancelReason = reason == null || reason.isBlank() ? "cancelled" : reason;
		final StatusProgress p = active;
		if (p != null) p.cancel();
	}

	@Override
	public boolean isCanceled() { return cancelReason != null; }

	@Override
	public String getCancelReason() { return cancelReason; }
}
