package sc.fiji.cdi.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Orthogonalizer;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.strain.StrainAnalysis;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.strain.StrainResult;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;
import sc.fiji.cdi.util.Version;
import sc.fiji.cdi.view.Figure;

/**
 * The Strain workflow without a user interface: a reconstruction (complex object, optional support) → displacement u
 * (nm) and strain ε along G ({@link StrainAnalysis}), in the array frame or, with a beamline geometry, after
 * orthogonalisation into the lab frame; then the statistics, the JSON report and, with an output folder,
 * {@code <name>_displacement.tif} (nm), {@code _strain.tif}, {@code _phase_unwrapped.tif} (radians),
 * {@code _strain_support.tif} (0/1), {@code _strain.png} (orthogonal slices through the support's centre of mass)
 * and {@code _strain_report.json}; NaN outside the support. The set is written to a hidden staging folder and moved
 * in at the end: all files or none.
 */
public final class Strain {

	/**
	 * @param name        base name of the result files and title of the figure
	 * @param object      the reconstructed complex object (amplitude, phase in radians)
	 * @param support     the crystal (null: amplitude ≥ {@link StrainAnalysis#DEFAULT_SUPPORT_THRESHOLD}·max)
	 * @param parameters  reflection, lattice constant, G direction, phase sign, ramp removal, voxel size (array frame)
	 * @param geometry    null: strain in the array frame; else orthogonalise into the lab frame first
	 * @param beamline    the geometry's name for the report (e.g. "34-ID-C")
	 * @param labVoxelNm  lab-frame voxel (nm); ≤ 0 = the finest detector-frame step ({@link #finestStep})
	 * @param outputDir   null: no files
	 * @param inputs      what the report records about the inputs (e.g. {@code amplitude_file}), in this order
	 * @param source      what the object was read from ({@link AtomicOutput#identity} of the amplitude file, or a label
	 *                    such as "image 'title'"), recorded in the manifest so that the strain of another reconstruction
	 *                    with the same name is not replaced ({@link AtomicOutput.ResultSet#input}); null records nothing
	 */
	public record Request(String name, ComplexVolume object, boolean[] support, StrainParameters parameters, BraggGeometry geometry,
		String beamline, double labVoxelNm, Path outputDir, Map<String, Object> inputs, String source) {

		/** A request that records no source. */
		public Request(final String name, final ComplexVolume object, final boolean[] support, final StrainParameters parameters, final BraggGeometry geometry,
			final String beamline, final double labVoxelNm, final Path outputDir, final Map<String, Object> inputs) {
			this(name, object, support, parameters, geometry, beamline, labVoxelNm, outputDir, inputs, null);
		}
	}

	/** @param files the files written (empty without an output folder) */
	public record Result(StrainResult strain, Map<String, Object> report, List<Path> files) {

		/** One line for the log: the support's size, the strain's mean and RMS (from the report), |G| and its direction. */
		public String summary() {
			final Map<?, ?> s = (Map<?, ?>) report.get("strain");
			return String.format(Locale.ROOT, "Strain of %s: %d voxels in the support, strain mean %.3e, RMS %.3e, |G| = %.4f rad/nm along %s (z,y,x)",
				report.get("name"), (Long) report.get("support_voxels"), s.get("mean"), s.get("rms"), strain.parameters().gNorm(), Arrays.toString(strain.parameters().gDirectionZyx()));
		}
	}

	private Strain() {}

	/** Checks, before any work, that the output folder (when given) can be created and written. */
	public static void checkOutput(final Path dir) {
		if (dir != null) ResultWriter.checkWritable(dir);
	}

	/**
	 * Checks, before any work, that the output folder (when given) can be written and does not hold the strain of
	 * another reconstruction with the same name ({@link AtomicOutput.ResultSet#requireSameInput}).
	 *
	 * @param source the object's identity ({@link Request#source}), null for none
	 */
	public static void checkOutput(final Path dir, final String name, final String source) {
		checkOutput(dir);
		if (dir != null) AtomicOutput.ResultSet.requireSameInput(dir, name + SET_SUFFIX, source);
	}

	/**
	 * As {@link #checkOutput(Path, String, String)}, and refuses an input file that writing the strain would replace
	 * ({@link ResultWriter#checkNotReplaced}: e.g. a previous strain run's {@code _phase_unwrapped.tif} given as
	 * {@code phase_file} with the same {@code output_dir}).
	 *
	 * @param files the input files by parameter ("phase_file")
	 */
	public static void checkOutput(final Path dir, final String name, final String source, final Map<String, Path> files) {
		checkOutput(dir, name, source);
		ResultWriter.checkNotReplaced(dir, name + SET_SUFFIX, fileNames(name), files);
	}

	/** What follows the reconstruction's name in the name of the strain's result set (its manifest: {@code <name>_strain_manifest.json}). */
	public static final String SET_SUFFIX = "_strain";

