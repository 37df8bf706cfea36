package sc.fiji.cdi.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.predict.NnRefine;
import sc.fiji.cdi.nn.predict.Prediction;
import sc.fiji.cdi.nn.predict.PredictionTrust;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Predict (NN) as a request→result core class: patterns → network predictions → the object on the <em>data's</em>
 * grid (the inverse of the network preprocessing, {@link NnRefine#initialGuess}: Fourier resampling and zero-padding
 * back to the data grid, so its voxel is the data's real-space voxel) and, labelled as such, on the network grid
 * (voxel {@link Prediction#voxelScaleZyx} data voxels). Every prediction carries its trust verdict
 * ({@link PredictionTrust}) in the report.
 */
public final class Predict {

	/**
	 * @param model     "auto" (3d or 2d by the data), "3d", "2d" or a model folder
	 * @param device    "cpu", "gpu" or "auto"
	 * @param batchSize patterns per forward pass
	 * @param outputDir where the files go; null writes nothing (the caller shows the images)
	 */
	public record Request(String model, String device, int batchSize, Path outputDir) {}

	/**
	 * One pattern's prediction: on the data grid (amplitude normalised to max 1, phase in radians, support) and the
	 * raw network-grid prediction; the files written for it.
	 */
	public record Item(String name, Prediction prediction, RealVolume amplitude, RealVolume phase, RealVolume support, List<Path> files) {}

	public record Result(String model, List<Item> items) {

		/** One warning per prediction that must not be used without refinement ({@link PredictionTrust}). */
		public List<String> warnings() {
			return items.stream().filter(it -> !it.prediction().trust().trusted()).map(it -> it.name() + ": " + it.prediction().trust().message()).toList();
		}

		/** One line for the log: how many, with which model, how fast, where the files went, how many are flagged. */
		public String summary(final Path outputDir) {
			final double ms = items.stream().mapToDouble(it -> it.prediction().millis()).sum();
			final int flagged = warnings().size();
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

	public static Result run(final List<Diffraction> data, final List<String> names, final Request request, final Progress progress) {
		if (data.isEmpty()) throw new CdiException("Predict (NN) needs at least one pattern.");
		if (request.outputDir() != null) ResultWriter.checkWritable(request.outputDir());
		try (Predictor predictor = Predictor.load(ModelFolder.forData(request.model(), data.get(0).grid()), request.device())) {
			final List<Prediction> predictions = predictor.predictAll(data, request.batchSize(), progress);
			final List<Item> items = new ArrayList<>();
			for (int i = 0; i < predictions.size(); i++) {
				final Prediction p = predictions.get(i);
				final InitialGuess onData = NnRefine.initialGuess(p, data.get(i));
				final ComplexVolume o = onData.object();
				final RealVolume amp = o.amplitude();
				final float max = (float) amp.max();
				final float[] a = amp.data, s = new float[a.length];
				for (int k = 0; k < a.length; k++) { if (max > 0) a[k] /= max; s[k] = onData.support()[k] ? 1f : 0f; }
				final RealVolume phase = o.phase();
				for (int k = 0; k < s.length; k++) if (s[k] == 0) phase.data[k] = 0;
				final double[] unit = { 1, 1, 1 };
				final RealVolume A = new RealVolume(amp.grid, a, unit, DATA_VOXEL), P = new RealVolume(amp.grid, phase.data, unit, DATA_VOXEL), S = new RealVolume(amp.grid, s, unit, DATA_VOXEL);
				final List<Path> files = request.outputDir() == null ? List.of() : write(request.outputDir(), names.get(i), p, A, P, S, predictor.source());
				items.add(new Item(names.get(i), p, A, P, S, files));
			}
			return new Result(predictor.source(), items);
		}
	}

	/** One result set {@code <name>_nn} ({@link AtomicOutput.ResultSet}): all files with their manifest, or none. */
	private static List<Path> write(final Path dir, final String name, final Prediction p, final RealVolume a, final RealVolume ph, final RealVolume s, final String model) {
		try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(dir, name + "_nn")) {
			writeSet(set, name, p, a, ph, s, model);
			return set.commit();
		}
	}

	private static void writeSet(final AtomicOutput.ResultSet set, final String name, final Prediction p, final RealVolume a, final RealVolume ph, final RealVolume s, final String model) {
		final Path fa = set.file(name + AMPLITUDE_SUFFIX), fp = set.file(name + PHASE_SUFFIX), fs = set.file(name + SUPPORT_SUFFIX);
		TiffWriter.write(fa, a);
		TiffWriter.write(fp, ph);
		TiffWriter.write(fs, s);
		// the raw prediction on the network grid, labelled by its voxel in data voxels
		final double[] v = p.voxelScaleZyx();
		final Path fn = set.file(name + NETWORK_GRID_SUFFIX);
		TiffWriter.write(fn, new RealVolume(p.amplitude().grid, p.amplitude().data, v, DATA_VOXEL));
		final Map<String, Object> report = new LinkedHashMap<>();
		report.put("model", model);
		report.put("grid", a.grid.toString());
		report.put("voxel", "the data's real-space voxel (the prediction resampled back to the data grid)");
		report.put("network_grid", p.amplitude().grid.toString());
		report.put("network_grid_voxel_scale_zyx", v);
		report.put("bin_zyx", p.binZyx());
		report.put("network_ms", p.millis());
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
