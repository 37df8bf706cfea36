package sc.fiji.cdi.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.io.NpyIO;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.predict.NnRefine;
import sc.fiji.cdi.nn.predict.Prediction;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.nn.train.FineTuning;
import sc.fiji.cdi.phasing.ErrorMetrics;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.testutil.SharedData;
import sc.fiji.cdi.util.Progress;

/**
 * Evaluation of a model on held-out simulated crystals (seeds never used in training) and on the 3D-CDI-NN example
 * crop when present: the network alone (amplitude correlation and phase RMS error after alignment, χ²), NN + refine
 * and phase retrieval alone with cohere's recipe from a random start (χ², iterations, wall time). Not a unit test:
 * <pre>java -cp ... sc.fiji.cdi.bench.NnEvaluation --model 3d --count 100 --size 32 --threads 1</pre>
 */
public final class NnEvaluation {

	private NnEvaluation() {}

	public static void main(final String[] args) {
		final BenchOptions o = new BenchOptions(args, java.util.Set.of("--model", "--count", "--size", "--threads", "--seed", "--refine", "--example", "--fine-tune"));
		final String model = o.text("--model", "3d"), refineRecipe = o.text("--refine", NnRefine.DEFAULT_REFINEMENT);
		final int count = o.integer("--count", 100), size = o.integer("--size", 0), threads = o.integer("--threads", 1), fineTune = o.integer("--fine-tune", FineTuning.DEFAULT_STEPS);
		final long seed = o.number("--seed", 1_000_003);
		// the shared data folder: -Dcdi.shared.dir, else ../shared
		final Path example = o.values().containsKey("--example") ? Paths.get(o.text("--example", null))
			: SharedData.dir() == null ? Paths.get("absent") : SharedData.dir().resolve("data/3d-cdi-nn-example/ft_crop_64.npy");
		sc.fiji.cdi.djl.DjlRuntime.setThreads(threads, 1);
		try (Predictor p = Predictor.load(model, "auto")) {
			final Grid g = size > 0 ? (p.networkGrid().is2D() ? Grid.of2D(size, size) : Grid.cube(size)) : p.networkGrid();
			final PhasingParameters cohere = PhasingParameters.defaults();
			final PhasingParameters refine = NnRefine.parameters(cohere);
			final Refinement refinement = Refinement.parse(refineRecipe);
			System.out.printf(Locale.ROOT, "Model %s (%s), %d held-out crystals on %s, seed %d; refine '%s' (%d it.), cohere '%s' (%d it.), %d thread(s)%n",
				model, p.card().architecture.describe(), count, g, seed, refineRecipe, refinement.totalIterations(), cohere.recipe(), Recipe.parse(cohere.recipe()).totalIterations(), threads);
			final CrystalRecipe recipe = p.card().training.dataRecipe != null ? p.card().training.dataRecipe : CrystalRecipe.defaults(g.rank());
			final JTransformsBackend backend = new JTransformsBackend(threads);
			final int nRef = refinement.totalIterations(), nCoh = Recipe.parse(cohere.recipe()).totalIterations();
			final double[] nnCorr = new double[count], nnPhase = new double[count], nnChi2 = new double[count], nnMs = new double[count];
			final double[] rfCorr = new double[count], rfPhase = new double[count], rfChi2 = new double[count], rfSec = new double[count];
			final double[] coCorr = new double[count], coPhase = new double[count], coChi2 = new double[count], coSec = new double[count];
			final double[][] rfHist = new double[count][], coHist = new double[count][];
			for (int k = 0; k < count; k++) {
				final SimulatedCrystal c = recipe.crystal(g, seed, k);
				final Diffraction d = c.diffraction();
				final Prediction pr = p.predict(d);
				final InitialGuess guess = NnRefine.initialGuess(pr, d);
				final Quality.Comparison qn = Quality.compare(NnRefine.onDataGrid(pr, d), c.object(), c.support());
				nnCorr[k] = qn.amplitudeCorrelation(); nnPhase[k] = qn.phaseRmsError(); nnMs[k] = pr.millis();
				nnChi2[k] = ErrorMetrics.chi2(backend, guess.object(), d);
				final PhasingResult rf = refinement.run(backend, d, refine, guess, Progress.NONE);
				final Quality.Comparison qr = Quality.compare(rf.object(), c.object(), c.support());
				rfCorr[k] = qr.amplitudeCorrelation(); rfPhase[k] = qr.phaseRmsError(); rfChi2[k] = rf.finalChi2(); rfSec[k] = rf.seconds() + pr.millis() / 1e3; rfHist[k] = rf.chi2History();
				final PhasingResult co = new Phaser(backend).run(d, cohere.withSeed(k + 1), null, Progress.NONE);
				final Quality.Comparison qc = Quality.compare(co.object(), c.object(), c.support());
				coCorr[k] = qc.amplitudeCorrelation(); coPhase[k] = qc.phaseRmsError(); coChi2[k] = co.finalChi2(); coSec[k] = co.seconds(); coHist[k] = co.chi2History();
				System.out.printf(Locale.ROOT, "%3d  NN corr %.3f phase %.3f chi2 %.4f | NN+refine corr %.3f phase %.3f chi2 %.5f %.2fs | cohere corr %.3f phase %.3f chi2 %.5f %.2fs%n",
					k, nnCorr[k], nnPhase[k], nnChi2[k], rfCorr[k], rfPhase[k], rfChi2[k], rfSec[k], coCorr[k], coPhase[k], coChi2[k], coSec[k]);
			}
			System.out.println("\nMedians over " + count + " held-out crystals:");
			System.out.printf(Locale.ROOT, "NN alone:    amplitude correlation %.3f (fraction >= 0.8: %.2f), phase RMS error %.3f rad, chi2 %.4f, %.1f ms/pattern%n",
				median(nnCorr), fraction(nnCorr, 0.8), median(nnPhase), median(nnChi2), median(nnMs));
			System.out.printf(Locale.ROOT, "NN + refine: amplitude correlation %.3f, phase RMS error %.3f rad, chi2 %.5f after %d iterations, %.2f s%n",
				median(rfCorr), median(rfPhase), median(rfChi2), nRef, median(rfSec));
			System.out.printf(Locale.ROOT, "cohere:      amplitude correlation %.3f, phase RMS error %.3f rad, chi2 %.5f after %d iterations, %.2f s%n",
				median(coCorr), median(coPhase), median(coChi2), nCoh, median(coSec));
			final double target = median(coChi2);
			final int reach = firstBelow(rfHist, target);
			System.out.printf(Locale.ROOT, "NN + refine reaches cohere's median final chi2 %.5f at iteration %s of %d (1/5 of cohere = %d); cohere's own median history reaches NN+refine's final %.5f at iteration %s%n",
				target, reach < 0 ? "never" : Integer.toString(reach + 1), nRef, nCoh / 5, median(rfChi2), Integer.toString(firstBelow(coHist, median(rfChi2)) + 1));
			if (Files.isRegularFile(example) && p.networkGrid().rank() == 3) exampleData(p, example, refine, refinement, cohere, backend, fineTune);
			else System.out.println("3D-CDI-NN example crop not found at " + example + ": skipped.");
		}
	}

