package sc.fiji.cdi.workflow;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.predict.InputFitting;
import sc.fiji.cdi.nn.predict.NnRefine;
import sc.fiji.cdi.nn.predict.Prediction;
import sc.fiji.cdi.nn.predict.PredictionTrust;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.nn.train.FineTuning;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;
import sc.fiji.cdi.util.Version;

/**
 * Predict (NN) as a request→result core class: patterns → network predictions → the object on the <em>data's</em>
 * grid (the inverse of the network preprocessing, {@link NnRefine#onDataGrid}: Fourier resampling and zero-padding
 * back to the data grid, so its voxel is the data's real-space voxel) and, labelled as such, on the network grid
 * (voxel {@link Prediction#voxelScaleZyx} data voxels). Every prediction carries its trust verdict
 * ({@link PredictionTrust}) in the report.
 */
public final class Predict {

	/**
	 * @param model     "auto" (per pattern: 3d, 2d or 2d-128 by its rank and size), "3d", "2d" or a model folder
	 * @param device    "cpu", "gpu" or "auto"
	 * @param batchSize patterns per forward pass
	 * @param outputDir where the files go; null writes nothing (the caller shows the images)
	 * @param fineTuneSteps physics-loss fine-tuning steps of a fresh copy of the network on each pattern before its
	 *                  prediction (AutoPhaseNN's self-supervised refinement of the network; no ground truth); 0 = none
	 */
	public record Request(String model, String device, int batchSize, Path outputDir, int fineTuneSteps) {

		public Request {
			if (fineTuneSteps < 0) throw new CdiException("fine_tune_steps is " + fineTuneSteps + ": expected 0 (none) or more steps.");
		}

		/** Without fine-tuning. */
		public Request(final String model, final String device, final int batchSize, final Path outputDir) {
			this(model, device, batchSize, outputDir, 0);
		}
	}

	/**
	 * One pattern's prediction: the model that made it, on the data grid (amplitude normalised to max 1, phase in
	 * radians, support) and the raw network-grid prediction; the files written for it.
	 */
	public record Item(String name, String model, Prediction prediction, RealVolume amplitude, RealVolume phase, RealVolume support, List<Path> files, FineTuning.Tuned tuning) {

		Item written(final List<Path> f) { return new Item(name, model, prediction, amplitude, phase, support, f, tuning); }
	}

	/**
	 * @param model the model(s) used, in words
	 * @param items the predictions, in the order of the patterns
	 * @param notes lines for the log: which model "auto" took for which patterns and why, patterns read from a single slice
	 */
	public record Result(String model, List<Item> items, List<String> notes) {

		/**
		 * One warning per prediction that must not be used without refinement ({@link PredictionTrust}), and one per
		 * pattern whose size kept it from the binning that fits its crystal to the model ({@link InputFitting#binningAdvice}).
		 */
		public List<String> warnings() {
			final List<String> w = new ArrayList<>(untrusted());
			for (final Item it : items) {
				final String advice = InputFitting.binningAdvice(it.prediction().log());
				if (advice != null) w.add(it.name() + ": " + advice);
			}
			return w;
		}

		/** The predictions that must not be used without refinement, one line each. */
		private List<String> untrusted() {
			return items.stream().filter(it -> !it.prediction().trust().trusted()).map(it -> it.name() + ": " + it.prediction().trust().message()).toList();
		}

		/** One line for the log: how many, with which model, how fast, where the files went, how many are flagged. */
		public String summary(final Path outputDir) {
			final double ms = items.stream().mapToDouble(it -> it.prediction().millis()).sum();
			final int flagged = untrusted().size();
			return String.format(Locale.ROOT, "Predicted %d pattern(s) with %s, %.1f ms per pattern; %s%s", items.size(), model, ms / items.size(),
				outputDir == null ? "nothing saved (no output_dir): the first prediction is shown" : items.stream().mapToInt(it -> it.files().size()).sum() + " files in " + outputDir,
				flagged > 0 ? "; " + flagged + " flagged: refine before use (Reconstruct mode=nn+refine)" : "");
		}
	}

