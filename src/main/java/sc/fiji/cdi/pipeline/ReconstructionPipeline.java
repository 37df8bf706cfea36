package sc.fiji.cdi.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.phasing.Backends;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingBackend;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.MemoryGuard;
import sc.fiji.cdi.util.Progress;

/**
 * Imported diffraction data → preprocessing → iterative phase retrieval (optionally seeded by an initial guess,
 * e.g. a neural-network prediction). UI-free: the Reconstruct command and the batch macros call this.
 */
public final class ReconstructionPipeline {

	/**
	 * @param backend  phasing backend choice ("auto", "jtransforms", "fftw", "djl", …), see {@link Backends}
	 * @param threads  worker threads (≤ 0: all available cores; capped at them, {@link #threads})
	 * @param starts   random starts ({@link MultiStart}: ranked by free log-likelihood, the best averaged); 0 =
	 *                 automatic ({@link MultiStart#defaultStarts}); ignored with a starting guess
	 */
	public record Request(PreprocessOptions preprocess, PhasingParameters phasing, String backend, int threads, int starts) {

		/** One random start. */
		public Request(final PreprocessOptions preprocess, final PhasingParameters phasing, final String backend, final int threads) {
			this(preprocess, phasing, backend, threads, 1);
		}
	}

	/**
	 * The preprocessed data the phasing saw, its result (centred, phase ramp removed, phase zero at the crystal's
	 * centre), the wall time of each stage in seconds, and the record of the random starts (null when phasing
	 * started from a guess).
	 */
	public record Outcome(Diffraction preprocessed, PhasingResult result, Map<String, Double> seconds, MultiStart.Result starts) {

		public Outcome(final Diffraction preprocessed, final PhasingResult result, final Map<String, Double> seconds) {
			this(preprocessed, result, seconds, null);
		}
	}

	/** Makes the starting guess from the preprocessed data, e.g. a neural-network prediction ("NN + refine"). */
	@FunctionalInterface
	public interface Seeder {
		InitialGuess seed(Diffraction preprocessed, Progress progress);
	}

	private ReconstructionPipeline() {}

	/**
	 * The worker threads phasing uses for {@code requested}: all available cores when ≤ 0, and never more than them
	 * ({@link sc.fiji.cdi.util.Threads#resolve}, the one rule for every thread count).
	 */
	public static int threads(final int requested) { return sc.fiji.cdi.util.Threads.resolve(requested); }

	/** Phase retrieval from a random start (or from {@code guess} when not null). */
	public static Outcome run(final Diffraction data, final Request request, final InitialGuess guess, final Progress progress) {
		return runSeeded(data, request, guess == null ? null : (d, p) -> guess, progress);
	}

	/** Phase retrieval started from what {@code seeder} makes of the preprocessed data (null: random start). */
	public static Outcome runSeeded(final Diffraction data, final Request request, final Seeder seeder, final Progress progress) {
		return runSeeded(data, request, seeder, null, null, progress);
	}

	/**
	 * As {@link #runSeeded(Diffraction, Request, Seeder, Progress)}; with {@code seededParameters} not null the seeded
	 * start runs {@code refinement} (null: their recipe) with them, and with more than one start requested it is the
	 * first of {@link MultiStart}'s starts, the others random ones with the request's parameters, all ranked by free
	 * log-likelihood.
	 */
	public static Outcome runSeeded(final Diffraction data, final Request request, final Seeder seeder, final PhasingParameters seededParameters, final Refinement refinement,
		final Progress progress) {
		final Refinement refining = seededParameters == null ? null : refinement != null ? refinement : Refinement.parse(seededParameters.recipe());
		final Map<String, Double> seconds = new LinkedHashMap<>();
		long t0 = System.nanoTime();
		// each preprocessing step returns a new copy of the values (+ mask): input, one step's output and the next
		MemoryGuard.require(3L * data.grid().size() * (Float.BYTES + (data.mask == null ? 0 : 1)),
			"preprocessing " + data.source + " (" + data.grid() + ")", "bin the frames or crop the scan before import");
		progress.status("Preprocessing " + data.grid());
		final Diffraction pre = Preprocessor.apply(data, request.preprocess(), progress);
		seconds.put("preprocess", (System.nanoTime() - t0) / 1e9);
		progress.checkCancelled();
		final boolean seededMultiStart = seeder != null && seededParameters != null && request.starts() > 1;
		InitialGuess guess = null;
		if (seeder != null && !seededMultiStart) {
			t0 = System.nanoTime();
			progress.status("Computing the starting guess");
			guess = seeder.seed(pre, progress);
			seconds.put("seed", (System.nanoTime() - t0) / 1e9);
			progress.checkCancelled();
		}
		t0 = System.nanoTime();
		final int threads = threads(request.threads());
		final PhasingBackend backend = Backends.select(request.backend(), pre.grid(), threads, request.phasing().parsedPsf() != null);
		final PhasingResult result;
		MultiStart.Result starts = null;
		if (guess == null) {
			final int n = request.starts() > 0 ? request.starts() : MultiStart.defaultStarts(pre.grid());
			starts = MultiStart.run(pre, request.phasing(), n, backend, progress, seededMultiStart ? new MultiStart.Seeded(seeder, seededParameters, refining) : null);
			result = starts.result();
		} else {
			final PhasingResult r = refining != null ? refining.run(backend, pre, seededParameters, guess, progress) : new Phaser(backend).run(pre, request.phasing(), guess, progress);
			final Alignment.Centred c = Alignment.present(r.object(), r.support());
			result = new PhasingResult(c.object(), c.support(), r.chi2History(), r.outsideFractionHistory(), r.finalChi2(), r.iterations(), r.seconds(), r.backend(), r.parameters(), r.psf());
		}
		seconds.put("phasing", (System.nanoTime() - t0) / 1e9);
		return new Outcome(pre, result, seconds, starts);
	}
}
