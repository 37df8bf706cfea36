package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;

import org.scijava.ItemVisibility;
import org.scijava.plugin.Parameter;

import ij.ImagePlus;
import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.workflow.Reconstruct;

/**
 * Commands that start from one diffraction pattern — the open image, a file, or a folder of detector frames — and
 * preprocess it (Reconstruct, Phase Retrieval). These parameters are declared here, above the phasing parameters,
 * because SciJava lists a superclass's parameters first: the dialog opens with what to reconstruct, then the
 * sections Input, Preprocessing, Phasing, and the subclass's own (Network, Output). Section headers are MESSAGE
 * items: shown in the dialog, never macro keys. The last input and output folder are remembered for the dialog only
 * ({@link #recallLastUsed}): a macro or a headless run sees the defaults, as before.
 */
public abstract class DiffractionCommand extends CdiCommand {

	private static final PreprocessOptions PREP = PreprocessOptions.defaults();

	/** A section header in the dialog. */
	static String section(final String title) { return "<html><b>" + title + "</b></html>"; }

	@Parameter(visibility = ItemVisibility.MESSAGE, required = false, persist = false)
	private final String input_section = section("Input — the open image, a file, or a folder of frames");

	@Parameter(label = "Open diffraction image (used when no file or folder is given)", required = false, persist = false)
	protected ImagePlus diffraction;

	@Parameter(label = "Or: diffraction file (TIFF, NPY, HDF5/CXI, EDF)", style = "open", required = false, persist = false,
		initializer = "recallLastUsed", description = "A file; a folder of frames can also be given here in a macro (input=[/data/scan54/])")
	protected File input;

	@Parameter(label = "Or: folder of detector frames", style = "directory", required = false, persist = false)
	protected File frame_folder;

	@Parameter(label = "Beamline", choices = { "auto", "none", "aps-34idc", "esrf-id01" }, persist = false,
		description = "auto: a SPEC file (with scan=) or a frame folder with spec= is read as APS 34-ID-C, a BLISS HDF5 file (with scan=) as ESRF ID01; none: the generic reader")
	protected String beamline = "auto";

	@Parameter(label = "SPEC file (with a frame folder)", required = false, persist = false)
	protected File spec;

	@Parameter(label = "Scan number (SPEC)", required = false, persist = false)
	protected String scan = "";

	@Parameter(label = "Frames' detector region minX,sizeX,minY,sizeY (empty = the beamline's or none)", required = false, persist = false,
		description = "Dark/flat/mask of the whole detector are cut to it; larger frames are cropped to it (any beamline, any format)")
	protected String roi = "";

	@Parameter(label = "Direct beam pixel row,column (empty = the detector's centre)", required = false, persist = false,
		description = "The pixel of the whole, unbinned detector the detector arm points at (bcdi's direct_beam at zero detector angles); the geometry is taken at the Bragg peak's pixel from it")
	protected String direct_beam = "";

	@Parameter(label = "Bad detector pixels", choices = { "auto", "masked", "zero" }, persist = false,
		description = "auto: the beamline's rule (APS 34-ID-C: zero, as cohere), else masked; masked: unmeasured, left free by the phasing; zero: measured zero counts")
	protected String bad_pixels = "auto";

	@Parameter(label = "Data are", choices = { "intensity", "amplitude" }, persist = false)
	protected String quantity = "intensity";

	@Parameter(label = "HDF5 dataset path", required = false, persist = false)
	protected String dataset = ImportOptions.DEFAULT_HDF5_DATASET;

	@Parameter(label = "Dark field (frame folders; pixels > 1 are bad)", required = false, persist = false)
	protected File dark_field;

	@Parameter(label = "White field (flat)", required = false, persist = false)
	protected File white_field;

	@Parameter(label = "Mask file (non-zero = bad; TIFF, NPY, EDF, HDF5 /mask)", required = false, persist = false)
	protected File mask_file;

