package sc.fiji.cdi.beamline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Mat3;
import sc.fiji.cdi.io.Detector;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.util.CdiException;

/**
 * APS 34-ID-C (Bragg CDI, Advanced Photon Source): a SPEC file logs every scan; the Timepix detector
 * ({@code #UIMDET 34idcTIM2:}) writes one TIFF per rocking-curve point into
 * {@code AD<detector>_<experiment>/<specname>_S<scan, 4 digits>/<specname>_S<scan>_<point, 5 digits>.tif}, only
 * the detector region that the SPEC file records as {@code #UIMR5 minX sizeX minY sizeY}; dark and flat fields are
 * frames of the whole detector.
 * <p>
 * Geometry from the scan's motor positions ({@code #P} in {@code #O} order): {@code Energy} (keV), {@code camdist}
 * (detector distance, mm), {@code Delta} (detector in-plane angle) and {@code Gamma} (out-of-plane), the rocking
 * motor and its step from the {@code #S} command (θ = {@code th}/{@code Theta} rocks about the vertical axis), the
 * pixel pitch from the detector's name ({@link Detector}). The motor mapping is bcdi's and cohere's 34-ID-C
 * description ({@link BraggGeometry.Beamline#APS_34IDC}).
 */
public final class Aps34idc implements Beamline {

	/** The areaDetector ROI plugin whose region the TIFF files hold at 34-ID-C (cohere reads the same line). */
	public static final int FRAMES_REGION = 5;

	/** How deep below the SPEC file's folder the frames folder is searched. */
	static final int SEARCH_DEPTH = 3;

	@Override
	public String id() { return "aps-34idc"; }

	@Override
	public List<String> aliases() { return List.of("34-id-c", "34idc", "aps_34idc", "aps-34-id-c"); }

	@Override
	public String description() { return "APS 34-ID-C: SPEC file + one TIFF per rocking point (Timepix), dark/flat of the whole detector"; }

	@Override
	public boolean recognises(final Request r) {
		if (r.input() != null && Files.isRegularFile(r.input()) && SpecFile.looksLikeSpec(r.input())) return true;
		return r.input() != null && Files.isDirectory(r.input()) && r.spec() != null;
	}

