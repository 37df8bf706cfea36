package sc.fiji.cdi.nn.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.model.Networks;
import sc.fiji.cdi.nn.predict.Symmetry;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;
import sc.fiji.cdi.util.Progress;

/**
 * Trains a phase-retrieval network on simulated crystals and writes a model folder ({@link ModelFolder}) with a
 * loss history ({@code history.csv}) and a loss plot ({@code loss.png}), both written with the model, and a
 * per-epoch checkpoint ({@code checkpoint/}: weights, state, the history and plot so far) from which an interrupted or
 * cancelled run resumes when started again with the same configuration. The checkpoint records the whole training
 * configuration ({@link #settings}); a run with another configuration is refused (it would have trained something
 * else than its model card says), and a run whose checkpoint is already finished and written leaves the folder as it
 * is. Adam with AutoPhaseNN's step schedule; a fresh {@link NDManager} per step keeps native memory flat.
 * The optimizer's moments are not checkpointed: a resumed run restarts Adam's moment estimates from the saved weights.
 */
public final class NetworkTrainer {

	/** One line of the training history. */
	public record EpochRecord(int epoch, double trainLoss, double validationLoss, double validationAmplitudeCorrelation, double learningRate, double seconds) {}

	/** Live updates for a plot; called on the training thread. */
	public interface Listener {
		default void batch(final int epoch, final int batch, final int batches, final double loss) {}
		default void epoch(final EpochRecord last, final List<EpochRecord> history) {}
	}

	/**
	 * What a training run did.
	 *
	 * @param folder      the model folder
	 * @param epochsRun   epochs trained by this run (0: the checkpoint was already finished)
	 * @param epochs      epochs of the whole training
	 * @param modelWritten whether this run wrote the model (false: it was already there, from the same training)
	 */
	public record Result(Path folder, int epochsRun, int epochs, boolean modelWritten) {

		/** One line for the log. */
		public String summary() {
			if (!modelWritten) return "Nothing left to train: " + folder.toAbsolutePath() + " already holds the model of this training (" + epochs
				+ " epoch(s), checkpoint finished); the folder is left as it is. To train again, choose another output folder or delete " + folder.resolve(CHECKPOINT) + ".";
			return "Model written to " + folder.toAbsolutePath() + " (model.json, weights, history.csv, loss.png)"
				+ (epochsRun < epochs ? "; " + (epochs - epochsRun) + " of its " + epochs + " epoch(s) came from the checkpoint" : "") + ".";
		}
	}

	/** The checkpoint folder inside a model folder. */
	public static final String CHECKPOINT = ModelFolder.CHECKPOINT;

	/** What {@code checkpoint/state.json} holds. */
	static final class State {
		Architecture architecture;
		String loss;
		long seed;
		/** The training configuration ({@link #settings}); null in checkpoints of older versions. */
		java.util.Map<String, String> settings;
		int epochsDone;
		List<EpochRecord> history = new ArrayList<>();
		double seconds;
	}

	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

	private NetworkTrainer() {}

	public static Result train(final TrainingConfig c, final Progress progress) { return train(c, progress, new Listener() {}); }

