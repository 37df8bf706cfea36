package sc.fiji.cdi.beamline;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Mat3;
import sc.fiji.cdi.io.Detector;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.util.CdiException;

/**
 * ESRF ID01 since BLISS: one HDF5 (NeXus) file per dataset holds every scan as an entry {@code <scan>.<subscan>}
 * ({@code 12.1}); a sample or proposal file links them as {@code <dataset>_<scan>.1}. In a scan entry (BLISS Nexus
 * writer; read so by bcdi's {@code LoaderID01BLISS}, cdiutils' {@code ID01Loader} and id01lib):
 * <ul>
 * <li>{@code title}: the scan command, e.g. {@code ascan eta 35.0 35.3 3 0.5} (motor, start, end, intervals, time);</li>
 * <li>{@code measurement/<detector>}: the frames (point, row, column), a link to {@code instrument/<detector>/data};
 * ID01's detectors are {@code mpx1x4}, {@code mpxgaas} (Maxipix 2×2, 516×516 pixels of 55 µm) and {@code eiger2M}
 * (75 µm). Lima writes the frames into {@code scanNNNN/<detector>_NNNN.h5} and the scan's file reaches them through a
 * virtual dataset, which jHDF cannot open: the Lima files are then read directly;</li>
 * <li>{@code instrument/positioners/<motor>}: one value per point for the scanned motor, one value for the others;
 * the diffractometer's sample circles mu, eta, phi and detector circles nu, delta;</li>
 * <li>{@code instrument/<detector>/distance}, {@code x_pixel_size}, {@code y_pixel_size}: the detector calibration
 * (m; cdiutils, id01lib); {@code instrument/monochromator/WaveLength} (m) or the positioner {@code mononrj} (keV)
 * for the energy (id01lib, cdiutils).</li>
 * </ul>
 * Geometry: bcdi's ID01 diffractometer (circles mu −y, eta −x, phi −y below the sample; nu −y, delta −x on the detector
 * arm) in the lab frame of {@link BraggGeometry}: in-plane angle = −nu, out-of-plane = delta
 * ({@link BraggGeometry.Beamline#ESRF_ID01}); rocking in eta about mu's rotation of −x, or in phi about mu's and eta's
 * rotation of −y; the step from the scanned motor's recorded positions, as bcdi (mean step).
 * <p>
 * Counts: the generic rules (no threshold, bad pixels unmeasured). bcdi and PyNX, the peers that read ID01 data,
 * apply no intensity threshold by default and leave masked pixels free in the phasing; bcdi masks the gaps between
 * the four chips of a Maxipix 2×2 and the pixels above the detector's saturation level, which is done here too
 * ({@link #maxipixGaps}, {@link #maskSaturated}).
 */
public final class Id01Bliss implements Beamline {

	/** The detector names ID01 writes under {@code measurement/} (bcdi, cdiutils, id01lib), in order of preference. */
	static final List<String> DETECTORS = List.of("mpx1x4", "mpxgaas", "eiger2M", "merlin", "andor_zyla", "citius");

	/** A scan entry: {@code <scan>.<subscan>}, or {@code <dataset>_<scan>.<subscan>} in a sample or proposal file (cdiutils). */
	static final Pattern ENTRY = Pattern.compile("(?:(.+)_)?(\\d+)\\.(\\d+)");

	static final Set<String> EXTENSIONS = Set.of("h5", "hdf5", "hdf", "nxs", "nx", "nx5");

	/**
	 * bcdi's Maxipix 2×2 ({@code Maxipix._mask_gaps}): a 516×516 frame whose rows and columns 255 to 260 lie on or
	 * beside the gaps between the four 256×256 chips.
	 */
	static final int MAXIPIX_FRAME = 516, MAXIPIX_GAP_FIRST = 255, MAXIPIX_GAP_END = 261;

	/** Scans listed in a message. */
	private static final int LISTED = 25;

	@Override
	public String id() { return "esrf-id01"; }

	@Override
	public List<String> aliases() { return List.of("id01", "esrf_id01", "id01-bliss", "id01bliss", "esrf-id01-bliss", "bliss"); }

	@Override
	public String description() { return "ESRF ID01 (BLISS): one HDF5 file, scans as <n>.1 entries, frames in measurement/<detector>, motors in instrument/positioners"; }

	/** An HDF5 file with at least one BLISS scan entry ({@code <n>.<m>} holding a {@code measurement} group). */
	@Override
	public boolean recognises(final Request r) {
		final Path f = r.input();
		if (f == null || !Files.isRegularFile(f) || !EXTENSIONS.contains(extension(f))) return false;
		try (HdfFile h = new HdfFile(f)) {
			for (final Map.Entry<String, Node> e : h.getChildren().entrySet()) {
				if (!ENTRY.matcher(e.getKey()).matches()) continue;
				try {
					if (resolve(e.getValue()) instanceof Group g && child(g, "measurement") instanceof Group) return true;
				} catch (final RuntimeException skipped) {
					// a broken external link: try the next entry
				}
			}
		} catch (final RuntimeException e) {
			return false;
		}
		return false;
	}

