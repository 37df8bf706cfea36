package sc.fiji.cdi.nn.model;

import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import sc.fiji.cdi.util.CdiException;

/**
 * The JSON description stored next to a network's weights ({@code model.json}): what the network is, what input it
 * expects, how it was trained and how well it did. Enough to rebuild the network and to reproduce it.
 */
public final class ModelCard {

	/** Format tag; a card with another tag is rejected. */
	public static final String FORMAT = "cdi-fiji-model/1";

	/** Support threshold on the predicted amplitude (AutoPhaseNN, CDI NN: 0.1), of the physics loss and of the post-processing. */
	public static final double DEFAULT_SUPPORT_THRESHOLD = 0.1;

	public String format = FORMAT;
	public String name;
	public String description;
	public Architecture architecture;
	public long parameterCount;
	/** Expected input, in words (fixed for all models of this format). */
	public String input = "diffraction amplitude sqrt(I) with the peak at index n/2 (centred, not fftshifted), binned so that the object "
		+ "fills the box as the training crystals did, cropped or zero-padded in reciprocal space to the input size (keeps the "
		+ "oversampling), masked pixels set to 0, normalised to max 1";
	/** Outputs, in words. */
	public String output = "object amplitude in [0,1] (sigmoid) and phase in radians in (-pi,pi) (pi*tanh), centred in the box";
	public double supportThreshold = DEFAULT_SUPPORT_THRESHOLD;
	public Training training = new Training();
	/** Validation metrics after the last epoch (name → value). */
	public Map<String, Double> validation = new LinkedHashMap<>();
	public String software;
	public String djlVersion;
	public String created;
	/** The command line that reproduces this model (before any fine-tuning). */
	public String reproduce;
	/** How to feed a TensorFlow SavedModel ({@link Architecture.Kind#TENSORFLOW_SAVEDMODEL}); null for this plugin's own networks. */
	public SavedModel savedModel;
	/** Physics-loss fine-tunings on measured patterns applied after the training, in order. */
	public List<FineTuned> fineTuning = new ArrayList<>();

	/**
	 * The input and outputs of a foreign TensorFlow SavedModel: input layout ({@code channels_last}, Keras' default,
	 * or {@code channels_first}), which outputs are amplitude and phase, whether the phase is in radians or mapped to
	 * [0, 1] ({@code unit}: φ = (p − 0.5)·2π, CDI NN and 3D-CDI-NN), and the object's fraction of the box in its
	 * training data by the autocorrelation estimate of prediction ({@code nn.predict.InputFitting}; 0: the pattern is not binned).
	 */
	public static final class SavedModel {
		public String layout = "channels_last";
		public int amplitudeOutput = 0;
		public int phaseOutput = 1;
		public String phase = "radians";
		public double objectFraction = 0;

		public boolean channelsLast() { return "channels_last".equals(layout); }

		public boolean phaseInUnitRange() { return "unit".equals(phase); }

		public void check(final java.nio.file.Path folder) {
			if (!"channels_last".equals(layout) && !"channels_first".equals(layout)) throw new CdiException("The model.json of " + folder + " gives savedModel.layout '" + layout + "': expected channels_last or channels_first.");
			if (!"radians".equals(phase) && !"unit".equals(phase)) throw new CdiException("The model.json of " + folder + " gives savedModel.phase '" + phase + "': expected radians or unit.");
			if (amplitudeOutput < 0 || phaseOutput < 0 || amplitudeOutput == phaseOutput) throw new CdiException("The model.json of " + folder + " gives outputs " + amplitudeOutput + " (amplitude) and " + phaseOutput + " (phase): expected two different indices >= 0.");
			if (!(objectFraction >= 0 && objectFraction < 1)) throw new CdiException("The model.json of " + folder + " gives savedModel.objectFraction " + objectFraction + ": expected 0 (no binning) or a fraction below 1.");
		}
	}

	/** One fine-tuning ({@code nn.train.FineTuning}): on which patterns, how, and the physics loss on them before and after. */
	public static final class FineTuned {
		public List<String> patterns = new ArrayList<>();
		public int steps;
		public double learningRate;
		public int batchSize;
		public double lossBefore;
		public double lossAfter;
		public double seconds;
		public String created;
	}

	/** How the network was trained. */
	public static final class Training {
		public String loss;
		public CrystalRecipe dataRecipe;
		public long dataSeed;
		public int trainSamples;
		public int validationSamples;
		public int epochs;
		public int batchSize;
		public double learningRate;
		public int halveLearningRateEvery;
		public String optimizer = "Adam";
		public double seconds;
		public String device;
		/**
		 * The simulator of the training crystals when it is not {@link #dataRecipe}'s (null: it is): e.g.
		 * {@code tools/pytorch/crystals.py}, whose cards give a {@link #dataRecipe} only for the crystal sizes the
		 * input fitting aims at.
		 */
		public String generator;
		/** The model whose weights the training started from (null: random initialisation). */
		public String initialWeights;
	}

