package sc.fiji.cdi.nn;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.phasing.ErrorMetrics;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;
import sc.fiji.cdi.util.Progress;

/**
 * Runs a trained network on diffraction data: a user's model folder or a bundled default model ("3d", "2d").
 * <p>
 * Preprocessing (recorded in the prediction's log): √I; unmeasured (masked) pixels set to 0; binned (the same
 * factor along every axis, {@link #binning}) by the integer factor that brings the object (its extent estimated
 * from the autocorrelation) closest to the size fractions the model was trained on — binning by b in reciprocal space shrinks the field of view b times at the
 * same voxel, so a small crystal fills more of the box (3D-CDI-NN also downsamples its measured crops) — then cropped
 * or zero-padded about the peak (index N/2 → n/2) to the network size n, which keeps the oversampling while the
 * voxel becomes N/(b·n) times coarser; normalised to max 1. Not thread-safe; one predictor per thread.
 */
public final class Predictor implements AutoCloseable {

	/** Bundled default models: name → resource folder. */
	public static final String DEFAULT_3D = "default-3d", DEFAULT_2D = "default-2d";

	private final ModelCard card;
	private final NDManager manager;
	private final Block block;
	private final Grid grid;
	private final String source;
	/** Largest pattern size per axis the object-size estimate looks at. */
	static final int ESTIMATE_SIZE = 128;
	/** {@link #trainedFraction()}, computed at the first prediction. */
	private double[] trainedFraction;

	/** A TensorFlow SavedModel instead of block and manager (which are then null). */
	private final SavedModelRunner savedModel;

	private Predictor(final ModelCard card, final NDManager manager, final Block block, final String source) {
		this(card, manager, block, null, source);
	}

	private Predictor(final ModelCard card, final NDManager manager, final Block block, final SavedModelRunner savedModel, final String source) {
		this.card = card; this.manager = manager; this.block = block; this.savedModel = savedModel; this.source = source;
		final int n = card.architecture.inputSize();
		this.grid = card.architecture.rank() == 3 ? Grid.cube(n) : Grid.of2D(n, n);
	}

