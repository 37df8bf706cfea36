package sc.fiji.cdi.commands;

import java.io.File;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.module.Module;
import org.scijava.module.ModuleInfo;
import org.scijava.module.ModuleItem;
import org.scijava.plugin.Parameter;

import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.util.CdiException;

/**
 * The one place where command parameters are checked, shared by the dialogs, macros, Fiji's {@code --run} and the
 * standalone runner: every refusal names the key, the value given and what is allowed (the choices listed, the
 * range, the syntax).
 * <ul>
 * <li>{@link #check(Module, Map)}: the values as given on a command line or in a macro, before any conversion — an
 * unknown key, a value of the wrong type ({@code seed=abc}), a missing required parameter;</li>
 * <li>{@link #checkFields(Object)}: a command's field values just before it runs, whatever filled them — choices,
 * {@code min}/{@code max} of the {@code @Parameter} annotation, the syntax of {@code size}, {@code binning}, the
 * recipes, {@code psf}, {@code roi}, {@code direct_beam}, {@code hkl}, {@code g_direction} and {@code voxel_size}, and the network parameters ({@code learning_rate}, {@code input_size}, {@code depth}).</li>
 * </ul>
 */
public final class ParameterCheck {

	/** A parameter refused before the command started (the runner exits with code 2, see docs/cluster.md). */
	public static final class BadParameter extends CdiException {
		private static final long serialVersionUID = 1L;
		public BadParameter(final String message) { super(message); }
	}

	private ParameterCheck() {}

	/**
	 * Checks the values given by name (from a command line or macro: strings, numbers, booleans) against the
	 * command's inputs, before SciJava converts them (it would silently keep the default for {@code seed=abc}).
	 */
	public static void check(final Module module, final Map<String, ?> given) {
		final ModuleInfo info = module.getInfo();
		for (final Map.Entry<String, ?> e : given.entrySet()) {
			final ModuleItem<?> item = info.getInput(e.getKey());
			if (item == null || !isUserInput(item)) throw unknownKey(info, e.getKey());
			final Object converted = convert(e.getKey(), e.getValue(), item.getType());
			if (item.getType() == File.class && converted != null) checkNativePath(e.getKey(), converted.toString());
			if (item.isRequired() && item.getType() == File.class && converted != null && converted.toString().isBlank())
				throw new BadParameter("Parameter '" + e.getKey() + "' is empty: " + info.getTitle() + " needs it (" + item.getLabel() + "); give " + e.getKey() + "=\"<path>\".");
			if (converted != null) checkValue(e.getKey(), converted, item.getLabel(), choices(item), text(item.getMinimumValue()), text(item.getMaximumValue()));
		}
		for (final ModuleItem<?> item : info.inputs()) {
			if (!isUserInput(item) || !item.isRequired() || given.containsKey(item.getName())) continue;
			if (item.getType() == File.class && module.getInput(item.getName()) == null)
				throw new BadParameter("Parameter '" + item.getName() + "' is missing: " + info.getTitle() + " needs it (" + item.getLabel() + "); give "
					+ item.getName() + "=\"<path>\".");
		}
		checkTogether(key -> {
			final ModuleItem<?> item = info.getInput(key);
			if (item == null || !isUserInput(item)) return null;
			return given.containsKey(key) ? convert(key, given.get(key), item.getType()) : module.getInput(key);
		});
	}

	/** The refusal of a key the command does not have, naming a near miss and every parameter. */
	static BadParameter unknownKey(final ModuleInfo info, final String key) {
		return new BadParameter(info.getTitle() + " has no parameter '" + key + "'" + suggestion(info, key) + "; its parameters are: " + String.join(", ", names(info)) + ".");
	}

	/**
	 * The refusal of a key given twice ({@code seed=1 … seed=2}): the parsers keep one of the values silently (Fiji's
	 * --run parser the last, ImageJ's {@code Macro.getValue} the first).
	 *
	 * @param first  the first value as written, null when the parser kept only the last
	 * @param second the second value as written
	 */
	public static BadParameter givenTwice(final String key, final String first, final String second) {
		return new BadParameter("Parameter '" + key + "' is given twice (" + (first == null ? "the second time as " + key + "=" + second : key + "=" + first + " and " + key + "=" + second)
			+ "); expected each key once: remove one of them.");
	}

