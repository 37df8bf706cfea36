package sc.fiji.cdi.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.bench.NnEvaluation;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.predict.NnRefine;
import sc.fiji.cdi.nn.predict.Prediction;
import sc.fiji.cdi.nn.predict.PredictionTrust;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.nn.train.FineTuning;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.pipeline.MultiStart;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.util.Progress;

/**
 * The evaluation on the family kept out of training ({@link HeldOutCrystals}): the network alone (median amplitude
 * correlation and phase RMS error after alignment, {@link Quality#compare}), NN + refine against default phasing from a
 * random start (success = correlation ≥ 0.95 and phase RMS ≤ 0.3 rad, as in issue 15; χ²; wall time), and the
 * trust flag's ROC AUC for telling good predictions (correlation ≥ 0.9) from bad ones. Not a unit test; from the
 * repository root after {@code mvn -o test-compile}:
 * <pre>java -cp target/test-classes:target/classes:$(cat cp.txt) sc.fiji.cdi.bench.HeldOutEvaluation --model 3d --size 64 --count 20</pre>
 * {@code --refine none --phasing false}: the network alone (seconds per crystal). {@code --starts k1,k2 [--phasing-starts m]}:
 * Reconstruct's two modes as Reconstruct runs them instead — phasing with m random starts (default: k for one k, else
 * Reconstruct's own default number), NN + refine with the network start + k − 1 random ones, for each k and each
 * {@code --refine} refinement (plain or branched {@link Refinement}; see {@link #startsCompared}); {@code --phasing-cache DIR}
 * keeps phasing's χ², correlation and time per crystal in DIR and reuses them, so refinements can be compared
 * without rerunning phasing; {@code --fallback RECIPE} (one start only) adds one random start of RECIPE to the
 * refinement and keeps the lower χ² (measured, not adopted: {@code docs/models.md}, eighth session);
 * {@code --random-recipe R} (with k > 1) runs the k − 1 random starts with recipe R instead of phasing's, as
 * Reconstruct's {@code recipe=} does beside {@code random_starts}. {@code --calibrate N} instead prints the trust quantities on N crystals drawn like the model's training data.
 * {@code --refine r1,r2}: the refinement recipes compared; {@code --polish R}: each refinement's averaged result
 * polished further by recipe R (e.g. {@code 20*CG}) on its final support, χ² before and after printed;
 * {@code --sw-period k}: the refinements' shrink-wrap period (default: phasing's). {@code --fine-tune N}: instead,
 * the network alone before and after N physics-loss steps on each pattern ({@link FineTuning#predictTuned}, as Predict
 * with {@code fine_tune_steps=N}).
 */
public final class HeldOutEvaluation {

	private HeldOutEvaluation() {}

	/** {@code --variant}: the family's ranges widened ({@link HeldOutCrystals.Variant}); the family itself by default. */
	private static HeldOutCrystals.Variant variant = HeldOutCrystals.Variant.FAMILY;