	/** What follows the reconstruction's name in each file of the strain's result set. */
	private static final String DISPLACEMENT = "_displacement.tif", STRAIN = "_strain.tif", UNWRAPPED = "_phase_unwrapped.tif", SUPPORT = "_strain_support.tif",
		FIGURE = "_strain.png", REPORT = "_strain_report.json";

	/** Those suffixes, the manifest's last. */
	static final List<String> FILE_SUFFIXES = List.of(DISPLACEMENT, STRAIN, UNWRAPPED, SUPPORT, FIGURE, REPORT, SET_SUFFIX + AtomicOutput.MANIFEST_SUFFIX);

	/** The files the strain of {@code name} writes. */
	static List<String> fileNames(final String name) {
		return FILE_SUFFIXES.stream().map(x -> name + x).toList();
	}

	public static Result run(final Request request, final Progress progress) {
		checkOutput(request.outputDir(), request.name(), request.source());
		progress.status("Strain of " + request.name());
		final BraggGeometry geo = request.geometry();
		final StrainResult r;
		double labVoxel = Double.NaN;
		if (geo == null) {
			r = StrainAnalysis.analyse(request.object(), request.support(), request.parameters());
		} else {
			// a rocking-curve geometry maps (rocking angle, detector y, detector x) to the lab: one frame has no angle axis
			if (request.object().grid.is2D())
				throw new CdiException("The object of " + request.name() + " is 2D (" + request.object().grid + ") but geometry" + (request.beamline() == null ? "" : "=\"" + request.beamline() + "\"")
					+ " describes a 3D rocking scan (rocking angle, detector y, detector x): expected a 3D object for the lab frame, or geometry=\"none\" for the strain of a 2D object in its array frame.");
			labVoxel = request.labVoxelNm() > 0 ? request.labVoxelNm() : finestStep(geo, request.object());
			try {
				r = StrainAnalysis.analyseInLabFrame(request.object(), request.support(), geo, labVoxel, request.parameters(), progress);
			} catch (final Orthogonalizer.GridTooLargeException e) {
				// name the key that set the voxel (the bare grid message left the user guessing)
				throw new CdiException(labVoxelChoice(request, labVoxel) + " is too small: " + e.what + "; give a larger lab_voxel_nm" + finestStepHint(geo, request.object()), e);
			}
		}
		if (!strainDefined(r)) {
			// NaN at every voxel: the statistics and maps would be NaN, written and reported as a result
			final long supportVoxels = Phaser.count(r.support());
			final String why = "the strain along G is undefined at every one of the " + supportVoxels + " voxel" + (supportVoxels == 1 ? "" : "s") + " of the "
				+ (geo == null ? "" : "lab-frame ") + "support (none has a neighbour in the support along G, so no phase gradient can be taken)";
			if (geo == null) throw new CdiException("Strain of " + request.name() + ": " + why + "; expected a support several voxels across along G: check the support file (or the reconstruction) and g_direction.");
			// a lab voxel about the crystal's size resampled it to a voxel or two
			throw new CdiException(labVoxelChoice(request, labVoxel) + " is too large for the crystal: " + why + "; give a smaller lab_voxel_nm" + finestStepHint(geo, request.object()));
		}
		final Map<String, Object> report = report(request, r, labVoxel);
		progress.checkCancelled();
		final List<Path> files = request.outputDir() == null ? List.of() : write(request.outputDir(), request.name(), request.source(), r, report);
		return new Result(r, report, files);
	}

	/** The lab voxel in the user's terms: the key they gave, or the default it came from. */
	private static String labVoxelChoice(final Request request, final double labVoxel) {
		return request.labVoxelNm() > 0 ? "lab_voxel_nm=" + request.labVoxelNm() : "The finest detector-frame step " + labVoxel + " nm";
	}

	/** What lab_voxel_nm=0 would give, for messages that ask for another value. */
	private static String finestStepHint(final BraggGeometry geo, final ComplexVolume object) {
		return " (0 = the finest detector-frame step, " + String.format(Locale.ROOT, "%.3g", finestStep(geo, object)) + " nm here).";
	}

	/** Whether the strain has a value at some voxel of the support (NaN elsewhere: no neighbour along G). */
	private static boolean strainDefined(final StrainResult r) {
		final float[] eps = r.strain().data;
		for (int i = 0; i < eps.length; i++) if (r.support()[i] && Float.isFinite(eps[i])) return true;
		return false;
	}

	/** The shortest lab-frame length of one detector-frame voxel step (nm): no detail is lost at this sampling. */
	public static double finestStep(final BraggGeometry geo, final ComplexVolume object) {
		final double[][] r = geo.directBasis(object.grid);
		double min = Double.POSITIVE_INFINITY;
		for (int j = 0; j < 3; j++) {
			if (object.grid.zyx()[j] == 1) continue;
			min = Math.min(min, Math.sqrt(r[0][j] * r[0][j] + r[1][j] * r[1][j] + r[2][j] * r[2][j]));
		}
		return min;
	}