	/** A scan entry of the file. */
	record Entry(String name, String prefix, int number, int sub, String title) {
		String label() { return "scan " + (prefix == null ? "" : prefix + "_") + number + (sub != 1 ? "." + sub : ""); }
	}

	/** What is read while the file is open: the entry, the detector and where its frames are, the motors and calibration. */
	private record Found(Entry entry, String detector, String framesPath, long[] frameShape, boolean virtual, Path scanFile,
		Map<String, double[]> positioners, Map<String, Object> calibration, String startTime) {}

	@Override
	public Scan load(final Request r) {
		final Path file = r.input();
		if (file == null || !Files.isRegularFile(file))
			throw new CdiException("beamline=esrf-id01 expects input=<BLISS HDF5 file> (the dataset, sample or proposal file) with scan=<n>; got " + file
				+ (file != null && Files.isDirectory(file) ? " (a folder)" : "") + ".");
		if (r.spec() != null)
			throw new CdiException("spec=" + r.spec() + " is not used with beamline=esrf-id01: the BLISS file " + file + " records the motors itself; give input=<file.h5> scan=<n>.");
		final Found f;
		try (HdfFile h = new HdfFile(file)) {
			f = find(h, file, r);
		} catch (final CdiException e) {
			throw e;
		} catch (final RuntimeException e) {
			throw new CdiException("Cannot read " + file + " as a BLISS HDF5 file: " + message(e) + ".", e);
		}
		final Entry entry = f.entry();
		if (!f.positioners().isEmpty() && f.positioners().values().stream().noneMatch(Id01Bliss::moved))
			throw new CdiException(entry.label() + " ('" + entry.title() + "') of " + file + " moved no motor: no positioner under /" + entry.name()
				+ "/instrument/positioners has more than one value, so its frames are not a rocking curve. Bragg CDI needs a rocking scan (e.g. 'ascan eta …'); "
				+ "to read these frames as they are, use beamline=none dataset=" + f.framesPath() + ".");
		final Detector detector = Detector.find(f.detector());
		final Map<String, Object> report = new LinkedHashMap<>();
		report.put("beamline", id());
		report.put("hdf5_file", file.toAbsolutePath().toString());
		report.put("scan", entry.name());
		report.put("scan_command", entry.title());
		report.put("scan_date", f.startTime());
		report.put("detector", f.detector());
		report.put("frames_dataset", f.framesPath());

		// the frames, rocking axis first as BLISS writes them: (point, row, column)
		final ImportOptions options = new ImportOptions(r.quantity(), f.framesPath(), r.darkField(), r.whiteField(), r.maskFile(), r.clampNegative(), r.roi(), detector);
		Diffraction data;
		long[] frameShape = f.frameShape();
		if (!f.virtual()) {
			data = DiffractionReader.read(file, options);
		} else {
			final List<Path> lima = limaFiles(f.scanFile(), entry, f.detector(), f.framesPath());
			final String limaDataset = limaDataset(lima.get(0), f.detector());
			report.put("frames_files", lima.stream().map(p -> p.toAbsolutePath().toString()).toList());
			report.put("frames_dataset", f.framesPath() + " (a virtual dataset: read from the Lima files, dataset " + limaDataset + ")");
			frameShape = shapeOf(lima.get(0), limaDataset);
			data = DiffractionReader.readStack(lima, limaDataset, file, options);
		}
		report.put("frames", data.grid().nz);
		report.put("detector_region", r.roi() == null ? "whole detector" : r.roi() + " (minX,sizeX,minY,sizeY, given as roi=)");
		report.put("dark_field", r.darkField() == null ? "" : r.darkField().toAbsolutePath().toString());
		report.put("white_field", r.whiteField() == null ? "" : r.whiteField().toAbsolutePath().toString());
		data = maskMaxipixGaps(data, detector, frameShape, r.roi(), report);
		data = maskSaturated(data, detector, report);

		final BraggGeometry geometry = geometry(f, detector, data.grid().nz, report);
		final String name = (entry.prefix() == null ? "" : entry.prefix() + "_") + "scan" + entry.number() + (entry.sub() != 1 ? "_" + entry.sub() : "");
		return new Scan(data, name, geometry, report, dataRules(), new DetectorPlacement(detector, r.roi(), null));
	}

	// ---------------------------------------------------------------- the scan, its detector, motors and calibration