	/**
	 * Expands a leading {@code ~} (alone or before a separator) in a command's file parameters and its {@code model}
	 * folder to the user's home folder ({@link #home}). Fiji passes paths on as written, and the shell does not expand
	 * {@code ~} inside quotes: {@code output_dir="~/recon"} made a folder named "~" in the working directory, and
	 * {@code input="~/scan.tif"} was looked for there.
	 */
	public static void expandHome(final Object command) {
		for (Class<?> c = command.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
			for (final Field f : c.getDeclaredFields()) {
				final Parameter p = f.getAnnotation(Parameter.class);
				if (p == null || p.type() == ItemIO.OUTPUT || java.lang.reflect.Modifier.isFinal(f.getModifiers())) continue;
				if (f.getType() != File.class && !(f.getType() == String.class && f.getName().equals("model"))) continue;
				try {
					f.setAccessible(true);
					final Object v = f.get(command);
					if (v instanceof File file && !home(file.getPath()).equals(file.getPath())) f.set(command, new File(home(file.getPath())));
					else if (v instanceof String s && !home(s).equals(s)) f.set(command, home(s));
				} catch (final ReflectiveOperationException | RuntimeException e) {
					// not settable: the value is used as given
				}
			}
		}
	}

	/**
	 * {@code path} with a leading {@code ~} — the whole path, or followed by '/' (or '\\' on Windows) — replaced by the
	 * user's home folder (the {@code user.home} property); any other path unchanged ({@code ~user/…} too).
	 */
	public static String home(final String path) {
		if (path == null || !path.startsWith("~")) return path;
		final boolean alone = path.length() == 1;
		final boolean separator = !alone && (path.charAt(1) == '/' || path.charAt(1) == File.separatorChar);
		if (!alone && !separator) return path;
		final String home = System.getProperty("user.home");
		return home == null || home.isBlank() ? path : home + path.substring(1);
	}

	/**
	 * Outside Windows, refuses a path written for Windows — a drive letter ({@code D:\recon}, {@code D:/recon}) or a
	 * network share ({@code \\server\share}) — that does not exist: Linux and macOS read it as one file name in the
	 * working folder, so a macro written on Windows made a folder named "D:\recon" there (or looked for its input
	 * there). A path that does exist (a file really named so) is used as given; on Windows only the next rule holds.
	 * On every system, refuses a path with a control character (a backslash escape read by Fiji's --run parser).
	 */
	static void checkNativePath(final String key, final String path) {
		if (path == null) return;
		for (int i = 0; i < path.length(); i++) {
			final char c = path.charAt(i);
			if (!Character.isISOControl(c)) continue;
			// Fiji's --run parser (Parsington) reads \b, \n, \r, \t, \f in a quoted value as control characters:
			// "D:\beamtime\new" became "D:<backspace>eamtime<newline>ew", a folder no one can type
			final String name = switch (c) {
				case '\b' -> "a backspace (\\b)";
				case '\n' -> "a line break (\\n)";
				case '\r' -> "a carriage return (\\r)";
				case '\t' -> "a tab (\\t)";
				case '\f' -> "a form feed (\\f)";
				default -> String.format(Locale.ROOT, "the control character U+%04X", (int) c);
			};
			throw new BadParameter("Parameter '" + key + "': the path contains " + name + " at position " + (i + 1)
				+ ", which no file name should; in a --run string and in a macro's quoted text a backslash starts an escape (\\b, \\n, \\t …), so write the folders of a Windows path "
				+ "with forward slashes (D:/beamtime/recon) or doubled backslashes (D:\\\\beamtime\\\\recon).");
		}
		try {
			new File(path).toPath();
		} catch (final java.nio.file.InvalidPathException e) {
			// Java encodes file names with sun.jnu.encoding, taken from the locale: under LANG=C (POSIX, common on cluster
			// nodes and in cron) only ASCII fits, and "é" or "ü" made "Malformed input or input contains unmappable characters"
			final String encoding = System.getProperty("sun.jnu.encoding", java.nio.charset.Charset.defaultCharset().name());
			final boolean nonAscii = path.chars().anyMatch(ch -> ch > 127);
			throw new BadParameter("Parameter '" + key + "': " + path + " cannot be used as a file name by this Java" + (nonAscii
				? ": it holds non-ASCII characters and Java encodes file names as " + encoding + " (the locale it was started in, e.g. LANG=C or no LANG on a cluster node); "
					+ "expected a UTF-8 locale: start Fiji or java with LANG=C.UTF-8 (export LANG=C.UTF-8 in the job script), or rename the file or folder with ASCII characters only."
				: " (" + e.getReason() + "); expected a path of ordinary characters."));
		}
		if (File.separatorChar == '\\') return;
		final boolean drive = path.length() >= 3 && Character.isLetter(path.charAt(0)) && path.charAt(0) < 128 && path.charAt(1) == ':'
			&& (path.charAt(2) == '\\' || path.charAt(2) == '/');
		final boolean share = path.startsWith("\\\\");
		if (!drive && !share || new File(path).exists()) return;
		final String os = System.getProperty("os.name", "this system");
		throw new BadParameter("Parameter '" + key + "': " + path + " is a Windows path (" + (drive ? "drive " + path.substring(0, 2) : "a network share")
			+ "), which " + os + " would read as a file named '" + path + "' in the working folder " + Path.of("").toAbsolutePath()
			+ "; expected a path on this computer (e.g. /data/recon): change the paths of a macro written on Windows before running it here.");
	}

