package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.nn.predict.NnRefine;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.workflow.Reconstruct;

/**
 * Plugins › CDI › Reconstruct: the open image, a file or a frame folder → preprocess → phase retrieval (or network
 * + refinement) → amplitude, phase, support, report and error plot in the output folder, and the amplitude and
 * phase shown in Fiji. The batch and cluster entry point. Dialog sections: Input and Preprocessing
 * ({@link DiffractionCommand}), Phasing ({@link PhasingCommand}), Network, Output. The work is
 * {@link Reconstruct}; this command maps its parameters (the macro keys) to a request and shows the result.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Reconstruct", headless = true)
public class ReconstructCommand extends PhasingCommand {

	@Parameter(label = "Support file (non-zero = inside; size of the phased array)", required = false, persist = false,
		description = "An initial support, e.g. a previous run's _support.tif; TIFF, NPY, EDF or HDF5 (dataset /support)")
	private File support_file;

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String network_section = section("Network (mode nn+refine)");

	@Parameter(label = "Mode", choices = { "auto", "phasing", "nn+refine" }, persist = false,
		description = "auto: nn+refine for 2D Bragg patterns of 128 to 256 pixels a side (where it was measured to win), phasing otherwise; phasing: the recipe from random starts; nn+refine: a network prediction seeds one refinement (refinement), about 1/5 of default phasing's iterations on grids up to 7.5 M voxels")
	private String mode = "auto";

	@Parameter(label = "Network (nn+refine): auto, 3d, 2d, 2d-128 or a model folder", persist = false)
	private String model = "auto";

	@Parameter(label = "Refinement (nn+refine): a recipe, or TRUNK | Nx BRANCH | POLISH", persist = false,
		description = "a plain recipe runs from the prediction; TRUNK | Nx BRANCH | POLISH runs the trunk, N branches each with its own free pixels held out, averages and polishes them, and keeps that or the plain trajectory, whichever has the lower chi2")
	private String refinement = NnRefine.DEFAULT_REFINEMENT;

	@Parameter(label = "Fine-tune the network on this pattern first (nn+refine; steps, 0 = no)", min = "0", persist = false,
		description = "AutoPhaseNN-style physics-loss fine-tuning on the measured pattern before the prediction; 50 at learning rate 1e-3 helps on data unlike the training crystals")
	private int fine_tune_steps = 0;

	@Parameter(label = "Network device", choices = { "auto", "cpu", "gpu" }, persist = false)
	private String device = "auto";

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String output_section = section("Output");

	@Parameter(label = "Output folder", style = "directory", persist = false, initializer = "recallLastUsed")
	private File output_dir;

	@Parameter(label = "Show amplitude and phase (in Fiji's window; not headless)", persist = false)
	private boolean show = true;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus amplitude;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus phase;

	@Override
	protected void execute() {
		final Source src = source();
		final Path out = Reconstruct.outputFolder(output_dir == null ? null : output_dir.toPath());
		Inputs.checkOutsideInput(out, src.file()); // before the import: results inside a frame folder would be read as frames
		final Path supportFile = Inputs.optional(support_file, "support_file"); // before the import: a typo must not cost the import's time
		final int[] bin = Inputs.binning(binning);
		final PhasingParameters parameters = phasingParameters(); // before the import too: a bad recipe or psf is refused at once
		// a file or folder is imported here, through its beamline (frames, detector region, corrections, geometry)
		final Beamline.Scan scanned = src.file() != null ? importScan(src) : null;
		final boolean same = size != null && size.trim().equalsIgnoreCase("same");
		final Diffraction data = scanned != null ? scanned.data() : read(src);
		final int[] arraySize = same ? sameSize(data.grid(), bin) : Inputs.size(size);
		final Reconstruct.Request request = new Reconstruct.Request(src.file(), importOptions(),
			new PreprocessOptions(dataThreshold(), centring(), null, bin[0], bin[1], bin[2]),
			arraySize, Reconstruct.Mode.parse(mode), parameters, backend, threadCount(), random_starts, model, refinement,
			fine_tune_steps, device(device), out, scanned != null ? scanned.name() : src.name(), data_kind, positivityChoice(),
			supportFile);
		request.ignoredParameters().forEach(log::warn);
		final Reconstruct.Result r = scanned != null ? Reconstruct.runScan(request, scanned, progress()) : Reconstruct.run(request, data, progress());
		final PhasingResult result = r.outcome().result();
		log.info(String.format(Locale.ROOT, "Reconstructed %s: %s in %.1f s, final chi2 = %.4g; %d files in %s",
			src.describe(), r.startsSummary(), result.seconds(), result.finalChi2(), r.files().size(), out.toAbsolutePath()));
		final String geometry = r.report().get("geometry") instanceof java.util.Map<?, ?> g ? sc.fiji.cdi.beamline.PeakPixelGeometry.describe(g) : null;
		if (geometry != null) log.info("Geometry of " + request.name() + ": " + geometry);
		// nn+refine: the network's start and its trust verdict belong in the log, not only in the report
		if (r.autoModeNote() != null) {
			if (r.autoModeFellBack()) log.warn(r.autoModeNote());
			else log.info(r.autoModeNote());
		}
		if (r.averageLastWarning() != null) log.warn(r.averageLastWarning());
		if (r.networkStartWarning() != null) log.warn(r.networkStartWarning());
		if (r.networkBinningAdvice() != null) log.warn("Network start: " + r.networkBinningAdvice());
		if (r.networkVerdict() != null) log.info("Network prediction (the refinement's start) from " + r.report().get("model") + ": " + r.networkVerdict());
		// outputs for a person (Fiji shows them) or a macro (open images to chain); a headless --run only writes files
		if (show && (interactive() || ij.IJ.isMacro())) {
			amplitude = ImagePlusConverter.toImagePlus(r.object().amplitude(), request.name() + " amplitude");
			phase = ImagePlusConverter.toImagePlus(r.object().phase(), request.name() + " phase (rad)");
			phase.setDisplayRange(-Math.PI, Math.PI);
		}
		rememberLastUsed();
	}

	@Override
	protected File outputFolder() { return output_dir; }

	@Override
	protected void setOutputFolder(final File folder) { output_dir = folder; }
}