	/** What follows the pattern's name in each file of its prediction (the result set {@code <name>_nn}). */
	public static final String AMPLITUDE_SUFFIX = "_nn_amplitude.tif", PHASE_SUFFIX = "_nn_phase.tif", SUPPORT_SUFFIX = "_nn_support.tif",
		NETWORK_GRID_SUFFIX = "_nn_network_grid_amplitude.tif", REPORT_SUFFIX = "_nn_report.json";

	/** Every file suffix a prediction writes: a folder input skips them, so a rerun into the input folder does not read its own outputs. */
	public static final List<String> OUTPUT_SUFFIXES = List.of(AMPLITUDE_SUFFIX, PHASE_SUFFIX, SUPPORT_SUFFIX, NETWORK_GRID_SUFFIX, REPORT_SUFFIX,
		"_nn" + AtomicOutput.MANIFEST_SUFFIX);

	/** Unit of the data-grid outputs: the real-space voxel of the data (λD/(N·pixel) per axis, not known here). */
	public static final String DATA_VOXEL = "data voxel";

	private Predict() {}

	/**
	 * Predicts every pattern. With model "auto" each pattern gets the model {@link ModelFolder#forData} chooses for
	 * it (a folder of 64² and 128² patterns: each size its own network, as when predicted alone; 2D and 3D patterns
	 * alike); the patterns of one model are predicted together. A named model must fit all patterns: a mix of 2D
	 * and 3D patterns is refused, naming both kinds.
	 */
	public static Result run(final List<Diffraction> data, final List<String> names, final Request request, final Progress progress) {
		if (data.isEmpty()) throw new CdiException("Predict (NN) needs at least one pattern.");
		if (request.outputDir() != null) {
			ResultWriter.checkWritable(request.outputDir());
			// before any work: two patterns of this run with one name, or a result of another input of the same name
			final Map<String, Integer> first = new LinkedHashMap<>();
			for (int i = 0; i < data.size(); i++) {
				final Integer j = first.putIfAbsent(names.get(i), i);
				if (j != null) throw new CdiException("Patterns " + data.get(j).source + " and " + data.get(i).source + " have the same name '" + names.get(i)
					+ "' (the file name up to its first dot): their predictions in " + request.outputDir() + " would replace each other. Rename one, or predict them into different output folders.");
			}
			for (int i = 0; i < data.size(); i++) AtomicOutput.ResultSet.requireSameInput(request.outputDir(), names.get(i) + "_nn", sourceIdentity(data.get(i).source));
		}
		final boolean auto = ModelFolder.isAuto(request.model());
		if (!auto) ModelFolder.requireOneRank(data.stream().map(Diffraction::grid).toList(), data.stream().map(d -> d.source).toList(),
			"Predict (NN) with model '" + request.model().trim() + "'");
		// pattern indices by model, in the order of the first pattern of each
		final Map<String, List<Integer>> groups = new LinkedHashMap<>();
		for (int i = 0; i < data.size(); i++) groups.computeIfAbsent(ModelFolder.forData(request.model(), data.get(i).grid()), m -> new ArrayList<>()).add(i);
		final Item[] items = new Item[data.size()];
		final List<String> notes = new ArrayList<>(), used = new ArrayList<>();
		int done = 0;
		for (final Map.Entry<String, List<Integer>> g : groups.entrySet()) {
			final List<Integer> idx = g.getValue();
			final String source = request.fineTuneSteps() > 0 ? predictTunedEach(g.getKey(), idx, data, names, request, items, progress, done)
				: predictTogether(g.getKey(), idx, data, names, request, items, progress, done);
			used.add((groups.size() == 1 ? source : source + " (" + idx.size() + ")")
				+ (request.fineTuneSteps() > 0 ? ", fine-tuned " + request.fineTuneSteps() + " steps on each pattern" : ""));
			if (auto) notes.add("model=auto: " + source + " for " + ModelFolder.autoReason(data.get(idx.get(0)).grid()) + ": "
				+ String.join(", ", idx.stream().map(i -> names.get(i) + " (" + data.get(i).grid() + ")").toList()));
			done += idx.size();
		}
		for (int i = 0; i < data.size(); i++) {
			final String slice = singleSlice(data.get(i).log);
			if (slice != null) notes.add(names.get(i) + ": " + slice);
		}
		// written only when every pattern was predicted; a write that fails or is cancelled takes the sets written before
		// it away again: a failed run leaves nothing
		if (request.outputDir() != null) {
			final List<Path> written = new ArrayList<>();
			try {
				for (int i = 0; i < items.length; i++) {
					progress.checkCancelled();
					items[i] = items[i].written(write(request.outputDir(), names.get(i), sourceIdentity(data.get(i).source), request.device(), items[i]));
					written.add(request.outputDir().resolve(names.get(i) + "_nn" + AtomicOutput.MANIFEST_SUFFIX)); // the manifest first: no set is claimed complete
					written.addAll(items[i].files());
				}
			} catch (final RuntimeException e) {
				for (final Path f : written) AtomicOutput.deleteQuietly(f);
				throw e;
			}
		}
		return new Result(String.join(" and ", used), List.of(items), notes);
	}

