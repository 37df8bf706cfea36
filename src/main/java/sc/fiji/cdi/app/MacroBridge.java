package sc.fiji.cdi.app;

import java.io.File;
import java.lang.reflect.Field;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;

import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Menus;
import ij.WindowManager;
import ij.plugin.PlugIn;
import sc.fiji.cdi.commands.CdiCommand;
import sc.fiji.cdi.util.CdiException;

/**
 * Lets ImageJ 1 macros call the suite's SciJava commands without Fiji, with the rules of Fiji's legacy layer
 * (imagej-legacy), so that a macro does the same in the standalone {@code -macro} runner and in Fiji:
 * <ul>
 * <li>the command is found by its menu label: {@code run("Reconstruct", "input=[/data/a.tif] output_dir=[/out]")};</li>
 * <li>each input is read as {@code Macro.getValue(options, name, null)} — only the {@code key=value} form
 * (imagej-legacy {@code MacroPreprocessor} with {@code IJ1Helper.getMacroParameter}); a key that is absent keeps the
 * command's default. It is ImageJ's method itself, so its rule holds: the first {@code key=} not preceded by a letter,
 * also one inside another key's {@code [...]} value ({@code input=[/d/run seed=5] seed=7} gives seed "5]", as in Fiji).
 * Booleans are {@code key=true} / {@code key=false}, as Fiji's recorder writes them
 * ({@code MacroRecorderPostprocessor} records {@code value.toString()}); a bare {@code key} (ImageJ 1's checkbox
 * convention) is ignored by Fiji, so it is ignored here too, with a warning that says what to write instead;</li>
 * <li>an {@code ImagePlus} input is an open image given by ID or by title ({@code amplitude=[scan54 amplitude]};
 * imagej-legacy {@code StringToImagePlusConverter}: ID first, then title); when the command has exactly one
 * {@code ImagePlus} input and the macro does not name it, the current image is used ({@code
 * ActiveImagePlusPreprocessor}); with two or more (Strain's amplitude and phase) nothing is guessed;</li>
 * <li>{@code ImagePlus} outputs become open images (in batch mode: batch-mode images), the last one the current
 * image, as Fiji displays a command's outputs, so that a macro can chain commands through images.</li>
 * </ul>
 * One deliberate difference: a value that cannot be converted (e.g. {@code seed=abc}) stops the command with a
 * message naming the key, where Fiji would silently keep the default. Inside Fiji this class is not used.
 */
public final class MacroBridge implements PlugIn {

	private static volatile Context context;

	/** Registers every CDI command's menu label with ImageJ 1's command table (headless-safe). */
	public static synchronized void install(final Context ctx) {
		context = ctx;
		Hashtable<String, String> table = Menus.getCommands();
		if (table == null) {
			// headless: ImageJ 1 never built its menus; give it an empty table instead of letting it try (HeadlessException)
			try {
				final Field f = Menus.class.getDeclaredField("pluginsTable");
				f.setAccessible(true);
				table = new Hashtable<>();
				addImageJCommands(table);
				f.set(null, table);
			} catch (final ReflectiveOperationException e) {
				throw new CdiException("Cannot register the CDI commands with ImageJ's macro interpreter: " + e);
			}
		}
		for (final CommandInfo ci : ctx.service(CommandService.class).getCommands()) {
			if (!ci.getClassName().startsWith("sc.fiji.cdi.") || ci.getMenuPath() == null || ci.getMenuPath().isEmpty()) continue;
			table.put(ci.getMenuPath().getLeaf().getName(), MacroBridge.class.getName() + "(\"" + ci.getClassName() + "\")");
		}
	}

