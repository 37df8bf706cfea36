package sc.fiji.cdi.nn.model;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;

/**
 * A model folder: {@code model.json} ({@link ModelCard}) and {@code weights.params} (DJL's parameter encoding of the
 * block the card describes). Both files are written atomically, weights first, so a folder with a card is complete.
 * Default models are the same two files under {@code /models/<name>/} in the jar. A folder trained outside DJL by
 * {@code tools/pytorch} (on a GPU) holds {@code weights.npz} instead: NumPy arrays p000, p001, … in the order of the
 * block's parameters, which the PyTorch network there lists layer for layer as {@link Networks} builds them
 * ({@code TorchWeightsTest} checks that both compute the same).
 */
public final class ModelFolder {

	public static final String CARD = "model.json";
	public static final String WEIGHTS = "weights.params";
	/** Weights of a network trained with PyTorch ({@code tools/pytorch/cdinn.py}), read when {@link #WEIGHTS} is absent. */
	public static final String TORCH_WEIGHTS = "weights.npz";

	/** The bundled default models: resource folders {@code /models/<name>/} in the jar. */
	public static final String DEFAULT_3D = "default-3d", DEFAULT_2D = "default-2d", DEFAULT_2D_128 = "default-2d-128";
	/**
	 * Smallest 2D pattern (pixels along each axis) for which "auto" takes {@link #DEFAULT_2D_128}: the 64² network sees
	 * only the central 64² of a larger pattern, and loses the crystal's edges with the high frequencies it crops.
	 */
	public static final int FINE_2D_MIN = 128;

	/** The folder a training writes its per-epoch checkpoint into, inside the model folder. */
	public static final String CHECKPOINT = "checkpoint";

	/**
	 * The files that make or accompany a model folder: card and weights (this plugin's and tools/pytorch's), the
	 * training's history (history.csv and loss.png from Train Network, history.json from tools/pytorch) and its
	 * checkpoint folder. A folder holding any of them already holds a model.
	 */
	public static final List<String> MODEL_FILES = List.of(CARD, WEIGHTS, TORCH_WEIGHTS, "history.csv", "history.json", "loss.png", CHECKPOINT);

	private ModelFolder() {}

	/** Which of {@link #MODEL_FILES} {@code folder} holds (none when it does not exist). */
	public static List<String> modelFilesIn(final Path folder) {
		final List<String> found = new ArrayList<>();
		if (folder == null || !Files.isDirectory(folder)) return found;
		for (final String f : MODEL_FILES) if (Files.exists(folder.resolve(f), java.nio.file.LinkOption.NOFOLLOW_LINKS)) found.add(f);
		return found;
	}

	/**
	 * Refuses, before any work, an output folder that already holds a model or part of one ({@link #MODEL_FILES}:
	 * another model, an earlier fine-tuning, a training's history): a new model would replace its card and weights
	 * and leave the rest beside them, a folder mixing two models, and the model that was there would be lost.
	 *
	 * @param what the new model, for the message ("the tuned model", "the trained model")
	 */
	public static void requireNoModel(final Path out, final String what) {
		final List<String> found = modelFilesIn(out);
		if (!found.isEmpty())
			throw new CdiException("Parameter 'output_dir': " + out + " already holds a model or part of one (" + String.join(", ", found)
				+ "); expected a new or empty folder for " + what + ": choose another output_dir, or delete those files to replace that model deliberately.");
	}

	/** Writes weights and card into {@code folder} (created if needed). */
	public static void save(final Path folder, final Block block, final ModelCard card) {
		AtomicOutput.write(folder.resolve(WEIGHTS), out -> block.saveParameters(new DataOutputStream(out)));
		final byte[] json = card.toJson().getBytes(StandardCharsets.UTF_8);
		AtomicOutput.write(folder.resolve(CARD), out -> out.write(json));
	}