	/** The patterns {@code idx} predicted by one network, {@code batchSize} per forward pass; returns the network's name. */
	private static String predictTogether(final String model, final List<Integer> idx, final List<Diffraction> data, final List<String> names, final Request request,
		final Item[] items, final Progress progress, final int done) {
		try (Predictor predictor = Predictor.load(model, request.device())) {
			final List<Prediction> predictions = predictor.predictAll(idx.stream().map(data::get).toList(), request.batchSize(), progress, done, data.size());
			for (int j = 0; j < idx.size(); j++) items[idx.get(j)] = item(names.get(idx.get(j)), predictions.get(j), data.get(idx.get(j)), predictor.source(), null);
			return predictor.source();
		}
	}

	/** Each pattern of {@code idx} predicted by its own fresh copy of the network tuned on it alone; returns the network's name. */
	private static String predictTunedEach(final String model, final List<Integer> idx, final List<Diffraction> data, final List<String> names, final Request request,
		final Item[] items, final Progress progress, final int done) {
		String source = model;
		for (int j = 0; j < idx.size(); j++) {
			final int i = idx.get(j);
			try (Predictor predictor = Predictor.load(model, request.device())) {
				source = predictor.source();
				// each pattern's tuning steps move the progress within that pattern's share (the headless line shows the ETA)
				final long unit = 1000;
				final FineTuning.Tuned t = FineTuning.predictTuned(predictor, data.get(i), request.fineTuneSteps(),
					progress.part(String.format(Locale.ROOT, "pattern %d/%d, fine-tuning: ", done + j + 1, data.size()), (done + j) * unit, unit, data.size() * unit).forwardOnly());
				progress.progress((done + j + 1) * unit, data.size() * unit);
				items[i] = item(names.get(i), t.prediction(), data.get(i), source, t);
			}
		}
		return source;
	}

	/** A prediction on the data grid (not written yet). */
	private static Item item(final String name, final Prediction p, final Diffraction d, final String model, final FineTuning.Tuned tuning) {
		// the whole predicted object (its phase where the network under-estimates the crystal too), and the support
		// that seeds NN + refine
		final ComplexVolume o = NnRefine.onDataGrid(p, d);
		final boolean[] support = NnRefine.initialGuess(p, d).support();
		final RealVolume amp = o.amplitude();
		final float max = (float) amp.max();
		final float[] a = amp.data, s = new float[a.length];
		for (int k = 0; k < a.length; k++) { if (max > 0) a[k] /= max; s[k] = support[k] ? 1f : 0f; }
		final RealVolume phase = o.phase();
		final double[] unit = { 1, 1, 1 };
		final RealVolume A = new RealVolume(amp.grid, a, unit, DATA_VOXEL), P = new RealVolume(amp.grid, phase.data, unit, DATA_VOXEL), S = new RealVolume(amp.grid, s, unit, DATA_VOXEL);
		return new Item(name, model, p, A, P, S, List.of(), tuning);
	}