	/** The comparison on the example crop; then again after fine-tuning the network on it (which changes {@code p}). */
	private static void exampleData(final Predictor p, final Path file, final PhasingParameters refine, final Refinement refinement, final PhasingParameters cohere, final JTransformsBackend backend, final int fineTuneSteps) {
		final Diffraction d = new Diffraction(NpyIO.read(file), Quantity.AMPLITUDE, null, new ProcessingLog().add("read", "file", file.toString()), file.toString());
		final Prediction pr = p.predict(d);
		final InitialGuess guess = NnRefine.initialGuess(pr, d);
		final double nnChi2 = ErrorMetrics.chi2(backend, guess.object(), d);
		final PhasingResult rf = refinement.run(backend, d, refine, guess, Progress.NONE);
		// phase retrieval alone from several random starts: single HIO runs from random starts scatter widely
		final int starts = 5;
		final double[] coChi2 = new double[starts], coSec = new double[starts];
		PhasingResult co = null;
		for (int k = 0; k < starts; k++) {
			final PhasingResult r = new Phaser(backend).run(d, cohere.withSeed(k + 1), null, Progress.NONE);
			coChi2[k] = r.finalChi2();
			coSec[k] = r.seconds();
			if (co == null || r.finalChi2() < co.finalChi2()) co = r;
		}
		final double target = median(coChi2);
		System.out.printf(Locale.ROOT, "%n3D-CDI-NN example %s (%s), %s: NN alone chi2 %.4f (%.0f ms); NN + refine chi2 %.5f after %d iterations (%.2f s); "
			+ "cohere from %d random starts: chi2 %s, median %.5f after %d iterations (median %.2f s); NN+refine vs best cohere amplitude correlation %.3f%n",
			file.getFileName(), d.grid(), fitDescription(pr), nnChi2, pr.millis(), rf.finalChi2(), rf.iterations(),
			rf.seconds() + pr.millis() / 1e3, starts, Arrays.toString(coChi2), target, co.iterations(), median(coSec),
			Quality.compare(rf.object(), co.object(), co.support()).amplitudeCorrelation());
		final int reach = firstBelow(new double[][] { rf.chi2History() }, target);
		System.out.println("NN + refine reaches cohere's median final chi2 at iteration " + (reach < 0 ? "never (within " + rf.iterations() + ")" : reach + 1));
		if (fineTuneSteps <= 0) return;
		final FineTuning.Report ft = FineTuning.run(p, List.of(d), fineTuneSteps, FineTuning.DEFAULT_LEARNING_RATE, 1, Progress.NONE);
		final Prediction tuned = p.predict(d);
		final InitialGuess tg = NnRefine.initialGuess(tuned, d);
		final PhasingResult rt = refinement.run(backend, d, refine, tg, Progress.NONE);
		final int reachTuned = firstBelow(new double[][] { rt.chi2History() }, target);
		System.out.printf(Locale.ROOT, "After fine-tuning on the crop (%d steps, learning rate %.0e, physics loss %.4f -> %.4f, %.1f s): NN alone chi2 %.4f; NN + refine chi2 %.5f after %d iterations (%.2f s); "
			+ "reaches cohere's median final chi2 at iteration %s%n", ft.steps(), ft.learningRate(), ft.lossBefore(), ft.lossAfter(), ft.seconds(), ErrorMetrics.chi2(backend, tg.object(), d),
			rt.finalChi2(), rt.iterations(), rt.seconds() + tuned.millis() / 1e3, reachTuned < 0 ? "never (within " + rt.iterations() + ")" : Integer.toString(reachTuned + 1));
	}

	/** The network preprocessing of a prediction in a line: estimated object fraction, binning, network grid. */
	static String fitDescription(final Prediction pr) {
		for (final ProcessingLog.Step s : pr.log().steps())
			if (s.name().equals("nn_fit_to_network")) return String.format(Locale.ROOT, "object fraction %s, binned %s, to %s",
				Arrays.toString((double[]) s.parameters().get("estimated_object_fraction_zyx")), Arrays.toString(pr.binZyx()), s.parameters().get("to"));
		return "no network preprocessing recorded";
	}

	/** First iteration at which the per-iteration median of the histories is ≤ target, or −1. */
	static int firstBelow(final double[][] hist, final double target) {
		final int n = hist[0].length;
		for (int it = 0; it < n; it++) {
			final double[] v = new double[hist.length];
			for (int k = 0; k < hist.length; k++) v[k] = hist[k][it];
			if (median(v) <= target) return it;
		}
		return -1;
	}

	public static double median(final double[] v) {
		final double[] s = v.clone();
		Arrays.sort(s);
		return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
	}

	static double fraction(final double[] v, final double min) {
		int n = 0;
		for (final double x : v) if (x >= min) n++;
		return (double) n / v.length;
	}

}
