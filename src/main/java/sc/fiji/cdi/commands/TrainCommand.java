package sc.fiji.cdi.commands;

import java.io.File;
import java.util.Locale;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.train.NetworkTrainer;
import sc.fiji.cdi.nn.train.TrainMain;
import sc.fiji.cdi.nn.train.TrainingConfig;
import sc.fiji.cdi.util.CdiException;

/**
 * Plugins › CDI › Train Network: trains a phase-retrieval network on simulated crystals (physics-aware as
 * AutoPhaseNN, supervised as CDI NN, or both) and writes a model folder (weights, model card, loss history and
 * plot, a checkpoint per epoch; an interrupted run resumes from it when started again with the same parameters). Defaults reproduce the bundled 3D model
 * (docs/models.md: default-3d).
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Train Network", headless = true)
public class TrainCommand extends CdiCommand {

	/** The one set of training defaults, shared with {@link TrainMain}. */
	private static final TrainingConfig DEFAULTS = TrainingConfig.defaults(3);

	@Parameter(label = "Model folder to write", style = "directory", persist = false)
	private File output_dir;

	@Parameter(label = "Architecture", choices = { "cdinn", "light", "autophasenn" }, persist = false)
	private String architecture = DEFAULTS.architecture().kind().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Dimensions", choices = { "3", "2" }, persist = false)
	private String rank = "3";

	@Parameter(label = "Input size (32 or 64)", min = "8", max = "256", persist = false)
	private int input_size = DEFAULTS.architecture().inputSize();

	@Parameter(label = "Base channels", min = "1", max = "512", persist = false)
	private int base_channels = DEFAULTS.architecture().baseChannels();

	@Parameter(label = "Depth (levels)", min = "1", persist = false)
	private int depth = DEFAULTS.architecture().depth();

	@Parameter(label = "Loss", choices = { "combined", "physics", "supervised" }, persist = false)
	private String loss = DEFAULTS.loss().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Training patterns", min = "1", persist = false)
	private int train_samples = DEFAULTS.trainSamples();

	@Parameter(label = "Validation patterns", min = "0", persist = false)
	private int validation_samples = DEFAULTS.validationSamples();

	@Parameter(label = "Epochs", min = "1", persist = false)
	private int epochs = DEFAULTS.epochs();

	@Parameter(label = "Batch size", min = "1", persist = false)
	private int batch_size = DEFAULTS.batchSize();

	@Parameter(label = "Learning rate (Adam)", persist = false)
	private double learning_rate = DEFAULTS.learningRate();

	@Parameter(label = "Halve the rate every N epochs (0 = never)", min = "0", persist = false)
	private int halve_every = DEFAULTS.halveEvery();

	@Parameter(label = "Random seed", persist = false)
	private long seed = DEFAULTS.seed();

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" }, persist = false)
	private String device = DEFAULTS.device();

	@Parameter(label = "Threads (0 = all cores)", min = "0", persist = false)
	private int threads = 0;

	@Override
	protected void execute() {
		if (output_dir == null) throw new CdiException("Parameter 'output_dir' is missing: give the folder the model is written to.");
		final int r = Integer.parseInt(rank.trim());
		final Architecture arch = new Architecture(Architecture.Kind.valueOf(architecture.trim().toUpperCase(Locale.ROOT)), r, input_size, base_channels, depth);
		final TrainingConfig config = new TrainingConfig(arch, TrainingConfig.LossKind.valueOf(loss.trim().toUpperCase(Locale.ROOT)),
			CrystalRecipe.defaults(r), train_samples, validation_samples, seed, epochs, batch_size, learning_rate, halve_every,
			sc.fiji.cdi.util.Threads.resolve(threads > 0 ? threads : settings().threads()), device(device), output_dir.toPath(), null);
		log.info("Training: " + TrainMain.commandLine(config));
		log.info(NetworkTrainer.train(config, progress()).summary());
	}

	/** A cancelled training keeps its last checkpoint (a rerun with the same parameters resumes it). */
	@Override
	public String cancelledOutput() {
		final String kept = NetworkTrainer.keptCheckpoint(output_dir == null ? null : output_dir.toPath());
		return kept != null ? kept : super.cancelledOutput();
	}
}
