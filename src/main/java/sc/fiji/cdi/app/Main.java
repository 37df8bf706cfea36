package sc.fiji.cdi.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.console.ConsoleService;
import org.scijava.console.ConsoleUtils;
import org.scijava.log.LogService;
import org.scijava.module.ModuleService;
import org.scijava.startup.StartupService;

import sc.fiji.cdi.commands.CdiCommand;
import sc.fiji.cdi.fiji.MacroBridge;

/**
 * Runs the suite's commands without Fiji, with Fiji's own command-line syntax, so a cluster job works the same with
 * {@code fiji --headless --run …} and {@code java -jar cdi-fiji.jar --headless --run …}:
 * <pre>java -jar cdi-fiji.jar --headless --run "Reconstruct" 'input="scan54.tif",output_dir="out"'</pre>
 * The command is found by class name, menu label or title, as Fiji does. Exit code 0 on success, 1 when the command
 * failed (the reason on stderr, one line), 2 for a bad command line.
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
				return 2;
			}
			// remaining arguments (e.g. --headless) are Fiji's own; let SciJava's console handle them
			context.service(ConsoleService.class).processArgs(rest.toArray(new String[0]));
			context.service(StartupService.class).executeOperations();
			final Map<String, Object> inputs = unquote(ConsoleUtils.parseParameterString(protectQuotedCommas(runArgs), info, context.service(LogService.class)));
			final CommandModule module = (CommandModule) context.service(ModuleService.class).createModule(info);
			final Future<?> running = context.service(ModuleService.class).run(module, true, inputs);
			// a scheduler's SIGTERM (time limit, scancel) cancels the command, which then leaves no partial output
			final Thread onTerm = new Thread(() -> {
				if (running.isDone()) return;
				module.cancel("terminated by a signal (SIGTERM)");
				try { running.get(10, TimeUnit.SECONDS); } catch (final Exception ignored) { /* exiting anyway */ }
				System.err.println("cdi: " + info.getTitle() + " was cancelled: terminated by a signal (SIGTERM); no output was written.");
			}, "cdi-cancel-on-exit");
			Runtime.getRuntime().addShutdownHook(onTerm);
			try {
				running.get();
			} finally {
				try { Runtime.getRuntime().removeShutdownHook(onTerm); } catch (final IllegalStateException shuttingDown) { /* the hook runs */ }
			}
			if (module.getCommand() instanceof CdiCommand c && c.failure() != null) {
				System.err.println("cdi: " + info.getTitle() + " failed: " + c.failure());
				return 1;
			}
			if (module.isCanceled()) {
				System.err.println("cdi: " + info.getTitle() + " was cancelled: " + module.getCancelReason());
				return 1;
			}
			return 0;
		} catch (final ExecutionException e) {
			System.err.println("cdi: " + runName + " failed: " + e.getCause());
			return 1;
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			System.err.println("cdi: interrupted");
			return 1;
		} catch (final RuntimeException e) {
			System.err.println("cdi: " + e.getMessage());
			return 2;
		} finally {
			context.dispose();
		}
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
		} catch (final IOException e) {
			System.err.println("cdi: cannot read macro " + file + ": " + e.getMessage());
			return 2;
		}
		final Context context = new Context();
		try {
			MacroBridge.install(context);
			ij.macro.Interpreter.batchMode = true;
			final ij.macro.Interpreter interp = new ij.macro.Interpreter();
			try {
				interp.run(text, macroArgs);
			} catch (final RuntimeException e) {
				// headless, ImageJ 1 reports a macro error with a dialog, which throws HeadlessException: the macro stops
				// at the error (as it should); its message was recorded before the dialog
				final String why = interp.getErrorMessage() != null ? interp.getErrorMessage() : e.toString();
				System.err.println("cdi: macro " + file + " stopped with an error at line " + interp.getLineNumber() + ": " + why);
				return 1;
			}
			if (interp.wasError() || interp.getErrorMessage() != null) {
				System.err.println("cdi: macro " + file + " stopped with an error at line " + interp.getLineNumber()
					+ (interp.getErrorMessage() == null ? "" : ": " + interp.getErrorMessage()));
				return 1;
			}
			return 0;
		} finally {
			context.dispose();
		}
	}

	/** Fiji's syntax quotes values (input="/data/a b.tif"); SciJava keeps the quotes on files, so strip them. */
	static Map<String, Object> unquote(final Map<String, Object> in) {
		final Map<String, Object> out = new java.util.LinkedHashMap<>();
		for (final Map.Entry<String, Object> e : in.entrySet()) {
			Object v = e.getValue();
			if (v instanceof java.io.File f) v = new java.io.File(strip(f.getPath()));
			else if (v instanceof String s) v = strip(s);
			out.put(e.getKey(), v);
		}
		return out;
	}

	/** Stands for a comma inside a quoted value while SciJava splits the argument string on commas. */
	private static final char COMMA = '\u001f';

	/** {@code size="64,128,128"}: SciJava's parser splits on every comma, so hide those inside quotes first. */
	static String protectQuotedCommas(final String args) {
		final StringBuilder b = new StringBuilder(args.length());
		char quote = 0;
		for (final char ch : args.toCharArray()) {
			if (quote == 0 && (ch == '"' || ch == '\'')) quote = ch;
			else if (ch == quote) quote = 0;
			b.append(ch == ',' && quote != 0 ? COMMA : ch);
		}
		return b.toString();
	}

	private static String strip(final String raw) {
		final String s = raw.replace(COMMA, ',');
		final String t = s.trim();
		if (t.length() >= 2 && (t.startsWith("\"") && t.endsWith("\"") || t.startsWith("'") && t.endsWith("'"))) return t.substring(1, t.length() - 1);
		return s;
	}

	/** By class name, then menu label (last menu entry), then title, ignoring case and '_' vs ' ' as Fiji does. */
	public static CommandInfo find(final CommandService commands, final String name) {
		final CommandInfo cdi = sc.fiji.cdi.fiji.CdiCommands.find(commands, name);
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
		return problem == null ? 0 : 2;
	}
}
