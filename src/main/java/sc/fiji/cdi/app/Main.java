package sc.fiji.cdi.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.console.ConsoleService;
import org.scijava.display.DisplayPostprocessor;
import org.scijava.module.ModuleService;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.PluginService;
import org.scijava.parse.Item;
import org.scijava.parse.Items;
import org.scijava.parse.ParseService;
import org.scijava.startup.StartupService;

import sc.fiji.cdi.commands.CdiCommand;
import sc.fiji.cdi.commands.ParameterCheck;
import sc.fiji.cdi.util.CdiException;

/**
 * Runs the suite's commands without Fiji, with Fiji's own command-line syntax, so a cluster job works the same with
 * {@code fiji --headless --run …} and {@code java -jar cdi-fiji.jar --headless --run …}:
 * <pre>java -jar cdi-fiji.jar --headless --run "Reconstruct" 'input="scan54.tif",output_dir="out"'</pre>
 * The command is found by class name, menu label or title, as Fiji does; the parameter string is read with
 * Fiji's own parser (scijava-common's {@code ParseService}, as its {@code --run} argument does) and every value is
 * checked by {@link ParameterCheck} before the command starts. Exit codes (docs/cluster.md): 0 success, 1 the
 * command failed (the reason on stderr, one line), 2 bad command line (syntax, unknown command or parameter, a value
 * not allowed), 143 terminated by SIGTERM.
 */
public final class Main {

	private Main() {}

	public static void main(final String[] args) {
		final int code = run(args);
		System.exit(code);
	}

