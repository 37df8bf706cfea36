package sc.fiji.cdi.beamline;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.util.CdiException;

/**
 * A SPEC data file (Certified Scientific Software's plain-text log, used at APS, ESRF before BLISS, SSRF…): file
 * headers ({@code #F} file name, {@code #E} epoch, {@code #O0…} motor names, {@code #o0…} their mnemonics,
 * {@code #J}/{@code #j} counters) followed by scans. A scan starts with {@code #S n command} and holds
 * {@code #D} date, {@code #P0…} the motor positions at the start in {@code #O} order, {@code #G0…} diffractometer
 * geometry, the areaDetector lines of APS ({@code #UIMDET name}, {@code #UIMR<n> minX sizeX minY sizeY …}),
 * {@code #L} column labels (separated by two spaces, as labels may contain one) and the data rows.
 * <p>
 * A file may hold several file headers (SPEC restarted, motors redefined): each scan uses the last one before it.
 * Scan numbers may repeat after a restart; {@link #scan(String)} takes "54" for the only scan 54, "54.2" for the
 * second one. Lines starting with {@code @} (MCA data) and {@code #C} comments are skipped. Numbers are read as
 * C's printf writes them ({@code nan}, {@code -inf} included); a line that is not numbers (a crash mid-write, an
 * edit) makes its own scan unreadable, named when that scan is asked for, not the rest of the file.
 */
public final class SpecFile {

	private final Path path;
	private final List<Scan> scans;

	private SpecFile(final Path path, final List<Scan> scans) { this.path = path; this.scans = scans; }

	/** The file's path. */
	public Path path() { return path; }

	/** All scans in file order. */
	public List<Scan> scans() { return Collections.unmodifiableList(scans); }