	@Parameter(label = Inputs.CLAMP_NEGATIVE_LABEL, persist = false, description = Inputs.CLAMP_NEGATIVE_DESCRIPTION)
	protected boolean clamp_negative = false;

	@Parameter(visibility = ItemVisibility.MESSAGE, required = false, persist = false)
	private final String preprocessing_section = section("Preprocessing");

	@Parameter(label = "Threshold (at or below → 0, data units; auto = the beamline's noise floor)", persist = false,
		description = "auto: the beamline's detector noise floor (APS 34-ID-C: 2 counts, as cohere), 0 for other data; or a number ≥ 0")
	protected String data_threshold = "auto";

	@Parameter(label = "Centre on", choices = { "max", "centre_of_mass", "symmetry", "none" }, persist = false)
	protected String centring = PREP.centre().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Binning (f or z,y,x)", persist = false)
	protected String binning = "1";

	@Parameter(label = "Array size (auto, same, n or z,y,x)", persist = false,
		description = "auto: FFT-friendly size around the data; same: the data's own size; n: a cube; z,y,x: each axis")
	protected String size = "auto";

	/** The pattern's source in words and as an output base name. */
	protected record Source(Path file, String name, String describe) {}

	/**
	 * The file or folder when one is given, else the open image; an error naming the keys when none or both of
	 * {@code input} and {@code frame_folder} are given (one would be silently ignored). The open image is only the
	 * fallback: Fiji fills {@code diffraction} with the active image whatever else is given.
	 */
	protected Source source() {
		if (given(input) && given(frame_folder))
			throw new CdiException("input=" + input + " and frame_folder=" + frame_folder + " are both given: expected one source only "
				+ "(input=<file> or input=<folder>, or frame_folder=<folder>).");
		final Path file = Inputs.notOwnResult(Inputs.optional(input, "input"), "input");
		final Path folder = file != null ? null : Inputs.optional(frame_folder, "frame_folder");
		final Path p = file != null ? file : folder;
		if (p != null) return new Source(p, Inputs.baseName(p), p.toAbsolutePath().toString());
		if (diffraction != null) return new Source(null, Inputs.baseName(Path.of(diffraction.getTitle().replace('/', '_'))), "image '" + diffraction.getTitle() + "'");
		throw new CdiException("No diffraction data given: open a diffraction image, or give 'input' (a file) or 'frame_folder' (a folder of detector frames).");
	}

	private static boolean given(final File f) { return f != null && !f.getPath().isBlank(); }

	/**
	 * Imports a file or folder source through its beamline ({@code beamline}, {@code spec}, {@code scan},
	 * {@code roi}): frames, corrections and, for a beamline scan, the geometry; bad pixels as {@code bad_pixels} says.
	 */
	protected Beamline.Scan importScan(final Source s) {
		final Beamline.Scan b = Inputs.importData(s.file(), beamline, spec, scan, roi, direct_beam, importOptions());
		rules = b.rules();
		warnOfMarkers(b.data(), clamp_negative);
		logCombinedScans(b.data());
		return b.withData(Inputs.badPixels(b.data(), bad_pixels, rules));
	}

	/** The import parameters as core options (quantity, dataset, dark/white field, mask, clamp_negative). */
	protected ImportOptions importOptions() {
		return Inputs.importOptions(quantity, dataset, dark_field, white_field, mask_file, clamp_negative);
	}

	/** The rules of the beamline the data came through ({@code auto} values), generic for an open image. */
	private Beamline.DataRules rules = Beamline.DataRules.GENERIC;

	/** {@code data_threshold} as a number: {@code auto} is the imported beamline's noise floor (0 for generic data). */
	protected double dataThreshold() { return Inputs.threshold(data_threshold, rules); }