	private Found find(final HdfFile h, final Path file, final Request r) {
		final List<Entry> entries = entries(h);
		if (entries.isEmpty())
			throw new CdiException("File " + file + " holds no BLISS scan: expected top-level entries named <scan>.<subscan> (e.g. 12.1) with a 'measurement' group; found "
				+ names(h.getChildren().keySet()) + ". Read other HDF5 files with beamline=none (dataset=<path>).");
		if (r.scan() == null || r.scan().isBlank())
			throw new CdiException("input=" + file + " is an ESRF ID01 BLISS file: give the scan number with scan= (" + entries.size() + " scans: " + list(entries) + ").");
		final Entry entry = select(entries, r.scan().trim(), file);
		final Group scan = (Group) resolve(h.getChildren().get(entry.name()));
		final Node m = child(scan, "measurement");
		if (!(m instanceof Group measurement))
			throw new CdiException(entry.label() + " of " + file + " has no measurement group (looked for /" + entry.name() + "/measurement): the scan did not record any counter or detector.");
		final String detector = detector(measurement, entry, file, r.dataset());
		final String framesPath = "/" + entry.name() + "/measurement/" + detector;
		long[] shape = null;
		boolean virtual = false;
		try {
			final Node n = target(measurement.getChildren().get(detector));
			if (!(n instanceof Dataset d))
				throw new CdiException("The detector entry " + framesPath + " of " + file + " is a group; expected the frames (a dataset point × row × column).");
			shape = Arrays.stream(d.getDimensions()).asLongStream().toArray();
		} catch (final CdiException e) {
			throw e;
		} catch (final RuntimeException e) {
			if (!isVirtual(e)) throw e;
			virtual = true;
		}
		if (shape != null && !(shape.length == 3 || shape.length == 2))
			throw new CdiException("The frames " + framesPath + " of " + file + " have the shape " + Arrays.toString(shape) + "; expected point × row × column (3 numbers).");
		final Map<String, double[]> positioners = positioners(scan);
		final Map<String, Object> calibration = calibration(scan, detector);
		return new Found(entry, detector, framesPath, shape, virtual, scan.getFileAsPath(), positioners, calibration, text(child(scan, "start_time")));
	}

