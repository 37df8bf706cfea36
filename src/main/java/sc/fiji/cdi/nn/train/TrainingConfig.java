package sc.fiji.cdi.nn.train;

import java.nio.file.Path;

import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.util.CdiException;

/**
 * Everything a training run needs. The one set of defaults ({@link #defaults}, used by Train Network and
 * {@link TrainMain}) is the configuration the bundled default 3D model was trained with (its model card): AutoPhaseNN's
 * schedule (Adam, the rate halved at regular epochs) scaled down for a CPU.
 *
 * @param architecture      the network
 * @param loss              {@link LossKind}
 * @param recipe            how the simulated crystals are drawn
 * @param trainSamples      number of training patterns (simulated once, kept in memory)
 * @param validationSamples number of held-out validation patterns (simulated with the following indices)
 * @param seed              seed of the data and of the weight initialisation
 * @param epochs            passes over the training set
 * @param batchSize         patterns per Adam step
 * @param learningRate      initial Adam learning rate
 * @param halveEvery        halve the learning rate every this many epochs (0 = never)
 * @param threads           CPU threads for PyTorch and the simulation
 * @param device            "auto", "cpu" or "gpu"
 * @param output            model folder to write ({@code checkpoint/} inside it for resuming)
 * @param name              model name for the card
 * @param init              start from these weights instead of random ones: a model folder or "3d"/"2d" (a bundled
 *                          default); same architecture; null: random (Xavier)
 */
public record TrainingConfig(Architecture architecture, LossKind loss, CrystalRecipe recipe, int trainSamples, int validationSamples, long seed,
	int epochs, int batchSize, double learningRate, int halveEvery, int threads, String device, Path output, String name, String init) {

	public TrainingConfig(final Architecture architecture, final LossKind loss, final CrystalRecipe recipe, final int trainSamples, final int validationSamples, final long seed,
		final int epochs, final int batchSize, final double learningRate, final int halveEvery, final int threads, final String device, final Path output, final String name) {
		this(architecture, loss, recipe, trainSamples, validationSamples, seed, epochs, batchSize, learningRate, halveEvery, threads, device, output, name, null);
	}

	/**
	 * The defaults of both training entry points: a {@code CDINN} network of input size 32, 8 base channels, depth 3,
	 * combined loss, {@link CrystalRecipe#defaults} data, 1600 training and 100 validation patterns (seed 1),
	 * 4 epochs of batch 16 at learning rate 2·10⁻³ halved every 2 epochs, all cores, device "auto", written to
	 * {@code cdi-model} — the configuration of the bundled default 3D model ({@code models/default-3d/model.json}).
	 */
	public static TrainingConfig defaults(final int rank) {
		return new TrainingConfig(new Architecture(Architecture.Kind.CDINN, rank, 32, 8, 3), LossKind.COMBINED, CrystalRecipe.defaults(rank),
			1600, 100, 1, 4, 16, 2e-3, 2, Runtime.getRuntime().availableProcessors(), "auto", Path.of("cdi-model"), null);
	}

	/** Which loss trains the network. */
	public enum LossKind {
		/** AutoPhaseNN's unsupervised |FFT| loss ({@link PhysicsLoss}); no ground truth needed. */
		PHYSICS,
		/** Amplitude L1 + phase (1 − cos Δφ) inside the true support, the better of truth and twin (CDI NN / 3D-CDI-NN style). */
		SUPERVISED,
		/** Sum of both. */
		COMBINED
	}

	public TrainingConfig {
		if (architecture == null) throw new CdiException("Training needs an architecture.");
		if (loss == null) throw new CdiException("Training needs a loss: PHYSICS, SUPERVISED or COMBINED.");
		if (trainSamples < 1) throw new CdiException("Training sample count must be at least 1, got " + trainSamples + ".");
		if (validationSamples < 0) throw new CdiException("Validation sample count must be >= 0, got " + validationSamples + ".");
		if (epochs < 1) throw new CdiException("Epoch count must be at least 1, got " + epochs + ".");
		if (batchSize < 1) throw new CdiException("Batch size must be at least 1, got " + batchSize + ".");
		if (!(learningRate > 0 && learningRate < 1)) throw new CdiException("Learning rate must be in (0, 1), got " + learningRate + ".");
		if (halveEvery < 0) throw new CdiException("Learning-rate halving period must be >= 0 epochs, got " + halveEvery + ".");
		if (threads < 1) throw new CdiException("Thread count must be at least 1, got " + threads + ".");
		threads = sc.fiji.cdi.util.Threads.resolve(threads); // the count used, as the model card records it
		if (output == null) throw new CdiException("Training needs an output model folder.");
		if (recipe == null) recipe = CrystalRecipe.defaults(architecture.rank());
		if (device == null) device = "auto";
		if (name == null || name.isBlank()) name = output.getFileName().toString();
	}

	/** Learning rate at an epoch (0-based): step schedule, halved every {@link #halveEvery} epochs (AutoPhaseNN). */
	public double learningRateAt(final int epoch) {
		return halveEvery == 0 ? learningRate : learningRate * Math.pow(0.5, epoch / halveEvery);
	}
}