	private static Map<String, Object> report(final Request request, final StrainResult r, final double labVoxel) {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", request.name());
		m.put("software", "CDI for Fiji " + Version.get());
		m.put("date", OffsetDateTime.now().toString());
		if (request.inputs() != null) m.putAll(request.inputs());
		m.put("input_grid_zyx", request.object().grid.zyx());
		m.put("grid_zyx", r.strain().grid.zyx());
		m.put("voxel_size_nm_zyx", r.parameters().voxelSizeNm());
		m.put("hkl", r.parameters().hkl());
		m.put("lattice_constant_nm", r.parameters().latticeConstantNm());
		m.put("d_spacing_nm", r.parameters().dSpacingNm());
		m.put("g_norm_rad_per_nm", r.parameters().gNorm());
		m.put("g_direction_zyx", r.parameters().gDirectionZyx());
		m.put("phase_sign", r.parameters().phaseSign());
		m.put("phase_convention", "G·u = phase_sign · φ; u = phase_sign·φ/|G|; forward FFT exp(−2πi k·r)");
		m.put("ramp_removal", r.parameters().rampRemoval().name().toLowerCase(Locale.ROOT));
		m.put("removed_ramp_rad_per_voxel_zyx", r.rampRadPerVoxel());
		m.put("removed_offset_rad", r.offsetRad());
		m.put("support_source", request.support() != null ? "support image" : "amplitude ≥ " + StrainAnalysis.DEFAULT_SUPPORT_THRESHOLD + "·max");
		final BraggGeometry geo = request.geometry();
		if (geo != null) {
			final Map<String, Object> g = new LinkedHashMap<>();
			g.put("beamline", request.beamline());
			g.putAll(geo.toReport()); // the Bragg vector and its d-spacing included (Reconstruct's: the peak pixel's)
			g.put("lab_voxel_nm", labVoxel);
			m.put("geometry", g);
		}
		m.put("support_voxels", Phaser.count(r.support()));
		m.put("strain", stats(r.strain()));
		m.put("displacement_nm", stats(r.displacement()));
		return m;
	}

	/** mean, RMS, min, max and 1st/99th percentiles of the finite values (inside the support). */
	public static Map<String, Double> stats(final RealVolume v) {
		final float[] f = finite(v.data);
		final Map<String, Double> m = new LinkedHashMap<>();
		double s = 0, s2 = 0;
		for (final float x : f) { s += x; s2 += (double) x * x; }
		Arrays.sort(f);
		m.put("mean", f.length > 0 ? s / f.length : Double.NaN);
		m.put("rms", f.length > 0 ? Math.sqrt(s2 / f.length) : Double.NaN);
		m.put("min", f.length > 0 ? (double) f[0] : Double.NaN);
		m.put("p01", f.length > 0 ? (double) f[(int) (0.01 * (f.length - 1))] : Double.NaN);
		m.put("p99", f.length > 0 ? (double) f[(int) Math.ceil(0.99 * (f.length - 1))] : Double.NaN);
		m.put("max", f.length > 0 ? (double) f[f.length - 1] : Double.NaN);
		return m;
	}

	private static float[] finite(final float[] a) {
		int k = 0;
		for (final float x : a) if (!Float.isNaN(x)) k++;
		final float[] f = new float[k];
		k = 0;
		for (final float x : a) if (!Float.isNaN(x)) f[k++] = x;
		return f;
	}

	/** One result set {@code <name>_strain} ({@link AtomicOutput.ResultSet}): complete with its manifest, or absent. */
	private static List<Path> write(final Path dir, final String name, final String source, final StrainResult r, final Map<String, Object> report) {
		try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(dir, name + SET_SUFFIX)) {
			set.input(source); // the strain of another reconstruction with the same name must not replace this one's
			TiffWriter.write(set.file(name + DISPLACEMENT), r.displacement());
			TiffWriter.write(set.file(name + STRAIN), r.strain());
			TiffWriter.write(set.file(name + UNWRAPPED), r.phase());
			final float[] sup = new float[r.support().length];
			for (int i = 0; i < sup.length; i++) sup[i] = r.support()[i] ? 1f : 0f;
			TiffWriter.write(set.file(name + SUPPORT), r.strain().with(sup));
			Figure.savePng(Figure.render(r.strain(), r.support(), Figure.Options.strain().withTitle(name + ": strain along G")), set.file(name + FIGURE));
			final List<String> names = new ArrayList<>();
			try (Stream<Path> s = Files.list(set.stagingFolder())) { s.forEach(p -> names.add(p.getFileName().toString())); }
			names.add(name + REPORT);
			report.put("files", names.stream().sorted().toList());
			Json.write(set.file(name + REPORT), report);
			return set.commit();
		} catch (final IOException e) {
			throw new CdiException("Cannot write the strain results into " + dir + ": " + e.getMessage());
		}
	}
}