	/** Reads the card of a model folder with clear errors for a missing folder or file. */
	public static ModelCard readCard(final Path folder) {
		if (folder != null && Files.isRegularFile(folder)) throw new CdiException("Model " + folder + " is a file, not a model folder: expected a folder holding "
			+ CARD + " and " + WEIGHTS + " (or " + TORCH_WEIGHTS + "), as the training command writes it; unpack a zipped model folder first and give the folder.");
		if (folder == null || !Files.isDirectory(folder)) throw new CdiException("Model folder " + folder + " does not exist or is not a folder: expected a folder written by the training command (model.json + weights.params)"
			+ (folder != null && folder.getNameCount() == 1 ? ", or a bundled model: auto, 3d, 2d or 2d-128." : "."));
		final Path card = folder.resolve(CARD);
		try {
			return ModelCard.fromJson(Files.readString(card, StandardCharsets.UTF_8), card.toString());
		} catch (final NoSuchFileException e) {
			if (Files.isDirectory(folder.resolve(CHECKPOINT)))
				throw new CdiException("Model folder " + folder + " has no " + CARD + " but a " + CHECKPOINT + "/ folder: its training was interrupted before the model was written. "
					+ "Run Train Network again with the same parameters and output_dir to finish it (it resumes from the checkpoint), then use the folder.", e);
			throw new CdiException("Model folder " + folder + " has no " + CARD + ": expected a folder written by the training command (model.json + weights.params).", e);
		} catch (final IOException e) {
			throw new CdiException("Cannot read the model card " + card + ": " + e.getMessage() + ".", e);
		}
	}

	/** Loads the weights of a folder ({@link #WEIGHTS}, else {@link #TORCH_WEIGHTS}) into a new block built from its card. */
	public static Block loadBlock(final Path folder, final ModelCard card, final NDManager manager) {
		final Path w = folder.resolve(WEIGHTS);
		if (!Files.isRegularFile(w)) {
			final Path npz = folder.resolve(TORCH_WEIGHTS);
			if (!Files.isRegularFile(npz)) throw new CdiException("Model folder " + folder + " has no " + WEIGHTS + " (or " + TORCH_WEIGHTS + "): expected the weights written by the training command next to " + CARD + ".");
			final Block block = initialised(card, manager);
			loadNpz(block, npz, manager, card.architecture.describe());
			return block;
		}
		try (InputStream in = new BufferedInputStream(Files.newInputStream(w))) {
			return loadBlock(in, card, manager, w.toString());
		} catch (final IOException e) {
			throw new CdiException("Cannot read the weights " + w + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ".", e);
		}
	}

	/**
	 * Overwrites an initialised block's parameters with the arrays of a {@link #TORCH_WEIGHTS} file, taken in the order
	 * of their names (p000, p001, …); their number and every shape must be the block's.
	 */
	public static void loadNpz(final Block block, final Path npz, final NDManager manager, final String network) {
		// the file's arrays live in a sub-manager, freed once copied into the block's own parameters
		try (NDManager sub = manager.newSubManager()) {
			final NDList arrays;
			try (InputStream in = new BufferedInputStream(Files.newInputStream(npz))) {
				arrays = NDList.decode(sub, in);
			} catch (final IOException | RuntimeException e) {
				throw new CdiException("Cannot read the weights " + npz + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "): expected the weights.npz written by tools/pytorch.", e);
			}
			final List<NDArray> sorted = new ArrayList<>(arrays);
			sorted.sort(Comparator.comparing(NDArray::getName, Comparator.nullsFirst(Comparator.naturalOrder())));
			final List<Pair<String, Parameter>> params = block.getParameters().stream().toList();
			if (sorted.size() != params.size()) throw new CdiException("The weights " + npz + " hold " + sorted.size() + " arrays but the network in its model card (" + network + ") has "
				+ params.size() + " parameters: is the file a complete copy (a zip cut short reads as fewer arrays), and were model.json and weights.npz written by the same training run?");
			for (int i = 0; i < params.size(); i++) {
				final NDArray target = params.get(i).getValue().getArray();
				final NDArray got = sorted.get(i);
				if (!got.getShape().equals(target.getShape())) throw new CdiException("The weights " + npz + " do not fit the network in its model card (" + network + "): array "
					+ got.getName() + " has shape " + got.getShape() + ", parameter " + params.get(i).getKey() + " needs " + target.getShape() + ".");
				target.set(got.toType(DataType.FLOAT32, false).toFloatArray());
			}
		}
	}

