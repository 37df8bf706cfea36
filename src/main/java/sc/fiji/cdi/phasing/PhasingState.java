package sc.fiji.cdi.phasing;

import java.util.Locale;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.PhasingParameters.ShrinkWrapMethod;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * What {@link PhasingOperator}s act on: one reconstruction's backend session (iterate ρ, support, average), the run's
 * parameters, the iteration counter (PyNX's {@code cdi.cycle}) and the per-iteration histories. The operators call
 * the methods below; the maths of each step is written here once, the array work is the backend's.
 */
public final class PhasingState implements AutoCloseable {

	private final PhasingBackend.Session session;
	private final PhasingParameters p;
	private final String source;
	private final Progress progress;
	private final int total;
	private final double[] chi2, outside;
	private final int averageFrom, polishFrom;
	private boolean averagePolished;
	private final boolean autoShrinkWrap, autoTwin, autoAverage;
	private final double amplitudeSquares;
	private int iteration;
	private ConjugateGradient cg;
	private ChunkedLoops cgLoops;
	private final int threads;
	private Recipe.Algorithm last;
	/** The partial-coherence model, null when the run is fully coherent; used from iteration {@link #coherenceFrom}. */
	private final PartialCoherence coherence;
	private final int coherenceFrom, coherencePeriod;

	/**
	 * @param recipe the run's recipe: the automatic shrink-wrap, twin removal and averaging are on only where it does
	 *               not write Sup, Twin or Avg itself
	 * @param source names the data in messages
	 * @param amplitudeSquares Σ M² over the measured pixels (χ²'s denominator; the CG step length needs it)
	 * @param threads the threads of the host-side loops (CG's), started at the first CG iteration, stopped by {@link #close}
	 */
	PhasingState(final PhasingBackend.Session session, final PhasingParameters p, final Recipe recipe, final String source, final Progress progress,
		final double amplitudeSquares, final int threads, final PartialCoherence.Kernel startKernel) {
		this.session = session;
		this.threads = Math.max(1, threads);
		this.amplitudeSquares = amplitudeSquares;
		this.p = p;
		this.source = source;
		this.progress = progress;
		this.total = recipe.totalIterations();
		this.chi2 = new double[total];
		this.outside = new double[total];
		this.polishFrom = recipe.iterationsBeforePolish();
		this.averageFrom = polishFrom - Math.max(1, p.averageLast());
		this.autoShrinkWrap = p.shrinkWrapPeriod() > 0 && !recipe.writes(PhasingOperator.SupportUpdate.class);
		this.autoTwin = p.twinRemoval() && !recipe.writes(PhasingOperator.TwinRemoval.class);
		this.autoAverage = p.averageLast() > 1 && !recipe.writes(PhasingOperator.Average.class);
		final PartialCoherence.Psf psf = p.parsedPsf();
		this.coherence = psf == null ? null : new PartialCoherence(session.grid(), psf);
		if (coherence != null && startKernel != null) coherence.start(startKernel);
		this.coherencePeriod = psf == null ? 0 : psf.period();
		// from the first iteration: PyNX switches its psf on after 2/3 of the HIO/RAAR iterations, but then the support
		// has been found under the coherent model (2D, intensity blurred by σ = 1 px: correlation 0.76–0.79 against
		// 0.88–0.93 from the start; on coherent data the kernel narrows to FWHM 0.2–0.5 px and the object is as good)
		this.coherenceFrom = psf == null ? total : 0;
	}

	/** The partial-coherence model once it is in use, else null. */
	PartialCoherence coherence() { return coherence != null && iteration > coherenceFrom ? coherence : null; }

	public Grid grid() { return session.grid(); }

	public PhasingParameters parameters() { return p; }

	/** Iterations run so far (PyNX's {@code cdi.cycle}). */
	public int iteration() { return iteration; }

	public int totalIterations() { return total; }

	double[] chi2History() { return chi2; }

	double[] outsideFractionHistory() { return outside; }

	PhasingBackend.Session session() { return session; }

	/**
	 * One iteration of {@code algorithm}: modulus projection (χ² of the entering iterate), the support-side update,
	 * then the automatic steps the recipe does not write (cohere's order: twin removal after iteration 2, the
	 * fraction outside the support, shrink-wrap every period but not after the last iteration, accumulation of the
	 * last iterates). Cancel is checked between the FFT-sized steps: a 256³ iteration takes seconds on a laptop.
	 */
	public void iterate(final Recipe.Algorithm algorithm) {
		final int it = iteration;
		progress.checkCancelled();
		if (algorithm == Recipe.Algorithm.CG) {
			if (cg == null) {
				cgLoops = new ChunkedLoops(threads);
				cg = new ConjugateGradient(session, cgLoops, amplitudeSquares);
				if (p.positivity()) progress.status("The CG iterations of " + source + " keep no positivity constraint: ER (with positivity) instead");
				else if (coherence != null) progress.status("The CG iterations of " + source + " have no partial-coherence model: ER with it instead");
				else if (!cg.fits()) progress.status("Not enough memory for the CG iterations of " + source + " (" + sc.fiji.cdi.util.MemoryGuard.human(cg.bytes()) + "): ER instead");
			}
			if (it == polishFrom && autoAverage && session.accumulated() > 0) { // polish the average, so the result keeps its noise reduction
				final float[] avg = session.readAccumulated();
				final float inv = 1f / session.accumulated();
				for (int i = 0; i < avg.length; i++) avg[i] *= inv;
				session.writeObject(avg);
				averagePolished = true;
				last = null;
			}
		}
		if (algorithm == Recipe.Algorithm.CG && !p.positivity() && coherence == null && cg.fits()) {
			if (last != Recipe.Algorithm.CG) cg.restart();
			chi2[it] = cg.step();
		} else {
			chi2[it] = coherence != null && it >= coherenceFrom
				? session.projectModulus(coherence, coherencePeriod > 0 && (it - coherenceFrom) % coherencePeriod == coherencePeriod - 1)
				: session.projectModulus();
			progress.checkCancelled();
			algorithm.apply(session, algorithm == Recipe.Algorithm.RAAR ? p.raarBeta() : p.hioBeta(), p.positivity());
		}
		last = algorithm;
		iteration = it + 1;
		progress.checkCancelled();
		if (autoTwin && it == Phaser.TWIN_ITERATION) removeTwin();
		outside[it] = session.fractionOutsideSupport();
		if (autoShrinkWrap && algorithm != Recipe.Algorithm.CG && (it + 1) % p.shrinkWrapPeriod() == 0 && it + 1 < total) updateSupport();
		if (autoAverage && it >= averageFrom && it < polishFrom) session.accumulate();
		// the status first: the headless progress line prints the status set before it
		if (it % 10 == 0 || iteration == total) progress.status(String.format(Locale.ROOT, "%s %d/%d, χ²=%.4g", algorithm, iteration, total, chi2[it]));
		progress.progress(iteration, total);
	}

	/**
	 * The blur σ at the current iteration: PyNX's exponential decay from σ₀ = {@code shrink_wrap_sigma} to
	 * σ₁ = {@code shrink_wrap_sigma_end} over the run, σ(i) = σ₀·(σ₁/σ₀)^(i/N) (linear when either is 0), and σ₀
	 * throughout when they are equal (cohere).
	 */
	public double shrinkWrapSigma() {
		final double a = p.shrinkWrapSigma(), b = p.shrinkWrapSigmaEnd();
		if (a == b) return a;
		final double f = Math.min(1.0, (double) iteration / total);
		if (a > 0 && b > 0) return a * Math.exp(f * Math.log(b / a));
		return a + f * (b - a);
	}

	/**
	 * Shrink-wrap (Marchesini et al. 2003; PyNX's SupportUpdate, cohere's shrink-wrap): S = [G_σ ∗ |ρ| ≥ t·ref],
	 * with ref the maximum of the blurred modulus (cohere) or its rms inside the current support (PyNX).
	 */
	public void updateSupport() {
		session.blurModulus(shrinkWrapSigma());
		final double ref;
		if (p.shrinkWrapMethod() == ShrinkWrapMethod.MAX) ref = session.workMax();
		else {
			final double[] q = session.workSquaresInSupport();
			ref = q[1] > 0 ? Math.sqrt(q[0] / q[1]) : 0;
		}
		if (!(ref > 0)) throw new CdiException("Reconstruction of " + source + " collapsed to zero at iteration " + iteration + ": check that the data are not empty and the support is not too small.");
		final long kept = session.supportFromWork(p.shrinkWrapThreshold() * ref);
		last = null; // a new support: conjugate directions restart
		if (kept == 0) throw new CdiException("Shrink-wrap removed the whole support at iteration " + iteration + " of " + source + ": expected a lower shrink_wrap_threshold than " + p.shrinkWrapThreshold() + ".");
	}

	/** cohere's twin removal on the current iterate ({@link Phaser#removeTwinHalves}). */
	public void removeTwin() {
		final float[] rho = session.readObject();
		Phaser.removeTwinHalves(session.grid(), rho);
		session.writeObject(rho);
		last = null;
	}

	/**
	 * Whether the automatic average became the iterate that a final block of CG iterations then polished: the run's
	 * result is then the last iterate, not the average. The average is taken over the {@code average_last}
	 * iterations before that block.
	 */
	public boolean averagePolished() { return averagePolished; }

	/** Adds the current iterate to the average. */
	public void accumulate() { session.accumulate(); }

	/** Stops the threads of the CG loops, if any were started. */
	@Override
	public void close() {
		if (cgLoops != null) cgLoops.close();
	}
}