	/** The scan entries of the file, by scan number, subscan and dataset. */
	static List<Entry> entries(final HdfFile h) {
		final List<Entry> out = new ArrayList<>();
		for (final Map.Entry<String, Node> e : h.getChildren().entrySet()) {
			final Matcher m = ENTRY.matcher(e.getKey());
			if (!m.matches()) continue;
			String title = "";
			try {
				if (!(resolve(e.getValue()) instanceof Group g) || !(child(g, "measurement") instanceof Group) && child(g, "instrument") == null) continue;
				title = text(child(g, "title"));
			} catch (final RuntimeException broken) {
				title = "(unreadable: " + message(broken) + ")";
			}
			out.add(new Entry(e.getKey(), m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), title));
		}
		out.sort(Comparator.comparingInt(Entry::number).thenComparingInt(Entry::sub).thenComparing(e -> e.prefix() == null ? "" : e.prefix()));
		return out;
	}

	/** The entry {@code scan=} names: {@code 12} (subscan 1), {@code 12.2}, {@code sample_0001_12} or the entry's name. */
	static Entry select(final List<Entry> entries, final String scan, final Path file) {
		for (final Entry e : entries) if (e.name().equals(scan)) return e;
		final Matcher m = Pattern.compile("(?:(.+)_)?#?(\\d+)(?:\\.(\\d+))?").matcher(scan);
		if (!m.matches())
			throw new CdiException("scan='" + scan + "' is not a scan number: expected e.g. scan=12 (entry 12.1), 12.2, or <dataset>_12 in a sample file. " + file + " holds "
				+ entries.size() + " scans: " + list(entries) + ".");
		final int number = Integer.parseInt(m.group(2)), sub = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
		final String prefix = m.group(1);
		final List<Entry> hits = entries.stream()
			.filter(e -> e.number() == number && e.sub() == sub && (prefix == null || prefix.equals(e.prefix()))).toList();
		if (hits.size() == 1) return hits.get(0);
		if (hits.isEmpty())
			throw new CdiException("Scan " + scan + " is not in " + file + ": looked for the entry /" + (prefix == null ? "" : prefix + "_") + number + "." + sub
				+ " (BLISS names scan n's entry n.1). The file holds " + entries.size() + " scans: " + list(entries) + ".");
		throw new CdiException("scan=" + scan + " matches several entries of " + file + ": " + hits.stream().map(Entry::name).toList() + "; give the entry's full name, e.g. scan="
			+ hits.get(0).name() + ".");
	}

	/**
	 * The frames' dataset under {@code measurement}: the one {@code dataset=} names; else the one dataset of three
	 * dimensions (point, row, column), ID01's detector names first; a virtual dataset counts as one.
	 */
	static String detector(final Group measurement, final Entry entry, final Path file, final String wanted) {
		final Map<String, Node> children = measurement.getChildren();
		if (wanted != null && !wanted.isBlank()) {
			String w = wanted.trim();
			final String prefix = "/" + entry.name() + "/measurement/";
			if (w.startsWith(prefix)) w = w.substring(prefix.length());
			else if (w.startsWith(prefix.substring(1))) w = w.substring(prefix.length() - 1);
			if (children.containsKey(w)) return w;
			throw new CdiException("dataset=" + wanted + " is not a detector of " + entry.label() + " in " + file + ": expected one of the names under /" + entry.name()
				+ "/measurement/ (" + names(children.keySet()) + ").");
		}
		final List<String> frames = new ArrayList<>();
		for (final Map.Entry<String, Node> c : children.entrySet()) {
			try {
				if (target(c.getValue()) instanceof Dataset d && d.getDimensions().length == 3) frames.add(c.getKey());
			} catch (final RuntimeException e) {
				if (isVirtual(e)) frames.add(c.getKey());
			}
		}
		if (frames.size() == 1) return frames.get(0);
		final List<String> known = frames.stream().filter(n -> DETECTORS.stream().anyMatch(d -> d.equalsIgnoreCase(n))).toList();
		if (known.size() == 1) return known.get(0);
		if (frames.isEmpty())
			throw new CdiException(entry.label() + " ('" + entry.title() + "') of " + file + " has no detector frames: no dataset of three dimensions (point, row, column) under /"
				+ entry.name() + "/measurement/, which holds " + names(children.keySet()) + " (ID01's detectors: " + DETECTORS
				+ "). Was the detector left out of the scan's counters?");
		throw new CdiException(entry.label() + " of " + file + " recorded several detectors " + frames + ": give the one to use as dataset=<name>, e.g. dataset=" + frames.get(0) + ".");
	}

	/** Every positioner's values (one per point for the scanned motor, one for the others). */
	static Map<String, double[]> positioners(final Group scan) {
		final Map<String, double[]> out = new LinkedHashMap<>();
		final Node inst = child(scan, "instrument");
		final Node pos = inst instanceof Group i ? child(i, "positioners") : null;
		if (!(pos instanceof Group g)) return out;
		for (final Map.Entry<String, Node> c : g.getChildren().entrySet()) {
			try {
				if (resolve(c.getValue()) instanceof Dataset d) {
					final double[] v = numbers(d.getData());
					if (v != null && v.length > 0) out.put(c.getKey(), v);
				}
			} catch (final RuntimeException unreadable) {
				// a positioner that cannot be read is reported missing where it is needed
			}
		}
		return out;
	}

	/** The detector calibration in SI units: distance (m), pixel sizes (m), with where each came from. */
	static Map<String, Object> calibration(final Group scan, final String detector) {
		final Map<String, Object> out = new LinkedHashMap<>();
		final String base = "/" + scan.getName() + "/instrument/" + detector;
		try {
			final Node inst = child(scan, "instrument");
			final Node det = inst instanceof Group i ? child(i, detector) : null;
			if (det instanceof Group g) {
				length(g, "distance", base, out);
				length(g, "x_pixel_size", base, out);
				length(g, "y_pixel_size", base, out);
			} else out.put("unreadable", base + " is not a group");
			final Node mono = inst instanceof Group i ? child(i, "monochromator") : null;
			if (mono instanceof Group g && resolve(child(g, "WaveLength")) instanceof Dataset w) {
				final double[] v = numbers(w.getData());
				if (v != null && v.length > 0) {
					final String unit = units(w);
					final double m = v[0] * switch (unit == null ? "m" : unit.toLowerCase(Locale.ROOT)) {
						case "nm" -> 1e-9;
						case "a", "å", "angstrom", "angstroms" -> 1e-10;
						default -> 1;
					};
					out.put("wavelength_m", m);
					out.put("wavelength_source", "/" + scan.getName() + "/instrument/monochromator/WaveLength = " + v[0] + " " + (unit == null ? "(no unit: m, as BLISS writes it)" : unit));
				}
			}
		} catch (final RuntimeException e) {
			out.put("unreadable", base + " cannot be read here (" + message(e) + ")");
		}
		return out;
	}

	private static void length(final Group g, final String name, final String base, final Map<String, Object> out) {
		if (!(resolve(child(g, name)) instanceof Dataset d)) return;
		final double[] v = numbers(d.getData());
		if (v == null || v.length == 0 || !Double.isFinite(v[0])) return;
		final String unit = units(d);
		final double m;
		final String how;
		if (unit != null) {
			final double f = switch (unit.toLowerCase(Locale.ROOT)) {
				case "m", "meter", "metre", "meters", "metres" -> 1;
				case "mm", "millimeter", "millimetre" -> 1e-3;
				case "um", "µm", "micron", "microns", "micrometer" -> 1e-6;
				case "nm" -> 1e-9;
				default -> Double.NaN;
			};
			if (Double.isNaN(f)) { out.put(name + "_source", base + "/" + name + " = " + v[0] + " in unknown unit '" + unit + "'"); return; }
			m = v[0] * f;
			how = unit;
		} else {
			m = v[0];
			how = "(no unit: m, as BLISS writes it)";
		}
		out.put(name + "_m", m);
		out.put(name + "_source", base + "/" + name + " = " + v[0] + " " + how);
	}

	// ---------------------------------------------------------------- the geometry

	/** The geometry from the motors; null (with {@code missing} in the report) when something is missing. */
	BraggGeometry geometry(final Found f, final Detector detector, final int frames, final Map<String, Object> report) {
		final Entry entry = f.entry();
		final Map<String, double[]> pos = f.positioners();
		final String where = "/" + entry.name() + "/instrument/positioners";
		final List<String> missing = new ArrayList<>();
		final Map<String, Object> motors = new LinkedHashMap<>();
		for (final String name : new String[] { "mu", "eta", "phi", "chi", "nu", "delta", "mononrj" })
			if (pos.containsKey(name)) motors.put(name, pos.get(name).length == 1 ? pos.get(name)[0] : pos.get(name));
		report.put("motors", motors);
		report.put("motors_source", where);

		// the rocking motor: the one the title names if it moved, else the one motor that moved
		final List<String> moved = pos.entrySet().stream().filter(e -> moved(e.getValue())).map(Map.Entry::getKey).toList();
		final String titled = scannedMotor(entry.title());
		final String rocking = titled != null && moved.contains(titled) ? titled : moved.size() == 1 ? moved.get(0) : null;
		if (pos.isEmpty()) {
			missing.add("no motor positions: " + where + " is absent or unreadable");
		} else if (rocking == null) {
			missing.add("the scan moved several motors " + moved + " and its title '" + entry.title() + "' names none of them: no single rocking motor");
		} else {
			final double[] v = pos.get(rocking);
			final double step = (v[v.length - 1] - v[0]) / (v.length - 1);
			report.put("rocking_motor", rocking);
			report.put("rocking_start_deg", v[0]);
			report.put("rocking_end_deg", v[v.length - 1]);
			report.put("rocking_points", v.length);
			report.put("rocking_step_measured_deg", step);
			if (v.length != frames)
				report.put("warning", "the scan recorded " + v.length + " positions of " + rocking + " but " + frames + " frames (an interrupted scan?); the step is the mean over the positions");
			if (!rocking.equals("eta") && !rocking.equals("phi"))
				missing.add("the rocking motor is " + rocking + "; the lab-frame geometry of ID01 is known here for rocking curves in eta or phi (bcdi's ID01 description)");
			for (final String d : new String[] { "nu", "delta" })
				if (moved.contains(d) && !d.equals(rocking)) missing.add("the detector circle " + d + " moved during the scan");
		}

		final double nu = angle(pos, "nu", where, missing), delta = angle(pos, "delta", where, missing);
		double mu = 0;
		if (pos.containsKey("mu")) mu = pos.get("mu")[0];
		else report.put("mu_note", "mu is not recorded under " + where + ": taken as 0 (bcdi's default)");
		final double eta = "phi".equals(rocking) ? angle(pos, "eta", where, missing) : Double.NaN;

		// energy: the monochromator's wavelength, else the mononrj positioner (keV)
		double keV = Double.NaN;
		if (f.calibration().get("wavelength_m") instanceof Double w && w > 0) {
			keV = BraggGeometry.HC_KEV_NM / (w * 1e9);
			report.put("energy_source", f.calibration().get("wavelength_source"));
		} else if (pos.containsKey("mononrj")) {
			final double e = pos.get("mononrj")[0];
			keV = e > 100 ? e / 1000 : e;
			report.put("energy_source", where + "/mononrj = " + e + (e > 100 ? " (eV)" : " (keV)"));
		} else missing.add("no energy: neither /" + entry.name() + "/instrument/monochromator/WaveLength nor " + where + "/mononrj is recorded");

		final Object d = f.calibration().get("distance_m");
		if (d == null && f.calibration().containsKey("unreadable"))
			missing.add("no detector distance: " + f.calibration().get("unreadable") + (isVirtualMessage(String.valueOf(f.calibration().get("unreadable")))
				? "; jHDF cannot open a group that holds a virtual dataset (BLISS's link to the Lima files), so the calibration written there is out of reach"
				: "") + "; Strain takes the geometry typed in (geometry=ID01 with distance_m=…)");
		else if (d == null) missing.add("no detector distance: " + f.calibration().getOrDefault("distance_source",
			"/" + entry.name() + "/instrument/" + f.detector() + "/distance is not recorded (BLISS writes it after a detector calibration)"));
		else report.put("distance_source", f.calibration().get("distance_source"));

		double pixelUm = Double.NaN;
		final Object px = f.calibration().get("x_pixel_size_m"), py = f.calibration().get("y_pixel_size_m");
		if (px instanceof Double x && py instanceof Double y) {
			if (Math.abs(x - y) > 1e-6 * Math.max(x, y))
				missing.add("the pixels are not square (x " + x + " m, y " + y + " m); the geometry here needs square pixels");
			pixelUm = x * 1e6;
			report.put("pixel_source", f.calibration().get("x_pixel_size_source"));
		} else if (detector != null) {
			pixelUm = detector.pixelUm();
			report.put("pixel_source", "the detector's name '" + f.detector() + "': " + detector.description());
		} else missing.add("the pixel size of detector '" + f.detector() + "' is neither recorded under /" + entry.name() + "/instrument/" + f.detector()
			+ " nor known from its name (known: " + Detector.knownNames() + ")");
		if (detector != null) report.put("detector_description", detector.description());

		if (!missing.isEmpty() || rocking == null) {
			report.put("missing", String.join("; ", missing));
			return null;
		}
		final double step = (double) report.get("rocking_step_measured_deg");
		// bcdi's ID01 circles: mu about −y below eta about −x below phi about −y (sample); nu about −y, delta about −x (detector)
		final double[] minusX = { 0, 0, -1 }, minusY = { 0, -1, 0 };
		final double[] axis = "eta".equals(rocking) ? Mat3.rotateZyx(minusX, minusY, mu) : Mat3.rotateZyx(Mat3.rotateZyx(minusY, minusX, eta), minusY, mu);
		try {
			final BraggGeometry g = new BraggGeometry(keV, (double) d, pixelUm, BraggGeometry.Beamline.ESRF_ID01.inplaneSign() * nu, delta, axis, step);
			report.putAll(g.toReport());
			report.put("bragg_geometry", "ID01: in-plane = −nu, out-of-plane = delta, rocking " + rocking + " (bcdi's ID01 circles: mu −y, eta −x, phi −y; nu −y, delta −x)");
			return g;
		} catch (final CdiException e) {
			report.put("missing", e.getMessage());
			return null;
		}
	}

	private static double angle(final Map<String, double[]> pos, final String name, final String where, final List<String> missing) {
		if (!pos.containsKey(name)) { missing.add("motor " + name + " is not recorded under " + where); return Double.NaN; }
		return pos.get(name)[0];
	}

	/** Whether a positioner took more than one value. */
	static boolean moved(final double[] v) {
		if (v.length < 2) return false;
		double lo = v[0], hi = v[0];
		for (final double x : v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
		return hi - lo > 1e-9 * Math.max(1, Math.abs(hi));
	}

	/** The motor a BLISS scan command scans: the word after {@code ascan}, {@code dscan}, {@code a2scan}… (null otherwise). */
	static String scannedMotor(final String title) {
		if (title == null) return null;
		final String[] w = title.trim().split("[\\s,()]+");
		return w.length >= 2 && w[0].toLowerCase(Locale.ROOT).matches("[ad]\\d?scan|lineup|[ad]scan\\w*") ? w[1] : null;
	}

	// ---------------------------------------------------------------- frames held in Lima files

	/**
	 * The Lima files of a scan whose frames are a virtual dataset: {@code scanNNNN/<detector>_NNNN.h5} beside the scan's
	 * file, in the order of their numbers.
	 */
	static List<Path> limaFiles(final Path scanFile, final Entry entry, final String detector, final String framesPath) {
		final Path dir = scanFile.toAbsolutePath().getParent();
		final Path folder = dir.resolve(String.format(Locale.ROOT, "scan%04d", entry.number()));
		final Pattern name = Pattern.compile(Pattern.quote(detector) + "_(\\d+)\\.h5");
		final List<Path> files = new ArrayList<>();
		if (Files.isDirectory(folder)) {
			try (Stream<Path> s = Files.list(folder)) {
				s.filter(p -> Files.isRegularFile(p) && name.matcher(p.getFileName().toString()).matches()).forEach(files::add);
			} catch (final IOException e) {
				throw new CdiException("Cannot list " + folder + " for the Lima files of " + entry.label() + ": " + e.getMessage() + ".");
			}
		}
		if (files.isEmpty())
			throw new CdiException("The frames of " + entry.label() + " (" + framesPath + " in " + scanFile + ") are an HDF5 virtual dataset over the Lima files, which jHDF cannot open, and no Lima file "
				+ detector + "_NNNN.h5 was found in " + folder + ". Copy the scan's folder " + folder.getFileName() + "/ beside " + scanFile.getFileName()
				+ ", or save the frames as a plain dataset (e.g. h5py: f['" + framesPath.substring(1) + "'][()]) and read it with beamline=none dataset=<path>.");
		files.sort(Comparator.comparingLong(p -> {
			final Matcher m = name.matcher(p.getFileName().toString());
			return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
		}));
		return files;
	}

	/** The frames' dataset in a Lima file: {@code entry_0000/measurement/data}, else {@code entry_0000/instrument/<detector>/data}. */
	static String limaDataset(final Path lima, final String detector) {
		final String[] candidates = { "entry_0000/measurement/data", "entry_0000/instrument/" + detector + "/data" };
		try (HdfFile h = new HdfFile(lima)) {
			for (final String c : candidates) {
				try {
					if (resolve(h.getByPath(c)) instanceof Dataset) return c;
				} catch (final RuntimeException absent) {
					// next
				}
			}
		} catch (final RuntimeException e) {
			throw new CdiException("Cannot read the Lima file " + lima + ": " + message(e) + ".", e);
		}
		throw new CdiException("The Lima file " + lima + " has no frames where Lima writes them: looked for " + Arrays.toString(candidates) + ".");
	}

	private static long[] shapeOf(final Path file, final String dataset) {
		try (HdfFile h = new HdfFile(file)) {
			return Arrays.stream(((Dataset) resolve(h.getByPath(dataset))).getDimensions()).asLongStream().toArray();
		}
	}

	// ---------------------------------------------------------------- Maxipix chip gaps

	/**
	 * Marks the Maxipix 2×2 chip gaps (rows and columns {@value #MAXIPIX_GAP_FIRST} to {@value #MAXIPIX_GAP_END} − 1
	 * of the 516×516 detector, bcdi) as unmeasured, inside the frames' region. Only for frames of the whole Maxipix.
	 */
	static Diffraction maskMaxipixGaps(final Diffraction d, final Detector detector, final long[] frameShape, final DetectorRegion roi, final Map<String, Object> report) {
		final boolean maxipix = detector != null && (detector.name().equals("mpx") || detector.name().equals("maxipix"));
		if (!maxipix) return d;
		final int rows = (int) frameShape[frameShape.length - 2], cols = (int) frameShape[frameShape.length - 1];
		if (rows != MAXIPIX_FRAME || cols != MAXIPIX_FRAME) {
			report.put("maxipix_gaps", "not masked: the frames are " + rows + "x" + cols + " pixels, not the whole 516x516 Maxipix 2x2");
			return d;
		}
		final boolean[] plane = maxipixGaps(roi != null && !(roi.sizeY() == rows && roi.sizeX() == cols) ? roi : null, d.grid().ny, d.grid().nx);
		final int n = d.grid().ny * d.grid().nx;
		final boolean[] mask = d.mask == null ? new boolean[d.grid().size()] : d.mask.toArray();
		final float[] v = d.values.data.clone();
		int added = 0;
		for (int z = 0; z < d.grid().nz; z++)
			for (int i = 0; i < n; i++)
				if (plane[i]) {
					if (!mask[z * n + i]) added++;
					mask[z * n + i] = true;
					v[z * n + i] = 0;
				}
		int perFrame = 0;
		for (final boolean b : plane) if (b) perFrame++;
		report.put("maxipix_gaps", perFrame + " pixels per frame masked (rows and columns " + MAXIPIX_GAP_FIRST + "-" + (MAXIPIX_GAP_END - 1) + " of the 516x516 detector, bcdi)");
		if (perFrame == 0) return d;
		return d.withValues(new RealVolume(d.grid(), v, d.values.voxelSize, d.values.unit), d.quantity, Mask.fromUnmeasured(d.grid(), mask), "maxipixGaps", "pixelsPerFrame", perFrame, "newlyMasked", added,
			"rule", "bcdi Maxipix: rows and columns 255-260 of 516").withMarkers(d.markers);
	}

	/**
	 * bcdi's saturation rule: a pixel whose counts exceed the detector's saturation level in any frame (Maxipix 10⁶,
	 * Eiger 10⁷, bcdi's {@code saturation_threshold}) is unmeasured in every frame, as bcdi's 2D mask makes it. It also
	 * catches the largest-integer value an Eiger writes into its module gaps.
	 */
	static Diffraction maskSaturated(final Diffraction d, final Detector detector, final Map<String, Object> report) {
		final double level = saturation(detector);
		if (!(level > 0)) return d;
		final int n = d.grid().ny * d.grid().nx;
		final boolean[] plane = new boolean[n];
		final float[] v = d.values.data;
		int pixels = 0;
		for (int i = 0; i < v.length; i++)
			if (v[i] > level && d.isMeasured(i) && !plane[i % n]) { plane[i % n] = true; pixels++; }
		report.put("saturated_pixels", pixels + " detector pixels above " + level + " counts in some frame, unmeasured in every frame (bcdi's saturation_threshold for " + detector.name() + ")");
		if (pixels == 0) return d;
		final boolean[] mask = d.mask == null ? new boolean[v.length] : d.mask.toArray();
		final float[] out = v.clone();
		for (int i = 0; i < v.length; i++) if (plane[i % n]) { mask[i] = true; out[i] = 0; }
		return d.withValues(new RealVolume(d.grid(), out, d.values.voxelSize, d.values.unit), d.quantity, Mask.fromUnmeasured(d.grid(), mask), "saturatedPixels", "pixels", pixels, "level", level,
			"rule", "bcdi saturation_threshold").withMarkers(d.markers);
	}

	/** bcdi's saturation level of a detector family (counts), NaN when it gives none. */
	static double saturation(final Detector detector) {
		if (detector == null) return Double.NaN;
		final String name = detector.name().toLowerCase(java.util.Locale.ROOT);
		return name.startsWith("mpx") || name.startsWith("maxipix") ? 1e6 : name.startsWith("eiger") ? 1e7 : Double.NaN;
	}

	/**
	 * The chip-gap pixels of a 516×516 Maxipix 2×2 on a frame of {@code ny}×{@code nx} pixels: the whole detector
	 * ({@code region} null) or that region of it.
	 */
	static boolean[] maxipixGaps(final DetectorRegion region, final int ny, final int nx) {
		final int x0 = region == null ? 0 : region.minX(), y0 = region == null ? 0 : region.minY();
		final boolean[] out = new boolean[ny * nx];
		for (int y = 0; y < ny; y++)
			for (int x = 0; x < nx; x++) {
				final int dy = y + y0, dx = x + x0;
				out[y * nx + x] = (dy >= MAXIPIX_GAP_FIRST && dy < MAXIPIX_GAP_END) || (dx >= MAXIPIX_GAP_FIRST && dx < MAXIPIX_GAP_END);
			}
		return out;
	}

	// ---------------------------------------------------------------- HDF5 helpers

	private static Node child(final Group g, final String name) {
		return g == null ? null : g.getChildren().get(name);
	}

	/** The node a link points to (soft or external links, up to 16 deep); null for a broken link. */
	static Node resolve(final Node n) {
		Node t = n;
		for (int k = 0; k < 16 && t instanceof Link l; k++) t = l.isBrokenLink() ? null : l.getTarget();
		return t;
	}

	/**
	 * The node a link points to, failing with jHDF's own reason where {@link #resolve} says "broken": a link to a
	 * virtual dataset is "broken" for jHDF, which cannot open it.
	 */
	static Node target(final Node n) {
		Node t = n;
		for (int k = 0; k < 16 && t instanceof Link l; k++) t = l.getTarget();
		return t;
	}

	/** A dataset's text (a title, a time), empty when absent. */
	static String text(final Node n) {
		if (!(resolve(n) instanceof Dataset d)) return "";
		final Object o = d.getData();
		if (o instanceof String s) return s.trim();
		if (o != null && o.getClass().isArray() && Array.getLength(o) > 0 && Array.get(o, 0) instanceof String s) return s.trim();
		return String.valueOf(o);
	}

	/** A numeric value or array, flattened; null when not numbers. */
	static double[] numbers(final Object o) {
		if (o instanceof Number n) return new double[] { n.doubleValue() };
		if (o == null || !o.getClass().isArray()) return null;
		final List<Double> out = new ArrayList<>();
		flatten(o, out);
		final double[] v = new double[out.size()];
		for (int i = 0; i < v.length; i++) v[i] = out.get(i);
		return v;
	}

	private static void flatten(final Object o, final List<Double> out) {
		final int n = Array.getLength(o);
		for (int i = 0; i < n; i++) {
			final Object e = Array.get(o, i);
			if (e instanceof Number x) out.add(x.doubleValue());
			else if (e != null && e.getClass().isArray()) flatten(e, out);
		}
	}

	private static String units(final Node n) {
		final Attribute a = n.getAttribute("units");
		if (a == null) return null;
		final Object o = a.getData();
		final String s = o instanceof String t ? t : o != null && o.getClass().isArray() && Array.getLength(o) > 0 ? String.valueOf(Array.get(o, 0)) : null;
		return s == null || s.isBlank() ? null : s.trim();
	}

	/** Whether a jHDF failure is its refusal of a virtual dataset. */
	static boolean isVirtual(final Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause()) if (t.getMessage() != null && isVirtualMessage(t.getMessage())) return true;
		return false;
	}

	private static boolean isVirtualMessage(final String m) { return m.toLowerCase(Locale.ROOT).contains("virtual storage"); }

	private static String message(final Throwable e) {
		Throwable t = e;
		while (t.getCause() != null && t.getCause() != t) t = t.getCause();
		return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
	}

	private static String list(final List<Entry> entries) {
		final StringBuilder b = new StringBuilder();
		for (int i = 0; i < Math.min(LISTED, entries.size()); i++) {
			final Entry e = entries.get(i);
			b.append(i == 0 ? "" : ", ").append(e.name()).append(e.title().isEmpty() ? "" : " '" + e.title() + "'");
		}
		if (entries.size() > LISTED) b.append(", … (").append(entries.size() - LISTED).append(" more)");
		return b.toString();
	}

	private static String names(final java.util.Collection<String> names) {
		final List<String> l = new ArrayList<>(names);
		return l.size() <= LISTED ? l.toString() : l.subList(0, LISTED) + "… (" + l.size() + " in all)";
	}

	private static String extension(final Path p) {
		final String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		final int dot = n.lastIndexOf('.');
		return dot < 0 ? "" : n.substring(dot + 1);
	}
}