	/** Checks a command's {@code @Parameter} field values (choices, min/max, syntax); the first problem is thrown. */
	public static void checkFields(final Object command) {
		for (Class<?> c = command.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
			for (final Field f : c.getDeclaredFields()) {
				final Parameter p = f.getAnnotation(Parameter.class);
				if (p == null || p.type() == ItemIO.OUTPUT || !isUserType(f.getType())) continue;
				final Object value;
				try {
					f.setAccessible(true);
					value = f.get(command);
				} catch (final ReflectiveOperationException | RuntimeException e) {
					continue;
				}
				if (value == null) continue;
				if (value instanceof File file) checkNativePath(f.getName(), file.getPath());
				checkValue(f.getName(), value, p.label(), p.choices().length == 0 ? null : List.of(p.choices()), p.min(), p.max());
			}
		}
		checkTogether(key -> field(command, key));
	}

	/** The value of a command's {@code @Parameter} field, null when it has none of that name. */
	private static Object field(final Object command, final String name) {
		for (Class<?> c = command.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
			try {
				final Field f = c.getDeclaredField(name);
				if (f.getAnnotation(Parameter.class) == null) return null;
				f.setAccessible(true);
				return f.get(command);
			} catch (final NoSuchFieldException e) {
				// a superclass may hold it
			} catch (final ReflectiveOperationException | RuntimeException e) {
				return null;
			}
		}
		return null;
	}

	/**
	 * Rules between parameters, given each parameter's value by name (null: the command has no such parameter): a
	 * network's {@code depth} must leave its deepest level at least 2 pixels wide for its {@code input_size}, and
	 * AutoPhaseNN needs 2 levels (Architecture refuses the same, later and without the keys).
	 */
	static void checkTogether(final java.util.function.Function<String, Object> value) {
		// Strain with a beamline geometry: min = "0" lets a dialog field be 0, but the geometry cannot use it (it failed
		// after reading the files, exit 1, as "The energy (keV) must be a positive number" without the key)
		final Object geometry = value.apply("geometry");
		if (geometry instanceof String g && (g.trim().equalsIgnoreCase("34-ID-C") || g.trim().equalsIgnoreCase("ID01"))) {
			for (final String key : new String[] { "energy_kev", "distance_m", "pixel_um", "rocking_step_deg" }) {
				if (!(value.apply(key) instanceof Number n) || n.doubleValue() != 0 && (n.doubleValue() > 0 || key.equals("rocking_step_deg"))) continue;
				throw new BadParameter("Parameter '" + key + "': " + format(n) + " is out of range for geometry=" + g.trim() + "; expected " + (key.equals("rocking_step_deg")
					? "a non-zero step in degrees per frame (e.g. 0.01)" : "a value above 0") + ".");
			}
		}
		if (value.apply("input_size") instanceof Number size && value.apply("depth") instanceof Number depth) {
			final long n = size.longValue(), d = depth.longValue();
			if (n >= 8 && Long.bitCount(n) == 1) {
				final int deepest = 63 - Long.numberOfLeadingZeros(n) - 1; // n >> deepest == 2
				final boolean autophase = "autophasenn".equalsIgnoreCase(String.valueOf(value.apply("architecture")).trim());
				final int least = autophase ? 2 : 1;
				if (d < least || d > deepest)
					throw new BadParameter("Parameter 'depth': " + d + " is out of range for input_size=" + n + (autophase ? " and architecture=autophasenn" : "") + "; expected a value from "
						+ least + " to " + deepest + " (each level halves the grid, the deepest must be at least 2 pixels wide).");
			}
		}
	}

