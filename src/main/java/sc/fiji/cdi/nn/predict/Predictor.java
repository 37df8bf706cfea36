package sc.fiji.cdi.nn.predict;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;
import sc.fiji.cdi.util.Progress;

/**
 * Runs a trained network on diffraction data: a user's model folder or a bundled default model ("3d", "2d"). Three
 * stages, one class each: {@link InputFitting} (√I, masked pixels to 0, binning and crop/pad to the network grid,
 * normalisation), {@link ForwardPass} (the network), {@link PostProcessing} (support, phase offset); then each
 * prediction's {@link PredictionTrust}. Not thread-safe; one predictor per thread.
 */
public final class Predictor implements AutoCloseable {

	private final ModelCard card;
	private final Grid grid;
	private final String source;
	private final ForwardPass network;
	private final InputFitting fitting;
	private final PostProcessing post;

	private Predictor(final ModelCard card, final NDManager manager, final Block block, final SavedModelRunner savedModel, final String source) {
		this.card = card; this.source = source;
		this.network = new ForwardPass(card, manager, block, savedModel, source);
		this.fitting = new InputFitting(card, source);
		this.grid = InputFitting.networkGrid(card);
		this.post = new PostProcessing(grid, card.supportThreshold, source);
	}

	/**
	 * A model by name: "3d" / "2d" (or "default-3d" / "default-2d") for the bundled defaults, otherwise a model folder.
	 *
	 * @param device "auto", "cpu" or "gpu"
	 */
	public static Predictor load(final String modelOrFolder, final String device) {
		final String m = modelOrFolder == null ? "3d" : modelOrFolder.trim();
		final String bundled = ModelFolder.bundledName(m);
		return bundled != null ? loadDefault(bundled, device) : load(Paths.get(m), device);
	}

	/** A user's model folder (model.json + weights.params). */
	public static Predictor load(final Path folder, final String device) {
		if (SavedModelRunner.isSavedModel(folder) && !Files.isRegularFile(folder.resolve(ModelFolder.CARD)))
			throw new CdiException("The TensorFlow SavedModel folder " + folder + " has no " + ModelFolder.CARD + ": add one that gives its architecture (kind TENSORFLOW_SAVEDMODEL, "
				+ "rank, inputSize) and how to feed it (savedModel: layout, outputs, phase); an example is in docs/models.md.");
		final ModelCard card = ModelFolder.readCard(folder);
		final Device d = DjlRuntime.device(device);
		if (card.architecture.kind() == Architecture.Kind.TENSORFLOW_SAVEDMODEL) {
			if (!SavedModelRunner.isSavedModel(folder)) throw new CdiException("The model card in " + folder + " describes a TensorFlow SavedModel but the folder has no " + SavedModelRunner.GRAPH + ".");
			return new Predictor(card, null, null, SavedModelRunner.load(folder, card, d), folder.toString());
		}
		final NDManager m = DjlRuntime.engine().newBaseManager(d);
		try {
			return new Predictor(card, m, ModelFolder.loadBlock(folder, card, m), null, folder.toString());
		} catch (final RuntimeException e) {
			m.close();
			throw e;
		}
	}

	/** A model bundled in the jar under {@code /models/<name>/} ({@link ModelFolder#DEFAULT_3D}, {@link ModelFolder#DEFAULT_2D}). */
	public static Predictor loadDefault(final String name, final String device) {
		final ModelCard card;
		try (InputStream in = ModelFolder.openBundled(name, ModelFolder.CARD)) {
			if (in == null) throw new CdiException("The default model '" + name + "' is not bundled with this plugin (no " + ModelFolder.bundledPath(name, ModelFolder.CARD) + " in the jar): reinstall the plugin or give a model folder.");
			card = ModelCard.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default model " + name);
		} catch (final IOException e) {
			throw new CdiException("Cannot read the default model '" + name + "': " + e.getMessage() + ".", e);
		}
		final Device d = DjlRuntime.device(device);
		final NDManager m = DjlRuntime.engine().newBaseManager(d);
		try (InputStream w = ModelFolder.openBundled(name, ModelFolder.WEIGHTS)) {
			if (w == null) throw new CdiException("The default model '" + name + "' has no weights in the jar (" + ModelFolder.bundledPath(name, ModelFolder.WEIGHTS) + "): reinstall the plugin.");
			return new Predictor(card, m, ModelFolder.loadBlock(new BufferedInputStream(w), card, m, "default model " + name), null, "default model " + name);
		} catch (final IOException e) {
			m.close();
			throw new CdiException("Cannot read the default model '" + name + "': " + e.getMessage() + ".", e);
		} catch (final RuntimeException e) {
			m.close();
			throw e;
		}
	}

	public ModelCard card() { return card; }

	/** The network's input grid (n³ or n²). */
	public Grid networkGrid() { return grid; }

	public String source() { return source; }

	/** The network itself (its block and parameters, for fine-tuning). */
	public ForwardPass network() { return network; }

	/** How this model's inputs are fitted to its network (for fine-tuning on measured patterns). */
	public InputFitting fitting() { return fitting; }

	/**
	 * Writes this network (weights and card, including any fine-tuning) as a model folder that
	 * {@link #load(String, String)} reads; each file is written atomically.
	 *
	 * @param name the name recorded in the card
	 */
	public void save(final Path folder, final String name) {
		final Block block = network.block();
		if (name != null && !name.isBlank()) card.name = name;
		ModelFolder.save(folder, block, card);
	}

