package sc.fiji.cdi.nn.train;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.nn.predict.InputFitting;
import sc.fiji.cdi.nn.predict.Prediction;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Physics-aware fine-tuning of a trained network on measured patterns (AutoPhaseNN, Yao et al. 2022: the loss
 * |FFT(A·e^{iφ}·S)| against the measured amplitude needs no ground truth, so a network trained on simulations can
 * adapt to real data). The patterns are preprocessed exactly as for prediction ({@link Predictor#preprocess}); Adam
 * at a fixed learning rate updates the predictor's own weights in place, BatchNorm in training mode (its running
 * statistics move towards the measured data). The tuning is recorded in the predictor's model card, so
 * {@link Predictor#save} writes a model folder that says how it was made.
 * <p>
 * A cancelled fine-tuning leaves the predictor partly tuned: discard it. Adam's moment estimates and the weights'
 * gradients stay in the predictor's native memory (about twice the weights) until it is closed: save a tuned
 * network and load it again rather than tuning one predictor many times.
 */
public final class FineTuning {

	/** Defaults measured on the 3D-CDI-NN example crop with the default 3D model (docs/models.md): 50 steps at 1e-3. */
	public static final int DEFAULT_STEPS = 50;
	public static final double DEFAULT_LEARNING_RATE = 1e-3;

	/** What a fine-tuning did: the mean physics loss over the patterns before and after, and its wall time. */
	public record Report(int patterns, int steps, double learningRate, double lossBefore, double lossAfter, double seconds) {

		/** Whether the tuned network is to be kept by {@link #keepsTuning}: its physics loss on the patterns is not higher. */
		public boolean tuningKept() {
			return keepsTuning(lossBefore, lossAfter);
		}
	}

	private FineTuning() {}

	/**
	 * The one criterion for keeping a tuning: the tuned network's misfit on the patterns is not higher than the untuned
	 * one's (a NaN misfit is higher). {@link #predictTuned} compares the predictions' χ²; Fine-tune Network the
	 * physics loss ({@link Report#tuningKept}) and writes no model otherwise.
	 */
	public static boolean keepsTuning(final double untuned, final double tuned) {
		return Double.isNaN(untuned) ? !Double.isNaN(tuned) : tuned <= untuned;
	}

	/**
	 * A measured pattern as a training sample for the physics loss: the network input ({@link InputFitting}), its
	 * ifftshifted target and which pixels are measured (masked, or outside the detector after the crop/pad).
	 */
	static TrainingData.Sample sample(final Predictor predictor, final Diffraction d, final long seed) {
		final Grid grid = predictor.networkGrid();
		final InputFitting.Fitted f = predictor.fitting().fit(d, new ProcessingLog(d.log));
		final float[] in = f.input().data;
		float[] w = null;
		if (f.unmeasured() != null) {
			final float[] c = new float[in.length];
			for (int i = 0; i < c.length; i++) c[i] = f.unmeasured().isMeasured(i) ? 1f : 0f;
			w = TrainingData.unshiftedTarget(grid, c);
		}
		return new TrainingData.Sample(in, TrainingData.unshiftedTarget(grid, in), null, null, seed, w);
	}

	/**
	 * A prediction of one pattern by the network fine-tuned on it (AutoPhaseNN's self-supervised refinement of the
	 * network on the measurement): the pattern is predicted, the network tuned on it for {@code steps} at
	 * {@link #DEFAULT_LEARNING_RATE}, and predicted again. The tuned prediction is kept only when its χ² against the
	 * pattern is not higher; otherwise the weights are restored and tuned once more at a third of the rate, and if
	 * that does not lower χ² either, the untuned prediction and weights are kept. Tuning one pattern is chaotic: the
	 * same pattern tuned on one or two CPU threads ended at χ² 0.068 or 0.003 (held-out 2D crystal at 128², 30 Nov).
	 *
	 * @param prediction     the kept prediction
	 * @param report         the last tuning run
	 * @param chi2Untuned    χ² of the prediction before tuning
	 * @param chi2Tuned      χ² of the last tuned prediction
	 * @param tunedKept      whether {@code prediction} is a tuned one (the predictor then keeps the tuned weights)
	 * @param tries          every tuning run, in order (one, or two when the first raised χ²), with its tuned χ²
	 */
	public record Tuned(Prediction prediction, Report report, double chi2Untuned, double chi2Tuned, boolean tunedKept, List<Try> tries) {

		/** One tuning run of {@link #predictTuned} from the untuned weights and the χ² of its prediction. */
		public record Try(Report report, double chi2) {}

		/**
		 * The report block ({@code fine_tuning}): steps, rate, physics loss and χ² before and after of the last run,
		 * which prediction was kept, every run ({@code tries}: a second at a third of the rate when the first raised
		 * χ²) and the seconds of all of them.
		 */
		public java.util.Map<String, Object> toReport() {
			final java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
			m.put("steps", report.steps());
			m.put("learning_rate", report.learningRate());
			m.put("physics_loss_before", report.lossBefore());
			m.put("physics_loss_after", report.lossAfter());
			m.put("chi2_untuned", chi2Untuned);
			m.put("chi2_tuned", chi2Tuned);
			m.put("kept", tunedKept ? "tuned (lower chi2)" : "untuned (tuning raised chi2)");
			final List<java.util.Map<String, Object>> runs = new java.util.ArrayList<>();
			for (final Try t : tries) {
				final java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
				r.put("learning_rate", t.report().learningRate());
				r.put("physics_loss_before", t.report().lossBefore());
				r.put("physics_loss_after", t.report().lossAfter());
				r.put("chi2_tuned", t.chi2());
				r.put("seconds", t.report().seconds());
				runs.add(r);
			}
			m.put("tries", runs);
			m.put("seconds", tries.stream().mapToDouble(t -> t.report().seconds()).sum());
			return m;
		}
	}

	public static Tuned predictTuned(final Predictor predictor, final Diffraction d, final int steps, final Progress progress) {
		final Prediction before = predictor.predict(d);
		final byte[] untuned = weights(predictor);
		final int records = predictor.card().fineTuning.size();
		Report r = null;
		Prediction after = null;
		final List<Tuned.Try> tries = new java.util.ArrayList<>();
		for (final double rate : new double[] { DEFAULT_LEARNING_RATE, DEFAULT_LEARNING_RATE / 3 }) {
			if (after != null) restore(predictor, untuned, records);
			r = run(predictor, List.of(d), steps, rate, 1, progress);
			after = predictor.predict(d);
			tries.add(new Tuned.Try(r, after.trust().chi2()));
			if (keepsTuning(before.trust().chi2(), after.trust().chi2())) return new Tuned(after, r, before.trust().chi2(), after.trust().chi2(), true, List.copyOf(tries));
		}
		restore(predictor, untuned, records);
		return new Tuned(before, r, before.trust().chi2(), after.trust().chi2(), false, List.copyOf(tries));
	}

	/** The predictor's parameters (BatchNorm's running statistics included), serialised. */
	private static byte[] weights(final Predictor p) {
		final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		try {
			p.network().block().saveParameters(new java.io.DataOutputStream(out));
		} catch (final java.io.IOException e) {
			throw new CdiException("Cannot copy the weights of " + p.source() + " before fine-tuning: " + e.getMessage(), e);
		}
		return out.toByteArray();
	}

	/** Puts back weights saved by {@link #weights} and drops the card's fine-tuning records after the first {@code records}. */
	private static void restore(final Predictor p, final byte[] w, final int records) {
		try {
			p.network().block().loadParameters(p.network().manager(), new java.io.DataInputStream(new java.io.ByteArrayInputStream(w)));
		} catch (final java.io.IOException | ai.djl.MalformedModelException e) {
			throw new CdiException("Cannot restore the weights of " + p.source() + " after fine-tuning: " + e.getMessage(), e);
		}
		while (p.card().fineTuning.size() > records) p.card().fineTuning.remove(p.card().fineTuning.size() - 1);
	}

	public static Report run(final Predictor predictor, final List<Diffraction> data, final int steps, final double learningRate, final int batchSize, final Progress progress) {
		if (data == null || data.isEmpty()) throw new CdiException("Fine-tuning needs at least one measured pattern.");
		if (steps < 1) throw new CdiException("Fine-tuning steps must be at least 1, got " + steps + ".");
		if (!(learningRate > 0 && learningRate < 1)) throw new CdiException("Fine-tuning learning rate must be in (0, 1), got " + learningRate + " (1e-3 works for the default models).");
		if (batchSize < 1) throw new CdiException("Fine-tuning batch size must be at least 1, got " + batchSize + ".");
		final long t0 = System.nanoTime();
		final Grid g = predictor.networkGrid();
		final List<TrainingData.Sample> samples = new ArrayList<>();
		for (int i = 0; i < data.size(); i++) {
			progress.checkCancelled();
			samples.add(sample(predictor, data.get(i), i)); // masked pixels are left out of the loss
		}
		final NetworkTrainer.Batches batches = new NetworkTrainer.Batches(g, predictor.card().architecture.sampleShape());
		final int batch = Math.min(batchSize, samples.size());
		final double before = NetworkTrainer.validate(predictor.network().block(), batches, samples, TrainingConfig.LossKind.PHYSICS, batch, predictor.network().manager())[0];
		final Device device = predictor.network().manager().getDevice();
		final List<Parameter> trainable = new ArrayList<>();
		for (final Pair<String, Parameter> p : predictor.network().block().getParameters()) if (p.getValue().requiresGradient()) trainable.add(p.getValue());
		try (Model model = Model.newInstance("fine-tuning", device, DjlRuntime.PYTORCH)) {
			model.setBlock(predictor.network().block());
			final DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l1Loss()) // unused: the physics loss is computed by step()
				.optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).build())
				.optDevices(new Device[] { device });
			try (Trainer trainer = model.newTrainer(tc)) {
				// weights loaded for inference carry no gradient; BatchNorm's running statistics never do
				for (final Parameter p : trainable) p.getArray().setRequiresGradient(true);
				try {
					for (int k = 0; k < steps; k++) {
						progress.checkCancelled();
						final List<TrainingData.Sample> b = new ArrayList<>();
						for (int j = 0; j < batch; j++) b.add(samples.get((k * batch + j) % samples.size()));
						final double loss = NetworkTrainer.step(trainer, batches, b, TrainingConfig.LossKind.PHYSICS);
						if (!Double.isFinite(loss)) throw new CdiException("Fine-tuning diverged at step " + (k + 1) + " (loss " + loss + "): lower the learning rate (now " + learningRate + ").");
						progress.progress(k + 1, steps);
						progress.status(String.format(Locale.ROOT, "Fine-tuning %s: step %d/%d, physics loss %.4f", predictor.source(), k + 1, steps, loss));
					}
				} finally {
					for (final Parameter p : trainable) p.getArray().setRequiresGradient(false);
				}
			}
		}
		final double after = NetworkTrainer.validate(predictor.network().block(), batches, samples, TrainingConfig.LossKind.PHYSICS, batch, predictor.network().manager())[0];
		final Report r = new Report(samples.size(), steps, learningRate, before, after, (System.nanoTime() - t0) / 1e9);
		final ModelCard.FineTuned record = new ModelCard.FineTuned();
		for (final Diffraction d : data) record.patterns.add(d.source);
		record.steps = steps;
		record.learningRate = learningRate;
		record.batchSize = batch;
		record.lossBefore = before;
		record.lossAfter = after;
		record.seconds = r.seconds();
		record.created = Instant.now().toString();
		predictor.card().fineTuning.add(record);
		return r;
	}
}