	/** A value of the parameter's type: the given one converted, checked for what SciJava would accept silently. */
	static Object convert(final String key, final Object v, final Class<?> type) {
		if (v == null) return null;
		final String s = v instanceof String str ? str.trim() : null;
		if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
			final long max = type == int.class || type == Integer.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
			final long min = type == int.class || type == Integer.class ? Integer.MIN_VALUE : Long.MIN_VALUE;
			try {
				final BigDecimal d = v instanceof Number n ? new BigDecimal(n.toString()) : new BigDecimal(s);
				final BigDecimal whole = d.stripTrailingZeros();
				if (whole.scale() > 0) throw new BadParameter("Parameter '" + key + "': " + quote(v) + " is not a whole number; expected an integer, e.g. " + key + "=1.");
				if (d.compareTo(BigDecimal.valueOf(max)) > 0 || d.compareTo(BigDecimal.valueOf(min)) < 0)
					throw new BadParameter("Parameter '" + key + "': " + quote(v) + " is out of range; expected an integer between " + min + " and " + max + ".");
				return d.longValue();
			} catch (final NumberFormatException e) {
				throw new BadParameter("Parameter '" + key + "': " + quote(v) + " is not a whole number; expected an integer, e.g. " + key + "=1.");
			}
		}
		if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
			final double d;
			try {
				d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
			} catch (final NumberFormatException e) {
				throw new BadParameter("Parameter '" + key + "': " + quote(v) + " is not a number; expected a decimal number, e.g. " + key + "=0.5.");
			}
			if (!Double.isFinite(d)) throw new BadParameter("Parameter '" + key + "': " + quote(v) + " is not a finite number; expected a decimal number, e.g. " + key + "=0.5.");
			return d;
		}
		if (type == boolean.class || type == Boolean.class) {
			if (v instanceof Boolean b) return b;
			if ("true".equalsIgnoreCase(s) || "false".equalsIgnoreCase(s)) return Boolean.parseBoolean(s);
			throw new BadParameter("Parameter '" + key + "': " + quote(v) + " is not a yes/no value; expected " + key + "=true or " + key + "=false.");
		}
		if (type == String.class || type == File.class) {
			if (v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof File) return v instanceof File f ? f : v.toString();
			throw new BadParameter("Parameter '" + key + "': " + quote(v) + " is not a text value; quote it, e.g. " + key + "=\"...\".");
		}
		return null; // images, services: not given as text
	}

	/** Choices, range and syntax of one value; {@code min}/{@code max} as annotation text ("" = none). */
	static void checkValue(final String key, final Object value, final String label, final List<String> choices, final String min, final String max) {
		final String what = label == null || label.isBlank() ? "" : " (" + label + ")";
		if (value instanceof String s && choices != null && !choices.isEmpty()) {
			for (final String c : choices) if (c.equalsIgnoreCase(s.trim())) return;
			throw new BadParameter("Parameter '" + key + "'" + what + ": '" + s + "' is not one of the choices; expected one of: " + String.join(", ", choices) + ".");
		}
		if (value instanceof Number n) {
			final double d = n.doubleValue();
			if (!Double.isFinite(d)) throw new BadParameter("Parameter '" + key + "'" + what + ": " + n + " is not a finite number.");
			final Double lo = number(min), hi = number(max);
			if (lo != null && d < lo || hi != null && d > hi)
				throw new BadParameter("Parameter '" + key + "'" + what + ": " + format(n) + " is out of range; expected " + range(lo, hi) + ".");
			switch (key) {
				// Adam's rate (Train Network, Fine-tune Network): TrainingConfig and FineTuning refuse the same range
				case "learning_rate" -> {
					if (!(d > 0 && d < 1)) throw new BadParameter("Parameter '" + key + "'" + what + ": " + format(n) + " is out of range; expected a value above 0 and below 1.");
				}
				// the networks halve the grid at every level (Architecture)
				case "input_size" -> {
					if (d != Math.rint(d) || Long.bitCount((long) d) != 1)
						throw new BadParameter("Parameter '" + key + "'" + what + ": " + format(n) + " is not a power of two; expected 8, 16, 32, 64, 128 or 256 (the default models: 32).");
				}
				// Strain: StrainParameters refuses 0 too, later and as a failed run
				case "phase_sign" -> {
					if (d != 1 && d != -1) throw new BadParameter("Parameter '" + key + "'" + what + ": " + format(n) + " is not a sign; expected 1 or -1.");
				}
				// Strain: min = "0" lets the dialog's field start empty, but no crystal has a = 0 (it failed later, exit 1, without the key)
				case "lattice_constant" -> {
					if (d <= 0) throw new BadParameter("Parameter '" + key + "'" + what + ": " + format(n) + " is out of range; expected a lattice constant above 0 nm (e.g. 0.40782 for Au).");
				}
				default -> { /* range only */ }
			}
		}
		if (value instanceof String s && s.isBlank() && (key.equals("recipe") || key.equals("refinement")))
			throw new BadParameter("Parameter '" + key + "'" + what + " is empty; expected a recipe such as " + Recipe.COHERE_DEFAULT + ".");
		if (value instanceof String s && !s.isBlank()) {
			try {
				switch (key) {
					case "size" -> Inputs.sizeSyntax(s);
					case "binning" -> Inputs.binning(s);
					case "data_threshold" -> Inputs.threshold(s, sc.fiji.cdi.beamline.Beamline.DataRules.GENERIC);
					case "recipe" -> Recipe.parse(s);
					case "refinement" -> sc.fiji.cdi.phasing.Refinement.parse(s);
					// the syntax of the other structured values, checked where they are used as well: a typo is a bad
					// command line (exit 2, before any input is read), as for the recipe, not a failed run
					case "psf" -> sc.fiji.cdi.phasing.PartialCoherence.Psf.parse(s);
					case "roi" -> sc.fiji.cdi.io.DetectorRegion.parse(s, "roi");
					case "direct_beam" -> sc.fiji.cdi.io.DetectorPixel.parse(s, "direct_beam");
					case "hkl" -> ObjectInputs.hkl(s);
					case "g_direction" -> sc.fiji.cdi.strain.StrainParameters.defaults().withGDirection(ObjectInputs.numbers(s, "g_direction", ObjectInputs.G_DIRECTION_SYNTAX));
					case "voxel_size" -> ObjectInputs.voxelSizeNm(s, null);
					default -> { /* free text */ }
				}
			} catch (final BadParameter e) {
				throw e;
			} catch (final CdiException | IllegalArgumentException e) {
				throw new BadParameter("Parameter '" + key + "'" + what + ": " + e.getMessage());
			}
		}
	}

	private static String range(final Double lo, final Double hi) {
		if (lo != null && hi != null) return "a value from " + format(lo) + " to " + format(hi);
		if (lo != null) return "a value ≥ " + format(lo);
		return "a value ≤ " + format(hi);
	}

	private static String format(final Number n) {
		final double d = n.doubleValue();
		return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.toString();
	}

	private static Double number(final String s) {
		if (s == null || s.isBlank()) return null;
		try {
			return Double.valueOf(s.trim());
		} catch (final NumberFormatException e) {
			return null;
		}
	}

	private static List<String> choices(final ModuleItem<?> item) {
		final List<?> c = item.getChoices();
		if (c == null) return null;
		final List<String> out = new ArrayList<>();
		for (final Object o : c) out.add(String.valueOf(o));
		return out;
	}

	private static String text(final Object o) { return o == null ? null : o.toString(); }

	private static String quote(final Object v) { return v instanceof String ? "'" + v + "'" : String.valueOf(v); }

	private static boolean isUserInput(final ModuleItem<?> item) {
		// dialog section headers (MESSAGE items such as input_section) are text in the dialog, not parameters
		return item.isInput() && isUserType(item.getType()) && item.getVisibility() != org.scijava.ItemVisibility.MESSAGE;
	}

	private static boolean isUserType(final Class<?> t) {
		return !org.scijava.service.Service.class.isAssignableFrom(t) && !org.scijava.Context.class.isAssignableFrom(t);
	}

	private static List<String> names(final ModuleInfo info) {
		final List<String> n = new ArrayList<>();
		for (final ModuleItem<?> i : info.inputs()) if (isUserInput(i)) n.add(i.getName());
		return n;
	}

	/** ", did you mean 'random_starts'?" for a near miss (edit distance ≤ 2), else "". */
	private static String suggestion(final ModuleInfo info, final String key) {
		String best = null;
		int bestD = 3;
		for (final String n : names(info)) {
			final int d = distance(key.toLowerCase(Locale.ROOT), n.toLowerCase(Locale.ROOT));
			if (d < bestD) { bestD = d; best = n; }
		}
		return best == null ? "" : " (did you mean '" + best + "'?)";
	}

	/** Levenshtein edit distance between {@code a} and {@code b} (also used for near-miss command names). */
	public static int distance(final String a, final String b) {
		final int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) prev[j] = j;
		for (int i = 1; i <= a.length(); i++) {
			cur[0] = i;
			for (int j = 1; j <= b.length(); j++)
				cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
			System.arraycopy(cur, 0, prev, 0, cur.length);
		}
		return prev[b.length()];
	}
}