	/**
	 * ImageJ 1's own commands ({@code run("PNG...")}, {@code run("Fire")}, …) as its menus would register them, read
	 * from {@code IJ_Props.txt} in ij.jar ({@code key="Label",class("arg")} lines), so that batch macros can save and
	 * adjust images headless as they do in Fiji's headless mode. Commands that need a screen still fail headless.
	 */
	static void addImageJCommands(final Hashtable<String, String> table) {
		final java.util.regex.Pattern entry = java.util.regex.Pattern.compile("^[a-z]+\\d+=\"([^\"]+)\",(\\S.*)$");
		try (var in = IJ.class.getResourceAsStream("/IJ_Props.txt")) {
			if (in == null) return;
			for (final String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).split("\\R")) {
				final java.util.regex.Matcher m = entry.matcher(line.trim());
				// "Select All[a]": the keyboard shortcut is not part of the name, as ImageJ's Menus registers it
				if (m.matches()) table.putIfAbsent(m.group(1).replaceFirst("\\s*\\[[^\\]]*\\]$", ""), m.group(2).trim());
			}
		} catch (final java.io.IOException e) {
			// without them only the CDI commands are available to macros
		}
	}

	/** Names ImageJ 1's Executer resolves without its command table (aliases of renamed commands). */
	private static final java.util.Set<String> EXECUTER_ALIASES = java.util.Set.of("Auto Threshold", "Enhance Local Contrast (CLAHE)");

	/**
	 * A {@link ij.CommandListener} for the standalone macro runner: a {@code run("<name>")} that no command answers
	 * stops the macro with one line, "Unrecognized command: "name"" and the closest known names, as a macro error
	 * at the line of the call. Without it ImageJ 1 reports the unknown command from inside its Executer, whose error
	 * dialog cannot open headless: the HeadlessException's 27-frame stack trace was printed before the message.
	 * Known commands pass unchanged.
	 */
	static String refuseUnknown(final String command) {
		final Hashtable<String, String> table = Menus.getCommands();
		if (command == null || table == null || table.containsKey(command) || EXECUTER_ALIASES.contains(command) || command.endsWith("\")")
			|| ij.plugin.MacroInstaller.isMacroCommand(command))
			return command;
		final String message = "Unrecognized command: \"" + command + "\"" + closest(command, table.keySet())
			+ " (the standalone runner knows the CDI commands and ImageJ's menu commands; for others run the macro in Fiji, e.g. fiji --headless -macro)";
		final ij.macro.Interpreter interp = ij.macro.Interpreter.getInstance();
		if (interp == null) throw new CdiException(message);
		interp.abort(message); // a macro error: message and line recorded, then its dialog (headless: an exception) ends the macro
		return null; // with a screen the dialog returns: skip the command, the macro is aborted
	}

	/** " (closest: "A", "B")" — up to three known names near {@code name} (edit distance or containment), else "". */
	static String closest(final String name, final java.util.Collection<String> known) {
		final String n = name.trim().toLowerCase(java.util.Locale.ROOT);
		final java.util.List<String> near = known.stream()
			.filter(k -> {
				final String l = k.toLowerCase(java.util.Locale.ROOT);
				return !l.isBlank() && (n.contains(l) && l.length() >= 4 || l.contains(n) && n.length() >= 4 || sc.fiji.cdi.commands.ParameterCheck.distance(n, l) <= Math.max(2, n.length() / 4));
			})
			.sorted(java.util.Comparator.comparingInt((String k) -> sc.fiji.cdi.commands.ParameterCheck.distance(n, k.toLowerCase(java.util.Locale.ROOT))).thenComparing(k -> k))
			.limit(3).map(k -> "\"" + k + "\"").toList();
		return near.isEmpty() ? "" : " (closest known: " + String.join(", ", near) + ")";
	}

	/** Called by ImageJ 1 for {@code run(label, options)}; {@code arg} is the command's class name. */
	@Override
	public void run(final String arg) {
		final Context ctx = context;
		if (ctx == null) { IJ.error("CDI", "MacroBridge.install(context) was not called."); return; }
		final CommandService commands = ctx.service(CommandService.class);
		final CommandInfo info = commands.getCommand(arg);
		final String options = Macro.getOptions();
		final String failure;
		try {
			// SciJava's pre- and postprocessing without its display step, as in the --run runner (Main): the outputs are
			// shown as ImageJ images below, which that step cannot do here ("Ignoring unsupported output" per image)
			final org.scijava.plugin.PluginService plugins = ctx.service(org.scijava.plugin.PluginService.class);
			final org.scijava.module.ModuleService modules = ctx.service(org.scijava.module.ModuleService.class);
			final java.util.List<org.scijava.module.process.PostprocessorPlugin> post = plugins.createInstancesOfType(org.scijava.module.process.PostprocessorPlugin.class)
				.stream().filter(p -> !(p instanceof org.scijava.display.DisplayPostprocessor)).toList();
			final CommandModule module = (CommandModule) modules.createModule(info);
			if (module.getCommand() instanceof CdiCommand c) c.callerReportsFailure(); // stop() logs the reason once
			modules.run(module, plugins.createInstancesOfType(org.scijava.module.process.PreprocessorPlugin.class), post, inputs(info, options == null ? "" : options)).get();
			showOutputs(info, module);
			failure = module.getCommand() instanceof CdiCommand c ? c.failure() : null;
		} catch (final CdiException e) {
			stop(info, e.getMessage());
			return;
		} catch (final java.util.concurrent.ExecutionException e) {
			stop(info, String.valueOf(e.getCause()));
			return;
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			stop(info, "interrupted");
			return;
		}
		if (failure != null) stop(info, failure);
	}

	/**
	 * A failed command is logged and the macro goes on, as in Fiji: there the command's own error handling (dialog,
	 * log) ends it and imagej-legacy returns to the macro, so a batch macro can record the failure and continue.
	 */
	private static void stop(final CommandInfo info, final String reason) {
		// also when the command never ran (a value refused here): the macro reads this run's outcome, not the last one's
		System.setProperty(CdiCommand.LAST_FAILURE_PROPERTY, reason == null ? "failed" : reason);
		IJ.log(info.getTitle() + " failed: " + reason);
	}

	/** Output images become open images, in declaration order (the last is the current image), as Fiji shows them. */
	static void showOutputs(final CommandInfo info, final CommandModule module) {
		for (final ModuleItem<?> item : info.outputs()) {
			if (!ImagePlus.class.isAssignableFrom(item.getType())) continue;
			final Object v = module.getOutput(item.getName());
			if (v instanceof ImagePlus imp && WindowManager.getImage(imp.getID()) == null) imp.show();
		}
	}

	/** Macro option string → typed command inputs (only the keys given; the command's defaults fill the rest). */
	static Map<String, Object> inputs(final CommandInfo info, final String options) {
		final Map<String, Object> in = new LinkedHashMap<>();
		final java.util.List<String> images = new java.util.ArrayList<>();
		for (final ModuleItem<?> item : info.inputs()) {
			final Class<?> type = item.getType();
			final String name = item.getName();
			if (isService(type) || type == Context.class || item.getVisibility() == org.scijava.ItemVisibility.MESSAGE) continue;
			if (ImagePlus.class.isAssignableFrom(type)) images.add(name);
			final String v = Macro.getValue(options, name, null);
			if (v == null) {
				if ((type == boolean.class || type == Boolean.class) && bareKey(options, name))
					IJ.log(info.getTitle() + ": '" + name + "' without a value is ignored (as in Fiji); write " + name + "=true or " + name + "=false.");
				continue;
			}
			in.put(name, value(info, name, type, v));
		}
		// imagej-legacy ActiveImagePlusPreprocessor: the current image fills the one ImagePlus input, only when there is one
		if (images.size() == 1 && !in.containsKey(images.get(0))) {
			final ImagePlus current = WindowManager.getCurrentImage();
			if (current != null) in.put(images.get(0), current);
		}
		return in;
	}

	private static Object value(final CommandInfo info, final String name, final Class<?> type, final String v) {
		try {
			if (type == String.class) return v;
			if (type == File.class) return new File(v);
			if (type == boolean.class || type == Boolean.class) {
				if (v.equalsIgnoreCase("true")) return true;
				if (v.equalsIgnoreCase("false")) return false;
				throw new CdiException("Macro option " + name + "=" + v + " is not a boolean; " + info.getTitle() + " expects " + name + "=true or " + name + "=false.");
			}
			if (type == int.class || type == Integer.class) return Integer.parseInt(v.trim());
			if (type == long.class || type == Long.class) return Long.parseLong(v.trim());
			if (type == double.class || type == Double.class) return Double.parseDouble(v);
			if (type == float.class || type == Float.class) return Float.parseFloat(v);
			if (ImagePlus.class.isAssignableFrom(type)) return image(info, name, v);
		} catch (final NumberFormatException e) {
			throw new CdiException("Macro option " + name + "=" + v + " is not " + (type == int.class || type == Integer.class || type == long.class || type == Long.class
				? "an integer" : "a number") + "; " + info.getTitle() + " expects one there.");
		}
		throw new CdiException("Macro option " + name + " of " + info.getTitle() + " has a type (" + type.getSimpleName() + ") that macros cannot set.");
	}

	/** An open image by ID, then by title (imagej-legacy StringToImagePlusConverter). */
	static ImagePlus image(final CommandInfo info, final String name, final String v) {
		try {
			final ImagePlus byId = WindowManager.getImage(Integer.parseInt(v.trim()));
			if (byId != null) return byId;
		} catch (final NumberFormatException e) {
			// not an ID: a title
		}
		final ImagePlus byTitle = WindowManager.getImage(v);
		if (byTitle != null) return byTitle;
		final int[] ids = WindowManager.getIDList();
		final java.util.List<String> open = new java.util.ArrayList<>();
		if (ids != null) for (final int id : ids) { final ImagePlus imp = WindowManager.getImage(id); if (imp != null) open.add("'" + imp.getTitle() + "'"); }
		throw new CdiException(info.getTitle() + ": " + name + "=[" + v + "] names no open image; open images: " + (open.isEmpty() ? "none" : String.join(", ", open)) + ".");
	}

	/** {@code name} standing alone in the options (ImageJ 1's checkbox form), not as {@code name=…}. */
	static boolean bareKey(final String options, final String name) {
		return java.util.regex.Pattern.compile("(^|[^A-Za-z])" + java.util.regex.Pattern.quote(name) + "(\\s|$)").matcher(options).find();
	}

	private static boolean isService(final Class<?> type) { return org.scijava.service.Service.class.isAssignableFrom(type); }
}
