package sc.fiji.cdi.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.align.Prtf;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.phasing.ErrorMetrics;
import sc.fiji.cdi.phasing.FreePixels;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.PartialCoherence;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingBackend;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;
import sc.fiji.cdi.util.Progress;

/**
 * Several random starts, ranked by the free log-likelihood, the best ones averaged after alignment, with a PRTF
 * resolution estimate (PyNX's {@code nb_run} / {@code nb_run_keep} with free pixels; REFERENCE §3):
 * <ol>
 * <li>free pixels ({@link FreePixels#select}, 5 % in islands) are held out of every start's modulus projection;</li>
 * <li>each start (seed {@code p.seed() + k}) runs the recipe with {@link Phaser#run}; its χ² on the fitted pixels
 * and its Poisson log-likelihood on the free pixels are recorded;</li>
 * <li>the starts are ranked by free LLK (lower is better). χ² alone can rank a loose-support blob that fits the
 * data it saw better than the true object; the free pixels it never saw expose it;</li>
 * <li>the best half (at least one) are aligned to the best (whole-voxel shift, twin, sub-voxel shift, global
 * phase: {@link Alignment#matchSubVoxel}); those that then correlate with it by at least
 * {@value #MIN_CORRELATION} are averaged (a start that found another solution would blur the average);</li>
 * <li>the PRTF of the averaged starts gives the resolution ({@link Prtf});</li>
 * <li>{@value #POLISH_RECIPE} on all measured pixels (the free ones included), the average's support fixed: the
 * starts never saw the free pixels, and averaging lowers |F| where the starts disagree;</li>
 * <li>the result is centred in the box, its phase ramp removed and its phase zero at the crystal's centre
 * ({@link Alignment#present}); its χ² is computed on all measured pixels.</li>
 * </ol>
 * With one start there are no free pixels and no average: the start itself is presented.
 * <p>
 * A {@link Seeded} first start (NN + refine) is one start among the others: its guess is made from the data with the
 * free pixels held out (so the network never sees them either), it runs its own {@link Refinement}, and it is ranked by
 * the same free log-likelihood. When its guess cannot be made (a {@link CdiException}, e.g. an empty predicted
 * support) it runs as a random start and {@link Result#seededFailure} says why; a cancellation still stops the run.
 */
public final class MultiStart {

	/** Starts aligned to the best with a lower complex correlation are not averaged. */
	public static final double MIN_CORRELATION = 0.8;

	/** Voxel-starts budget of the default: 6·10⁷, i.e. four starts of a 216×256×256 scan (about 8 minutes on 2
	 * cores with the 620-iteration default recipe). */
	public static final double VOXEL_STARTS_BUDGET = 6e7;
	public static final int MIN_DEFAULT_STARTS = 3, MAX_DEFAULT_STARTS = 8;

	/**
	 * Run on the average with all measured pixels (free ones included), support fixed: {@value}. ER never raises the
	 * error with a fixed support (Fienup 1982); on scan 54 the average's χ² still falls after 20 iterations, and 50 cost
	 * 8 % of one 620-iteration start.
	 */
	public static final String POLISH_RECIPE = "50*ER";

	/**
	 * A first start seeded from the data instead of a random one.
	 *
	 * @param seeder     makes the starting guess from the data with the free pixels held out
	 * @param parameters the seeded start's phasing parameters
	 * @param refinement how it runs from its guess (a plain recipe or a branched {@link Refinement})
	 */
	public record Seeded(ReconstructionPipeline.Seeder seeder, PhasingParameters parameters, Refinement refinement) {

		/** Refined by the parameters' own recipe. */
		public Seeded(final ReconstructionPipeline.Seeder seeder, final PhasingParameters parameters) {
			this(seeder, parameters, Refinement.parse(parameters.recipe()));
		}
	}

	/** One start's record in the report. */
	public record Start(int index, long seed, double chi2, double freeLlk, double seconds, int rank, boolean averaged, double correlationToBest, int iterations) {}

