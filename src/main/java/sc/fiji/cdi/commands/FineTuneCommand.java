package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.nn.train.FineTuning;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.workflow.FineTune;

/**
 * Plugins › CDI › Fine-tune Network: adapts a trained network to measured patterns with the physics loss
 * (AutoPhaseNN; no ground truth needed) and writes the tuned network as a new model folder, which Predict (NN) and
 * Reconstruct (nn+refine) then take as their network ({@link FineTune}). The input model is not changed. The
 * patterns come from one of: the open image, {@code input} (a file or folder) or {@code pattern_folder}; giving both
 * keys is refused. No model is written into the data's folder, over another model, or when the tuning raised the loss.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Fine-tune Network", headless = true)
public class FineTuneCommand extends CdiCommand {

	@Parameter(label = "Open measured pattern (used when no file is given)", required = false, persist = false)
	private ImagePlus diffraction;

	@Parameter(label = "Or: measured pattern file", style = "open", required = false, persist = false)
	private File input;

	@Parameter(label = "Or: folder of patterns", style = "directory", required = false, persist = false)
	private File pattern_folder;

	@Parameter(label = "Data are", choices = { "intensity", "amplitude" }, persist = false)
	private String quantity = "intensity";

	@Parameter(label = Inputs.CLAMP_NEGATIVE_LABEL, persist = false, description = Inputs.CLAMP_NEGATIVE_DESCRIPTION)
	private boolean clamp_negative = false;

	@Parameter(label = "Network to start from: auto, 3d, 2d, 2d-128 or a model folder", persist = false)
	private String model = "auto";

	@Parameter(label = "Model folder to write", style = "directory", persist = false)
	private File output_dir;

	@Parameter(label = "Steps (Adam updates)", min = "1", persist = false)
	private int steps = FineTuning.DEFAULT_STEPS;

	@Parameter(label = "Learning rate", persist = false)
	private double learning_rate = FineTuning.DEFAULT_LEARNING_RATE;

	@Parameter(label = "Batch size", min = "1", persist = false)
	private int batch_size = 4;

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" }, persist = false)
	private String device = "auto";

	@Override
	protected void execute() {
		if (output_dir == null) throw new CdiException("Parameter 'output_dir' is missing: give the folder the tuned model is written to.");
		final Path out = output_dir.toPath();
		final Path file = Inputs.optional(input, "input");
		final Path folder = Inputs.optional(pattern_folder, "pattern_folder");
		if (file != null && folder != null)
			throw new CdiException("Both 'input' (" + file + ") and 'pattern_folder' (" + folder + ") are given; expected one of them: 'input' takes a file or a folder of patterns, "
				+ "'pattern_folder' a folder (to tune on several, put them in one folder).");
		final Path in = file != null ? file : folder;
		final String key = file != null ? "input" : "pattern_folder";
		if (in == null && diffraction == null)
			throw new CdiException("No pattern given: open a measured pattern, or give 'input' (a file or a folder of patterns) or 'pattern_folder'.");
		ResultWriter.checkNotInputFolder(out, in, key, "the tuned model");
		if (same(out, Path.of(model.trim()))) throw new CdiException("output_dir " + out + " is the model folder to start from: choose another folder, the input model is not changed.");
		FineTune.checkOutput(out); // before the patterns are read
		final List<Diffraction> data = new ArrayList<>();
		if (in != null) for (final Path p : Inputs.patternFiles(in, log::warn)) data.add(DiffractionReader.read(p, Inputs.importOptions(quantity, null, null, null, null, clamp_negative)));
		else data.add(Inputs.fromImage(diffraction, quantity, clamp_negative, "image '" + diffraction.getTitle() + "'"));
		log.info(FineTune.run(new FineTune.Request(data, model, device(device), steps, learning_rate, batch_size, out), progress()).summary());
	}

	private static boolean same(final Path a, final Path b) {
		return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
	}
}