	@Override
	public Scan load(final Request r) {
		DiffractionReader.requireNoDataset(r.dataset(), r.input(), "an APS 34-ID-C scan (TIFF frames)");
		final Path specPath;
		final Path frames;
		final SpecFile.Scan scan;
		if (r.input() != null && Files.isRegularFile(r.input()) && SpecFile.looksLikeSpec(r.input())) {
			specPath = r.input();
			if (r.spec() != null && !r.spec().toAbsolutePath().normalize().equals(specPath.toAbsolutePath().normalize()))
				throw new CdiException("input=" + r.input() + " is a SPEC file and spec=" + r.spec() + " names another one: give the SPEC file once (input=<SPEC file> scan=<n>, or input=<frames folder> spec=<SPEC file>).");
			final SpecFile spec = SpecFile.read(specPath);
			if (r.scan() == null || r.scan().isBlank())
				throw new CdiException("input=" + specPath + " is a SPEC file: give the scan number with scan= (" + spec.scans().size() + " scans, numbered "
					+ spec.scans().get(0).number() + " to " + spec.scans().get(spec.scans().size() - 1).number() + ").");
			scan = spec.scan(r.scan());
			frames = findFrames(specPath, scan);
		} else if (r.input() != null && Files.isDirectory(r.input())) {
			frames = r.input();
			if (r.spec() == null) throw new CdiException("beamline=aps-34idc with the frames folder " + frames + " needs the SPEC file: give spec=<file> (and scan=<n> unless the folder name ends in _S<n>).");
			specPath = r.spec();
			final SpecFile spec = SpecFile.read(specPath);
			String number = r.scan();
			if (number == null || number.isBlank()) {
				final Matcher m = Pattern.compile("[Ss](\\d+)$").matcher(frames.getFileName().toString());
				if (!m.find()) throw new CdiException("Cannot tell the scan number of frames folder " + frames + " (its name does not end in S<number>): give scan=<n>.");
				number = Integer.toString(Integer.parseInt(m.group(1)));
			}
			scan = spec.scan(number);
		} else {
			throw new CdiException("beamline=aps-34idc expects input=<SPEC file> with scan=<n>, or input=<frames folder> with spec=<SPEC file>; got " + r.input() + ".");
		}

		final String detectorName = scan.detector();
		final Detector detector = Detector.find(detectorName);
		final List<Path> frameFiles = DiffractionReader.frameFiles(frames, r.darkField(), r.whiteField(), r.maskFile());
		final Grid frameSize = DiffractionReader.frameSize(frameFiles.get(0));
		final Map<String, Object> report = new LinkedHashMap<>();
		report.put("beamline", id());
		report.put("spec_file", specPath.toAbsolutePath().toString());
		report.put("scan", scan.number() + (scan.occurrence() > 1 ? "." + scan.occurrence() : ""));
		report.put("scan_command", scan.command());
		report.put("scan_date", scan.date());
		report.put("frames_folder", frames.toAbsolutePath().toString());
		report.put("detector", detectorName == null ? "" : detectorName);
		final DetectorRegion roi = r.roi() != null ? r.roi() : region(scan, frameSize, specPath);
		report.put("detector_region", roi == null ? "whole detector" : roi.toString() + " (minX,sizeX,minY,sizeY" + (r.roi() != null ? ", given as roi=)" : ", SPEC #UIMR)"));
		final List<Path> scanFrames = scanFrames(frameFiles, scan, frames, specPath, report);

		final Path dark = r.darkField() != null ? r.darkField() : nextTo(specPath, frames, "dark", "dark field");
		final Path white = r.whiteField() != null ? r.whiteField() : nextTo(specPath, frames, "white|flat", "white field");
		// a scan without them is imported, but the report says what was not done and how to give them
		report.put("dark_field", dark == null ? "none: no *dark*.tif next to " + specPath.getFileName() + " or above the frames folder; hot pixels are not masked (give dark_field=<file>)"
			: dark.toAbsolutePath() + (r.darkField() == null ? " (found next to the data)" : ""));
		report.put("white_field", white == null ? "none: no *white*.tif or *flat*.tif next to " + specPath.getFileName() + " or above the frames folder; no flat-field correction (give white_field=<file>)"
			: white.toAbsolutePath() + (r.whiteField() == null ? " (found next to the data)" : ""));
		final ImportOptions options = new ImportOptions(r.quantity(), null, dark, white, r.maskFile(), r.clampNegative(), roi, detector);
		final Diffraction data = DiffractionReader.readFrames(frames, scanFrames, options);

		final BraggGeometry geometry = geometry(scan, detector, report);
		final String name = "scan" + scan.number() + (scan.occurrence() > 1 ? "_" + scan.occurrence() : "");
		return new Scan(data, name, geometry, report, dataRules());
	}

	/**
	 * The Timepix counts of 34-ID-C as cohere's configuration for this beamline treats them: at most 2 counts is the
	 * detector's noise floor, set to zero ({@code intensity_threshold = 2}); bad pixels (dark &gt; 1, the chip seam,
	 * dead flat-field pixels) are measured zeros. Scan 54: χ² 0.0224 → 0.013 with these rules (docs/real-data.md).
	 */
	@Override
	public DataRules dataRules() {
		return new DataRules(2, BAD_PIXELS_AS_ZERO, "aps-34idc: cohere's 34-ID-C configuration (intensity_threshold 2, bad pixels set to 0)");
	}

	static final boolean BAD_PIXELS_AS_ZERO = true;

	/** A {@code camdist} below this is in metres, not 34-ID-C's millimetres (Bragg CDI detectors sit 0.3–3 m away). */
	static final double MAX_CAMDIST_IN_METRES = 10;