	public static void main(final String[] args) {
		final BenchOptions o = new BenchOptions(args, java.util.Set.of("--model", "--count", "--size", "--threads", "--seed", "--refine", "--calibrate", "--phasing", "--starts", "--polish", "--sw-period", "--fine-tune", "--phasing-starts", "--phasing-cache", "--fallback", "--random-recipe", "--variant"));
		variant = HeldOutCrystals.Variant.parse(o.text("--variant", ""));
		final int swPeriod = o.integer("--sw-period", -1);
		final String polishRecipe = o.text("--polish", "");
		final String model = o.text("--model", "3d"), refine = o.text("--refine", NnRefine.DEFAULT_REFINEMENT);
		final int count = o.integer("--count", 20), size = o.integer("--size", 64), threads = o.integer("--threads", 1), calibrate = o.integer("--calibrate", 0);
		final boolean withPhasing = o.flag("--phasing", true);
		final long seed = o.number("--seed", 15);
		final String startsList = o.text("--starts", "");
		final int[] multi = startsList.isBlank() ? new int[0] : Arrays.stream(startsList.split(",")).mapToInt(t -> Integer.parseInt(t.trim())).toArray();
		final int fineTune = o.integer("--fine-tune", 0), phasingStarts = o.integer("--phasing-starts", 0);
		if (!o.text("--random-recipe", "").isBlank() && Arrays.stream(multi).allMatch(k -> k == 1))
			throw new IllegalArgumentException("--random-recipe sets the recipe of the random starts beside the network's: it needs --starts with some k > 1 (e.g. --starts 3), got --starts " + (startsList.isBlank() ? "(none)" : startsList));
		sc.fiji.cdi.djl.DjlRuntime.setThreads(threads, 1);
		try (Predictor p = Predictor.load(model, "cpu")) {
			final Grid g = p.networkGrid().is2D() ? Grid.of2D(size, size) : Grid.cube(size);
			if (calibrate > 0 && fineTune == 0) { calibrate(p, g, calibrate); return; }
			if (multi.length > 0) {
				startsCompared(p, g, seed, count, multi, recipes(refine), phasingStarts > 0 ? phasingStarts : multi.length == 1 ? multi[0] : MultiStart.defaultStarts(g), threads, o.text("--phasing-cache", ""), o.text("--fallback", ""), o.text("--random-recipe", ""));
				return;
			}
			if (fineTune > 0) { fineTuned(model, g, seed, count, fineTune, calibrate > 0 ? p.card() : null); return; }
			final JTransformsBackend backend = new JTransformsBackend(threads);
			final PhasingParameters phasing = PhasingParameters.defaults();
			final String[] recipes = recipes(refine);
			final int nr = recipes.length;
			System.out.printf(Locale.ROOT, "Model %s (%s); %d held-out crystals (independent family, seed %d) on %s; default phasing '%s' (%d it.); refine %s%n",
				model, p.card().architecture.describe(), count, seed, g, phasing.recipe(), Recipe.parse(phasing.recipe()).totalIterations(), Arrays.toString(recipes));
			final double[] flatPhase = new double[count]; // the phase RMS of no phase at all, the baseline a network's phase must beat
			final double[] coveredPhase = new double[count], missed = new double[count]; // the phase where the prediction has amplitude, and the share of the crystal where it has none
			final double[] nnCorr = new double[count], nnPhase = new double[count], nnChi2 = new double[count], dis = new double[count], score = new double[count];
			final boolean[] trusted = new boolean[count];
			final double[][] rfChi2 = new double[nr][count], rfSec = new double[nr][count];
			final boolean[][] rfOk = new boolean[nr][count];
			final double[] phChi2 = new double[count], phSec = new double[count];
			final boolean[] phOk = new boolean[count];
			for (int k = 0; k < count; k++) {
				final SimulatedCrystal c = HeldOutCrystals.crystal(g, seed, k, variant);
				final Diffraction d = c.diffraction();
				final Prediction pr;
				try {
					pr = p.predict(d);
				} catch (final sc.fiji.cdi.util.CdiException e) { // an empty predicted support: a failed prediction, not a failed evaluation
					nnCorr[k] = 0; nnPhase[k] = Math.PI; nnChi2[k] = 1; dis[k] = 1; score[k] = Double.POSITIVE_INFINITY; trusted[k] = false;
					for (int j = 0; j < nr; j++) { rfChi2[j][k] = Double.POSITIVE_INFINITY; rfSec[j][k] = Double.NaN; }
					phChi2[k] = Double.NaN; phSec[k] = Double.NaN;
					System.out.printf(Locale.ROOT, "%3d no prediction: %s%n", k, e.getMessage());
					continue;
				}
				final InitialGuess guess = NnRefine.initialGuess(pr, d);
				final Quality.Comparison q = Quality.compare(NnRefine.onDataGrid(pr, d), c.object(), c.support());
				nnCorr[k] = q.amplitudeCorrelation();
				nnPhase[k] = q.phaseRmsError();
				flatPhase[k] = flatPhaseRms(c);
				final double[] cov = coveredPhaseRms(q, c);
				coveredPhase[k] = cov[0];
				missed[k] = cov[1];
				nnChi2[k] = pr.trust().chi2();
				dis[k] = pr.trust().disagreement();
				score[k] = pr.trust().score();
				trusted[k] = pr.trust().trusted();
				final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%3d bin %s NN corr %.3f phase %.3f chi2 %.3f dis %.3f %s %.0f ms |", k, Arrays.toString(pr.binZyx()),
					nnCorr[k], nnPhase[k], nnChi2[k], dis[k], trusted[k] ? "trusted" : "FLAGGED", pr.millis()));
				for (int j = 0; j < nr; j++) {
					final PhasingParameters rp = NnRefine.parameters(phasing);
					PhasingResult r = Refinement.parse(recipes[j]).run(backend, d, swPeriod >= 0 ? rp.withShrinkWrapPeriod(swPeriod) : rp, guess, Progress.NONE);
					if (!polishRecipe.isEmpty()) {
						final double before = r.finalChi2(), sec = r.seconds();
						r = new Phaser(backend).run(d, NnRefine.parameters(phasing).withRecipe(polishRecipe).withShrinkWrapPeriod(0).withAverageLast(0), new InitialGuess(r.object(), r.support()), Progress.NONE);
						line.append(String.format(Locale.ROOT, " [%.3e->%.3e +%.2fs]", before, r.finalChi2(), r.seconds()));
						r = new PhasingResult(r.object(), r.support(), r.chi2History(), r.outsideFractionHistory(), r.finalChi2(), r.iterations(), r.seconds() + sec, r.backend(), r.parameters());
					}
					final Quality.Comparison qr = Quality.compare(r.object(), c.object(), c.support());
					rfChi2[j][k] = r.finalChi2();
					rfSec[j][k] = r.seconds() + pr.millis() / 1e3;
					rfOk[j][k] = success(qr);
					line.append(String.format(Locale.ROOT, " refine%d corr %.3f phase %.3f chi2 %.5f %.1fs", j, qr.amplitudeCorrelation(), qr.phaseRmsError(), rfChi2[j][k], rfSec[j][k]));
				}
				if (!withPhasing) { phChi2[k] = Double.NaN; phSec[k] = Double.NaN; System.out.println(line); continue; }
				final PhasingResult ph = new Phaser(backend).run(d, phasing.withSeed(k + 1), null, Progress.NONE);
				final Quality.Comparison qp = Quality.compare(ph.object(), c.object(), c.support());
				phChi2[k] = ph.finalChi2();
				phSec[k] = ph.seconds();
				phOk[k] = success(qp);
				line.append(String.format(Locale.ROOT, " | phasing corr %.3f phase %.3f chi2 %.5f %.1fs", qp.amplitudeCorrelation(), qp.phaseRmsError(), phChi2[k], phSec[k]));
				System.out.println(line);
			}
			System.out.printf(Locale.ROOT, "%nNN alone: median amplitude correlation %.3f, median phase RMS %.3f rad (a flat phase: %.3f), median chi2 %.3f; successes %d/%d%n",
				median(nnCorr), median(nnPhase), median(flatPhase), median(nnChi2), countSuccess(nnCorr, nnPhase), count);
			System.out.printf(Locale.ROOT, "  the prediction leaves out (amplitude < 0.1 of its maximum) a median %.2f of the true support; phase RMS where it does not: %.3f rad%n",
				median(missed), median(coveredPhase));
			// the trust check's separation for the success bar (correlation >= 0.95 and phase RMS <= 0.3 rad,
			// bar 1 below) and for correlation alone at two lower bars (with no success on a set, only those have
			// both classes)
			for (final double bar : new double[] { 1, 0.9, 0.75 }) {
				final boolean[] good = new boolean[count];
				int nGood = 0, flaggedBad = 0, flaggedGood = 0;
				for (int k = 0; k < count; k++) {
					good[k] = bar == 1 ? nnCorr[k] >= 0.95 && nnPhase[k] <= 0.3 : nnCorr[k] >= bar;
					if (good[k]) nGood++;
					if (!trusted[k] && !good[k]) flaggedBad++;
					if (!trusted[k] && good[k]) flaggedGood++;
				}
				System.out.printf(Locale.ROOT, "Trust: %d good (%s), %d bad; flag raised on %d of the bad and %d of the good; ROC AUC of the score %.3f (chi2 alone %.3f, disagreement alone %.3f)%n",
					nGood, bar == 1 ? "successes" : String.format(Locale.ROOT, "corr >= %.2f", bar), count - nGood, flaggedBad, flaggedGood, auc(score, good), auc(nnChi2, good), auc(dis, good));
			}
			System.out.printf(Locale.ROOT, "Default phasing: successes %d/%d, median chi2 %.5f, median %.1f s%n", count(phOk), count, median(phChi2), median(phSec));
			for (int j = 0; j < nr; j++) {
				int notWorse = 0;
				final double[] ratio = new double[count];
				for (int k = 0; k < count; k++) {
					if (rfChi2[j][k] <= phChi2[k]) notWorse++;
					ratio[k] = rfSec[j][k] / phSec[k];
				}
				System.out.printf(Locale.ROOT, "NN + refine '%s': successes %d/%d, median chi2 %.5f, chi2 not worse than phasing in %d/%d, median time %.1f s = %.2f of phasing's%n",
					recipes[j], count(rfOk[j]), count, median(rfChi2[j]), notWorse, count, median(rfSec[j]), median(ratio));
				// network start + one random start, the lower chi2 kept (NnRefine with starts = 2)
				int bestOk = 0;
				final double[] best = new double[count];
				for (int k = 0; k < count; k++) {
					final boolean nnWins = rfChi2[j][k] <= phChi2[k];
					best[k] = Math.min(rfChi2[j][k], phChi2[k]);
					if (nnWins ? rfOk[j][k] : phOk[k]) bestOk++;
				}
				if (withPhasing) System.out.printf(Locale.ROOT, "  with one random start as well (lower chi2 kept): successes %d/%d, median chi2 %.5f, time ~ %.2f of phasing's%n",
					bestOk, count, median(best), 1 + median(ratio));
			}
		}
	}

	/**
	 * Reconstruct's two modes ({@code --starts k1,k2,..}, {@code --phasing-starts m}): phasing with m random starts
	 * (default: k when one k is given, else Reconstruct's own default, {@link MultiStart#defaultStarts}) against NN +
	 * refine with the network start and k − 1 random ones, for each k and each refinement recipe, on the same
	 * crystals. All run as Reconstruct runs them: phasing, and NN + refine with k > 1, through {@link MultiStart} (free
	 * pixels, ranking by free log-likelihood, the best half averaged and polished); NN + refine with k = 1 is the
	 * network start's refinement alone (Reconstruct's default for {@code mode=nn+refine}). The results are presented with their phase ramp removed, so the phase error against
	 * the truth (which has a ramp) is not comparable to the other modes': success here is amplitude correlation
	 * ≥ 0.95 alone. Times include the network (loading excluded).
	 */
	private static void startsCompared(final Predictor p, final Grid g, final long seed, final int count, final int[] starts, final String[] refinements, final int m, final int threads, final String cacheDir, final String fallback, final String randomRecipe) {
		// phasing's results per crystal (chi2, correlation, seconds), reused across runs that compare refinements
		final java.nio.file.Path cache = cacheDir.isBlank() ? null : java.nio.file.Path.of(cacheDir, String.format(Locale.ROOT, "phasing-%s-%d-seed%d-m%d%s.tsv", g.is2D() ? "2d" : "3d", g.nx, seed, m, variant.tag()));
		final java.util.Map<Integer, double[]> cached = new java.util.HashMap<>();
		if (cache != null && java.nio.file.Files.exists(cache)) {
			try {
				for (final String l : java.nio.file.Files.readAllLines(cache)) {
					final String[] t = l.trim().split("\\s+");
					if (t.length == 4) cached.put(Integer.parseInt(t[0]), new double[] { Double.parseDouble(t[1]), Double.parseDouble(t[2]), Double.parseDouble(t[3]) });
				}
			} catch (final java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
		}
		final JTransformsBackend backend = new JTransformsBackend(threads);
		final PhasingParameters phasing = PhasingParameters.defaults();
		// every k with every refinement recipe
		final int nk = starts.length * refinements.length;
		final int[] ks = new int[nk];
		final String[] rs = new String[nk];
		for (int i = 0; i < starts.length; i++) for (int j = 0; j < refinements.length; j++) { ks[i * refinements.length + j] = starts[i]; rs[i * refinements.length + j] = refinements[j]; }
		System.out.printf(Locale.ROOT, "Model %s; %d held-out crystals (seed %d) on %s; phasing '%s' with %d starts against the network start (refined with %s) + k - 1 random, k = %s%n",
			p.source(), count, seed, g, phasing.recipe(), m, Arrays.toString(refinements), Arrays.toString(starts));
		final double[] phChi2 = new double[count];
		final double[][] nnChi2 = new double[nk][count], ratio = new double[nk][count];
		final int[] nnOk = new int[nk], notWorse = new int[nk], networkBest = new int[nk];
		int phOk = 0;
		for (int c = 0; c < count; c++) {
			final SimulatedCrystal x = HeldOutCrystals.crystal(g, seed, c, variant);
			final Diffraction d = x.diffraction();
			long t0 = System.nanoTime();
			final double phSec, phCorr;
			if (cached.containsKey(c)) {
				final double[] v = cached.get(c);
				phChi2[c] = v[0];
				phCorr = v[1];
				phSec = v[2];
			} else {
				final PhasingResult ph = MultiStart.run(d, phasing.withSeed(c + 1), m, backend, null).result();
				phSec = (System.nanoTime() - t0) / 1e9;
				phCorr = Quality.compare(ph.object(), x.object(), x.support()).amplitudeCorrelation();
				phChi2[c] = ph.finalChi2();
				if (cache != null) {
					try {
						java.nio.file.Files.createDirectories(cache.getParent());
						java.nio.file.Files.writeString(cache, String.format(Locale.ROOT, "%d %.17g %.17g %.6f%n", c, phChi2[c], phCorr, phSec), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
					} catch (final java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
				}
			}
			if (phCorr >= 0.95) phOk++;
			final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%3d phasing corr %.3f chi2 %.4e %.1fs", c, phCorr, phChi2[c], phSec));
			for (int j = 0; j < nk; j++) {
				t0 = System.nanoTime();
				final PhasingResult nn;
				int rank = 1;
				final PhasingParameters refining = NnRefine.parameters(phasing);
				final Refinement refinement = Refinement.parse(rs[j]);
				if (ks[j] > 1) {
					final MultiStart.Seeded seeded = new MultiStart.Seeded((fitted, progress) -> NnRefine.initialGuess(p.predict(fitted), fitted), refining, refinement);
					// the random starts beside the network's run phasing's recipe unless --random-recipe says otherwise
					final PhasingParameters random = randomRecipe.isBlank() ? phasing : phasing.withRecipe(randomRecipe);
					final MultiStart.Result r = MultiStart.run(d, random.withSeed(c + 1), ks[j], backend, null, seeded);
					nn = r.result();
					rank = r.starts().get(0).rank();
					if (r.best() == 0) networkBest[j]++;
				} else if (!fallback.isBlank()) {
					// experimental: the refinement and one random start of the fallback recipe, the lower chi2 kept
					final PhasingResult a = NnRefine.refine(d, p.predict(d), refining, refinement, backend, Progress.NONE);
					final PhasingResult b = new Phaser(backend).run(d, phasing.withRecipe(fallback).withSeed(c + 101), null, Progress.NONE);
					nn = b.finalChi2() < a.finalChi2() ? b : a;
					if (nn == b) rank = 2;
					networkBest[j]++;
				} else {
					nn = NnRefine.refine(d, p.predict(d), refining, refinement, backend, Progress.NONE);
					networkBest[j]++;
				}
				final double nnSec = (System.nanoTime() - t0) / 1e9;
				final Quality.Comparison qn = Quality.compare(nn.object(), x.object(), x.support());
				nnChi2[j][c] = nn.finalChi2();
				ratio[j][c] = nnSec / phSec;
				if (qn.amplitudeCorrelation() >= 0.95) nnOk[j]++;
				if (nnChi2[j][c] <= phChi2[c]) notWorse[j]++;
				line.append(String.format(Locale.ROOT, " | k=%d corr %.3f chi2 %.4e %.1fs rank %d", ks[j], qn.amplitudeCorrelation(), nnChi2[j][c], nnSec, rank));
			}
			System.out.println(line);
		}
		System.out.printf(Locale.ROOT, "%nPhasing (%d starts): correlation >= 0.95 in %d/%d, median chi2 %.6f%n", m, phOk, count, median(phChi2));
		for (int j = 0; j < nk; j++)
			System.out.printf(Locale.ROOT, "NN + refine (network '%s' + %d random): correlation >= 0.95 in %d/%d, median chi2 %.6f, chi2 not worse in %d/%d, network start ranked first in %d/%d, median time %.2f of phasing's%n",
				rs[j], ks[j] - 1, nnOk[j], count, median(nnChi2[j]), notWorse[j], count, networkBest[j], count, median(ratio[j]));
	}

	/**
	 * The network alone without and with per-pattern fine-tuning ({@link FineTuning#predictTuned}: a fresh copy of the
	 * network tuned on each pattern, the tuned prediction kept when its χ² is lower), on the same crystals.
	 */
	private static void fineTuned(final String model, final Grid g, final long seed, final int count, final int steps, final sc.fiji.cdi.nn.model.ModelCard calibrateOn) {
		// with calibrateOn: crystals drawn like the model's training data (seeds beyond training), as --calibrate
		final CrystalRecipe recipe = calibrateOn == null ? null : calibrateOn.training != null && calibrateOn.training.dataRecipe != null ? calibrateOn.training.dataRecipe : CrystalRecipe.defaults(g.rank());
		final double[] chi2 = new double[count];
		final double[] c0 = new double[count], p0 = new double[count], c1 = new double[count], p1 = new double[count], sec = new double[count];
		int kept = 0;
		System.out.printf(Locale.ROOT, "Model %s; %d held-out crystals (seed %d) on %s; the network alone, then tuned %d steps on each pattern%n", model, count, seed, g, steps);
		for (int k = 0; k < count; k++) {
			final SimulatedCrystal c = recipe == null ? HeldOutCrystals.crystal(g, seed, k, variant) : recipe.crystal(g, 777_777L, k);
			final Diffraction d = c.diffraction();
			try (Predictor p = Predictor.load(model, "cpu")) {
				final long t0 = System.nanoTime();
				final FineTuning.Tuned t = FineTuning.predictTuned(p, d, steps, Progress.NONE);
				sec[k] = (System.nanoTime() - t0) / 1e9;
				final Quality.Comparison q1 = Quality.compare(NnRefine.onDataGrid(t.prediction(), d), c.object(), c.support());
				// the untuned prediction: the same network reloaded (the predictor's weights are tuned now)
				try (Predictor fresh = Predictor.load(model, "cpu")) {
					final Quality.Comparison q0 = Quality.compare(NnRefine.onDataGrid(fresh.predict(d), d), c.object(), c.support());
					c0[k] = q0.amplitudeCorrelation();
					p0[k] = q0.phaseRmsError();
				}
				c1[k] = q1.amplitudeCorrelation();
				p1[k] = q1.phaseRmsError();
				if (t.tunedKept()) kept++;
				chi2[k] = t.prediction().trust().chi2();
				System.out.printf(Locale.ROOT, "%3d corr %.3f -> %.3f phase %.3f -> %.3f chi2 %.4f -> %.4f %s %.1f s%n", k, c0[k], c1[k], p0[k], p1[k], t.chi2Untuned(), t.chi2Tuned(),
					t.tunedKept() ? "tuned kept" : "untuned kept", sec[k]);
			}
		}
		System.out.printf(Locale.ROOT, "%nNN alone: median amplitude correlation %.3f, median phase RMS %.3f rad; successes %d/%d%n", median(c0), median(p0), countSuccess(c0, p0), count);
		System.out.printf(Locale.ROOT, "NN fine-tuned %d steps on each pattern: median amplitude correlation %.3f, median phase RMS %.3f rad; successes %d/%d; tuned kept in %d/%d; median %.1f s per pattern%n",
			steps, median(c1), median(p1), countSuccess(c1, p1), count, kept, count, median(sec));
		// how χ² limits split the kept predictions: trusted ones should mostly be successes
		for (final double lim : new double[] { PredictionTrust.CHI2_LIMIT, 0.015, 0.01, 0.0075, 0.005 }) {
			int tOk = 0, tBad = 0, fOk = 0, fBad = 0;
			for (int k = 0; k < count; k++) {
				final boolean ok = c1[k] >= 0.95 && p1[k] <= 0.3;
				if (chi2[k] <= lim) { if (ok) tOk++; else tBad++; } else { if (ok) fOk++; else fBad++; }
			}
			System.out.printf(Locale.ROOT, "chi2 <= %.4f: trusted %d (%d successes), flagged %d (%d successes)%n", lim, tOk + tBad, tOk, fOk + fBad, fOk);
		}
	}

	/** Trust quantities on crystals drawn like the model's training data (seeds beyond training), with their quality. */
	private static void calibrate(final Predictor p, final Grid g, final int n) {
		final CrystalRecipe r = p.card().training != null && p.card().training.dataRecipe != null ? p.card().training.dataRecipe : CrystalRecipe.defaults(g.rank());
		final List<double[]> rows = new ArrayList<>();
		for (int k = 0; k < n; k++) {
			final SimulatedCrystal c = r.crystal(g, 777_777L, k);
			final Prediction pr = p.predict(c.diffraction());
			final Quality.Comparison q = Quality.compare(NnRefine.onDataGrid(pr, c.diffraction()), c.object(), c.support());
			rows.add(new double[] { q.amplitudeCorrelation(), q.phaseRmsError(), pr.trust().chi2(), pr.trust().disagreement() });
			System.out.printf(Locale.ROOT, "%3d corr %.3f phase %.3f chi2 %.3f dis %.3f%n", k, q.amplitudeCorrelation(), q.phaseRmsError(), pr.trust().chi2(), pr.trust().disagreement());
		}
		final double[] chi2 = rows.stream().mapToDouble(x -> x[2]).sorted().toArray(), dis = rows.stream().mapToDouble(x -> x[3]).sorted().toArray();
		System.out.printf(Locale.ROOT, "Training-like crystals on %s: chi2 median %.3f, 90th percentile %.3f; disagreement median %.3f, 90th percentile %.3f%n",
			g, median(chi2), chi2[(int) Math.floor(0.9 * (n - 1))], median(dis), dis[(int) Math.floor(0.9 * (n - 1))]);
		// how the trust limits split them: a trusted prediction should mostly be a success, a flagged one mostly not
		int trusted = 0, trustedOk = 0, ok = 0;
		for (final double[] x : rows) {
			final boolean success = x[0] >= 0.95 && x[1] <= 0.3, t = PredictionTrust.of(x[2], x[3]).trusted();
			if (success) ok++;
			if (t) trusted++;
			if (t && success) trustedOk++;
		}
		System.out.printf(Locale.ROOT, "Trust limits (chi2 <= %.3f, disagreement <= %.2f): %d trusted, %d of them successes; %d flagged, %d of them successes%n",
			PredictionTrust.CHI2_LIMIT, PredictionTrust.DISAGREEMENT_LIMIT, trusted, trustedOk, n - trusted, ok - trustedOk);
	}

	/**
	 * {phase RMS over the voxels of the true support where the aligned prediction has amplitude ≥ 0.1 of its maximum
	 * (NN + refine's support threshold),
	 * the share of the true support where it has less}: the headline phase RMS also counts voxels the prediction
	 * leaves out of the crystal, where its phase means nothing.
	 */
	static double[] coveredPhaseRms(final Quality.Comparison q, final SimulatedCrystal c) {
		final float[] a = q.aligned().amplitude().data;
		float max = 0;
		for (final float v : a) max = Math.max(max, v);
		final boolean[] s = c.support(), covered = new boolean[s.length];
		int inside = 0, left = 0;
		for (int i = 0; i < s.length; i++) {
			if (!s[i]) continue;
			inside++;
			if (a[i] >= NnRefine.SUPPORT_THRESHOLD * max) covered[i] = true;
			else left++;
		}
		return new double[] { Quality.phaseRms(q.aligned(), c.object(), covered), inside == 0 ? Double.NaN : left / (double) inside };
	}

	/** The phase RMS error of the true amplitude with no phase (zero everywhere): what a network's phase must beat. */
	static double flatPhaseRms(final SimulatedCrystal c) {
		final Grid g = c.object().grid;
		final ComplexVolume flat = ComplexVolume.fromAmplitudePhase(c.amplitude(), new RealVolume(g, new float[g.size()]));
		return Quality.phaseRms(flat, c.object(), c.support());
	}

	static boolean success(final Quality.Comparison q) { return q.amplitudeCorrelation() >= 0.95 && q.phaseRmsError() <= 0.3; }

	private static int countSuccess(final double[] corr, final double[] phase) {
		int n = 0;
		for (int k = 0; k < corr.length; k++) if (corr[k] >= 0.95 && phase[k] <= 0.3) n++;
		return n;
	}

	private static int count(final boolean[] b) {
		int n = 0;
		for (final boolean x : b) if (x) n++;
		return n;
	}

	/**
	 * ROC AUC of a "badness" score (higher = less trustworthy) for telling bad from good: the probability that a
	 * random bad case scores higher than a random good one (ties count half; Mann–Whitney U / (n_bad·n_good)). NaN
	 * when one class is empty.
	 */
	static double auc(final double[] score, final boolean[] good) {
		double u = 0;
		int nb = 0, ng = 0;
		for (int i = 0; i < score.length; i++) {
			if (good[i]) { ng++; continue; }
			nb++;
			for (int j = 0; j < score.length; j++) {
				if (!good[j]) continue;
				u += score[i] > score[j] ? 1 : score[i] == score[j] ? 0.5 : 0;
			}
		}
		return nb == 0 || ng == 0 ? Double.NaN : u / ((double) nb * ng);
	}

	/** The comma-separated refinement recipes of {@code --refine} ("none" or blank: none). */
	private static String[] recipes(final String refine) {
		return refine.isBlank() || refine.equals("none") ? new String[0] : refine.split(",");
	}

	static double median(final double[] v) { return sc.fiji.cdi.bench.NnEvaluation.median(v); }
}