	private static final Gson GSON = sc.fiji.cdi.report.Json.builder().setPrettyPrinting().create(); // non-finite numbers as null, like reports

	public String toJson() { return GSON.toJson(this); }

	/** Parses a card; {@code where} names the file for error messages. */
	public static ModelCard fromJson(final String json, final String where) {
		checkKind(json, where);
		final ModelCard c;
		try {
			c = GSON.fromJson(json, ModelCard.class);
		} catch (final JsonParseException | IllegalStateException e) {
			throw new CdiException("The model card " + where + " is not valid JSON (" + e.getMessage() + "): expected the model.json written by the training command.", e);
		} catch (final RuntimeException e) { // gson wraps exceptions of record constructors
			Throwable t = e;
			while (t != null && !(t instanceof CdiException)) t = t.getCause();
			if (t != null) throw new CdiException("The model card " + where + " describes an impossible network: " + t.getMessage(), e);
			throw new CdiException("The model card " + where + " cannot be read (" + e.getMessage() + "): expected the model.json written by the training command.", e);
		}
		if (c == null) throw new CdiException("The model card " + where + " is empty: expected the model.json written by the training command.");
		if (!FORMAT.equals(c.format)) throw new CdiException("The model card " + where + " has format '" + c.format + "': expected '" + FORMAT + "'. Is this a model folder of this plugin?");
		if (c.architecture == null) throw new CdiException("The model card " + where + " has no architecture: expected kind, rank, inputSize, baseChannels and depth.");
		if (c.architecture.kind() == null) throw new CdiException("The model card " + where + " has no architecture.kind: expected one of " + Architecture.knownKinds() + ".");
		// the support is [A >= threshold] on a sigmoid amplitude in [0, 1]: at or below 0 it is the whole box, at or
		// above 1 it is empty, so the prediction's phase ramp and offset (PostProcessing) would be measured on nothing real
		if (!(c.supportThreshold > 0 && c.supportThreshold < 1)) throw new CdiException("The model card " + where + " gives supportThreshold " + c.supportThreshold
			+ ": expected a fraction of the predicted amplitude between 0 and 1 (exclusive; AutoPhaseNN and CDI NN: " + DEFAULT_SUPPORT_THRESHOLD + ", the default when the key is absent).");
		return c;
	}

	/**
	 * Refuses an {@code architecture.kind} that names no {@link Architecture.Kind}, before gson reads it as null (no
	 * architecture) or a record check fails on another field first; anything else is left to {@link #fromJson}.
	 */
	private static void checkKind(final String json, final String where) {
		final JsonElement kind;
		try {
			final JsonElement root = JsonParser.parseString(json);
			if (!root.isJsonObject() || !root.getAsJsonObject().has("architecture") || !root.getAsJsonObject().get("architecture").isJsonObject()) return;
			kind = root.getAsJsonObject().getAsJsonObject("architecture").get("kind");
		} catch (final JsonParseException | IllegalStateException e) {
			return; // not JSON: fromJson says so
		}
		if (kind == null || kind.isJsonNull()) return;
		final String k = kind.isJsonPrimitive() ? kind.getAsString() : kind.toString();
		boolean knownKind = false;
		for (final Architecture.Kind known : Architecture.Kind.values()) knownKind |= known.name().equals(k);
		if (!knownKind) throw new CdiException("The model card " + where + " gives architecture.kind '" + k + "', which this plugin does not know: expected one of "
			+ Architecture.knownKinds() + " (upper case, as the training command writes it).");
		// a missing number would be read as 0 and refused as "got 0", which does not say that the key is missing (or misspelt)
		final com.google.gson.JsonObject a = JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("architecture");
		for (final String[] key : REQUIRED_ARCHITECTURE_KEYS)
			if (!a.has(key[0]) || a.get(key[0]).isJsonNull())
				throw new CdiException("The model card " + where + " has no architecture." + key[0] + ": expected " + key[1] + " (keys are case-sensitive; the card has "
					+ String.join(", ", a.keySet()) + ").");
	}

	/** The numbers of {@link Architecture} a card must give, with what is expected of each, for messages. */
	private static final String[][] REQUIRED_ARCHITECTURE_KEYS = { { "rank", "2 or 3 (the network's dimensions)" },
		{ "inputSize", "the edge length of the network's input, a power of two (32 or 64)" }, { "baseChannels", "the channels of the first level (1 to 512)" },
		{ "depth", "the number of down-sampling levels (at least 1)" } };
}
