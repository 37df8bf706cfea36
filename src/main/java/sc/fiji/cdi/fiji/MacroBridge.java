package sc.fiji.cdi.fiji;

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
 * Lets ImageJ 1 macros call the suite's SciJava commands without Fiji, the way Fiji's legacy layer does:
 * {@code run("Reconstruct", "input=[/data/a.tif] output_dir=[/out] seed=3")} finds the command by its menu label,
 * and each key is a {@code @Parameter} field name read with {@link Macro#getValue}. Boolean parameters follow
 * ImageJ's checkbox rule: the key present means true. An {@code ImagePlus} input is the current image.
 * Inside Fiji this class is not used: Fiji's own legacy layer does the same routing.
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
				if (m.matches()) table.putIfAbsent(m.group(1), m.group(2).trim());
			}
		} catch (final java.io.IOException e) {
			// without them only the CDI commands are available to macros
		}
	}

	/** Called by ImageJ 1 for {@code run(label, options)}; {@code arg} is the command's class name. */
	@Override
	public void run(final String arg) {
		final Context ctx = context;
		if (ctx == null) { IJ.error("CDI", "MacroBridge.install(context) was not called."); return; }
		final CommandService commands = ctx.service(CommandService.class);
		final CommandInfo info = commands.getCommand(arg);
		final String options = Macro.getOptions();
		try {
			final CommandModule module = commands.run(info, true, inputs(info, options == null ? "" : options)).get();
			if (module.getCommand() instanceof CdiCommand c && c.failure() != null)
				IJ.log(info.getTitle() + " failed: " + c.failure());
		} catch (final CdiException e) {
			IJ.log(info.getTitle() + " failed: " + e.getMessage());
		} catch (final Exception e) {
			IJ.log(info.getTitle() + " failed: " + e);
		}
	}

	/** Macro option string → typed command inputs (only the keys present; the command's defaults fill the rest). */
	static Map<String, Object> inputs(final CommandInfo info, final String options) {
		final Map<String, Object> in = new LinkedHashMap<>();
		for (final ModuleItem<?> item : info.inputs()) {
			final Class<?> type = item.getType();
			final String name = item.getName();
			if (ImagePlus.class.isAssignableFrom(type)) {
				final ImagePlus imp = WindowManager.getCurrentImage();
				if (imp != null) in.put(name, imp);
				continue;
			}
			if (type == boolean.class || type == Boolean.class) {
				if (isService(type)) continue;
				in.put(name, (" " + options + " ").contains(" " + name + " ") || Macro.getValue(options, name, null) != null);
				continue;
			}
			final String v = Macro.getValue(options, name, null);
			if (v == null) continue;
			try {
				if (type == String.class) in.put(name, v);
				else if (type == File.class) in.put(name, new File(v));
				else if (type == int.class || type == Integer.class) in.put(name, (int) Double.parseDouble(v));
				else if (type == long.class || type == Long.class) in.put(name, (long) Double.parseDouble(v));
				else if (type == double.class || type == Double.class) in.put(name, Double.parseDouble(v));
				else if (type == float.class || type == Float.class) in.put(name, Float.parseFloat(v));
			} catch (final NumberFormatException e) {
				throw new CdiException("Macro option " + name + "=" + v + " is not a number; " + info.getTitle() + " expects a number there.");
			}
		}
		return in;
	}

	private static boolean isService(final Class<?> type) { return org.scijava.service.Service.class.isAssignableFrom(type); }
}
