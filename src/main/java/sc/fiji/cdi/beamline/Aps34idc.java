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
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Mat3;
import sc.fiji.cdi.io.Detector;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
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
			if (SpecFile.isScanList(r.scan())) return combine(r, specPath, spec, SpecFile.parseScanList(r.scan()));
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
			if (SpecFile.isScanList(number))
				throw new CdiException("scan=" + number + " names several scans, but the frames folder " + frames + " holds one scan's frames: give the SPEC file as input=" + specPath
					+ " with scan=" + number + " (each scan's frames folder is found next to it), or one scan number.");
			scan = spec.scan(number);
		} else {
			throw new CdiException("beamline=aps-34idc expects input=<SPEC file> with scan=<n>, or input=<frames folder> with spec=<SPEC file>; got " + r.input() + ".");
		}
		return loadOne(r, specPath, scan, frames);
	}

	/** One scan from its frames folder: frames, region, dark and flat fields, geometry. */
	private Scan loadOne(final Request r, final Path specPath, final SpecFile.Scan scan, final Path frames) {
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
		return new Scan(data, name, geometry, report, dataRules(), new DetectorPlacement(detector, roi, null));
	}

	/**
	 * Several scans of one rocking curve ({@code scan=54-57}, {@code 54,56}, {@code 2-7, 10}) combined into one data set
	 * as cohere's 34-ID-C preprocessing combines them when {@code separate_scans} is off (its beamline preprocessing
	 * reads each scan, aligns it to a reference scan and sums):
	 * <ul>
	 * <li>each scan is imported exactly as a single scan ({@link #loadOne}: its frames folder, region, dark and flat
	 * field, bad pixels);</li>
	 * <li>the reference is the lowest-numbered scan, as in cohere (it sorts the scan numbers); the geometry, the
	 * detector region and the name of the frames folder in the report are the reference's;</li>
	 * <li>every other scan is aligned to the reference by a <b>whole-pixel</b> shift s in (z, y, x), cohere's
	 * {@code align_arrays_pixel}: s is the lag of the maximum of the linear (zero-padded, not circular) cross-correlation
	 * C(s) = Σ ref(n + s)·scan(n) (scipy's {@code correlate(ref, scan, mode='same', method='fft')}: lags
	 * −⌊n/2⌋ … n − 1 − ⌊n/2⌋ along an axis of n, the first maximum in its ifftshift order), and the scan is moved by s
	 * with zeros filled in, not wrapped ({@code fast_shift}); no sub-pixel interpolation;</li>
	 * <li>the aligned stacks are summed, and each scan's correlation error √|1 − C(s)²/(Σref²·Σscan²)| (Fienup's
	 * invariant error, cohere's {@code corr_err_<reference>.txt}) is reported with its shift.</li>
	 * </ul>
	 * Where this differs from cohere, on purpose: a pixel of the sum is measured only where every scan measured it after
	 * the shift. A bad pixel of one scan, or a pixel shifted in from outside that scan's frames, leaves the sum
	 * incomplete there, so it is unmeasured (cohere adds a zero and keeps the partial sum); the sum holds 0 there, as
	 * an imported bad pixel does, and {@code bad_pixels=auto} then makes it a measured zero at 34-ID-C as it does each
	 * scan's bad pixels. And scans that do not repeat one rocking curve are refused, naming both scans and what differs:
	 * frame size, number of frames, detector region, detector, rocking motor, step or energy (cohere checks none of
	 * these; stacks of different lengths make its sum fail on the arrays' shapes). Scans are read one after the other,
	 * so at most the reference, the sum, one scan and the correlation's buffer are held at once.
	 * <p>
	 * A scan of a range that is not in the SPEC file or has no frames folder is skipped and named in the report, as
	 * cohere takes the scans of a range whose folders exist; a scan given alone must be there.
	 */
	private Scan combine(final Request r, final Path specPath, final SpecFile spec, final List<SpecFile.ScanItem> items) {
		final String text = String.join(",", items.stream().map(SpecFile.ScanItem::text).toList());
		final java.util.Set<Integer> numbers = new java.util.HashSet<>();
		for (final SpecFile.Scan s : spec.scans()) numbers.add(s.number());
		final List<Part> parts = new ArrayList<>();
		final Map<String, String> skipped = new LinkedHashMap<>();
		final Map<Integer, List<Path>> folders = scanFolders(specPath, "scan=" + r.scan());
		for (final SpecFile.ScanItem item : items) {
			if (!item.range()) {
				final SpecFile.Scan s = spec.scan(item.text());
				parts.add(new Part(s, findFrames(specPath, s)));
				continue;
			}
			for (int n = item.first(); n <= item.last(); n++) {
				if (!numbers.contains(n)) {
					skipped.put(Integer.toString(n), "not in the SPEC file");
					continue;
				}
				final SpecFile.Scan s = spec.scan(Integer.toString(n));
				final Path f = framesFolder(specPath, s, folders);
				if (f == null) skipped.put(Integer.toString(n), "no frames folder named after it");
				else parts.add(new Part(s, f));
			}
		}
		parts.sort(Comparator.comparingInt((final Part p) -> p.scan().number()).thenComparingInt(p -> p.scan().occurrence()));
		for (int i = 1; i < parts.size(); i++)
			if (parts.get(i).id().equals(parts.get(i - 1).id()))
				throw new CdiException("scan=" + r.scan() + " names scan " + parts.get(i).id() + " twice; expected each scan once (e.g. 54-57 or 54, 56).");
		if (parts.isEmpty())
			throw new CdiException("scan=" + r.scan() + " names no scan with frames in SPEC file " + specPath + ": " + skipped.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()
				+ ". Frames folders are looked for as for one scan ('*_S0054' up to " + SEARCH_DEPTH + " levels below the SPEC file).");

		final Part first = parts.get(0);
		final Scan ref = loadOne(r, specPath, first.scan(), first.frames());
		final Curve refCurve = curve(first.scan(), ref);
		final Diffraction rd = ref.data();
		final Grid g = rd.grid();
		if (parts.size() > 1) correlationGrid(g, rd.source); // an alignment that cannot be made is refused before the other scans are read
		final float[] sum = rd.values.data.clone();
		final boolean[] bad = new boolean[g.size()], markers = new boolean[g.size()];
		for (int i = 0; i < bad.length; i++) {
			bad[i] = !rd.isMeasured(i);
			markers[i] = rd.markers != null && rd.markers.isUnmeasured(i);
		}
		final int refBad = rd.unmeasuredCount();
		final List<Map<String, Object>> listed = new ArrayList<>();
		final Map<String, Object> shifts = new LinkedHashMap<>(), errors = new LinkedHashMap<>();
		listed.add(entry(first, ref, new int[3], Double.NaN));
		shifts.put(first.id(), new int[3]);
		for (final Part p : parts.subList(1, parts.size())) {
			final Scan s = loadOne(r, specPath, p.scan(), p.frames());
			requireSameCurve(r.scan(), first.scan(), refCurve, p.scan(), curve(p.scan(), s));
			final double[] error = new double[1];
			final int[] shift = peakShift(rd, s.data(), error);
			addShifted(s.data(), shift, sum, bad, markers);
			listed.add(entry(p, s, shift, error[0]));
			shifts.put(p.id(), shift);
			errors.put(p.id(), error[0]);
		}
		int unmeasured = 0;
		boolean anyMarker = false;
		for (int i = 0; i < sum.length; i++) {
			if (bad[i]) { sum[i] = 0; unmeasured++; }
			anyMarker |= markers[i];
		}
		final ProcessingLog log = new ProcessingLog(rd.log);
		log.add("Combine scans", "scans", parts.stream().map(Part::id).toList(), "reference", first.id(), "shifts_zyx", shifts, "correlation_errors", errors,
			"skipped", skipped, "unmeasuredReference", refBad, "unmeasuredSum", unmeasured,
			"rule", "cohere's: each scan aligned to the lowest-numbered one by the whole-pixel lag of the cross-correlation peak (zero-filled), then summed;"
				+ " a pixel is measured in the sum only where every scan measured it after its shift");
		final Diffraction d = new Diffraction(rd.values.with(sum), rd.quantity, unmeasured == 0 ? null : Mask.fromUnmeasured(g, bad),
			anyMarker ? Mask.fromUnmeasured(g, markers) : null, log, rd.source);
		final Map<String, Object> report = new LinkedHashMap<>(ref.report());
		report.put("scan", text);
		report.put("scans", listed);
		if (!skipped.isEmpty()) report.put("scans_skipped", skipped);
		report.put("scans_combined", parts.size() + " scans summed after aligning each to scan " + first.id() + " (whole-pixel shift of the cross-correlation peak, as cohere);"
			+ " geometry, detector region and frames folder above are scan " + first.id() + "'s; " + (unmeasured - refBad) + " pixels unmeasured in the sum beyond the reference's " + refBad);
		final String name = "scan" + String.join("_", items.stream().map(i -> i.text().replaceFirst("^[sS]", "").replace('.', '_')).toList());
		return new Scan(d, name, ref.geometry(), report, dataRules(), ref.placement());
	}

	/** A scan of a {@code scan=} list and its frames folder. */
	private record Part(SpecFile.Scan scan, Path frames) {
		/** "54", or "54.2" for the second scan 54 of the file. */
		String id() { return scan.number() + (scan.occurrence() > 1 ? "." + scan.occurrence() : ""); }
	}

	private static Map<String, Object> entry(final Part p, final Scan s, final int[] shift, final double error) {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("scan", p.id());
		m.put("frames_folder", p.frames().toAbsolutePath().toString());
		m.put("shift_zyx", shift);
		if (Double.isNaN(error)) m.put("reference", true);
		else m.put("correlation_error", error);
		m.put("unmeasured_pixels", s.data().unmeasuredCount());
		for (final String k : new String[] { "scan_aborted", "frames_ignored" }) if (s.report().containsKey(k)) m.put(k, s.report().get(k));
		return m;
	}

	/** What two scans must share to be summed: one rocking curve measured again. */
	private record Curve(int frames, int ny, int nx, String region, String detector, String motor, double step, double energyKeV) {}

	/** Relative tolerance of the rocking step and the energy of summed scans (1 in 10⁴: 0.02 frames over 200 points; 0.9 eV at 9 keV). */
	static final double SAME_CURVE_TOLERANCE = 1e-4;

	private static Curve curve(final SpecFile.Scan s, final Scan loaded) {
		String motor = null;
		double step = Double.NaN;
		try {
			final SpecFile.ScanCommand c = s.scanCommand();
			motor = s.motorName(c.motor());
			step = c.step();
		} catch (final CdiException e) {
			// not a motor scan: compared as such
		}
		final double e = s.hasMotor("Energy") ? s.motor("Energy") : Double.NaN;
		final Grid g = loaded.data().grid();
		return new Curve(g.nz, g.ny, g.nx, String.valueOf(loaded.report().get("detector_region")), String.valueOf(loaded.report().get("detector")), motor, step,
			e > 100 ? e / 1000 : e);
	}

	private static void requireSameCurve(final String text, final SpecFile.Scan a, final Curve ca, final SpecFile.Scan b, final Curve cb) {
		final String la = a.label(), lb = b.label();
		String what = null;
		if (ca.ny() != cb.ny() || ca.nx() != cb.nx())
			what = "the frames are " + ca.ny() + "x" + ca.nx() + " pixels (rows x columns) in " + la + " but " + cb.ny() + "x" + cb.nx() + " in " + lb;
		else if (ca.frames() != cb.frames())
			what = la + " has " + ca.frames() + " frames (rocking points) but " + lb + " has " + cb.frames()
				+ " (cohere cannot sum these either: its alignment and sum need stacks of one shape)";
		else if (!ca.region().equals(cb.region())) what = "the detector region is " + ca.region() + " in " + la + " but " + cb.region() + " in " + lb;
		else if (!ca.detector().equals(cb.detector())) what = "the detector is '" + ca.detector() + "' in " + la + " but '" + cb.detector() + "' in " + lb;
		else if (!String.valueOf(ca.motor()).equalsIgnoreCase(String.valueOf(cb.motor())))
			what = "the rocking motor is " + (ca.motor() == null ? "none (not a motor scan)" : ca.motor()) + " in " + la + " but " + (cb.motor() == null ? "none (not a motor scan)" : cb.motor()) + " in " + lb;
		else if (!close(ca.step(), cb.step()))
			what = "the rocking step is " + ca.step() + "° in " + la + " but " + cb.step() + "° in " + lb + " (more than 1 in 10^4 apart)";
		else if (!close(ca.energyKeV(), cb.energyKeV()))
			what = "the energy is " + ca.energyKeV() + " keV in " + la + " but " + cb.energyKeV() + " keV in " + lb + " (more than 1 in 10^4 apart)";
		if (what != null)
			throw new CdiException("Scan " + b.number() + " cannot be summed with scan " + a.number() + " (scan=" + text + "): " + what
				+ ". Scans are summed only when they repeat one rocking curve (the same frame size, number of frames, detector region, detector, rocking motor, step and energy);"
				+ " leave scan " + b.number() + " out of scan=, or import it alone.");
	}

	private static boolean close(final double a, final double b) {
		if (Double.isNaN(a) || Double.isNaN(b)) return Double.isNaN(a) && Double.isNaN(b);
		return Math.abs(a - b) <= SAME_CURVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
	}

	/**
	 * The whole-pixel shift s (z, y, x) that moves {@code scan} onto {@code ref}: the lag of the maximum of the linear
	 * cross-correlation C(s) = Σ ref(n + s)·scan(n), lags −⌊n/2⌋ … n − 1 − ⌊n/2⌋ per axis, the first maximum of |C| in
	 * cohere's order (lag 0, 1, …, then the negative lags: scipy's {@code mode='same'} output after ifftshift).
	 * Unmeasured pixels count as 0 (cohere's bad pixels are zeros). {@code error[0]} receives cohere's correlation
	 * error √|1 − C(s)²/(Σref²·Σscan²)|.
	 * <p>
	 * Computed with one complex FFT: ref in the real part and scan in the imaginary part of an array zero-padded to
	 * n + ⌊n/2⌋ or more per axis (so no lag in the range wraps onto another), split into the two transforms by their
	 * Hermitian symmetry, multiplied (R·A*) and transformed back.
	 */
	static int[] peakShift(final Diffraction ref, final Diffraction scan, final double[] error) {
		final Grid g = ref.grid();
		final int[] n = g.zyx();
		final Grid pg = correlationGrid(g, ref.source);
		final int[] m = pg.zyx();
		final float[] buf = new float[2 * pg.size()];
		double eRef = 0, eScan = 0;
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++) {
					final int i = g.index(z, y, x), p = pg.index(z, y, x);
					final float a = ref.isMeasured(i) ? ref.values.data[i] : 0, b = scan.isMeasured(i) ? scan.values.data[i] : 0;
					buf[2 * p] = a;
					buf[2 * p + 1] = b;
					eRef += (double) a * a;
					eScan += (double) b * b;
				}
		Fft.forward(pg, buf);
		// Z = R + iA with R, A the transforms of the real ref and scan: R(k) = (Z(k) + Z*(-k))/2, A(k) = (Z(k) - Z*(-k))/2i;
		// their product R·A* is Hermitian as well (a real correlation), so k and -k are written together
		for (int kz = 0; kz < m[0]; kz++)
			for (int ky = 0; ky < m[1]; ky++)
				for (int kx = 0; kx < m[2]; kx++) {
					final int k = pg.index(kz, ky, kx), j = pg.index((m[0] - kz) % m[0], (m[1] - ky) % m[1], (m[2] - kx) % m[2]);
					if (j < k) continue;
					final double zr = buf[2 * k], zi = buf[2 * k + 1], wr = buf[2 * j], wi = -buf[2 * j + 1];
					final double rr = (zr + wr) / 2, ri = (zi + wi) / 2, ar = (zi - wi) / 2, ai = -(zr - wr) / 2;
					final double pr = rr * ar + ri * ai, pi = ri * ar - rr * ai;
					buf[2 * k] = (float) pr;
					buf[2 * k + 1] = (float) pi;
					if (j != k) {
						buf[2 * j] = (float) pr;
						buf[2 * j + 1] = (float) -pi;
					}
				}
		Fft.inverse(pg, buf);
		final int[] best = new int[3];
		double bestAbs = -1, peak = 0;
		for (int jz = 0; jz < n[0]; jz++) {
			final int lz = lag(jz, n[0]);
			for (int jy = 0; jy < n[1]; jy++) {
				final int ly = lag(jy, n[1]);
				for (int jx = 0; jx < n[2]; jx++) {
					final int lx = lag(jx, n[2]);
					final float c = buf[2 * pg.index(Math.floorMod(lz, m[0]), Math.floorMod(ly, m[1]), Math.floorMod(lx, m[2]))];
					if (Math.abs(c) > bestAbs) {
						bestAbs = Math.abs(c);
						peak = c;
						best[0] = lz; best[1] = ly; best[2] = lx;
					}
				}
			}
		}
		error[0] = eRef > 0 && eScan > 0 ? Math.sqrt(Math.abs(1 - peak * peak / (eRef * eScan))) : Double.NaN;
		return best;
	}

	/** The lag at position j of scipy's {@code mode='same'} correlation after ifftshift, along an axis of n. */
	private static int lag(final int j, final int n) { return j < n - n / 2 ? j : j - n; }

	/**
	 * The zero-padded array of {@link #peakShift} for scans on grid {@code g}: n + ⌊n/2⌋ or more per axis (FFT-friendly),
	 * about 3.4 times the scan's voxels in 3D. Refused, before the scans are read on, when it exceeds the largest array
	 * ({@link Grid#MAX_VOXELS}), naming the size and the fix (a detector region), not an internal error.
	 *
	 * @param source the reference scan in words
	 */
	static Grid correlationGrid(final Grid g, final String source) {
		final int[] n = g.zyx(), m = new int[3];
		for (int a = 0; a < 3; a++) m[a] = n[a] == 1 ? 1 : Preprocessor.fftFriendlySize(n[a] + n[a] / 2);
		final long voxels = (long) m[0] * m[1] * m[2];
		if (voxels > Grid.MAX_VOXELS)
			throw new CdiException("The scans of " + source + " are " + g + " voxels: aligning them needs a zero-padded cross-correlation of " + m[0] + "x" + m[1] + "x" + m[2]
				+ " (" + voxels + " voxels), more than the limit of " + Grid.MAX_VOXELS + " per array; expected smaller scans to combine: give roi= (a detector region around"
				+ " the Bragg peak), or import each scan alone.");
		return new Grid(m[0], m[1], m[2]);
	}

	/**
	 * Adds {@code d} moved by {@code s} (z, y, x) to {@code sum}: the pixel at n goes to n + s, as cohere's
	 * {@code fast_shift}. Where the moved scan has no measurement (its bad pixels, pixels from outside its frames) the
	 * sum is incomplete: {@code bad} is set (and {@code markers} where the scan held a marker value).
	 */
	static void addShifted(final Diffraction d, final int[] s, final float[] sum, final boolean[] bad, final boolean[] markers) {
		final Grid g = d.grid();
		for (int z = 0; z < g.nz; z++) {
			final int sz = z - s[0];
			for (int y = 0; y < g.ny; y++) {
				final int sy = y - s[1];
				for (int x = 0; x < g.nx; x++) {
					final int sx = x - s[2], t = g.index(z, y, x);
					if (sz < 0 || sz >= g.nz || sy < 0 || sy >= g.ny || sx < 0 || sx >= g.nx) {
						bad[t] = true;
						continue;
					}
					final int src = g.index(sz, sy, sx);
					if (d.isMeasured(src)) sum[t] += d.values.data[src];
					else {
						bad[t] = true;
						if (d.markers != null && d.markers.isUnmeasured(src)) markers[t] = true;
					}
				}
			}
		}
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
		final Path found = framesFolder(spec, scan);
		if (found != null) return found;
		final Path root = spec.toAbsolutePath().getParent();
		final String wanted = String.format(Locale.ROOT, "'*_S%04d' (or S%d with any number of leading zeros)", scan.number(), scan.number());
		throw new CdiException("No frames folder for " + scan.label() + " of SPEC file " + spec + ": looked for folders named " + wanted
			+ " holding .tif frames, up to " + SEARCH_DEPTH + " levels below " + root + " (APS 34-ID-C layout: AD<detector>_<experiment>/<spec name>_S"
			+ String.format(Locale.ROOT, "%04d", scan.number()) + "/). Give the frames folder as input=<folder> with spec=" + spec.getFileName() + ".");
	}

	/** The frames folder of {@link #findFrames}, or null when no folder is named after the scan; several: an error. */
	static Path framesFolder(final Path spec, final SpecFile.Scan scan) { return framesFolder(spec, scan, scanFolders(spec, scan.label())); }

	/** A folder name ending in S and the scan number (any leading zeros), not preceded by a digit: {@code Staff20-1a_S0054}. */
	private static final Pattern SCAN_FOLDER = Pattern.compile("(?i)(?:|.*[^0-9])S0*([0-9]{1,9})");

	/**
	 * The folders up to {@link #SEARCH_DEPTH} levels below the SPEC file's folder whose names end in S and a scan
	 * number, by that number, in one walk of the tree (a range of scans looks each up here instead of walking the
	 * experiment's frames once per scan).
	 *
	 * @param what what the search is for, in the message when the tree cannot be read
	 */
	static Map<Integer, List<Path>> scanFolders(final Path spec, final String what) {
		final Path root = spec.toAbsolutePath().getParent();
		final Map<Integer, List<Path>> byNumber = new java.util.HashMap<>();
		try (Stream<Path> s = Files.walk(root, SEARCH_DEPTH)) {
			s.filter(p -> !p.equals(root) && Files.isDirectory(p)).sorted(Comparator.comparing(Path::toString)).forEach(p -> {
				final java.util.regex.Matcher m = SCAN_FOLDER.matcher(p.getFileName().toString());
				if (m.matches()) byNumber.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(p);
			});
		} catch (final IOException | java.io.UncheckedIOException e) {
			throw new CdiException("Cannot search " + root + " for the frames of " + what + ": " + e.getMessage() + ".");
		}
		return byNumber;
	}

	/** {@link #framesFolder(Path, SpecFile.Scan)} among the folders {@link #scanFolders} found. */
	static Path framesFolder(final Path spec, final SpecFile.Scan scan, final Map<Integer, List<Path>> folders) {
		final List<Path> found = folders.getOrDefault(scan.number(), List.of()).stream().filter(Aps34idc::holdsTiffs).toList();
		if (found.size() == 1) return found.get(0);
		if (found.isEmpty()) return null;
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