	/** The network input for a pattern ({@link InputFitting}), with the steps logged. */
	public RealVolume preprocess(final Diffraction d, final ProcessingLog log) {
		return fitting.fit(d, log).input();
	}

	/** Predicts one pattern. */
	public Prediction predict(final Diffraction d) { return predictAll(List.of(d), 1, Progress.NONE).get(0); }

	/** Predicts many patterns, {@code batchSize} per forward pass. */
	public List<Prediction> predictAll(final List<Diffraction> data, final int batchSize, final Progress progress) {
		return predictAll(data, batchSize, progress, 0, data.size());
	}

	/**
	 * As {@link #predictAll(List, int, Progress)} for a part of a larger run: progress counts {@code done} patterns
	 * predicted before these, of {@code total} in all.
	 */
	public List<Prediction> predictAll(final List<Diffraction> data, final int batchSize, final Progress progress, final int done, final int total) {
		if (batchSize < 1) throw new CdiException("Prediction batch size must be at least 1, got " + batchSize + ".");
		// Java heap per pattern on the network grid: amplitude, phase, complex object, support (17 B/voxel), and per
		// batch the input plus the two raw outputs (12 B/voxel), for it and its mirror images; PyTorch's own buffers are native memory
		MemoryGuard.require((long) grid.size() * (17L * data.size() + 12L * (1 + grid.rank()) * Math.min(batchSize, data.size())),
			"network prediction of " + data.size() + " pattern(s) on a " + grid + " grid", "predict fewer patterns at a time or " + MemoryGuard.GENERIC_ADVICE);
		final List<Prediction> out = new ArrayList<>();
		for (int from = 0; from < data.size(); from += batchSize) {
			progress.checkCancelled();
			final List<Diffraction> batch = data.subList(from, Math.min(data.size(), from + batchSize));
			final List<ProcessingLog> logs = new ArrayList<>();
			final int per = 1 + grid.rank();
			// each input and its mirror images along every axis in one forward pass (PredictionTrust)
			final float[][] all = new float[batch.size() * per][];
			final int[][] bins = new int[batch.size()][];
			final InputFitting.Fitted[] fits = new InputFitting.Fitted[batch.size()];
			for (int i = 0; i < batch.size(); i++) {
				final ProcessingLog log = new ProcessingLog(batch.get(i).log);
				final InputFitting.Fitted f = fitting.fit(batch.get(i), log);
				System.arraycopy(PredictionTrust.withMirrors(grid, f.input().data), 0, all, i * per, per);
				bins[i] = f.binZyx();
				fits[i] = f;
				logs.add(log);
			}
			final long t0 = System.nanoTime();
			final float[][][] ap = network.forward(all);
			final double ms = (System.nanoTime() - t0) / 1e6 / batch.size();
			for (int i = 0; i < batch.size(); i++) {
				final Diffraction d = fits[i].pattern(); // centred if its peak was off the centre
				final Grid dg = d.grid();
				final int[] b = bins[i];
				// the binned pattern covers 1/b of the field of view at the data's voxel; cropping it to n coarsens that
				final double[] scale = { (double) dg.nz / b[0] / grid.nz, (double) dg.ny / b[1] / grid.ny, (double) dg.nx / b[2] / grid.nx };
				final Prediction pr;
				try {
					pr = post.apply(ap[0][i * per], ap[1][i * per], fits[i].input().data, fits[i].unmeasured(), fits[i].centreZyx(), scale, b, dg, logs.get(i), ms);
				} catch (final CdiException e) { // name the pattern: in a folder of patterns the model's message alone does not say which
					throw new CdiException(d.source + ": " + e.getMessage(), e);
				}
				final Prediction shifted = pr.withPatternShift(fits[i].shiftZyx());
				// judged against the pattern as given, with the ramp that puts the centred pattern's object back there
				final PredictionTrust trust = PredictionTrust.assess(shifted, batch.get(i), Arrays.copyOfRange(ap[0], i * per + 1, (i + 1) * per));
				logs.get(i).add("nn_trust", "chi2", trust.chi2(), "mirror_disagreement", trust.disagreement(), "trusted", trust.trusted(), "verdict", trust.message());
				out.add(shifted.withTrust(trust));
			}
			// the status first: the headless progress line prints the status set before it
			final int n = done + from + batch.size();
			progress.status("Predicted " + n + "/" + total + " patterns");
			progress.progress(n, total);
		}
		return out;
	}

	/** Predicts an already preprocessed input (network grid, amplitude normalised to max 1). */
	public Prediction predictNormalised(final RealVolume amplitudeNormalised) {
		if (!amplitudeNormalised.grid.equals(grid)) throw new CdiException("The network input is " + amplitudeNormalised.grid + " but the model " + source + " expects " + grid + ".");
		final long t0 = System.nanoTime();
		final float[][][] ap = network.forward(new float[][] { amplitudeNormalised.data });
		return post.apply(ap[0][0], ap[1][0], amplitudeNormalised.data, null, null, new double[] { 1, 1, 1 }, new int[] { 1, 1, 1 }, grid, new ProcessingLog(), (System.nanoTime() - t0) / 1e6);
	}

	@Override
	public void close() { network.close(); }
}