	/**
	 * @param result   the presented result: averaged object (centred, ramp removed, phase zero at the centre), its
	 *                 support, χ² of the average on all measured pixels; histories are the best start's
	 * @param starts   every start in the order run
	 * @param best     index of the best-ranked start
	 * @param averaged how many starts were averaged
	 * @param freePixels pixels held out (0 with one start)
	 * @param prtf     PRTF of the averaged starts; null with fewer than 2 averaged
	 * @param bestStartChi2 χ² of the best start alone on all measured pixels
	 * @param averageChi2 χ² of the average (or the best start) on all measured pixels, before the polishing ER
	 * @param centringShiftZyx the whole-voxel roll applied to present the result
	 * @param rankedBy "free_llk" or "chi2" (one start)
	 * @param seededFailure why the seeded start could not be made (it ran as a random start instead); null when it
	 *                 was, or when there was none
	 */
	public record Result(PhasingResult result, List<Start> starts, int best, int averaged, int freePixels, Prtf.Result prtf,
		double bestStartChi2, double averageChi2, int[] centringShiftZyx, String rankedBy, String seededFailure) {

		/** Without a failed seeded start. */
		public Result(final PhasingResult result, final List<Start> starts, final int best, final int averaged, final int freePixels, final Prtf.Result prtf,
			final double bestStartChi2, final double averageChi2, final int[] centringShiftZyx, final String rankedBy) {
			this(result, starts, best, averaged, freePixels, prtf, bestStartChi2, averageChi2, centringShiftZyx, rankedBy, null);
		}

		/** The same with a seeded start's failure recorded (null: none). */
		Result withSeededFailure(final String why) {
			return new Result(result, starts, best, averaged, freePixels, prtf, bestStartChi2, averageChi2, centringShiftZyx, rankedBy, why);
		}
	}

	private MultiStart() {}

	/**
	 * The default number of starts for a grid: as many as fit {@link #VOXEL_STARTS_BUDGET}, between
	 * {@value #MIN_DEFAULT_STARTS} (enough to rank, average and estimate a PRTF) and {@value #MAX_DEFAULT_STARTS}
	 * (beyond which small data gain little): 8 up to 7.5 M voxels (e.g. 128³), 4 for a 216×256×256 scan, 3 for 256³
	 * and more.
	 */
	public static int defaultStarts(final Grid g) {
		final long n = g.size();
		return (int) Math.max(MIN_DEFAULT_STARTS, Math.min(MAX_DEFAULT_STARTS, Math.floor(VOXEL_STARTS_BUDGET / n)));
	}

	public static Result run(final Diffraction data, final PhasingParameters p, final int starts, final PhasingBackend backend, final Progress progressOrNull) {
		return run(data, p, starts, backend, progressOrNull, null);
	}

