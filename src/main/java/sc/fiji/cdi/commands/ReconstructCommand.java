package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.nn.FineTuning;
import sc.fiji.cdi.nn.NnRefine;
import sc.fiji.cdi.nn.Predictor;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Plugins › CDI › Reconstruct: import a file or frame folder → preprocess → phase retrieval → amplitude, phase,
 * support, report and error plot in the output folder. The batch and cluster entry point.
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
		if (output_dir == null) throw new CdiException("Parameter 'output_dir' is missing: give the folder for the results.");
		final Path out = output_dir.toPath();
		ResultWriter.checkWritable(out);
		final Progress progress = progress();
		progress.status("Importing " + in.getFileName());
		final long t0 = System.nanoTime();
		final Diffraction data = DiffractionReader.read(in, Inputs.importOptions(quantity, dataset, dark_field, white_field, mask_file));
		final double importSeconds = (System.nanoTime() - t0) / 1e9;
		final int[] bin = Inputs.binning(binning);
		final PreprocessOptions prep = new PreprocessOptions(data_threshold,
			PreprocessOptions.Centring.valueOf(centring.trim().toUpperCase(Locale.ROOT)), Inputs.size(size, data.grid().is2D()), bin[0], bin[1], bin[2]);
		final boolean nn = switch (mode.trim().toLowerCase(Locale.ROOT)) {
			case "phasing" -> false;
			case "nn+refine", "nn" -> true;
			default -> throw new CdiException("mode='" + mode + "' is not known: expected 'phasing' or 'nn+refine'.");
		};
		if (!nn && fine_tune_steps > 0) log.warn("fine_tune_steps=" + fine_tune_steps + " applies to mode=nn+refine only: ignored in mode=phasing.");
		final Map<String, Object> extra = new LinkedHashMap<>();
		extra.put("input", in.toAbsolutePath().toString());
		extra.put("mode", nn ? "nn+refine" : "phasing");
		final ReconstructionPipeline.Outcome outcome;
		if (nn) {
			final String name = model.trim().equalsIgnoreCase("auto") ? (data.grid().is2D() ? "2d" : "3d") : model.trim();
			try (Predictor predictor = Predictor.load(name, device(device))) {
				extra.put("model", predictor.source());
				outcome = ReconstructionPipeline.runSeeded(data,
					new ReconstructionPipeline.Request(prep, NnRefine.parameters(phasingParameters()).withRecipe(refinement), backend, threadCount()),
					(pre, p) -> {
						if (fine_tune_steps > 0) {
							final FineTuning.Report r = FineTuning.run(predictor, List.of(pre), fine_tune_steps, FineTuning.DEFAULT_LEARNING_RATE, 1, progress);
							extra.put("fine_tuning", Map.of("steps", r.steps(), "learning_rate", r.learningRate(), "physics_loss_before", r.lossBefore(),
								"physics_loss_after", r.lossAfter(), "seconds", r.seconds()));
						}
						return NnRefine.initialGuess(predictor.predict(pre), pre);
					}, progress);
			}
		} else {
			outcome = ReconstructionPipeline.run(data,
				new ReconstructionPipeline.Request(prep, phasingParameters(), backend, threadCount(), random_starts), null, progress);
		}
		outcome.seconds().put("import", importSeconds);
		final List<Path> files = ResultWriter.write(out, Inputs.baseName(in), outcome, extra);
		final double final_chi2 = outcome.result().finalChi2();
		log.info(String.format(Locale.ROOT, "Reconstructed %s: %d iterations in %.1f s, final chi2 = %.4g; %d files in %s",
			in.getFileName(), outcome.result().iterations(), outcome.result().seconds(), final_chi2, files.size(), out.toAbsolutePath()));
		if (show) {
			amplitude = ImagePlusConverter.toImagePlus(outcome.result().object().amplitude(), Inputs.baseName(in) + " amplitude");
			phase = ImagePlusConverter.toImagePlus(outcome.result().object().phase(), Inputs.baseName(in) + " phase (rad)");
		}
	}
}