	/**
	 * Runs (or resumes) the training. The output folder is checked first (before any simulation), then its checkpoint:
	 * one of another configuration is refused, naming the settings that differ; without a checkpoint, a folder that
	 * holds a model or part of one ({@link ModelFolder#requireNoModel}) is refused, so no model is replaced.
	 */
	public static Result train(final TrainingConfig c, final Progress progress, final Listener listener) {
		final long t0 = System.nanoTime();
		final Path ckpt = c.output().resolve(CHECKPOINT);
		State state = readState(ckpt);
		if (state != null) requireSameTraining(c, state, ckpt);
		// without a checkpoint of its own the folder must hold no model: another training's would be replaced by this one
		else ModelFolder.requireNoModel(c.output(), "the trained model (or a checkpoint of this training, to resume it)");
		if (state != null && state.epochsDone >= c.epochs() && written(c, state)) {
			progress.status("Nothing left to train: " + c.output() + " already holds the model of this training");
			return new Result(c.output(), 0, c.epochs(), false);
		}
		ResultWriter.checkWritable(c.output());
		DjlRuntime.init(null);
		DjlRuntime.setThreads(c.threads(), 1);
		final Engine engine = DjlRuntime.engine();
		final Device device = DjlRuntime.device(c.device());
		engine.setRandomSeed((int) c.seed());
		final Architecture arch = c.architecture();
		final int n = arch.inputSize();
		final Grid grid = arch.rank() == 3 ? Grid.cube(n) : Grid.of2D(n, n);

		final boolean left = state == null || state.epochsDone < c.epochs();
		// the crystals are kept for every epoch: refused before the simulation, not an OutOfMemoryError half-way through it
		if (left) MemoryGuard.require(TrainingData.bytes(grid, c.trainSamples() + c.validationSamples(), c.recipe().gaps()),
			"the training data, " + (c.trainSamples() + c.validationSamples()) + " simulated crystals (train_samples + validation_samples) on a " + grid + " grid kept for every epoch",
			"give fewer train_samples or validation_samples, or a smaller input_size");
		if (left) progress.status("Simulating " + (c.trainSamples() + c.validationSamples()) + " crystals on " + grid + "…");
		final List<TrainingData.Sample> train = left ? TrainingData.generate(grid, c.recipe(), c.seed(), 0, c.trainSamples(), c.threads(), progress) : List.of();
		final List<TrainingData.Sample> val = left ? TrainingData.generate(grid, c.recipe(), c.seed(), c.trainSamples(), c.validationSamples(), c.threads(), progress) : List.of();
		final Batches batches = new Batches(grid, arch.sampleShape());

		final int firstEpoch = state == null ? 0 : state.epochsDone;
		final Block block = Networks.build(arch);
		final int[] epochNow = { 0 };
		final Tracker lr = numUpdate -> (float) c.learningRateAt(epochNow[0]);
		try (Model model = Model.newInstance(c.name(), device, DjlRuntime.PYTORCH)) {
			model.setBlock(block);
			// the weights are in place before the trainer exists, as in DJL's transfer learning: weights loaded into
			// a block a trainer already holds were not the ones it optimised (a warm start of 29 Nov kept its loss
			// at 0.3320 for 4 epochs)
			prepareBlock(block, batches.shape(1), model.getNDManager());
			if (state != null) {
				state.settings.put("epochs", Integer.toString(c.epochs())); // the same or more (requireSameTraining)
				loadWeights(block, ckpt.resolve(ModelFolder.WEIGHTS), model.getNDManager());
				progress.status("Resuming after epoch " + state.epochsDone + " from " + ckpt);
			} else {
				if (c.init() != null) {
					initialWeights(block, c.init(), arch, model.getNDManager());
					progress.status("Starting from the weights of " + c.init());
				}
				state = new State();
				state.architecture = arch;
				state.loss = c.loss().name();
				state.seed = c.seed();
				state.settings = settings(c);
			}
			attachGradients(block);
			final DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l1Loss()) // the loss object is unused: losses are computed below
				.optOptimizer(Optimizer.adam().optLearningRateTracker(lr).optClipGrad(CLIP_GRADIENT).build())
				.optDevices(new Device[] { device });
			try (Trainer trainer = model.newTrainer(tc)) {
				final int stepsPerEpoch = (c.trainSamples() + c.batchSize() - 1) / c.batchSize();
				final long totalSteps = (long) stepsPerEpoch * c.epochs();
				final long runStart = System.nanoTime();
				long stepsThisRun = 0;
				for (int epoch = state.epochsDone; epoch < c.epochs(); epoch++) {
					epochNow[0] = epoch;
					final long e0 = System.nanoTime();
					final List<Integer> order = new ArrayList<>();
					for (int i = 0; i < train.size(); i++) order.add(i);
					java.util.Collections.shuffle(order, new Random(c.seed() * 31 + epoch));
					double sum = 0;
					for (int b = 0; b < stepsPerEpoch; b++) {
						progress.checkCancelled();
						final List<TrainingData.Sample> batch = new ArrayList<>();
						for (int k = b * c.batchSize(); k < Math.min(train.size(), (b + 1) * c.batchSize()); k++) batch.add(train.get(order.get(k)));
						final double loss = step(trainer, batches, batch, c.loss());
						if (!Double.isFinite(loss)) throw new CdiException("Training diverged at epoch " + (epoch + 1) + ", batch " + (b + 1) + " (loss " + loss + "): lower the learning rate (now " + c.learningRateAt(epoch) + ").");
						sum += loss * batch.size();
						stepsThisRun++;
						final long done = (long) epoch * stepsPerEpoch + b + 1;
						final double perStep = (System.nanoTime() - runStart) / 1e9 / stepsThisRun;
						progress.progress(done, totalSteps);
						progress.status(String.format("Epoch %d/%d, batch %d/%d, loss %.4f, ETA %s", epoch + 1, c.epochs(), b + 1, stepsPerEpoch, loss, eta(perStep * (totalSteps - done))));
						listener.batch(epoch, b, stepsPerEpoch, loss);
					}
					final double[] v = validate(block, batches, val, c.loss(), c.batchSize(), trainer.getManager());
					final EpochRecord rec = new EpochRecord(epoch + 1, sum / train.size(), v[0], v[1], c.learningRateAt(epoch), (System.nanoTime() - e0) / 1e9);
					state.history.add(rec);
					state.epochsDone = epoch + 1;
					state.seconds += rec.seconds();
					writeCheckpoint(ckpt, block, state);
					writeHistory(ckpt, state.history); // the model folder gets its history with the model

					listener.epoch(rec, state.history);
					progress.status(String.format("Epoch %d/%d: training loss %.4f, validation loss %.4f, validation amplitude correlation %.3f", epoch + 1, c.epochs(), rec.trainLoss(), rec.validationLoss(), rec.validationAmplitudeCorrelation()));
				}
				final ModelCard card = card(c, block, state, device);
				// the history first, the card (ModelFolder.save: weights, then model.json) last: a run killed before the card
				// is written again by the next one (written() is false); killed after it, history.csv was left out for good
				writeHistory(c.output(), state.history);
				ModelFolder.save(c.output(), block, card);
				progress.status(String.format("Model written to %s (%.0f s)", c.output(), (System.nanoTime() - t0) / 1e9));
				return new Result(c.output(), c.epochs() - firstEpoch, c.epochs(), true);
			}
		}
	}

	/**
	 * The training configuration a checkpoint must match to be resumed, by Train Network's parameter names: everything
	 * that changes the weights or the model card's record of the training (not the threads, device or name). Only
	 * {@code epochs} may grow: the data and the per-epoch schedule do not depend on it, so more epochs extend the run.
	 */
	static java.util.Map<String, String> settings(final TrainingConfig c) {
		final java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
		final Architecture a = c.architecture();
		m.put("architecture", a.kind().name().toLowerCase(java.util.Locale.ROOT));
		m.put("rank", Integer.toString(a.rank()));
		m.put("input_size", Integer.toString(a.inputSize()));
		m.put("base_channels", Integer.toString(a.baseChannels()));
		m.put("depth", Integer.toString(a.depth()));
		m.put("central_window", Boolean.toString(a.centralWindow()));
		m.put("loss", c.loss().name().toLowerCase(java.util.Locale.ROOT));
		m.put("train_samples", Integer.toString(c.trainSamples()));
		m.put("validation_samples", Integer.toString(c.validationSamples()));
		m.put("seed", Long.toString(c.seed()));
		m.put("epochs", Integer.toString(c.epochs()));
		m.put("batch_size", Integer.toString(c.batchSize()));
		m.put("learning_rate", Double.toString(c.learningRate()));
		m.put("halve_every", Integer.toString(c.halveEvery()));
		m.put("init", String.valueOf(c.init()));
		flatten("recipe", GSON.toJsonTree(c.recipe()), m);
		return m;
	}

	private static void flatten(final String prefix, final com.google.gson.JsonElement e, final java.util.Map<String, String> m) {
		if (e.isJsonObject()) for (final var f : e.getAsJsonObject().entrySet()) flatten(prefix + "." + f.getKey(), f.getValue(), m);
		else m.put(prefix, e.isJsonNull() ? "null" : e.isJsonPrimitive() ? e.getAsString() : e.toString());
	}

	/** Refuses a checkpoint of another configuration (or of an older version, which did not record it), listing what differs. */
	static void requireSameTraining(final TrainingConfig c, final State state, final Path ckpt) {
		final String fresh = " To start afresh, choose another output_dir or delete " + ckpt + ".";
		if (state.settings == null)
			throw new CdiException("The checkpoint " + ckpt + " was written by an older version that did not record its training configuration, so it cannot be resumed safely." + fresh);
		final java.util.Map<String, String> now = settings(c);
		final List<String> differ = new ArrayList<>();
		final java.util.Set<String> keys = new java.util.LinkedHashSet<>(state.settings.keySet());
		keys.addAll(now.keySet());
		for (final String k : keys)
			// more epochs extend the training (the same schedule and data, epoch by epoch); fewer than done cannot
			if (k.equals("epochs") ? c.epochs() < state.epochsDone : !java.util.Objects.equals(state.settings.get(k), now.get(k)))
				differ.add(k + ": " + (k.equals("epochs") ? state.epochsDone + " done" : state.settings.get(k)) + " → " + now.get(k));
		if (!differ.isEmpty())
			throw new CdiException("The output folder " + c.output() + " holds the checkpoint of another training (after epoch " + state.epochsDone + " of " + state.settings.get("epochs")
				+ "); it is resumed only with the same parameters, and these differ (checkpoint → now): " + String.join(", ", differ) + "." + fresh);
	}

	/** True when the model folder already holds the model of this (finished) training: nothing is left to do. */
	private static boolean written(final TrainingConfig c, final State state) {
		if (!Files.isRegularFile(c.output().resolve(ModelFolder.WEIGHTS)) || !Files.isRegularFile(c.output().resolve(ModelFolder.CARD))) return false;
		try {
			final ModelCard card = ModelFolder.readCard(c.output());
			return card.training != null && card.training.epochs == state.epochsDone && TrainMain.commandLine(c).equals(card.reproduce);
		} catch (final CdiException e) {
			return false; // an unreadable card is written again from the checkpoint
		}
	}

	/**
	 * What an interrupted training left for the next run, for the cancel message: the checkpoint's epoch and how to
	 * resume it; null when there is no checkpoint (nothing was written).
	 */
	public static String keptCheckpoint(final Path output) {
		if (output == null) return null;
		final Path ckpt = output.resolve(CHECKPOINT);
		final State s;
		try {
			s = readState(ckpt);
		} catch (final CdiException e) {
			return null;
		}
		if (s == null) return null;
		return "the checkpoint after epoch " + s.epochsDone + " is kept in " + ckpt + " (no model was written); run again with the same parameters to resume from it";
	}

	static String eta(final double seconds) {
		final long s = Math.round(seconds);
		return s >= 3600 ? String.format("%d h %02d min", s / 3600, (s % 3600) / 60) : s >= 60 ? String.format("%d min %02d s", s / 60, s % 60) : s + " s";
	}

	private static final Object GRADIENT_LOCK = new Object();

	/**
	 * Each gradient element is clipped to ±this before Adam (DJL's clipGrad). The physics loss divides by each
	 * sample's max |FFT ψ|, whose gradient explodes for a poor prediction; on the mixed recipe (2D 32², 3 epochs of
	 * 63 steps, 30 Nov) unclipped runs fell into a flat plateau (validation correlation 0.04–0.50), clipping at 1 did
	 * not help (0.50), at 0.1 two runs reached 0.75 and 0.83, at 0.01 learning was too slow (0.28).
	 */
	static final float CLIP_GRADIENT = 0.1f;

	/**
	 * One optimisation step on a batch: forward, loss, backward, optimizer update; returns the batch's loss. A
	 * non-finite gradient from a finite loss is retried on the same batch (up to {@value #ATTEMPTS} times) before the
	 * step is skipped: on this CPU the 2D CDI NN network's backward pass gives NaN gradients in some runs and not in
	 * others for the same weights and input (30 Nov: 2 of 5 and 1 of 6 identical runs), so one retry almost always
	 * succeeds.
	 */
	static double step(final Trainer trainer, final Batches batches, final List<TrainingData.Sample> batch, final TrainingConfig.LossKind loss) {
		try (NDManager m = trainer.getManager().newSubManager()) {
			final Batches.Tensors x = batches.tensors(m, batch, loss);
			double value = Double.NaN;
			// DJL's PyTorch engine records one gradient at a time per process: a training and a fine-tuning started
			// from two macro threads take turns step by step instead of failing
			synchronized (GRADIENT_LOCK) {
				for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
					try (GradientCollector gc = trainer.newGradientCollector()) {
						final NDList out = trainer.forward(new NDList(x.input()));
						final NDArray l = Losses.loss(loss, out.get(0), out.get(1), x);
						gc.backward(l);
						value = l.getFloat();
					}
					// one Adam update with a non-finite gradient turns every weight into NaN (seen with random initial
					// weights too, within the first steps), so such a gradient is cleared and never applied
					if (!Double.isFinite(value)) { clearGradients(trainer); break; }
					if (finiteGradients(trainer)) {
						trainer.step();
						return value;
					}
					clearGradients(trainer);
				}
				SKIPPED.incrementAndGet();
			}
			return value;
		}
	}

	/** Forward/backward attempts per step before a step with a non-finite gradient is skipped. */
	static final int ATTEMPTS = 3;

	/** Steps skipped for a non-finite gradient since the JVM started (reported in the training log). */
	static final java.util.concurrent.atomic.AtomicLong SKIPPED = new java.util.concurrent.atomic.AtomicLong();

	// the arrays made here belong to the parameters' manager, which lives as long as the training: each is closed at
	// once (left open, 5 arrays per parameter and step stay registered there until the training ends)
	private static boolean finiteGradients(final Trainer trainer) {
		for (final Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters()) {
			if (!p.getValue().requiresGradient()) continue;
			try (NDArray g = p.getValue().getArray().getGradient(); NDArray nan = g.isNaN(); NDArray anyNan = nan.any(); NDArray inf = g.isInfinite(); NDArray anyInf = inf.any()) {
				if (anyNan.getBoolean() || anyInf.getBoolean()) return false;
			}
		}
		return true;
	}

	private static void clearGradients(final Trainer trainer) {
		for (final Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters())
			// overwritten, not g − g: that stays NaN where g is NaN (DJL's collector zeroes that way), so one bad
			// step would have blocked every later one
			if (p.getValue().requiresGradient()) try (NDArray g = p.getValue().getArray().getGradient(); NDArray nan = g.isNaN(); NDArray inf = g.isInfinite(); NDArray bad = nan.logicalOr(inf)) {
				g.set(bad, 0f);
				g.subi(g);
			}
	}

	/**
	 * Validation loss and median amplitude correlation (best of truth and twin) in inference mode; the correlation is
	 * NaN for samples without a true amplitude (measured patterns).
	 */
	static double[] validate(final Block block, final Batches batches, final List<TrainingData.Sample> val, final TrainingConfig.LossKind loss, final int batchSize, final NDManager parent) {
		if (val.isEmpty()) return new double[] { Double.NaN, Double.NaN };
		double sum = 0;
		final double[] corr = new double[val.size()];
		int k = 0;
		for (int from = 0; from < val.size(); from += batchSize) {
			final List<TrainingData.Sample> batch = val.subList(from, Math.min(val.size(), from + batchSize));
			try (NDManager m = parent.newSubManager()) {
				final Batches.Tensors x = batches.tensors(m, batch, loss);
				final NDList out = block.forward(new ParameterStore(m, false), new NDList(x.input()), false);
				sum += Losses.loss(loss, out.get(0), out.get(1), x).getFloat() * batch.size();
				if (batch.get(0).amplitude() == null) { k += batch.size(); continue; }
				final float[] a = out.get(0).toFloatArray();
				final int per = batches.grid.size();
				for (int i = 0; i < batch.size(); i++) {
					final float[] ai = java.util.Arrays.copyOfRange(a, i * per, (i + 1) * per);
					final float[] t = batch.get(i).amplitude();
					corr[k++] = Symmetry.twinInvariantCorrelation(batches.grid, ai, t);
				}
			}
		}
		if (val.get(0).amplitude() == null) return new double[] { sum / val.size(), Double.NaN };
		java.util.Arrays.sort(corr);
		return new double[] { sum / val.size(), corr[corr.length / 2] };
	}

	static ModelCard card(final TrainingConfig c, final Block block, final State state, final Device device) {
		final ModelCard card = new ModelCard();
		card.name = c.name();
		card.description = c.architecture().describe() + " trained on simulated crystals with the " + c.loss().name().toLowerCase() + " loss";
		card.architecture = c.architecture();
		card.parameterCount = ModelFolder.parameterCount(block);
		card.training.loss = c.loss().name();
		card.training.dataRecipe = c.recipe();
		card.training.dataSeed = c.seed();
		card.training.trainSamples = c.trainSamples();
		card.training.validationSamples = c.validationSamples();
		card.training.epochs = state.epochsDone;
		card.training.batchSize = c.batchSize();
		card.training.learningRate = c.learningRate();
		card.training.halveLearningRateEvery = c.halveEvery();
		card.training.seconds = Math.round(state.seconds);
		card.training.device = device.toString() + ", " + c.threads() + " thread(s)";
		card.training.initialWeights = c.init();
		if (!state.history.isEmpty()) {
			final EpochRecord last = state.history.get(state.history.size() - 1);
			card.validation.put("trainLoss", last.trainLoss());
			card.validation.put("validationLoss", last.validationLoss());
			card.validation.put("validationMedianAmplitudeCorrelation", last.validationAmplitudeCorrelation());
		}
		final Package p = NetworkTrainer.class.getPackage();
		card.software = "cdi-fiji " + (p != null && p.getImplementationVersion() != null ? p.getImplementationVersion() : "development");
		card.djlVersion = Engine.getDjlVersion() + " / PyTorch " + DjlRuntime.engine().getVersion();
		card.created = Instant.now().toString();
		card.reproduce = TrainMain.commandLine(c);
		return card;
	}

	static State readState(final Path ckpt) {
		final Path f = ckpt.resolve("state.json");
		if (!Files.isRegularFile(f) || !Files.isRegularFile(ckpt.resolve(ModelFolder.WEIGHTS))) return null;
		try {
			final State s = GSON.fromJson(Files.readString(f, StandardCharsets.UTF_8), State.class);
			if (s == null || s.architecture == null) throw new CdiException("The checkpoint " + f + " is incomplete: delete " + ckpt + " to start afresh.");
			return s;
		} catch (final IOException | RuntimeException e) {
			if (e instanceof CdiException ce) throw ce;
			throw new CdiException("Cannot read the checkpoint " + f + " (" + e.getMessage() + "): delete " + ckpt + " to start afresh.", e);
		}
	}

	static void writeCheckpoint(final Path ckpt, final Block block, final State state) {
		AtomicOutput.write(ckpt.resolve(ModelFolder.WEIGHTS), out -> block.saveParameters(new DataOutputStream(out)));
		final byte[] json = GSON.toJson(state).getBytes(StandardCharsets.UTF_8);
		AtomicOutput.write(ckpt.resolve("state.json"), out -> out.write(json));
	}

	/** Loads the weights of a model folder or bundled default ("3d", "2d") of the same architecture into the training block. */
	static void initialWeights(final Block block, final String init, final Architecture arch, final NDManager manager) {
		final String bundled = ModelFolder.bundledName(init);
		final ModelCard card;
		try (InputStream cardIn = bundled != null ? ModelFolder.openBundled(bundled, ModelFolder.CARD) : null) {
			card = cardIn != null ? ModelCard.fromJson(new String(cardIn.readAllBytes(), StandardCharsets.UTF_8), init) : ModelFolder.readCard(java.nio.file.Paths.get(init));
		} catch (final IOException e) {
			throw new CdiException("Cannot read the initial model " + init + ": " + e.getMessage() + ".", e);
		}
		final Architecture a = card.architecture;
		if (a.kind() != arch.kind() || a.rank() != arch.rank() || a.inputSize() != arch.inputSize() || a.baseChannels() != arch.baseChannels() || a.depth() != arch.depth())
			throw new CdiException("The initial model " + init + " is " + a.describe() + " but the training builds " + arch.describe() + ": start from a model of the same architecture.");
		final java.nio.file.Path folder = bundled != null ? null : java.nio.file.Paths.get(init);
		if (folder != null && !Files.isRegularFile(folder.resolve(ModelFolder.WEIGHTS)) && Files.isRegularFile(folder.resolve(ModelFolder.TORCH_WEIGHTS))) {
			ModelFolder.loadNpz(block, folder.resolve(ModelFolder.TORCH_WEIGHTS), manager, a.describe()); // trained by tools/pytorch
			return;
		}
		try (InputStream in = bundled != null ? ModelFolder.openBundled(bundled, ModelFolder.WEIGHTS) : Files.newInputStream(folder.resolve(ModelFolder.WEIGHTS))) {
			loadWeights(block, new BufferedInputStream(in), manager);
		} catch (final IOException | MalformedModelException e) {
			throw new CdiException("Cannot read the weights of the initial model " + init + " (" + e.getMessage() + ").", e);
		}
	}

	/** Initialises a new training block's parameters (Xavier weights, seeded by the engine) for the given input shape. */
	static void prepareBlock(final Block block, final Shape inputShape, final NDManager manager) {
		block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
		block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, inputShape);
	}

	/** Marks every trainable parameter's current array for gradients (arrays read from a file carry none). */
	static void attachGradients(final Block block) {
		for (final Pair<String, Parameter> p : block.getParameters())
			if (p.getValue().requiresGradient()) p.getValue().getArray().setRequiresGradient(true);
	}

	/** Reads weights into an initialised block that no trainer holds yet; a shape mismatch names the parameter. */
	static void loadWeights(final Block block, final InputStream weights, final NDManager manager) throws IOException, MalformedModelException {
		final List<Pair<String, Parameter>> params = block.getParameters().stream().toList();
		final List<Shape> expected = new ArrayList<>();
		for (final Pair<String, Parameter> p : params) expected.add(p.getValue().getArray().getShape());
		block.loadParameters(manager, new DataInputStream(weights));
		for (int i = 0; i < params.size(); i++)
			if (!params.get(i).getValue().getArray().getShape().equals(expected.get(i)))
				throw new CdiException("Parameter " + params.get(i).getKey() + " is " + expected.get(i) + " in the network but " + params.get(i).getValue().getArray().getShape() + " in the weights.");
	}

	/** Loads a checkpoint's weights into the training block before its trainer is made. */
	static void loadWeights(final Block block, final Path weights, final NDManager manager) {
		try (InputStream in = new BufferedInputStream(Files.newInputStream(weights))) {
			loadWeights(block, in, manager);
		} catch (final IOException | MalformedModelException e) {
			throw new CdiException("Cannot read the checkpoint weights " + weights + " (" + e.getMessage() + "): delete the checkpoint folder to start afresh.", e);
		}
	}

	static void writeHistory(final Path folder, final List<EpochRecord> history) {
		final StringBuilder sb = new StringBuilder("epoch,train_loss,validation_loss,validation_amplitude_correlation,learning_rate,seconds\n");
		for (final EpochRecord r : history)
			sb.append(String.format(java.util.Locale.ROOT, "%d,%.6g,%.6g,%.4f,%.3g,%.1f%n", r.epoch(), r.trainLoss(), r.validationLoss(), r.validationAmplitudeCorrelation(), r.learningRate(), r.seconds()));
		final byte[] csv = sb.toString().getBytes(StandardCharsets.UTF_8);
		AtomicOutput.write(folder.resolve("history.csv"), out -> out.write(csv));
		final double[] epoch = history.stream().mapToDouble(EpochRecord::epoch).toArray();
		new sc.fiji.cdi.report.LinePlot("Training loss", "epoch", "loss", true)
			.add("train", epoch, history.stream().mapToDouble(EpochRecord::trainLoss).toArray())
			.add("validation", epoch, history.stream().mapToDouble(EpochRecord::validationLoss).toArray())
			.savePng(folder.resolve("loss.png"));
	}

	/** Packs samples into NC(D)HW tensors. */
	static final class Batches {
		final Grid grid;
		final long[] sample;

		Batches(final Grid grid, final long[] sampleShape) { this.grid = grid; this.sample = sampleShape; }

		Shape shape(final int batch) {
			final long[] s = new long[sample.length + 1];
			s[0] = batch;
			System.arraycopy(sample, 0, s, 1, sample.length);
			return new Shape(s);
		}

		/** {@code measured}: 1 where measured, 0 where not (ifftshifted); null when every pixel of the batch is measured. */
		record Tensors(NDArray input, NDArray targetUnshifted, NDArray measured, NDArray amplitude, NDArray phase, NDArray support, NDArray twinAmplitude, NDArray twinPhase, NDArray twinSupport) {}

		Tensors tensors(final NDManager m, final List<TrainingData.Sample> batch, final TrainingConfig.LossKind loss) {
			final Shape s = shape(batch.size());
			final NDArray in = pack(m, s, batch, TrainingData.Sample::input);
			final NDArray y = loss == TrainingConfig.LossKind.SUPERVISED ? null : pack(m, s, batch, TrainingData.Sample::targetUnshifted);
			final boolean masked = y != null && batch.stream().anyMatch(x -> x.measuredUnshifted() != null);
			final NDArray w = masked ? pack(m, s, batch, x -> x.measuredUnshifted() != null ? x.measuredUnshifted() : ones(grid.size())) : null;
			if (loss == TrainingConfig.LossKind.PHYSICS) return new Tensors(in, y, w, null, null, null, null, null, null);
			final NDArray a = pack(m, s, batch, TrainingData.Sample::amplitude);
			final NDArray p = pack(m, s, batch, TrainingData.Sample::phase);
			final NDArray ta = pack(m, s, batch, x -> Symmetry.twin(grid, x.amplitude(), false));
			final NDArray tp = pack(m, s, batch, x -> Symmetry.twin(grid, x.phase(), true));
			return new Tensors(in, y, w, a, p, a.gte(PhysicsLoss.DEFAULT_THRESHOLD).toType(ai.djl.ndarray.types.DataType.FLOAT32, false), ta, tp,
				ta.gte(PhysicsLoss.DEFAULT_THRESHOLD).toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
		}

		private static float[] ones(final int n) {
			final float[] o = new float[n];
			java.util.Arrays.fill(o, 1f);
			return o;
		}

		private NDArray pack(final NDManager m, final Shape s, final List<TrainingData.Sample> batch, final java.util.function.Function<TrainingData.Sample, float[]> f) {
			final int per = grid.size();
			final FloatBuffer buf = FloatBuffer.allocate(per * batch.size());
			for (final TrainingData.Sample x : batch) buf.put(f.apply(x), 0, per);
			buf.flip();
			return m.create(buf, s);
		}
	}
}