	/**
	 * Whether a file looks like SPEC: its name ends in {@code .spec}, or its first non-empty line starts with
	 * {@code #F}, {@code #E} or {@code #S}.
	 */
	public static boolean looksLikeSpec(final Path file) {
		if (!Files.isRegularFile(file)) return false;
		if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".spec")) return true;
		try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
			for (int i = 0; i < 20; i++) {
				final String l = r.readLine();
				if (l == null) return false;
				if (l.isBlank()) continue;
				return l.matches("#[FES](\\s.*)?");
			}
		} catch (final IOException e) {
			return false;
		}
		return false;
	}

	/** Reads and parses the whole file (plain text; bytes outside ASCII are read as Latin-1). */
	public static SpecFile read(final Path file) {
		if (!Files.isRegularFile(file)) throw new CdiException("SPEC file " + file + " does not exist or is not a file.");
		final List<Scan> scans = new ArrayList<>();
		Header header = new Header();
		Scan.Builder scan = null;
		boolean headerUsed = false;
		int lineNo = 0;
		try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
			for (String raw; (raw = r.readLine()) != null;) {
				lineNo++;
				// SPEC separates with spaces (two between labels); a file written or edited elsewhere may use tabs
				final String line = raw.indexOf('\t') < 0 ? raw : raw.replace("\t", "  ");
				if (line.isBlank()) {
					if (scan != null) { scans.add(scan.build(file)); scan = null; }
					continue;
				}
				if (line.startsWith("#F ") || line.startsWith("#E ")) {
					if (scan != null) { scans.add(scan.build(file)); scan = null; }
					if (headerUsed) { header = new Header(); headerUsed = false; }
					if (line.startsWith("#F ")) header.file = line.substring(3).trim();
					continue;
				}
				if (line.startsWith("#S ")) {
					if (scan != null) scans.add(scan.build(file));
					scan = new Scan.Builder(line.substring(3).trim(), lineNo, header);
					headerUsed = true;
					continue;
				}
				if (scan == null) {
					header.line(line);
					continue;
				}
				if (line.startsWith("@") || line.startsWith("#C")) continue;
				scan.line(line, lineNo, file);
			}
		} catch (final IOException e) {
			throw new CdiException("Cannot read SPEC file " + file + ": " + e.getMessage() + ".", e);
		}
		if (scan != null) scans.add(scan.build(file));
		if (scans.isEmpty()) throw new CdiException("SPEC file " + file + " holds no scan (no '#S' line); expected a SPEC data file.");
		// occurrence numbers for repeated scan numbers
		final Map<Integer, Integer> seen = new LinkedHashMap<>();
		final List<Scan> out = new ArrayList<>(scans.size());
		for (final Scan s : scans) {
			final int k = seen.merge(s.number(), 1, Integer::sum);
			out.add(k == 1 ? s : s.withOccurrence(k));
		}
		return new SpecFile(file, out);
	}

	/**
	 * The scan numbered {@code spec}: "54", or "54.2" for the second scan 54 of a file in which SPEC restarted
	 * its numbering.
	 */
	public Scan scan(final String spec) {
		if (spec == null || spec.isBlank()) throw new CdiException("No scan number given for SPEC file " + path + "; give scan=<number> (" + range() + ").");
		final String t = spec.trim().replaceFirst("^[sS]", "");
		final int number, occurrence;
		try {
			final int dot = t.indexOf('.');
			number = Integer.parseInt(dot < 0 ? t : t.substring(0, dot));
			occurrence = dot < 0 ? 0 : Integer.parseInt(t.substring(dot + 1));
		} catch (final NumberFormatException e) {
			throw new CdiException("scan='" + spec + "' is not a scan number: expected a whole number such as 54 (or 54.2 for the second scan 54 of the file).");
		}
		final List<Scan> matches = scans.stream().filter(s -> s.number() == number).toList();
		if (matches.isEmpty()) throw new CdiException("Scan " + number + " is not in SPEC file " + path + " (" + range() + ").");
		if (occurrence == 0) {
			if (matches.size() > 1) {
				final StringBuilder b = new StringBuilder();
				for (final Scan s : matches) b.append(b.length() == 0 ? "" : ", ").append(number).append('.').append(s.occurrence()).append(" at line ").append(s.line());
				throw new CdiException("SPEC file " + path + " holds scan " + number + " " + matches.size() + " times (SPEC restarted its numbering): give one of " + b + " as scan=.");
			}
			return readable(matches.get(0));
		}
		if (occurrence < 1 || occurrence > matches.size())
			throw new CdiException("scan='" + spec + "': SPEC file " + path + " holds scan " + number + " " + matches.size() + " time(s); expected " + number + ".1 … " + number + "." + matches.size() + ".");
		return readable(matches.get(occurrence - 1));
	}

	/**
	 * One item of a {@code scan=} list ({@link #parseScanList}): a range {@code first-last} of whole scan numbers,
	 * inclusive, or one scan as {@link #scan(String)} takes it ("54", "54.2").
	 *
	 * @param text  the item as given, spaces removed ("54-57", "10", "54.2")
	 * @param first the range's first scan number, or the scan's number
	 * @param last  the range's last scan number (inclusive), or the scan's number
	 * @param range whether the item is a range
	 */
	public record ScanItem(String text, int first, int last, boolean range) {}

	/** The longest range {@link #parseScanList} takes (a typing slip such as 54-5700 is refused, not searched). */
	public static final int MAX_RANGE = 10_000;

	/** Whether {@code scan=} names several scans, as cohere's {@code scan} does: a range or a list ("54-57", "54,56", "2-7, 10"). */
	public static boolean isScanList(final String text) {
		return text != null && (text.indexOf(',') >= 0 || text.indexOf('-') >= 0);
	}

	/**
	 * The items of a {@code scan=} list, in the order given: comma-separated, each a scan ("54", "54.2") or a range
	 * {@code first-last} of whole numbers with first &le; last (cohere's syntax: "54-57", "2-7, 10, 15"; spaces around
	 * the separators are ignored). Refused, naming the item: an empty item, a range without its first or last scan,
	 * a backward range (57-54, which cohere would silently read as no scan), a number that is not a whole number.
	 */
	public static List<ScanItem> parseScanList(final String text) {
		final String t = text == null ? "" : text.trim();
		if (t.isEmpty()) throw new CdiException("No scan given; give scan=<number>, a range such as 54-57, or a list such as 2-7, 10.");
		final List<ScanItem> items = new ArrayList<>();
		for (final String raw : t.split(",", -1)) {
			final String item = raw.trim();
			if (item.isEmpty())
				throw new CdiException("scan='" + text + "' has an empty item (two commas in a row, or one at an end); expected scans and ranges separated by commas, e.g. 2-7, 10.");
			final int dash = item.indexOf('-');
			if (dash < 0) {
				if (!item.matches("[sS]?\\d+(\\.\\d+)?"))
					throw new CdiException("scan='" + text + "': '" + item + "' is not a scan number; expected whole numbers and ranges, e.g. 54-57 or 2-7, 10 (54.2: the second scan 54 of the file).");
				final String n = item.replaceFirst("^[sS]", "");
				final int number = wholeNumber(n.contains(".") ? n.substring(0, n.indexOf('.')) : n, item, text);
				items.add(new ScanItem(item, number, number, false));
				continue;
			}
			final String a = item.substring(0, dash).trim(), b = item.substring(dash + 1).trim();
			if (b.indexOf('-') >= 0) throw new CdiException("scan='" + text + "': '" + item + "' has more than one '-'; expected a range first-last, e.g. 54-57.");
			if (a.isEmpty() || b.isEmpty())
				throw new CdiException("scan='" + text + "': the range '" + item + "' has no " + (a.isEmpty() ? "first" : "last") + " scan; expected first-last, e.g. 54-57.");
			final int first = wholeNumber(a.replaceFirst("^[sS]", ""), item, text), last = wholeNumber(b.replaceFirst("^[sS]", ""), item, text);
			if (first > last)
				throw new CdiException("scan='" + text + "': the range " + item + " runs backwards; expected the lower scan number first (" + last + "-" + first + ").");
			if (last - first >= MAX_RANGE)
				throw new CdiException("scan='" + text + "': the range " + item + " spans " + (last - first + 1L) + " scan numbers; expected the scans of one rocking curve measured again (at most " + MAX_RANGE + ").");
			items.add(new ScanItem(first + "-" + last, first, last, true));
		}
		return items;
	}

	private static int wholeNumber(final String s, final String item, final String text) {
		if (s.matches("\\d+\\.\\d+"))
			throw new CdiException("scan='" + text + "': the range '" + item + "' holds " + s + "; a range takes whole scan numbers (give a repeated scan such as 54.2 as an item of its own: 54.2, 55-57).");
		try {
			return Integer.parseInt(s);
		} catch (final NumberFormatException e) {
			throw new CdiException("scan='" + text + "': '" + s + "' in '" + item + "' is not a scan number; expected whole numbers, e.g. 54-57 or 2-7, 10.");
		}
	}

	/** The scan, unless a line of it could not be read. */
	private Scan readable(final Scan s) {
		if (s.problem() == null) return s;
		throw new CdiException("SPEC file " + path + ", " + s.label() + ": " + s.problem() + "; expected numbers on the motor-position (#P) and data lines."
			+ " The file was cut short or edited: copy it again, or mend that line.");
	}

	/** The scan with that number (the only one). */
	public Scan scan(final int number) { return scan(Integer.toString(number)); }

	private String range() {
		return scans.size() + " scan" + (scans.size() == 1 ? "" : "s") + ", numbered " + scans.get(0).number() + " to " + scans.get(scans.size() - 1).number();
	}

	/** Motor names and counter names of one file header. */
	static final class Header {
		String file = "";
		final List<String> motorNames = new ArrayList<>();
		final List<String> motorMnemonics = new ArrayList<>();

		void line(final String line) {
			if (line.matches("#O\\d+ .*|#O\\d+$")) {
				if (line.startsWith("#O0")) motorNames.clear();
				motorNames.addAll(labels(line.substring(line.indexOf(' ') < 0 ? line.length() : line.indexOf(' '))));
			} else if (line.matches("#o\\d+ .*|#o\\d+$")) {
				if (line.startsWith("#o0")) motorMnemonics.clear();
				final String rest = line.indexOf(' ') < 0 ? "" : line.substring(line.indexOf(' ')).trim();
				if (!rest.isEmpty()) for (final String m : rest.split("\\s+")) motorMnemonics.add(m);
			}
		}
	}

	/** SPEC's label lists: separated by two or more spaces (a label may contain one space). */
	static List<String> labels(final String s) {
		final List<String> out = new ArrayList<>();
		for (final String p : s.trim().split("\\s{2,}")) if (!p.isBlank()) out.add(p.trim());
		return out;
	}

	/**
	 * One scan.
	 *
	 * @param number         the {@code #S} number
	 * @param occurrence     1 for the first scan of that number in the file, 2 for the second…
	 * @param line           line number of the {@code #S} line
	 * @param command        the scan command as typed, e.g. {@code ascan  th -0.279996 0.720004  200 0.25}
	 * @param date           the {@code #D} line
	 * @param headerFile     the {@code #F} name of the file header the scan belongs to
	 * @param motorNames     motor names of that header ({@code #O}), in {@code #P} order
	 * @param motorMnemonics their mnemonics ({@code #o}), same order (may be empty)
	 * @param positions      motor positions at the start of the scan ({@code #P}), same order
	 * @param headerLines    every other {@code #key value} line of the scan header (first occurrence), key without '#',
	 *                       e.g. "G0", "UIMDET", "UIMR5", "Q", "T"
	 * @param columns        the {@code #L} labels
	 * @param data           the data rows (row = one point, values in {@code columns} order)
	 * @param problem        the first line of the scan that could not be read ("line 812: 'x' is not a number"), or
	 *                       null; {@link SpecFile#scan(String)} refuses such a scan naming it
	 */
	public record Scan(int number, int occurrence, int line, String command, String date, String headerFile, List<String> motorNames,
		List<String> motorMnemonics, double[] positions, Map<String, String> headerLines, List<String> columns, List<double[]> data, String problem)
	{
		Scan withOccurrence(final int k) {
			return new Scan(number, k, line, command, date, headerFile, motorNames, motorMnemonics, positions, headerLines, columns, data, problem);
		}

		/** "scan 54 (line 3418)". */
		public String label() { return "scan " + number + (occurrence > 1 ? "." + occurrence : "") + " (line " + line + ")"; }

		/** Number of data points recorded. */
		public int points() { return data.size(); }

		/** The header line {@code #key}'s text (trimmed), or null. */
		public String header(final String key) { final String v = headerLines.get(key); return v == null ? null : v.trim(); }

		/** The numbers of header line {@code #key} (e.g. "G0"), or null when absent. */
		public double[] headerNumbers(final String key) {
			final String v = header(key);
			if (v == null) return null;
			final String[] p = v.isEmpty() ? new String[0] : v.split("\\s+");
			final double[] out = new double[p.length];
			for (int i = 0; i < p.length; i++) out[i] = parseNumber(p[i], "#" + key, this);
			return out;
		}

		/** The detector name of {@code #UIMDET} without the trailing ':' of the EPICS prefix, or null. */
		public String detector() {
			final String d = header("UIMDET");
			if (d == null) return null;
			final String t = d.trim();
			return t.endsWith(":") ? t.substring(0, t.length() - 1) : t;
		}

		/** The areaDetector region {@code #UIMR<n>} (minX sizeX minY sizeY …), or null when absent. */
		public DetectorRegion region(final int n) {
			final double[] v = headerNumbers("UIMR" + n);
			if (v == null) return null;
			if (v.length < 4) throw new CdiException("Line #UIMR" + n + " of " + label() + " has " + v.length + " numbers; expected minX sizeX minY sizeY.");
			return new DetectorRegion((int) v[0], (int) v[1], (int) v[2], (int) v[3]);
		}

		/** All {@code #UIMR<n>} regions by n, in order. */
		public Map<Integer, DetectorRegion> regions() {
			final Map<Integer, DetectorRegion> m = new LinkedHashMap<>();
			for (final String k : headerLines.keySet()) if (k.matches("UIMR\\d+")) m.put(Integer.parseInt(k.substring(4)), region(Integer.parseInt(k.substring(4))));
			return m;
		}

		/** The detector read-out area ({@code #Readout minX sizeX minY sizeY}), or null. */
		public DetectorRegion readout() {
			final double[] v = headerNumbers("Readout");
			return v == null || v.length < 4 ? null : new DetectorRegion((int) v[0], (int) v[1], (int) v[2], (int) v[3]);
		}

		/** Whether motor {@code name} (full name or mnemonic, any case) has a recorded position. */
		public boolean hasMotor(final String name) { return motorIndex(name) >= 0; }

		/** Position of motor {@code name} (full {@code #O} name or {@code #o} mnemonic, any case) at the start of the scan. */
		public double motor(final String name) {
			final int i = motorIndex(name);
			if (i < 0) throw new CdiException("Motor '" + name + "' has no recorded position in " + label() + " of SPEC file " + headerFile + "; motors: " + String.join(", ", motorNames) + ".");
			return positions[i];
		}

		/** The full {@code #O} name of a motor given by name or mnemonic, or the argument when unknown. */
		public String motorName(final String nameOrMnemonic) {
			final int i = motorIndex(nameOrMnemonic);
			return i < 0 ? nameOrMnemonic : motorNames.get(i);
		}

		private int motorIndex(final String name) {
			for (int i = 0; i < Math.min(motorNames.size(), positions.length); i++) if (motorNames.get(i).equalsIgnoreCase(name)) return i;
			for (int i = 0; i < Math.min(motorMnemonics.size(), positions.length); i++) if (motorMnemonics.get(i).equalsIgnoreCase(name)) return i;
			return -1;
		}

		/** The values of data column {@code label} (any case), or null when the scan has no such column. */
		public double[] column(final String label) {
			int c = -1;
			for (int i = 0; i < columns.size(); i++) if (columns.get(i).equalsIgnoreCase(label)) { c = i; break; }
			if (c < 0) return null;
			final double[] v = new double[data.size()];
			for (int i = 0; i < v.length; i++) v[i] = c < data.get(i).length ? data.get(i)[c] : Double.NaN;
			return v;
		}

		/** The scan command, parsed. */
		public ScanCommand scanCommand() { return ScanCommand.parse(command, this); }

		static final class Builder {
			final int number, line;
			final String command;
			final Header header;
			String date = "";
			final List<Double> positions = new ArrayList<>();
			final Map<String, String> headerLines = new LinkedHashMap<>();
			List<String> columns = List.of();
			final List<double[]> data = new ArrayList<>();
			String problem;

			Builder(final String rest, final int line, final Header header) {
				final String[] p = rest.split("\\s+", 2);
				int n;
				try {
					n = Integer.parseInt(p[0]);
				} catch (final NumberFormatException e) {
					throw new CdiException("Line " + line + " '#S " + rest + "' does not start with a scan number; expected '#S <number> <command>'.");
				}
				this.number = n;
				this.command = p.length > 1 ? p[1].trim() : "";
				this.line = line;
				this.header = header;
			}

			void line(final String l, final int lineNo, final Path file) {
				if (l.startsWith("#")) {
					final int sp = l.indexOf(' ');
					final String key = sp < 0 ? l.substring(1) : l.substring(1, sp);
					final String val = sp < 0 ? "" : l.substring(sp + 1);
					if (key.matches("P\\d+")) {
						final String[] p = val.trim().isEmpty() ? new String[0] : val.trim().split("\\s+");
						final double[] v = numbers(p, lineNo);
						if (v == null) for (int i = 0; i < p.length; i++) positions.add(Double.NaN); // keeps the #O order; the scan is refused anyway
						else for (final double x : v) positions.add(x);
					} else if (key.equals("L")) {
						columns = labels(val);
					} else if (key.equals("D")) {
						date = val.trim();
					} else {
						headerLines.putIfAbsent(key, val);
					}
					return;
				}
				final double[] row = numbers(l.trim().split("\\s+"), lineNo);
				if (row != null) data.add(row);
			}

			/** The numbers of one line, or null (the first such line noted as the scan's problem) when one is not a number. */
			private double[] numbers(final String[] p, final int lineNo) {
				final double[] v = new double[p.length];
				for (int i = 0; i < p.length; i++) {
					v[i] = number(p[i]);
					if (Double.isNaN(v[i]) && !p[i].toLowerCase(Locale.ROOT).matches("[+-]?nan")) {
						if (problem == null) problem = "line " + lineNo + ": '" + p[i] + "' is not a number";
						return null;
					}
				}
				return v;
			}

			/** A number as Java or C's printf writes it ({@code nan}, {@code -inf}); NaN when it is none. */
			private static double number(final String t) {
				try {
					return Double.parseDouble(t);
				} catch (final NumberFormatException e) {
					return switch (t.toLowerCase(Locale.ROOT)) {
						case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
						case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
						default -> Double.NaN;
					};
				}
			}

			Scan build(final Path file) {
				final double[] pos = new double[positions.size()];
				for (int i = 0; i < pos.length; i++) pos[i] = positions.get(i);
				return new Scan(number, 1, line, command, date, header.file, List.copyOf(header.motorNames), List.copyOf(header.motorMnemonics), pos,
					Collections.unmodifiableMap(headerLines), columns, Collections.unmodifiableList(data), problem);
			}
		}
	}

	private static double parseNumber(final String t, final String what, final Scan s) {
		try {
			return Double.parseDouble(t);
		} catch (final NumberFormatException e) {
			throw new CdiException("Line " + what + " of " + s.label() + ": '" + t + "' is not a number.");
		}
	}

	/**
	 * A parsed scan command. {@code ascan m start end intervals time} moves m from start to end (absolute);
	 * {@code dscan}/{@code lup} are relative to the position at the start of the scan, as are {@code d2scan};
	 * {@code a2scan m1 s1 e1 m2 s2 e2 n t} moves two motors together (the first is reported as the rocking motor).
	 *
	 * @param type      the macro name (ascan, dscan, a2scan, …)
	 * @param motor     the first scanned motor as typed (mnemonic or name)
	 * @param start     its first position (absolute, relative commands resolved)
	 * @param end       its last position (absolute)
	 * @param intervals number of intervals (points − 1)
	 * @param countTime count time per point (s; negative = monitor counts)
	 */
	public record ScanCommand(String type, String motor, double start, double end, int intervals, double countTime) {

		/** (end − start) / intervals: the nominal step per point. */
		public double step() { return intervals == 0 ? 0 : (end - start) / intervals; }

		static ScanCommand parse(final String command, final Scan s) {
			final String[] p = command.trim().split("\\s+");
			final String type = p.length > 0 ? p[0] : "";
			final boolean relative = type.equals("dscan") || type.equals("lup") || type.equals("d2scan") || type.equals("rscan");
			final int motors = type.matches("[ad]\\d?scan") && type.length() == 6 ? Character.getNumericValue(type.charAt(1)) : 1;
			if (!(type.matches("[ad]\\dscan|ascan|dscan|lup|rscan") ) || p.length < 1 + 3 * motors + 1)
				throw new CdiException("The command of " + s.label() + " '" + command + "' is not a motor scan SPEC understands here; expected"
					+ " 'ascan <motor> <start> <end> <intervals> <time>' (or dscan, lup, a2scan, d2scan).");
			final String motor = p[1];
			double start = parseNumber(p[2], "#S", s), end = parseNumber(p[3], "#S", s);
			if (relative) { final double at = s.motor(motor); start += at; end += at; }
			final int n;
			try {
				n = Integer.parseInt(p[1 + 3 * motors]);
			} catch (final NumberFormatException e) {
				throw new CdiException("The command of " + s.label() + " '" + command + "': '" + p[1 + 3 * motors] + "' is not a whole number of intervals.");
			}
			final double t = p.length > 2 + 3 * motors ? parseNumber(p[2 + 3 * motors], "#S", s) : Double.NaN;
			return new ScanCommand(type, motor, start, end, n, t);
		}
	}
}
