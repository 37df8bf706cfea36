package sc.fiji.cdi.commands;

import java.util.Locale;

import org.scijava.plugin.Parameter;

import sc.fiji.cdi.phasing.PhasingParameters.InitialSupport;
import sc.fiji.cdi.phasing.PhasingParameters.ShrinkWrapMethod;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.pipeline.DataKind;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;
import sc.fiji.cdi.util.CdiException;

/**
 * The phase-retrieval parameters shared by Phase Retrieval and Reconstruct (after the input and preprocessing
 * parameters of {@link DiffractionCommand} in the dialog). Field names are the macro keys;
 * defaults come from {@link PhasingParameters#defaults()} (cohere's 34-ID-C configuration), never repeated here.
 */
public abstract class PhasingCommand extends DiffractionCommand {

	private static final PhasingParameters DEFAULTS = PhasingParameters.defaults();

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String phasing_section = section("Phasing");

	@Parameter(label = "Recipe (cohere or PyNX syntax)", persist = false,
		description = "cohere: 3*(20*ER+180*HIO)+20*ER; PyNX: (Sup*ER**5*HIO**50)**10 (right to left); ER, HIO, RAAR, Sup, Twin, Avg")
	protected String recipe = DEFAULTS.recipe();

	@Parameter(label = "HIO β", persist = false, min = "0.01", max = "1.5", stepSize = "0.05")
	protected double hio_beta = DEFAULTS.hioBeta();

	@Parameter(label = "RAAR β", persist = false, min = "0.01", max = "0.99", stepSize = "0.05")
	protected double raar_beta = DEFAULTS.raarBeta();

	@Parameter(label = "Shrink-wrap σ (voxels)", persist = false, min = "0", max = "20")
	protected double shrink_wrap_sigma = DEFAULTS.shrinkWrapSigma();

	@Parameter(label = "Shrink-wrap threshold (fraction of max)", persist = false, min = "0.001", max = "0.999")
	protected double shrink_wrap_threshold = DEFAULTS.shrinkWrapThreshold();

	@Parameter(label = "Shrink-wrap threshold relative to", choices = { "max", "rms" }, persist = false,
		description = "max: cohere; rms: PyNX (rms of the blurred modulus inside the support)")
	protected String shrink_wrap_method = DEFAULTS.shrinkWrapMethod().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Shrink-wrap σ at the end (decays from σ)", persist = false, min = "0", max = "20")
	protected double shrink_wrap_sigma_end = DEFAULTS.shrinkWrapSigmaEnd();

	@Parameter(label = "Partial coherence (PSF)", persist = false,
		description = "none, or PyNX's psf syntax: gaussian,FWHM[,PERIOD], lorentzian,FWHM[,PERIOD], pseudo-voigt,FWHM,ETA[,PERIOD] (e.g. " + sc.fiji.cdi.phasing.PartialCoherence.Psf.RECOMMENDED + "; FWHM in pixels of the phased array, the kernel refined every PERIOD iterations, default 5, 0 = fixed): the intensity modelled as |F|² blurred by the kernel, from the first iteration on")
	protected String psf = "none";

	@Parameter(label = "Positivity (auto: on for 2D forward CDI)", choices = { "auto", "true", "false" }, persist = false)
	protected String positivity = "auto";

	@Parameter(label = "Data kind (defaults)", choices = { "auto", "bragg", "forward" }, persist = false,
		description = "auto: 2D with a beam stop = forward CDI (beam stop masked, positivity, PyNX-like recipe), otherwise Bragg CDI (cohere)")
	protected String data_kind = "auto";

	@Parameter(label = "Shrink-wrap every N iterations (0 = never)", persist = false, min = "0")
	protected int shrink_wrap_period = DEFAULTS.shrinkWrapPeriod();

	@Parameter(label = "Initial support", choices = { "box", "autocorrelation", "autocorrelation_box" }, persist = false)
	protected String initial_support = DEFAULTS.initialSupport().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Initial box (fraction of each axis)", persist = false, min = "0.01", max = "1")
	protected double support_box_fraction = DEFAULTS.supportBoxFraction();

	@Parameter(label = "Twin removal (cohere, iteration 2)", persist = false)
	protected boolean twin_removal = DEFAULTS.twinRemoval();

	@Parameter(label = "Average the last N iterates", persist = false, min = "0")
	protected int average_last = DEFAULTS.averageLast();

	@Parameter(label = "Random seed", persist = false)
	protected long seed = DEFAULTS.seed();

	@Parameter(label = "Random starts (0 = automatic from the data size)", persist = false, min = "0",
		description = "ranked by the free log-likelihood on 5 % held-out pixels; the best half averaged after alignment; PRTF resolution in the report")
	protected int random_starts = 0;

	@Parameter(label = "Compute backend", choices = { "auto", "jtransforms", "fftw", "djl" }, persist = false)
	protected String backend = "auto";

	@Parameter(label = "Threads (0 = Edit > Options > CDI setting)", persist = false, min = "0")
	protected int threads = 0;

	/**
	 * The {@code threads} parameter, or the CDI options' thread count when it is 0; capped at the available processors
	 * (more threads only slow the phasing down), with a note in the log when capped.
	 */
	protected int threadCount() {
		final boolean stored = threads <= 0;
		final int asked = stored ? settings().threads() : threads;
		final String note = sc.fiji.cdi.util.Threads.capNote(stored ? "Edit > Options > CDI threads" : "threads", asked, "phasing uses");
		if (note != null) log.info(note.replaceFirst("\\.$", "") + " (recorded in the report as 'threads').");
		return ReconstructionPipeline.threads(asked);
	}

	/** The parameters as given (positivity "auto" = off; {@link DataKind#adapt} applies the kind's defaults). */
	protected PhasingParameters phasingParameters() {
		return new PhasingParameters(recipe, hio_beta, raar_beta, shrink_wrap_sigma, shrink_wrap_threshold, shrink_wrap_period,
			InitialSupport.parse(initial_support, "initial_support"), support_box_fraction, twin_removal, average_last, seed,
			"true".equalsIgnoreCase(positivity()), ShrinkWrapMethod.parse(shrink_wrap_method, "shrink_wrap_method"), shrink_wrap_sigma_end, psf);
	}

	/** {@code positivity}: null for auto (the data kind's default), else the value. */
	protected Boolean positivityChoice() {
		final String p = positivity();
		return p.equals("auto") ? null : Boolean.valueOf(p);
	}

	private String positivity() {
		final String p = positivity == null ? "auto" : positivity.trim().toLowerCase(Locale.ROOT);
		if (!p.equals("auto") && !p.equals("true") && !p.equals("false"))
			throw new CdiException("positivity='" + positivity + "' is not known: expected auto, true or false.");
		return p;
	}
}