	/** {@link #run(Diffraction, PhasingParameters, int, PhasingBackend, Progress)} with start 0 seeded (null: all random). */
	public static Result run(final Diffraction data, final PhasingParameters p, final int starts, final PhasingBackend backend, final Progress progressOrNull, final Seeded seeded) {
		final Progress progress = progressOrNull == null ? Progress.NONE : progressOrNull;
		if (starts < 1) throw new CdiException("Number of random starts is " + starts + ": expected 1 or more (0 = automatic).");
		// every start's object and support are kept until they are ranked and averaged: check them all before the first
		// (a run that fails for memory at start 60 has cost hours), beside one start's working memory and the average
		final Grid g = data.grid();
		final long oneStart = Phaser.estimateBytes(g, backend) + (p.parsedPsf() == null ? 0 : PartialCoherence.bytes(g));
		// (when not even one start fits after a collection, the phasing's own check says so, naming the data and the grid)
		if (starts > 1 && MemoryGuard.available(true) >= oneStart) MemoryGuard.require(oneStart + (starts + 1L) * (2L * Float.BYTES + 1) * g.size(),
			starts + " starts (random_starts) of " + data.source + " on a " + g + " grid, each kept until they are ranked and averaged",
			"give fewer random_starts (0 = automatic: " + defaultStarts(g) + " here)");
		final Phaser phaser = new Phaser(backend);
		final Mask free = starts > 1 ? FreePixels.select(data, p.seed()) : Mask.none(data.grid());
		final int nFree = free.unmeasuredCount();
		final Diffraction fitted = nFree > 0 ? FreePixels.holdOut(data, free) : data;
		final List<PhasingResult> results = new ArrayList<>();
		String seededFailure = null;
		// progress in iterations over all starts: a seeded start's short recipe counts for what it is, not 1/starts
		final long[] before = new long[starts + 1];
		for (int k = 0; k < starts; k++) before[k + 1] = before[k] + (k == 0 && seeded != null ? seeded.refinement().totalIterations() : Recipe.parse(p.recipe()).totalIterations());
		for (int k = 0; k < starts; k++) {
			final long seed = p.seed() + k;
			final int index = k;
			// scaled to the planned iterations (a failed seeded start runs the random recipe instead)
			final Progress sub = starts == 1 ? progress
				: progress.part(String.format(Locale.ROOT, "start %d/%d: ", index + 1, starts), before[index], before[index + 1] - before[index], before[starts]);
			InitialGuess guess = null;
			if (k == 0 && seeded != null) {
				sub.status("Computing the starting guess");
				try {
					guess = seeded.seeder().seed(fitted, sub);
				} catch (final CancelledException e) {
					throw e;
				} catch (final CdiException e) {
					// e.g. a network that predicts an empty support: the other starts still answer, so this one
					// becomes a random start and the report says why
					seededFailure = e.getMessage();
					progress.status("The seeded start failed (" + e.getMessage() + "); start 1 runs from a random start instead");
				}
			}
			results.add(guess != null ? seeded.refinement().run(backend, fitted, seeded.parameters().withSeed(seed), guess, sub) : phaser.run(fitted, p.withSeed(seed), null, sub));
		}
		final Result r = combine(data, free, results, p, backend);
		return seededFailure == null ? r : r.withSeededFailure(seededFailure);
	}