	/**
	 * A model by name: "3d" / "2d" (or "default-3d" / "default-2d") for the bundled defaults, otherwise a model folder.
	 *
	 * @param device "auto", "cpu" or "gpu"
	 */
	public static Predictor load(final String modelOrFolder, final String device) {
		final String m = modelOrFolder == null ? "3d" : modelOrFolder.trim();
		return switch (m.toLowerCase(Locale.ROOT)) {
			case "3d", "default", DEFAULT_3D -> loadDefault(DEFAULT_3D, device);
			case "2d", DEFAULT_2D -> loadDefault(DEFAULT_2D, device);
			default -> load(Paths.get(m), device);
		};
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
			return new Predictor(card, m, ModelFolder.loadBlock(folder, card, m), folder.toString());
		} catch (final RuntimeException e) {
			m.close();
			throw e;
		}
	}

	/** A model bundled in the jar under {@code /models/<name>/}. */
	public static Predictor loadDefault(final String name, final String device) {
		final String base = "/models/" + name + "/";
		final ModelCard card;
		try (InputStream in = Predictor.class.getResourceAsStream(base + ModelFolder.CARD)) {
			if (in == null) throw new CdiException("The default model '" + name + "' is not bundled with this plugin (no " + base + ModelFolder.CARD + " in the jar): reinstall the plugin or give a model folder.");
			card = ModelCard.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default model " + name);
		} catch (final IOException e) {
			throw new CdiException("Cannot read the default model '" + name + "': " + e.getMessage() + ".", e);
		}
		final Device d = DjlRuntime.device(device);
		final NDManager m = DjlRuntime.engine().newBaseManager(d);
		try (InputStream w = Predictor.class.getResourceAsStream(base + ModelFolder.WEIGHTS)) {
			if (w == null) throw new CdiException("The default model '" + name + "' has no weights in the jar (" + base + ModelFolder.WEIGHTS + "): reinstall the plugin.");
			return new Predictor(card, m, ModelFolder.loadBlock(new BufferedInputStream(w), card, m, "default model " + name), "default model " + name);
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

	Block block() { requireOwnNetwork(); return block; }

	NDManager manager() { requireOwnNetwork(); return manager; }

	private void requireOwnNetwork() {
		if (savedModel != null) throw new CdiException("The model " + source + " is a TensorFlow SavedModel, which DJL's TensorFlow engine runs for inference only: it cannot be fine-tuned or re-saved.");
	}

	/**
	 * Writes this network (weights and card, including any {@link FineTuning}) as a model folder that
	 * {@link #load(String, String)} reads; each file is written atomically.
	 *
	 * @param name the name recorded in the card
	 */
	public void save(final Path folder, final String name) {
		requireOwnNetwork();
		if (name != null && !name.isBlank()) card.name = name;
		ModelFolder.save(folder, block, card);
	}

	/** The network input for a pattern: preprocessed as described in the class comment, with the steps logged. */
	public RealVolume preprocess(final Diffraction d, final ProcessingLog log) {
		return fit(d, log).input();
	}

	/** A network input, the binning that produced it, and its measured pixels (null: all). */
	private record Fitted(RealVolume input, int[] binZyx, boolean[] measured) {}

	/**
	 * A measured pattern as a training sample for the physics loss ({@link FineTuning}): the network input, its
	 * ifftshifted target and which pixels are measured (masked, or outside the detector after the crop/pad).
	 */
	TrainingData.Sample trainingSample(final Diffraction d, final long seed) {
		final Fitted f = fit(d, new ProcessingLog(d.log));
		final float[] in = f.input().data;
		float[] w = null;
		if (f.measured() != null) {
			final float[] c = new float[in.length];
			for (int i = 0; i < c.length; i++) c[i] = f.measured()[i] ? 1f : 0f;
			w = TrainingData.unshiftedTarget(grid, c);
		}
		return new TrainingData.Sample(in, TrainingData.unshiftedTarget(grid, in), null, null, seed, w);
	}

	private Fitted fit(final Diffraction d, final ProcessingLog log) {
		final Grid g = d.grid();
		if (g.rank() != card.architecture.rank()) throw new CdiException("The model " + source + " expects " + card.architecture.rank() + "D patterns but " + d.source + " is " + g.rank() + "D (" + g
			+ "): choose a " + g.rank() + "D model.");
		final int n = card.architecture.inputSize();
		final int[] from = g.zyx();
		for (int a = 3 - g.rank(); a < 3; a++)
			if (from[a] < n / 4) throw new CdiException("The pattern " + d.source + " (" + g + ") is too small for the model " + source + " (input " + grid + "): axis " + "zyx".charAt(a) + " has " + from[a]
				+ " pixels, at least " + n / 4 + " are needed (zero-padding more than 4x would leave the network mostly zeros).");
		// the estimate runs on the central ≤ 128 pixels per axis: a centred crop keeps the object's fraction of the box
		// (only the voxel coarsens) and bounds the cost of the autocorrelation for large detectors
		final Grid probe = new Grid(Math.min(g.nz, ESTIMATE_SIZE), Math.min(g.ny, ESTIMATE_SIZE), Math.min(g.nx, ESTIMATE_SIZE));
		final Diffraction cropped = probe.equals(g) ? d : Preprocessor.cropOrPad(d, probe);
		final double[] fraction = objectFraction(probe, sanitisedAmplitude(cropped));
		final int[] bin = binning(g, fraction);
		final boolean binned = bin[0] * bin[1] * bin[2] > 1;
		// bad values are masked before binning, so that one NaN does not spoil its whole block
		final Diffraction fitted = Preprocessor.cropOrPad(binned ? Preprocessor.bin(withBadValuesMasked(d), bin[0], bin[1], bin[2]) : d, grid);
		final float[] in = sanitisedAmplitude(fitted);
		boolean[] measured = null;
		if (fitted.mask != null) {
			measured = new boolean[fitted.mask.length];
			for (int i = 0; i < measured.length; i++) measured[i] = !fitted.mask[i];
		}
		int masked = 0;
		if (d.mask != null) for (final boolean m : d.mask) if (m) masked++;
		float max = 0;
		for (final float v : in) if (v > max) max = v;
		if (!(max > 0)) throw new CdiException("The pattern " + d.source + " is zero (or masked) everywhere inside the central " + grid + " the model " + source + " sees: expected a diffraction pattern with its peak near the array centre.");
		for (int i = 0; i < in.length; i++) in[i] /= max;
		log.add("nn_fit_to_network", "from", g.toString(), "estimated_object_fraction_zyx", fraction, "bin_zyx", bin, "to", grid.toString(),
			"method", "binning of the intensity to bring the object to the training size fraction, then centred crop/zero-pad in reciprocal space (keeps oversampling)",
			"masked_pixels_zeroed", masked);
		log.add("nn_normalise", "divided_by_max_amplitude", max);
		return new Fitted(new RealVolume(grid, in), bin, measured);
	}

	/**
	 * The object's extent as a fraction of the box per axis (z, y, x), estimated from the autocorrelation |IFFT(I)|,
	 * whose support (≥ 0.1 of its maximum, PyNX's initial support) is about twice the object.
	 */
	static double[] objectFraction(final Grid g, final float[] amplitude) {
		final boolean[] ac = Phaser.autocorrelationSupport(g, FftShift.ifftshift(g, amplitude, 1), Phaser.AUTOCORRELATION_THRESHOLD);
		final int[] dims = g.zyx(), lo = { Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE }, hi = { -1, -1, -1 };
		for (int z = 0, i = 0; z < dims[0]; z++)
			for (int y = 0; y < dims[1]; y++)
				for (int x = 0; x < dims[2]; x++, i++) {
					if (!ac[i]) continue;
					final int[] c = { z, y, x };
					for (int a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], c[a]); hi[a] = Math.max(hi[a], c[a]); }
				}
		final double[] f = new double[3];
		for (int a = 0; a < 3; a++) f[a] = hi[a] < 0 ? 0.5 : (hi[a] - lo[a] + 1) / (2.0 * dims[a]);
		return f;
	}

	/**
	 * The binning factor b, the same along every axis, that brings the estimated object fraction closest to the
	 * fraction the same estimate gives on the model's training crystals (binning a pattern by b enlarges the object's
	 * share of the box b times at the same real-space voxel), among the common divisors of the axes that leave at least
	 * the network size: a small crystal in a finely sampled pattern is binned, not cropped (cropping would coarsen its
	 * voxel and keep it smaller in the box than anything the network saw).
	 * <p>
	 * Isotropic because a detector with square pixels samples reciprocal space alike along every axis: binning the
	 * axes differently (the per-axis estimate varies with the crystal's shape, e.g. [1, 2, 2]) would stretch the
	 * crystal the network sees — one such prediction came out as an ellipse in the wrong orientation. The mismatch is
	 * the sum over axes of |log(f·b / f_trained)|, i.e. the mean size is matched and an elongated crystal stays
	 * elongated.
	 */
	int[] binning(final Grid g, final double[] fraction) {
		final double[] target = trainedFraction();
		final int n = card.architecture.inputSize();
		final int[] dims = g.zyx(), bin = { 1, 1, 1 };
		if (target == null) return bin; // a foreign model whose training size is not known
		double best = Double.POSITIVE_INFINITY;
		int chosen = 1;
		for (int b = 1; ; b++) {
			boolean fits = true, divides = true;
			for (int a = 3 - g.rank(); a < 3; a++) {
				if (dims[a] / b < n) fits = false;
				if (dims[a] % b != 0) divides = false;
			}
			if (!fits) break;
			if (!divides) continue;
			double miss = 0;
			for (int a = 3 - g.rank(); a < 3; a++) miss += Math.abs(Math.log(fraction[a] * b / target[a]));
			if (miss < best - 1e-9) { best = miss; chosen = b; }
		}
		for (int a = 3 - g.rank(); a < 3; a++) bin[a] = chosen;
		return bin;
	}

	/**
	 * The mean {@link #objectFraction} of crystals drawn like the model's training data (its card's recipe, else the
	 * default one) on the network grid: the autocorrelation estimate is biased by the shape, so the data are compared
	 * with the estimate on training-like crystals rather than with the recipe's nominal size.
	 */
	private double[] trainedFraction() {
		if (trainedFraction != null) return trainedFraction;
		if (card.savedModel != null || card.architecture.kind() == Architecture.Kind.TENSORFLOW_SAVEDMODEL) {
			final double f = card.savedModel == null ? 0 : card.savedModel.objectFraction;
			return trainedFraction = f > 0 ? new double[] { f, f, f } : null;
		}
		final TrainingData.Recipe r = card.training != null && card.training.dataRecipe != null ? card.training.dataRecipe : TrainingData.Recipe.defaults(grid.rank());
		final int count = 8;
		final double[] f = new double[3];
		for (int k = 0; k < count; k++) {
			final Diffraction d = TrainingData.crystal(grid, r, 0x5EEDL, k).diffraction();
			final double[] e = objectFraction(grid, sanitisedAmplitude(d));
			for (int a = 0; a < 3; a++) f[a] += e[a] / count;
		}
		return trainedFraction = f;
	}

	/** d with non-finite values masked and negative ones set to 0 (d itself when it has neither). */
	private static Diffraction withBadValuesMasked(final Diffraction d) {
		final float[] v = d.values.data;
		boolean bad = false;
		for (final float x : v) if (!(x >= 0)) { bad = true; break; }
		if (!bad) return d;
		final float[] c = v.clone();
		final boolean[] mask = d.mask != null ? d.mask.clone() : new boolean[c.length];
		for (int i = 0; i < c.length; i++) {
			if (!Float.isFinite(c[i])) { c[i] = 0f; mask[i] = true; }
			else if (c[i] < 0) c[i] = 0f;
		}
		return d.withValues(d.values.with(c), d.quantity, mask, "nn_mask_bad_values", "rule", "non-finite masked, negative set to 0");
	}

	/** √I with unmeasured, non-finite and negative values set to 0. */
	private static float[] sanitisedAmplitude(final Diffraction d) {
		final float[] a = d.amplitude().data.clone();
		for (int i = 0; i < a.length; i++) if (!d.isMeasured(i) || !(a[i] > 0)) a[i] = 0f;
		return a;
	}

	/** Predicts one pattern. */
	public Prediction predict(final Diffraction d) { return predictAll(List.of(d), 1, Progress.NONE).get(0); }

	/** Predicts many patterns, {@code batchSize} per forward pass. */
	public List<Prediction> predictAll(final List<Diffraction> data, final int batchSize, final Progress progress) {
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
			final float[][] inputs = new float[batch.size()][];
			final int[][] bins = new int[batch.size()][];
			for (int i = 0; i < batch.size(); i++) {
				final ProcessingLog log = new ProcessingLog(batch.get(i).log);
				final Fitted f = fit(batch.get(i), log);
				inputs[i] = f.input().data;
				bins[i] = f.binZyx();
				logs.add(log);
			}
			// each input and its mirror images along every axis in one forward pass (PredictionTrust)
			final int axes = grid.rank(), per = 1 + axes;
			final float[][] all = new float[batch.size() * per][];
			for (int i = 0; i < batch.size(); i++) {
				all[i * per] = inputs[i];
				for (int k = 0; k < axes; k++) all[i * per + 1 + k] = PredictionTrust.mirror(grid, inputs[i], 3 - axes + k);
			}
			final long t0 = System.nanoTime();
			final float[][][] ap = forward(all);
			final double ms = (System.nanoTime() - t0) / 1e6 / batch.size();
			for (int i = 0; i < batch.size(); i++) {
				final Diffraction d = batch.get(i);
				final Grid dg = d.grid();
				final int[] b = bins[i];
				// the binned pattern covers 1/b of the field of view at the data's voxel; cropping it to n coarsens that
				final double[] scale = { (double) dg.nz / b[0] / grid.nz, (double) dg.ny / b[1] / grid.ny, (double) dg.nx / b[2] / grid.nx };
				final float[] amp = ap[0][i * per];
				final float[][] back = new float[axes][];
				for (int k = 0; k < axes; k++) back[k] = PredictionTrust.mirror(grid, ap[0][i * per + 1 + k], 3 - axes + k);
				final Prediction pr = postprocess(amp, ap[1][i * per], scale, b, dg, logs.get(i), ms);
				final PredictionTrust trust = PredictionTrust.of(ErrorMetrics.chi2(NnRefine.initialGuess(pr, d).object(), d), PredictionTrust.disagreement(grid, amp, back));
				logs.get(i).add("nn_trust", "chi2", trust.chi2(), "mirror_disagreement", trust.disagreement(), "trusted", trust.trusted(), "verdict", trust.message());
				out.add(pr.withTrust(trust));
			}
			progress.progress(from + batch.size(), data.size());
			progress.status("Predicted " + (from + batch.size()) + "/" + data.size() + " patterns");
		}
		return out;
	}

	/** Predicts an already preprocessed input (network grid, amplitude normalised to max 1). */
	public Prediction predictNormalised(final RealVolume amplitudeNormalised) {
		if (!amplitudeNormalised.grid.equals(grid)) throw new CdiException("The network input is " + amplitudeNormalised.grid + " but the model " + source + " expects " + grid + ".");
		final long t0 = System.nanoTime();
		final float[][][] ap = forward(new float[][] { amplitudeNormalised.data });
		return postprocess(ap[0][0], ap[1][0], new double[] { 1, 1, 1 }, new int[] { 1, 1, 1 }, grid, new ProcessingLog(), (System.nanoTime() - t0) / 1e6);
	}

	/** Raw network outputs {amplitude[sample][voxel], phase[sample][voxel]} for a batch of network inputs. */
	public float[][][] forward(final float[][] inputs) {
		if (savedModel != null) return savedModel.forward(inputs);
		final int per = grid.size(), b = inputs.length;
		final long[] s = card.architecture.sampleShape();
		final long[] shape = new long[s.length + 1];
		shape[0] = b;
		System.arraycopy(s, 0, shape, 1, s.length);
		try (NDManager m = manager.newSubManager()) {
			final FloatBuffer buf = FloatBuffer.allocate(per * b);
			for (final float[] x : inputs) buf.put(x, 0, per);
			buf.flip();
			final NDArray x = m.create(buf, new Shape(shape));
			final NDList out = block.forward(new ParameterStore(m, false), new NDList(x), false);
			final float[] a = out.get(0).toFloatArray(), p = out.get(1).toFloatArray();
			final float[][][] r = new float[2][b][];
			for (int i = 0; i < b; i++) {
				r[0][i] = java.util.Arrays.copyOfRange(a, i * per, (i + 1) * per);
				r[1][i] = java.util.Arrays.copyOfRange(p, i * per, (i + 1) * per);
			}
			return r;
		}
	}

	/** AutoPhaseNN post-processing: support [A ≥ threshold], phase 0 outside, mean phase inside removed. */
	private Prediction postprocess(final float[] amp, final float[] phase, final double[] scale, final int[] bin, final Grid dataGrid, final ProcessingLog log, final double ms) {
		final boolean[] support = new boolean[amp.length];
		final float[] ph = phase.clone();
		int inside = 0;
		for (int i = 0; i < amp.length; i++) {
			support[i] = amp[i] >= card.supportThreshold;
			if (support[i]) inside++;
			else ph[i] = 0;
		}
		if (inside == 0) throw new CdiException("The model " + source + " predicted an empty support (no amplitude above " + card.supportThreshold + "): the pattern is probably far from what the model was trained on.");
		ComplexVolume obj = ComplexVolume.fromAmplitudePhase(new RealVolume(grid, amp), new RealVolume(grid, ph));
		for (int i = 0; i < amp.length; i++) if (!support[i]) { obj.data[2 * i] = 0; obj.data[2 * i + 1] = 0; }
		obj = Alignment.removePhaseOffset(obj, support);
		final RealVolume outPhase = obj.phase();
		for (int i = 0; i < amp.length; i++) if (!support[i]) outPhase.data[i] = 0;
		return new Prediction(new RealVolume(grid, amp), outPhase, support, obj, scale, bin, dataGrid, log, ms, null);
	}

	@Override
	public void close() {
		if (savedModel != null) savedModel.close();
		else manager.close();
	}
}
