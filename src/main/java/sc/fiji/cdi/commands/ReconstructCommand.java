package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.nn.NnRefine;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.workflow.Reconstruct;

/**
 * Plugins › CDI › Reconstruct: import a file or frame folder → preprocess → phase retrieval → amplitude, phase,
 * support, report and error plot in the output folder. The batch and cluster entry point. The work is
 * {@link Reconstruct}; this command maps its parameters (the macro keys) to a request and shows the result.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Reconstruct", headless = true)
public class ReconstructCommand extends PhasingCommand {

	@Parameter(label = "Diffraction file or folder of frames", style = "both", persist = false)
	private File input;

	@Parameter(label = "Output folder", style = "directory", persist = false)
	private File output_dir;

	@Parameter(label = "Data are", choices = { "intensity", "amplitude" }, persist = false)
	private String quantity = "intensity";

	@Parameter(label = "HDF5 dataset path", required = false, persist = false)
	private String dataset = ImportOptions.DEFAULT_HDF5_DATASET;

	@Parameter(label = "Dark field (frame folders; pixels > 1 are bad)", required = false, persist = false)
	private File dark_field;

	@Parameter(label = "White field (flat)", required = false, persist = false)
	private File white_field;

	@Parameter(label = "Mask file (non-zero = bad)", required = false, persist = false)
	private File mask_file;

	@Parameter(label = "Threshold (below → 0, data units)", persist = false, min = "0")
	private double data_threshold = PreprocessOptions.defaults().threshold();

	@Parameter(label = "Centre on", choices = { "max", "centre_of_mass", "none" }, persist = false)
	private String centring = PreprocessOptions.defaults().centre().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Binning (f or z,y,x)", persist = false)
	private String binning = "1";

	@Parameter(label = "Array size (auto, n or z,y,x)", persist = false)
	private String size = "auto";

	@Parameter(label = "Mode", choices = { "phasing", "nn+refine" }, persist = false,
		description = "phasing: the recipe from a random start; nn+refine: a network prediction seeds a short refinement (refinement)")
	private String mode = "phasing";

	@Parameter(label = "Network (nn+refine): auto, 3d, 2d or a model folder", persist = false)
	private String model = "auto";

	@Parameter(label = "Refinement recipe (nn+refine)", persist = false)
	private String refinement = NnRefine.DEFAULT_RECIPE;

	@Parameter(label = "Fine-tune the network on this pattern first (nn+refine; steps, 0 = no)", min = "0", persist = false,
		description = "AutoPhaseNN-style physics-loss fine-tuning on the measured pattern before the prediction; 50 at learning rate 1e-3 helps on data unlike the training crystals")
	private int fine_tune_steps = 0;

	@Parameter(label = "Network device", choices = { "auto", "cpu", "gpu" }, persist = false)
	private String device = "auto";

	@Parameter(label = "Show results", persist = false)
	private boolean show = false;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus amplitude;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus phase;

	@Override
	protected void execute() {
		final Path in = Inputs.existing(input, "input");
		final Path out = Reconstruct.outputFolder(output_dir == null ? null : output_dir.toPath());
		final int[] bin = Inputs.binning(binning);
		final Reconstruct.Request request = new Reconstruct.Request(in, Inputs.importOptions(quantity, dataset, dark_field, white_field, mask_file),
			new PreprocessOptions(data_threshold, PreprocessOptions.Centring.valueOf(centring.trim().toUpperCase(Locale.ROOT)), null, bin[0], bin[1], bin[2]),
			Inputs.size(size), Reconstruct.Mode.parse(mode), phasingParameters(), backend, threadCount(), random_starts, model, refinement,
			fine_tune_steps, device(device), out, Inputs.baseName(in));
		request.ignoredParameters().forEach(log::warn);
		final Reconstruct.Result r = Reconstruct.run(request, progress());
		final PhasingResult result = r.outcome().result();
		log.info(String.format(Locale.ROOT, "Reconstructed %s: %d iterations in %.1f s, final chi2 = %.4g; %d files in %s",
			in.getFileName(), result.iterations(), result.seconds(), result.finalChi2(), r.files().size(), out.toAbsolutePath()));
		if (show) {
			amplitude = ImagePlusConverter.toImagePlus(r.object().amplitude(), request.name() + " amplitude");
			phase = ImagePlusConverter.toImagePlus(r.object().phase(), request.name() + " phase (rad)");
		}
	}
}