	/**
	 * Ranks finished starts, averages the best and presents the result (steps 3–6 of the class description).
	 *
	 * @param data    all the data, free pixels included (centred)
	 * @param free    the free pixels, the ones the starts did not see (a mask centred like the data), empty when none
	 * @param results the starts, each run on {@code data} with {@code free} masked; their seeds come from their
	 *                parameters
	 */
	public static Result combine(final Diffraction data, final Mask free, final List<PhasingResult> results, final PhasingParameters p, final PhasingBackend backend) {
		final int starts = results.size();
		if (starts == 0) throw new IllegalArgumentException("no start to combine");
		final int nFree = free.requireGrid(data.grid(), "The free pixels").unmeasuredCount();
		final List<Start> records = new ArrayList<>();
		for (int k = 0; k < starts; k++) {
			final PhasingResult r = results.get(k);
			final double llk = nFree > 0 ? FreePixels.poissonLlk(r.object(), data, free, r.psf()) : Double.NaN;
			records.add(new Start(k, r.parameters().seed(), r.finalChi2(), llk, r.seconds(), 0, false, Double.NaN, r.iterations()));
		}
		final List<Integer> order = new ArrayList<>();
		for (int k = 0; k < starts; k++) order.add(k);
		final boolean byLlk = nFree > 0;
		order.sort(Comparator.comparingDouble(k -> rankKey(byLlk ? records.get(k).freeLlk() : records.get(k).chi2())));
		final int best = order.get(0);
		final PhasingResult bestResult = results.get(best);
		final int keep = Math.max(1, (starts + 1) / 2);
		final int n = data.grid().size();
		final float[] sum = bestResult.object().data.clone();
		int averaged = 1;
		final double[] corr = new double[starts];
		corr[best] = 1;
		for (int r = 1; r < starts; r++) {
			final int k = order.get(r);
			final Alignment.Match m = Alignment.matchSubVoxel(results.get(k).object(), bestResult.object());
			corr[k] = m.correlation();
			if (r < keep && m.correlation() >= MIN_CORRELATION) {
				final float[] d = m.object().data;
				for (int i = 0; i < 2 * n; i++) sum[i] += d[i];
				averaged++;
			}
		}
		final List<Start> ranked = new ArrayList<>();
		final List<Integer> averagedIdx = new ArrayList<>();
		for (int r = 0; r < starts; r++) {
			final int k = order.get(r);
			final boolean avg = r == 0 || (r < keep && corr[k] >= MIN_CORRELATION);
			if (avg) averagedIdx.add(k);
		}
		for (int k = 0; k < starts; k++) {
			final Start s = records.get(k);
			ranked.add(new Start(k, s.seed(), s.chi2(), s.freeLlk(), s.seconds(), order.indexOf(k) + 1, averagedIdx.contains(k), starts > 1 ? corr[k] : 1, s.iterations()));
		}
		final float inv = 1f / averaged;
		for (int i = 0; i < sum.length; i++) sum[i] *= inv;
		final ComplexVolume average = new ComplexVolume(data.grid(), sum);
		final Prtf.Result prtf = averaged >= 2 ? Prtf.compute(average, data, averaged) : null;
		ComplexVolume fin = averaged >= 2 ? average : bestResult.object();
		boolean[] support = averaged >= 2 ? supportOf(average, p, backend) : bestResult.support();
		// the metrics under the model the starts fitted: the best start's partial-coherence kernel, if any (the
		// polish below goes on from it, and the result is then judged under the polished one)
		PartialCoherence.Kernel psf = bestResult.psf();
		final double averageChi2 = ErrorMetrics.chi2(backend, fin, data, psf);
		if (nFree > 0) {
			// the starts never saw the free pixels, and averaging lowers |F| where the starts disagree: a few ER
			// iterations on all measured pixels, support fixed, bring the average back onto the data
			final PhasingResult polished = new Phaser(backend).run(data, p.withRecipe(POLISH_RECIPE).withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(1),
				new InitialGuess(fin, support, psf), Progress.NONE);
			fin = polished.object();
			support = polished.support();
			if (polished.psf() != null) psf = polished.psf();
		}
		final Alignment.Centred shown = Alignment.present(fin, support);
		final double chi2 = ErrorMetrics.chi2(backend, fin, data, psf);
		final double bestChi2 = nFree > 0 ? ErrorMetrics.chi2(backend, bestResult.object(), data, bestResult.psf()) : bestResult.finalChi2();
		double seconds = 0;
		for (final PhasingResult r : results) seconds += r.seconds();
		final PhasingResult presented = new PhasingResult(shown.object(), shown.support(), bestResult.chi2History(), bestResult.outsideFractionHistory(),
			chi2, bestResult.iterations(), seconds, bestResult.backend(), bestResult.parameters(), psf);
		return new Result(presented, ranked, best, averaged, nFree, prtf, bestChi2, averageChi2, shown.shiftZyx(), byLlk ? "free_llk" : "chi2");
	}

	/** NaN (a failed metric) ranks last. */
	private static double rankKey(final double v) { return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v; }

	/** The shrink-wrap rule of the run ([G_σ ∗ |ρ| ≥ threshold · max]) applied to the average. */
	static boolean[] supportOf(final ComplexVolume obj, final PhasingParameters p, final PhasingBackend backend) {
		final Grid g = obj.grid;
		final float[] one = new float[g.size()];
		try (PhasingBackend.Session s = backend.open(g, one, null, obj.data, new boolean[g.size()])) {
			s.blurModulus(p.shrinkWrapSigma());
			s.supportFromWork(p.shrinkWrapThreshold() * s.workMax());
			return s.readSupport();
		}
	}
}