	/** The data's source as recorded in the manifest: a file's real path, or the label as is ("image 'title'"). */
	private static String sourceIdentity(final String source) {
		if (source == null) return null;
		try {
			final Path f = Path.of(source);
			return java.nio.file.Files.exists(f) ? AtomicOutput.identity(f) : source;
		} catch (final java.nio.file.InvalidPathException e) {
			return source;
		}
	}

	/**
	 * When the file held a 3-axis array with a single slice (shape (1, ny, nx), e.g. a one-frame stack): the note that
	 * it was read as a 2D pattern, so the outputs are 2D; null otherwise.
	 */
	static String singleSlice(final ProcessingLog log) {
		for (final ProcessingLog.Step st : log.steps()) {
			if (!st.name().equals("import")) continue;
			final Object shape = st.parameters().get("shape");
			if (shape == null) return null;
			final String[] axes = shape.toString().replaceAll("[\\[\\]\\s]", "").split(",");
			return axes.length == 3 && axes[0].equals("1") ? "the file's array " + shape + " has a single slice: read as a 2D pattern (" + axes[1] + "x" + axes[2] + "), so the outputs are 2D" : null;
		}
		return null;
	}

	/** One result set {@code <name>_nn} ({@link AtomicOutput.ResultSet}): all files with their manifest, or none. */
	private static List<Path> write(final Path dir, final String name, final String source, final String device, final Item it) {
		try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(dir, name + "_nn")) {
			set.input(source); // another input of the same base name must not replace this one's prediction
			writeSet(set, name, source, device, it.prediction(), it.amplitude(), it.phase(), it.support(), it.model(), it.tuning());
			return set.commit();
		}
	}

	private static void writeSet(final AtomicOutput.ResultSet set, final String name, final String source, final String device, final Prediction p, final RealVolume a, final RealVolume ph, final RealVolume s, final String model,
		final FineTuning.Tuned tuning) {
		final Path fa = set.file(name + AMPLITUDE_SUFFIX), fp = set.file(name + PHASE_SUFFIX), fs = set.file(name + SUPPORT_SUFFIX);
		TiffWriter.write(fa, a);
		TiffWriter.write(fp, ph);
		TiffWriter.write(fs, s);
		// the raw prediction on the network grid, labelled by its voxel in data voxels
		final double[] v = p.voxelScaleZyx();
		final Path fn = set.file(name + NETWORK_GRID_SUFFIX);
		TiffWriter.write(fn, new RealVolume(p.amplitude().grid, p.amplitude().data, v, DATA_VOXEL));
		final Map<String, Object> report = new LinkedHashMap<>();
		// which pattern, by which version, when and on what device: as the Reconstruct report says it
		report.put("software", "CDI for Fiji " + Version.get());
		report.put("date", OffsetDateTime.now().toString());
		report.put("source", source);
		report.put("device", device);
		report.put("model", model);
		report.put("grid", a.grid.toString());
		final String slice = singleSlice(p.log());
		if (slice != null) report.put("input_read_as", slice);
		report.put("voxel", "the data's real-space voxel (the prediction resampled back to the data grid)");
		report.put("phase", "of the whole predicted object, also where its amplitude is below the support threshold (mask with the support for a figure)");
		report.put("network_grid", p.amplitude().grid.toString());
		report.put("network_grid_voxel_scale_zyx", v);
		report.put("bin_zyx", p.binZyx());
		report.put("network_ms", p.millis());
		if (tuning != null) {
			report.put("fine_tuning", tuning.toReport());
		}
		if (p.trust() != null) {
			report.put("chi2", p.trust().chi2());
			report.put("mirror_disagreement", p.trust().disagreement());
			report.put("trusted", p.trust().trusted());
			report.put("verdict", p.trust().message());
		}
		report.put("processing", ResultWriter.steps(p.log()));
		Json.write(set.file(name + REPORT_SUFFIX), report);
	}

}