	/**
	 * Writes a block's parameters as a {@link #TORCH_WEIGHTS} file (p000, p001, … in the order of
	 * {@code Block.getParameters()}, BatchNorm's running statistics included), the inverse of {@link #loadNpz}, so that
	 * {@code tools/pytorch} can continue training a model of this plugin ({@code --init}).
	 */
	public static void writeNpz(final Block block, final Path npz) {
		final NDList list = new NDList();
		int i = 0;
		for (final Pair<String, Parameter> p : block.getParameters()) {
			final NDArray a = p.getValue().getArray().duplicate();
			a.setName(String.format(Locale.ROOT, "p%03d", i++));
			list.add(a);
		}
		try {
			AtomicOutput.write(npz, out -> list.encode(out, NDList.Encoding.NPZ));
		} finally {
			list.close();
		}
	}

	/** The card's network, built and initialised for its input (batch 1), weights still arbitrary. */
	private static Block initialised(final ModelCard card, final NDManager manager) {
		final Block block = Networks.build(card.architecture);
		final long[] s = card.architecture.sampleShape();
		final long[] withBatch = new long[s.length + 1];
		withBatch[0] = 1;
		System.arraycopy(s, 0, withBatch, 1, s.length);
		block.initialize(manager, DataType.FLOAT32, new Shape(withBatch));
		return block;
	}