	/** Reads the source: the file/folder through {@link #importScan}, or the open image through the same corrections ({@link Inputs#fromImage}). */
	protected Diffraction read(final Source s) {
		if (s.file() != null) return importScan(s).data();
		// the open image is one pattern already in memory: a SPEC file or scan number would be silently ignored
		if (spec != null && !spec.getPath().isBlank() || scan != null && !scan.isBlank())
			throw new CdiException("spec=/scan= read a scan from a file or folder, but the data are the open image '" + diffraction.getTitle()
				+ "': expected input=<file>.spec scan=<n>, or input=<frames folder> spec=<SPEC file> scan=<n>, or no spec=/scan=.");
		// the import's corrections apply to the open image too (a mask file, dark/white field or roi was ignored before)
		final Diffraction d = Inputs.fromImage(diffraction, importOptions().withRoi(DetectorRegion.parse(roi, "roi")), s.describe());
		warnOfMarkers(d, clamp_negative);
		return Inputs.badPixels(d, bad_pixels, rules);
	}

	/** The centring parameter as the core's enum; an error naming the value otherwise. */
	protected PreprocessOptions.Centring centring() {
		try {
			return PreprocessOptions.Centring.valueOf(centring.trim().toUpperCase(Locale.ROOT));
		} catch (final IllegalArgumentException e) {
			throw new CdiException("centring='" + centring + "' is not known: expected max, centre_of_mass, symmetry or none.");
		}
	}

	/** {@code size=same}: the data's own size after binning, as (y, x) for 2D data or (z, y, x). */
	static int[] sameSize(final Grid g, final int[] bin) {
		final int z = Math.max(1, g.nz / bin[0]), y = Math.max(1, g.ny / bin[1]), x = Math.max(1, g.nx / bin[2]);
		return g.is2D() ? new int[] { y, x } : new int[] { z, y, x };
	}

	/** The preprocessing parameters for these data ({@code size=same}: {@link #sameSize}). */
	protected PreprocessOptions preprocessing(final Diffraction d) {
		final int[] bin = Inputs.binning(binning);
		final boolean same = size != null && size.trim().equalsIgnoreCase("same");
		final Grid target = Reconstruct.targetSize(same ? sameSize(d.grid(), bin) : Inputs.size(size), d.grid().is2D());
		return new PreprocessOptions(dataThreshold(), centring(), target, bin[0], bin[1], bin[2]);
	}

	/** The subclass's output folder, remembered with the input for the dialog (null: none). */
	protected abstract File outputFolder();

	protected abstract void setOutputFolder(File folder);

	private static final String LAST_INPUT = "last_input", LAST_FOLDER = "last_frame_folder", LAST_OUTPUT = "last_output_dir";

	/**
	 * Fills input, frame folder and output folder with the last ones used in a dialog — only when the dialog is shown
	 * to a person: never in a macro (Fiji runs initializers in macro mode too) and never headless, so what a macro or
	 * a cluster job does never depends on an earlier session. (SciJava's own persist=true would do the same for
	 * macros, which is why every parameter here has persist=false.)
	 */
	protected void recallLastUsed() {
		if (!interactive() || prefService == null) return;
		if (input == null && frame_folder == null) {
			final String in = prefService.get(getClass(), LAST_INPUT, null), folder = prefService.get(getClass(), LAST_FOLDER, null);
			if (in != null) input = new File(in);
			else if (folder != null) frame_folder = new File(folder);
		}
		if (outputFolder() == null) {
			final String out = prefService.get(getClass(), LAST_OUTPUT, null);
			if (out != null) setOutputFolder(new File(out));
		}
	}

	/** Remembers this run's input and output for the next dialog (interactive runs only). */
	protected void rememberLastUsed() {
		if (!interactive() || prefService == null) return;
		if (input != null) prefService.put(getClass(), LAST_INPUT, input.getAbsolutePath());
		else prefService.remove(getClass(), LAST_INPUT);
		if (frame_folder != null) prefService.put(getClass(), LAST_FOLDER, frame_folder.getAbsolutePath());
		if (outputFolder() != null) prefService.put(getClass(), LAST_OUTPUT, outputFolder().getAbsolutePath());
	}
}