	/**
	 * The frames of the points SPEC recorded: one per point. A scan aborted during a point (fewer points than the
	 * command's intervals + 1) leaves one frame more, of the point SPEC did not record (areaDetector saved it, SPEC
	 * wrote no data line): it is left out and named in the report. Any other count is an error naming both.
	 */
	static List<Path> scanFrames(final List<Path> files, final SpecFile.Scan scan, final Path folder, final Path spec, final Map<String, Object> report) {
		final int points = scan.points(), n = files.size();
		int planned = -1;
		try {
			planned = scan.scanCommand().intervals() + 1;
		} catch (final CdiException e) {
			// not a motor scan: no planned count to compare with
		}
		final boolean aborted = planned > points;
		if (aborted) report.put("scan_aborted", "after " + points + " of " + planned + " points (SPEC recorded " + points + " data lines)");
		if (n == points) return files;
		if (aborted && n == points + 1 && points > 0) {
			report.put("frames_ignored", files.get(n - 1).getFileName() + " (the point the scan was aborted in: no SPEC data line)");
			return files.subList(0, points);
		}
		final String names = n == 0 ? "" : " (" + files.get(0).getFileName() + " … " + files.get(n - 1).getFileName() + ")";
		throw new CdiException("Frames folder " + folder + " holds " + n + " frames" + names + " but " + scan.label() + " of " + spec + " recorded " + points + " points"
			+ (aborted ? " (aborted after " + points + " of " + planned + ")" : "") + "; expected one frame per point"
			+ (aborted ? ", or one more from the point the scan was aborted in" : "") + ". "
			+ (n < points ? "Frames are missing (a partial copy?): copy the whole folder again." : "The folder holds TIFF files that are not this scan's frames (another scan's, a sum image?): copy the scan's frames to a folder of their own and give it as input=<folder> with spec=" + spec.getFileName() + " and scan=" + report.get("scan") + "."));
	}

	/**
	 * The region the frames hold: {@code #UIMR5} when its size is the frames' size; otherwise the one {@code #UIMR}
	 * region of that size; none when the frames are the whole detector ({@code #Readout}).
	 */
	static DetectorRegion region(final SpecFile.Scan scan, final Grid frame, final Path spec) {
		final DetectorRegion r5 = scan.region(FRAMES_REGION);
		if (r5 != null && r5.sizeY() == frame.ny && r5.sizeX() == frame.nx) return r5;
		final List<Map.Entry<Integer, DetectorRegion>> same = scan.regions().entrySet().stream()
			.filter(e -> e.getValue().sizeY() == frame.ny && e.getValue().sizeX() == frame.nx).toList();
		if (same.size() == 1) return same.get(0).getValue();
		final DetectorRegion readout = scan.readout();
		if (readout != null && readout.sizeY() == frame.ny && readout.sizeX() == frame.nx) return null;
		if (r5 == null && scan.regions().isEmpty() && readout == null) return null; // no areaDetector lines: frames taken as they are
		throw new CdiException("The frames of " + scan.label() + " are " + frame.ny + "x" + frame.nx + " pixels (rows x columns) but SPEC file " + spec
			+ " records the detector regions " + scan.regions() + " (minX,sizeX,minY,sizeY) and read-out " + readout + "; "
			+ (same.size() > 1 ? "several have that size" : "none has that size")
			+ ". Give the frames' region of the detector as roi=minX,sizeX,minY,sizeY.");
	}

	/**
	 * The frames folder of a scan as APS writes it next to the SPEC file: a folder whose name ends in
	 * {@code S<scan>} (any number of leading zeros), up to {@value #SEARCH_DEPTH} levels below the SPEC file's folder,
	 * holding TIFF files. With several, the one under {@code AD<detector>…} or named after the SPEC file wins.
	 */
	static Path findFrames(final Path spec, final SpecFile.Scan scan) {
		final Path root = spec.toAbsolutePath().getParent();
		final Pattern name = Pattern.compile("(?i)(^|.*[^0-9])S0*" + scan.number() + "$");
		final List<Path> found = new ArrayList<>();
		try (Stream<Path> s = Files.walk(root, SEARCH_DEPTH)) {
			s.filter(Files::isDirectory).filter(p -> !p.equals(root) && name.matcher(p.getFileName().toString()).matches())
				.filter(Aps34idc::holdsTiffs).sorted(Comparator.comparing(Path::toString)).forEach(found::add);
		} catch (final IOException e) {
			throw new CdiException("Cannot search " + root + " for the frames of " + scan.label() + ": " + e.getMessage() + ".");
		}
		if (found.size() == 1) return found.get(0);
		final String wanted = String.format(Locale.ROOT, "'*_S%04d' (or S%d with any number of leading zeros)", scan.number(), scan.number());
		if (found.isEmpty())
			throw new CdiException("No frames folder for " + scan.label() + " of SPEC file " + spec + ": looked for folders named " + wanted
				+ " holding .tif frames, up to " + SEARCH_DEPTH + " levels below " + root + " (APS 34-ID-C layout: AD<detector>_<experiment>/<spec name>_S"
				+ String.format(Locale.ROOT, "%04d", scan.number()) + "/). Give the frames folder as input=<folder> with spec=" + spec.getFileName() + ".");
		final String det = scan.detector() == null ? "" : scan.detector().toLowerCase(Locale.ROOT);
		final String specBase = baseName(scan.headerFile().isEmpty() ? spec.getFileName().toString() : Path.of(scan.headerFile().replace('\\', '/')).getFileName().toString());
		final List<Path> preferred = found.stream().filter(p -> {
			final String n = p.toString().toLowerCase(Locale.ROOT);
			return (!det.isEmpty() && n.contains(("ad" + det).toLowerCase(Locale.ROOT))) || p.getFileName().toString().toLowerCase(Locale.ROOT).startsWith(specBase.toLowerCase(Locale.ROOT));
		}).toList();
		if (preferred.size() == 1) return preferred.get(0);
		throw new CdiException("Several folders could hold the frames of " + scan.label() + " of " + spec + ": " + found
			+ ". Give the right one as input=<folder> with spec=" + spec.getFileName() + ".");
	}