	/**
	 * Builds the card's network, initialises it for the card's input size and overwrites every parameter from the
	 * stream; a parameter whose shape differs from the architecture's is a size mismatch between card and weights.
	 */
	public static Block loadBlock(final InputStream stream, final ModelCard card, final NDManager manager, final String where) {
		final InputStream weights = stream.markSupported() ? stream : new BufferedInputStream(stream);
		requireNotZip(weights, where);
		final Block block = initialised(card, manager);
		final List<Shape> expected = new ArrayList<>();
		for (final Pair<String, Parameter> p : block.getParameters()) expected.add(p.getValue().getArray().getShape());
		try {
			block.loadParameters(manager, new DataInputStream(weights));
		} catch (final IOException | MalformedModelException | RuntimeException e) {
			if (e instanceof java.io.EOFException || e.getCause() instanceof java.io.EOFException)
				throw new CdiException("The weights " + where + " are truncated: the file ends before all parameters of the network in its model card ("
					+ card.architecture.describe() + ") were read; copy the complete weights.params again.", e);
			throw new CdiException("The weights " + where + " do not fit the network in its model card (" + card.architecture.describe() + "): "
				+ (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ". Were model.json and weights.params written by the same training run?", e);
		}
		int i = 0;
		for (final Pair<String, Parameter> p : block.getParameters()) {
			final Shape got = p.getValue().getArray().getShape();
			if (!got.equals(expected.get(i))) throw new CdiException("The weights " + where + " do not fit the network in its model card (" + card.architecture.describe()
				+ "): parameter " + p.getKey() + " has shape " + got + ", the card's architecture needs " + expected.get(i) + ". Were model.json and weights.params written by the same training run?");
			i++;
		}
		return block;
	}

	/**
	 * Refuses a zip archive in place of DJL's parameter file (a {@link #TORCH_WEIGHTS} file renamed, a zipped model
	 * folder): read as parameters it failed with "Unsupported encoding version: 80" ('P' of "PK") and blamed a
	 * card–weights mismatch. The stream (with mark/reset) is left where it was.
	 */
	private static void requireNotZip(final InputStream in, final String where) {
		final byte[] head = new byte[4];
		int n = 0;
		try {
			in.mark(head.length);
			for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0;) n += r;
			in.reset();
		} catch (final IOException e) {
			throw new CdiException("Cannot read the weights " + where + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ".", e);
		}
		if (n == head.length && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
			throw new CdiException("The weights " + where + " are a zip archive, not DJL's parameter file (" + WEIGHTS + ") that the training command writes: "
				+ "NumPy weights from tools/pytorch belong in " + TORCH_WEIGHTS + ", and a zipped model folder must be unpacked first.");
	}

	/**
	 * The bundled model a name stands for: "3d", "default" or "default-3d" → {@link #DEFAULT_3D}, "2d" or "default-2d" →
	 * {@link #DEFAULT_2D}, "2d-128" or "default-2d-128" → {@link #DEFAULT_2D_128}; null for anything else (a model folder).
	 */
	public static String bundledName(final String model) {
		return switch (model.trim().toLowerCase(Locale.ROOT)) {
			case "3d", "default", DEFAULT_3D -> DEFAULT_3D;
			case "2d", DEFAULT_2D -> DEFAULT_2D;
			case "2d-128", DEFAULT_2D_128 -> DEFAULT_2D_128;
			default -> null;
		};
	}

	/**
	 * The model a choice stands for (Predict, Fine-tune, NN + refine): "auto" or blank → a bundled model by the data's
	 * rank and size ("3d"; "2d-128" for a 2D pattern of at least {@value #FINE_2D_MIN} pixels along
	 * both axes, "2d" for a smaller one); otherwise the choice.
	 */
	public static String forData(final String model, final Grid data) {
		if (!isAuto(model)) return model.trim();
		if (!data.is2D()) return "3d";
		return Math.min(data.ny, data.nx) >= FINE_2D_MIN ? "2d-128" : "2d";
	}

	/** Why {@link #forData} takes its model for a pattern on this grid under "auto", in words (for the log). */
	public static String autoReason(final Grid data) {
		if (!data.is2D()) return "3D patterns";
		return Math.min(data.ny, data.nx) >= FINE_2D_MIN ? "2D patterns of at least " + FINE_2D_MIN + " pixels along both axes"
			: "2D patterns smaller than " + FINE_2D_MIN + " pixels along an axis";
	}

	/**
	 * Refuses patterns of both ranks where one network must take them all (a network is 2D or 3D): the message names
	 * the 2D and the 3D ones (at most {@value #LISTED} of each) and asks to split them.
	 *
	 * @param what the run, for the message ("Fine-tune Network")
	 */
	public static void requireOneRank(final List<Grid> grids, final List<String> names, final String what) {
		final List<String> two = new ArrayList<>(), three = new ArrayList<>();
		for (int i = 0; i < grids.size(); i++) (grids.get(i).is2D() ? two : three).add(names.get(i) + " (" + grids.get(i) + ")");
		if (two.isEmpty() || three.isEmpty()) return;
		throw new CdiException(what + " got both 2D and 3D patterns, but one network takes patterns of one rank: 2D: " + listed(two) + "; 3D: " + listed(three)
			+ ". Put the 2D and the 3D patterns into separate folders and run each with a model of its rank.");
	}

	/** How many files of each rank {@link #requireOneRank} names. */
	private static final int LISTED = 5;

	private static String listed(final List<String> l) {
		return String.join(", ", l.subList(0, Math.min(LISTED, l.size()))) + (l.size() > LISTED ? " and " + (l.size() - LISTED) + " more" : "");
	}

	/** Whether the model is left to {@link #forData} ("auto", blank or null). */
	public static boolean isAuto(final String model) { return model == null || model.isBlank() || model.trim().equalsIgnoreCase("auto"); }

	/** The resource path of a bundled model's file: {@code /models/<name>/<file>}. */
	public static String bundledPath(final String name, final String file) { return "/models/" + name + "/" + file; }

	/** A bundled model's file ({@link #CARD} or {@link #WEIGHTS}), or null when the jar has none. */
	public static InputStream openBundled(final String name, final String file) {
		return ModelFolder.class.getResourceAsStream(bundledPath(name, file));
	}

	/** Number of trainable values of an initialised block. */
	public static long parameterCount(final Block block) {
		long n = 0;
		for (final Pair<String, Parameter> p : block.getParameters()) if (p.getValue().requiresGradient()) n += p.getValue().getArray().size();
		return n;
	}
}