	public static int run(final String... args) {
		final List<String> rest = new ArrayList<>();
		String runName = null, runArgs = "", macroFile = null, macroArgs = "";
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("-macro") || args[i].equals("--macro")) {
				if (i + 1 >= args.length) return usage("-macro needs a macro file");
				macroFile = args[++i];
				if (i + 1 < args.length && !args[i + 1].startsWith("-")) macroArgs = args[++i];
			} else if (args[i].equals("--run")) {
				if (i + 1 >= args.length) return usage("--run needs a command name");
				runName = args[++i];
				if (i + 1 < args.length && !args[i + 1].startsWith("--")) runArgs = args[++i];
			} else if (args[i].equals("--help") || args[i].equals("-h")) {
				return usage(null);
			} else {
				rest.add(args[i]);
			}
		}
		if (rest.contains("--headless")) System.setProperty("java.awt.headless", "true");
		if (macroFile != null) return runMacro(Path.of(macroFile), macroArgs);
		if (runName == null) return usage("nothing to do: give --run \"<command>\" '<key=value,...>' or -macro <file.ijm> '<args>'");
		final Context context = new Context();
		try {
			final CommandService commands = context.service(CommandService.class);
			final CommandInfo info = find(commands, runName);
			if (info == null) {
				System.err.println("cdi: no command named '" + runName + "'. Available: " + available(commands));
				return BAD_COMMAND_LINE;
			}
			final Map<String, Object> inputs;
			try {
				inputs = parameters(context, runArgs);
			} catch (final ParameterCheck.BadParameter e) {
				System.err.println("cdi: bad command line: " + e.getMessage());
				return BAD_COMMAND_LINE;
			} catch (final IllegalArgumentException e) {
				System.err.println("cdi: bad command line: cannot read the parameters of " + info.getTitle() + ": " + syntaxProblem(e.getMessage(), runArgs) + " in: " + runArgs);
				System.err.println("cdi: write key=value pairs separated by commas, text and paths in double quotes, as Fiji does: input=\"/data/scan 54.tif\",seed=1");
				return BAD_COMMAND_LINE;
			}
			// remaining arguments (e.g. --headless) are Fiji's own; let SciJava's console handle them
			context.service(ConsoleService.class).processArgs(rest.toArray(new String[0]));
			context.service(StartupService.class).executeOperations();
			final CommandModule module = (CommandModule) context.service(ModuleService.class).createModule(info);
			if (module.getCommand() instanceof CdiCommand c) c.callerReportsFailure(); // one line per failure: "cdi: <title> failed: <reason>"
			try {
				ParameterCheck.check(module, inputs);
				// an image named by its title or ID, as Fiji's converter finds it (a bare string became an empty image)
				for (final org.scijava.module.ModuleItem<?> item : info.inputs())
					if (ij.ImagePlus.class.isAssignableFrom(item.getType()) && inputs.get(item.getName()) instanceof String v)
						inputs.put(item.getName(), MacroBridge.image(info, item.getName(), v));
			} catch (final CdiException e) {
				System.err.println("cdi: bad command line: " + e.getMessage());
				return BAD_COMMAND_LINE;
			}
			// SciJava's usual pre- and postprocessing, but no display step: this runner only writes files, and the display
			// step would print "Ignoring unsupported output" for every image a command returns to Fiji or a macro
			final PluginService plugins = context.service(PluginService.class);
			final List<PostprocessorPlugin> post = plugins.createInstancesOfType(PostprocessorPlugin.class).stream()
				.filter(p -> !(p instanceof DisplayPostprocessor)).toList();
			final Future<?> running = context.service(ModuleService.class).run(module, plugins.createInstancesOfType(PreprocessorPlugin.class), post, inputs);
			// a scheduler's SIGTERM (time limit, scancel) cancels the command, which then leaves no partial output
			final AtomicBoolean signalled = new AtomicBoolean();
			final Thread onTerm = new Thread(() -> {
				if (running.isDone()) return;
				signalled.set(true);
				System.err.println(terminated(info.getTitle(), module, running));
				System.err.flush();
			}, "cdi-cancel-on-exit");
			Runtime.getRuntime().addShutdownHook(onTerm);
			try {
				running.get();
			} finally {
				try { Runtime.getRuntime().removeShutdownHook(onTerm); } catch (final IllegalStateException shuttingDown) { /* the hook runs */ }
			}
			if (signalled.get()) return SIGTERM; // the hook reported; the JVM exits with 143 anyway
			if (module.getCommand() instanceof CdiCommand c && c.failure() != null) {
				System.err.println("cdi: " + info.getTitle() + " failed: " + c.failure());
				return FAILED;
			}
			if (module.isCanceled()) {
				System.err.println("cdi: " + info.getTitle() + " was cancelled: " + module.getCancelReason());
				return FAILED;
			}
			return OK;
		} catch (final ExecutionException e) {
			System.err.println("cdi: " + runName + " failed: " + oneLine(e.getCause()));
			return FAILED;
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			System.err.println("cdi: interrupted");
			return FAILED;
		} catch (final RuntimeException e) {
			System.err.println("cdi: " + runName + " failed: " + oneLine(e));
			return FAILED;
		} finally {
			context.dispose();
		}
	}

	/** Exit codes, as documented in docs/cluster.md (one table). */
	public static final int OK = 0, FAILED = 1, BAD_COMMAND_LINE = 2, SIGTERM = 143;

	/** Seconds the shutdown hook waits for a command to stop after SIGTERM (below SLURM's default KillWait of 30 s). */
	static long shutdownWaitSeconds() {
		try {
			return Math.max(1, Long.parseLong(System.getProperty("cdi.shutdown.wait", "25").trim()));
		} catch (final NumberFormatException e) {
			return 25;
		}
	}

	/**
	 * On SIGTERM: cancels the command, waits for it to stop (its result set is then complete or absent), and says
	 * which one it is.
	 */
	static String terminated(final String title, final CommandModule module, final Future<?> running) {
		module.cancel("terminated by a signal (SIGTERM)");
		final long wait = shutdownWaitSeconds();
		try {
			running.get(wait, TimeUnit.SECONDS);
		} catch (final TimeoutException e) {
			return "cdi: " + title + " was terminated by a signal (SIGTERM) and did not stop within " + wait
				+ " s; any partial result is hidden and removed by the next run into its output folder.";
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		} catch (final ExecutionException | RuntimeException e) {
			// reported below through the command's failure
		}
		if (module.getCommand() instanceof CdiCommand c && c.failure() == null && c.completed())
			return "cdi: " + title + " received a signal (SIGTERM) after its results were complete; they are kept.";
		return "cdi: " + title + " was cancelled: terminated by a signal (SIGTERM); " + (module.getCommand() instanceof CdiCommand c ? c.cancelledOutput() : CdiCommand.NO_OUTPUT) + ".";
	}

	/**
	 * The {@code --run} parameter string read exactly as Fiji reads it (scijava-common's RunArgument → ParseService),
	 * except that a key given twice is refused ({@link ParameterCheck.BadParameter}): the parser keeps the last value,
	 * so {@code seed=1,…,seed=2} in a copied job line silently ran with one of two contradicting values.
	 */
	static Map<String, Object> parameters(final Context context, final String args) {
		if (args == null || args.isBlank()) return new LinkedHashMap<>();
		final Items items = context.service(ParseService.class).parse(args);
		if (!items.isMap()) throw new IllegalArgumentException("expected key=value pairs, not a list of values");
		// the items hold the names as written; their values are the map's, i.e. the last one of a key
		final Set<String> seen = new HashSet<>();
		for (final Item item : items)
			if (!seen.add(item.name())) throw ParameterCheck.givenTwice(item.name(), null, shown(item.value()));
		return new LinkedHashMap<>(items.asMap());
	}

	/** A parsed value as it was written: text in double quotes. */
	private static String shown(final Object v) { return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v); }

	/** Parsington's message in words: an unquoted text value is the common mistake. */
	static String syntaxProblem(final String message, final String args) {
		final String m = message == null ? "unreadable" : message;
		if (m.startsWith("Unknown variable: ")) {
			final String word = m.substring("Unknown variable: ".length()).trim();
			final java.util.regex.Matcher k = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*[^,\"]*?\\b" + java.util.regex.Pattern.quote(word) + "\\b").matcher(args);
			return "'" + word + "'" + (k.find() ? " (the value of '" + k.group(1) + "')" : "") + " is neither a number nor quoted text; put text in double quotes, e.g. "
				+ (k.find(0) ? k.group(1) : "key") + "=\"" + word + "\"";
		}
		if (m.startsWith("Unclosed string literal")) return "a quote is not closed (" + m + ")";
		if (m.startsWith("Invalid escape sequence"))
			return "a backslash in a quoted value starts an escape sequence, as in Fiji (" + m + "); write the folders of a Windows path with forward slashes"
				+ " (input=\"C:/data/scan.tif\") or doubled backslashes (input=\"C:\\\\data\\\\scan.tif\")";
		return m;
	}

	private static String oneLine(final Throwable t) {
		if (t == null) return "unknown error";
		final String m = t.getMessage();
		return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.replace('\n', ' ');
	}

	/**
	 * Runs an ImageJ macro headless with ImageJ 1's interpreter, its {@code run("<CDI command>", …)} calls routed to
	 * the suite's commands (as Fiji's {@code -macro} does). Exit code 1 when the macro aborted with an error.
	 */
	static int runMacro(final Path file, final String macroArgs) {
		System.setProperty("java.awt.headless", "true");
		final String text;
		try {
			text = Files.readString(file);
		} catch (final java.nio.charset.CharacterCodingException e) {
			System.err.println("cdi: cannot read macro " + file + ": it is not a text file (not UTF-8); expected an ImageJ macro (.ijm).");
			return BAD_COMMAND_LINE;
		} catch (final java.nio.file.NoSuchFileException e) {
			System.err.println("cdi: cannot read macro " + file + ": the file does not exist; expected the path of an ImageJ macro (.ijm).");
			return BAD_COMMAND_LINE;
		} catch (final IOException e) {
			System.err.println("cdi: cannot read macro " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ".");
			return BAD_COMMAND_LINE;
		}
		final Context context = new Context();
		final ij.CommandListener unknown = MacroBridge::refuseUnknown;
		try {
			MacroBridge.install(context);
			ij.Executer.addCommandListener(unknown);
			ij.macro.Interpreter.batchMode = true;
			final ij.macro.Interpreter interp = new ij.macro.Interpreter();
			try {
				interp.run(text, macroArgs);
			} catch (final RuntimeException e) {
				// headless, ImageJ 1 reports a macro error with a dialog, which throws HeadlessException: the macro stops
				// at the error (as it should); its message was recorded before the dialog
				if (ij.Macro.MACRO_CANCELED.equals(e.getMessage()) && interp.getErrorMessage() == null) {
					// exit("message") in the macro: its message was printed; a macro ends this way to report a failure
					System.err.println("cdi: macro " + file + " ended with exit(...) at line " + interp.getLineNumber() + " (see the message above)");
					return 1;
				}
				final String why = interp.getErrorMessage() != null ? interp.getErrorMessage() : e.toString();
				System.err.println("cdi: macro " + file + " stopped with an error at line " + errorLine(interp) + ": " + why);
				return 1;
			}
			if (interp.wasError() || interp.getErrorMessage() != null) {
				System.err.println("cdi: macro " + file + " stopped with an error at line " + errorLine(interp)
					+ (interp.getErrorMessage() == null ? "" : ": " + interp.getErrorMessage()));
				return 1;
			}
			return 0;
		} finally {
			ij.Executer.removeCommandListener(unknown);
			context.dispose();
		}
	}

	/**
	 * The line of a macro error, as ImageJ's own error dialog gives it ("… in line N"). {@code getLineNumber()} is the
	 * line of the token at the interpreter's position, and after an error that is past the faulty line: to show the
	 * line, the interpreter re-reads it to its end (Interpreter.getErrorLine), one line too far (an error on line 1
	 * read as line 2). The line of the error itself is what getErrorLine stores in the interpreter's {@code
	 * lineNumber} field, which has no accessor; that field, else getLineNumber() when it cannot be read.
	 */
	static int errorLine(final ij.macro.Interpreter interp) {
		try {
			final java.lang.reflect.Field f = ij.macro.Interpreter.class.getDeclaredField("lineNumber");
			f.setAccessible(true);
			final int line = f.getInt(interp);
			if (line > 0) return line;
		} catch (final ReflectiveOperationException | RuntimeException e) {
			// another ImageJ version: the token position below
		}
		return interp.getLineNumber();
	}

	/** By class name, then menu label (last menu entry), then title, ignoring case and '_' vs ' ' as Fiji does. */
	public static CommandInfo find(final CommandService commands, final String name) {
		final CommandInfo cdi = sc.fiji.cdi.app.CdiCommands.find(commands, name);
		return cdi != null ? cdi : commands.getCommand(name);
	}

	private static String available(final CommandService commands) {
		final List<String> names = new ArrayList<>();
		for (final CommandInfo ci : commands.getCommands())
			if (ci.getClassName().startsWith("sc.fiji.cdi.") && ci.getMenuPath() != null && !ci.getMenuPath().isEmpty())
				names.add('"' + ci.getMenuPath().getLeaf().getName() + '"');
		return String.join(", ", names);
	}

	private static int usage(final String problem) {
		if (problem != null) System.err.println("cdi: " + problem);
		System.err.println("usage: java -jar cdi-fiji.jar --headless --run \"<command>\" 'key=value,key2=\"text\",...'");
		System.err.println("       commands: \"Reconstruct\", \"Phase Retrieval\", \"Import Diffraction\", \"Simulate Crystal\", …; keys are the command's parameter names");
		return problem == null ? OK : BAD_COMMAND_LINE;
	}
}