	private static boolean holdsTiffs(final Path dir) {
		try (Stream<Path> s = Files.list(dir)) {
			return s.anyMatch(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.tiff?$"));
		} catch (final IOException e) {
			return false;
		}
	}

	private static String baseName(final String file) {
		final int dot = file.lastIndexOf('.');
		return dot > 0 ? file.substring(0, dot) : file;
	}

	/**
	 * The one TIFF whose name contains {@code word} (a regex, any case) in the SPEC file's folder or the frames
	 * folder's parents up to the SPEC folder; null when there is none; an error when several could be meant.
	 */
	static Path nextTo(final Path spec, final Path frames, final String word, final String what) {
		final Pattern p = Pattern.compile("(?i).*(" + word + ").*\\.tiff?$");
		final List<Path> dirs = new ArrayList<>();
		dirs.add(spec.toAbsolutePath().getParent());
		for (Path d = frames.toAbsolutePath().getParent(); d != null && !dirs.contains(d) && d.startsWith(dirs.get(0)); d = d.getParent()) dirs.add(d);
		for (final Path d : dirs) {
			final List<Path> hits;
			try (Stream<Path> s = Files.list(d)) {
				hits = s.filter(f -> Files.isRegularFile(f) && p.matcher(f.getFileName().toString()).matches()).sorted().toList();
			} catch (final IOException e) {
				continue;
			}
			if (hits.size() == 1) return hits.get(0);
			if (hits.size() > 1)
				throw new CdiException("Several " + what + " files lie next to the data in " + d + ": " + hits.stream().map(h -> h.getFileName().toString()).toList()
					+ "; give the one to use as " + (what.startsWith("dark") ? "dark_field" : "white_field") + "=<file>.");
		}
		return null;
	}

	/** The geometry from the motors; null (with {@code missing} in the report) when a value is missing. */
	static BraggGeometry geometry(final SpecFile.Scan scan, final Detector detector, final Map<String, Object> report) {
		final Map<String, Object> motors = new LinkedHashMap<>();
		final List<String> missing = new ArrayList<>();
		final double energy = motor(scan, "Energy", motors, missing);
		final double camdist = motor(scan, "camdist", motors, missing);
		final double delta = motor(scan, "Delta", motors, missing);
		final double gamma = motor(scan, "Gamma", motors, missing);
		for (final String extra : new String[] { "Theta", "Chi", "Phi", "Mu" }) if (scan.hasMotor(extra)) motors.put(extra, scan.motor(extra));
		report.put("motors", motors);
		SpecFile.ScanCommand cmd = null;
		try {
			cmd = scan.scanCommand();
		} catch (final CdiException e) {
			missing.add(e.getMessage());
		}
		String rocking = null;
		if (cmd != null) {
			rocking = scan.motorName(cmd.motor());
			report.put("rocking_motor", rocking);
			report.put("rocking_start_deg", cmd.start());
			// an aborted scan ends where SPEC stopped recording
			final boolean aborted = scan.points() < cmd.intervals() + 1;
			report.put("rocking_end_deg", aborted ? cmd.start() + cmd.step() * (scan.points() - 1) : cmd.end());
			report.put("rocking_points", aborted ? scan.points() : cmd.intervals() + 1);
			final double[] measured = scan.column(rocking);
			if (measured != null && measured.length > 1) report.put("rocking_step_measured_deg", (measured[measured.length - 1] - measured[0]) / (measured.length - 1));
			if (rockingCircle(rocking) == null)
				missing.add("the rocking motor is " + rocking + "; the lab-frame geometry of 34-ID-C is known here for rocking curves in Theta (th), Chi or Phi");
			else if (rockingCircle(rocking) != Circle.THETA) {
				// the axis of an inner circle depends on the circles outside it
				if (!scan.hasMotor("Theta")) missing.add("motor Theta is not recorded in " + scan.label() + ": the " + rocking + " axis turns with it");
				if (rockingCircle(rocking) == Circle.PHI && !scan.hasMotor("Chi")) missing.add("motor Chi is not recorded in " + scan.label() + ": the Phi axis turns with it");
			}
		}
		if (detector == null) missing.add("the pixel size of detector '" + scan.detector() + "' is not known (known: " + Detector.knownNames() + ")");
		else report.put("detector_description", detector.description());
		if (!missing.isEmpty()) {
			report.put("missing", String.join("; ", missing));
			return null;
		}
		// Energy in keV at 34-ID-C; a value above 100 can only be eV
		final double keV = energy > 100 ? energy / 1000 : energy;
		if (energy > 100) report.put("energy_unit", "Energy " + energy + " read as eV (above 100: not keV)");
		// camdist in mm at 34-ID-C; below 10 it can only be m (no Bragg CDI detector sits 10 mm from the sample)
		final double metres = camdist < MAX_CAMDIST_IN_METRES ? camdist : camdist / 1000;
		if (camdist < MAX_CAMDIST_IN_METRES) report.put("distance_unit", "camdist " + camdist + " read as m (below " + MAX_CAMDIST_IN_METRES + ": not mm)");
		try {
			final Circle circle = rockingCircle(rocking);
			final double[] axis = rockingAxis(circle, scan.hasMotor("Theta") ? scan.motor("Theta") : 0, scan.hasMotor("Chi") ? scan.motor("Chi") : 0);
			final BraggGeometry g = new BraggGeometry(keV, metres, detector.pixelUm(), BraggGeometry.Beamline.APS_34IDC.inplaneSign() * delta, gamma, axis, cmd.step());
			report.putAll(g.toReport());
			report.put("bragg_geometry", "34-ID-C: in-plane = Delta, out-of-plane = Gamma; sample circles Theta about +y, Chi about -z, Phi about +y (cohere), rocking "
				+ circle.name().charAt(0) + circle.name().substring(1).toLowerCase(java.util.Locale.ROOT));
			return g;
		} catch (final CdiException e) {
			report.put("missing", e.getMessage());
			return null;
		}
	}

	/** The sample circles of 34-ID-C, outermost first (cohere's diffractometer: Theta y+, Chi z−, Phi y+). */
	public enum Circle { THETA, CHI, PHI }

	/** The circle a SPEC rocking motor turns (name or mnemonic), or null for another motor. */
	static Circle rockingCircle(final String motor) {
		if (motor == null) return null;
		return switch (motor.toLowerCase(java.util.Locale.ROOT)) {
			case "theta", "th" -> Circle.THETA;
			case "chi" -> Circle.CHI;
			case "phi" -> Circle.PHI;
			default -> null;
		};
	}

	/**
	 * The lab-frame (z, y, x) axis of a rocking circle at the positions of the circles outside it: Theta about +y;
	 * Chi about −z turned by Theta; Phi about +y turned by Chi, then by Theta (cohere's 34-ID-C circles in
	 * xrayutilities notation; a right-handed rotation by a positive step). Checked against xrayutilities'
	 * {@code QConversion} for Phi and Chi scans ({@code BraggGeometryPeerTest}).
	 */
	public static double[] rockingAxis(final Circle circle, final double thetaDeg, final double chiDeg) {
		final double[] up = { 0, 1, 0 }, minusZ = { -1, 0, 0 };
		return switch (circle) {
			case THETA -> up;
			case CHI -> Mat3.rotateZyx(minusZ, up, thetaDeg);
			case PHI -> Mat3.rotateZyx(Mat3.rotateZyx(up, minusZ, chiDeg), up, thetaDeg);
		};
	}

	private static double motor(final SpecFile.Scan scan, final String name, final Map<String, Object> motors, final List<String> missing) {
		if (!scan.hasMotor(name)) { missing.add("motor " + name + " is not recorded in " + scan.label()); return Double.NaN; }
		final double v = scan.motor(name);
		motors.put(name, v);
		return v;
	}
}
