package sc.fiji.cdi.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.nn.train.FineTuning;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * The Fine-tune workflow without a user interface: a trained network is adapted to measured patterns with the
 * physics loss ({@link FineTuning}) and written as a new model folder ({@code <card name>-fine-tuned}), which
 * Predict and Reconstruct (nn+refine) then take as their network. The input model is not changed; a folder that
 * already holds a model is refused ({@link #checkOutput}); a tuning that raised the physics loss on the patterns is
 * refused, not written; a failed or cancelled run leaves no empty output folder behind.
 */
public final class FineTune {

	/**
	 * @param data         the measured patterns
	 * @param model        "auto" (the bundled 2D or 3D model, from the first pattern's rank), "3d", "2d" or a model folder
	 * @param device       "auto", "cpu" or "gpu"
	 * @param steps        Adam updates
	 * @param learningRate Adam's fixed learning rate
	 * @param batchSize    patterns per update
	 * @param outputDir    the model folder to write
	 */
	public record Request(List<Diffraction> data, String model, String device, int steps, double learningRate, int batchSize, Path outputDir) {}

	/** @param source the network that was tuned; @param folder the model folder written */
	public record Result(String source, FineTuning.Report report, Path folder) {

		/** One line for the log. */
		public String summary() {
			return String.format(Locale.ROOT, "Fine-tuned %s on %d pattern(s): %d steps, physics loss %.4f -> %.4f in %.1f s; model written to %s",
				source, report.patterns(), report.steps(), report.lossBefore(), report.lossAfter(), report.seconds(), folder.toAbsolutePath());
		}
	}

	private FineTune() {}

	/**
	 * Refuses, before any work, an output folder that already holds a model or part of one
	 * ({@link ModelFolder#MODEL_FILES}: another model, an earlier fine-tuning, a training's history): the tuned model
	 * would replace its card and weights and leave the rest beside them, a folder mixing two models. As Train Network
	 * refuses another training's checkpoint and Predict another input's result, nothing is replaced silently.
	 */
	public static void checkOutput(final Path out) {
		ModelFolder.requireNoModel(out, "the tuned model");
	}

	/**
	 * Why a tuning that raised the physics loss is not written ({@link FineTuning.Report#tuningKept}, the criterion
	 * Predict's {@link FineTuning#predictTuned} uses).
	 */
	static String worseMessage(final FineTuning.Report report, final String source, final Path out) {
		return String.format(Locale.ROOT, "Fine-tuning made %s worse on the %d pattern(s): physics loss %.4g before, %.4g after %d steps at learning_rate %s; "
			+ "the tuned model was not written to %s. Try a lower learning_rate (e.g. %.2g) or fewer steps, or use the untuned model.",
			source, report.patterns(), report.lossBefore(), report.lossAfter(), report.steps(), report.learningRate(), out, report.learningRate() / 3);
	}

	public static Result run(final Request r, final Progress progress) {
		final Path out = r.outputDir();
		checkOutput(out);
		ModelFolder.requireOneRank(r.data().stream().map(Diffraction::grid).toList(), r.data().stream().map(d -> d.source).toList(), "Fine-tune Network");
		final boolean existed = Files.exists(out);
		ResultWriter.checkWritable(out);
		boolean saving = false;
		try (Predictor predictor = Predictor.load(ModelFolder.forData(r.model(), r.data().get(0).grid()), r.device())) {
			final FineTuning.Report report = FineTuning.run(predictor, r.data(), r.steps(), r.learningRate(), r.batchSize(), progress);
			if (!report.tuningKept()) throw new CdiException(worseMessage(report, predictor.source(), out));
			saving = true;
			predictor.save(out, predictor.card().name + "-fine-tuned");
			return new Result(predictor.source(), report, out);
		} catch (final RuntimeException e) {
			// checkOutput found no model files: a save that failed half way leaves only its own, removed here
			if (saving) for (final String f : List.of(ModelFolder.WEIGHTS, ModelFolder.CARD)) AtomicOutput.deleteQuietly(out.resolve(f));
			if (!existed) deleteIfEmpty(out); // no empty folder left by a failed or cancelled run
			throw e;
		}
	}

	private static void deleteIfEmpty(final Path dir) {
		try (var s = Files.list(dir)) {
			if (s.findAny().isEmpty()) Files.delete(dir);
		} catch (final IOException ignored) {
			// best effort: the folder stays
		}
	}
}
