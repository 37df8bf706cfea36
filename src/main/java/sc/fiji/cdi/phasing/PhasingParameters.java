package sc.fiji.cdi.phasing;

import java.util.Locale;

import sc.fiji.cdi.util.CdiException;

/**
 * Settings of one iterative reconstruction. Defaults follow cohere's configuration for APS 34-ID-C unless noted.
 *
 * @param recipe              algorithm sequence in cohere's syntax ({@link Recipe}); default
 *                            {@value Recipe#COHERE_DEFAULT} (620 iterations)
 * @param hioBeta             HIO feedback β (Fienup 1982; cohere 0.9)
 * @param raarBeta            RAAR β (Luke 2005; PyNX uses 0.75 for BCDI)
 * @param shrinkWrapSigma     σ in voxels of the Gaussian blur of |ρ| before thresholding (cohere 1.0)
 * @param shrinkWrapThreshold support = [blurred |ρ| ≥ threshold · max] (relative to the max, cohere 0.1)
 * @param shrinkWrapPeriod    update the support every this many iterations (cohere 1 = every iteration; 0 = never)
 * @param initialSupport      {@link InitialSupport#BOX} (cohere) or {@link InitialSupport#AUTOCORRELATION} (PyNX)
 * @param supportBoxFraction  edge of the initial box support as a fraction of each dimension (cohere 0.5)
 * @param twinRemoval         cohere's twin removal at iteration 2 (see {@link Phaser})
 * @param averageLast         the result is the average of the last this many iterates (0 or 1 = last iterate)
 * @param seed                seed of the random initial object; same seed and thread count ⇒ same result
 * @param positivity          PyNX's positivity restraint in ER/HIO/RAAR: inside the support only Re ρ' &gt; 0 is
 *                            kept (a real, non-negative object, e.g. forward CDI of a thin non-absorbing test
 *                            pattern); default off (Bragg CDI objects are complex)
 * @param shrinkWrapMethod    what the shrink-wrap threshold is relative to: {@link ShrinkWrapMethod#MAX} (cohere)
 *                            or {@link ShrinkWrapMethod#RMS} (PyNX's default: the rms of the blurred |ρ| inside
 *                            the current support)
 * @param shrinkWrapSigmaEnd  the blur σ decays exponentially from {@code shrinkWrapSigma} at iteration 0 to this
 *                            at the last iteration (PyNX's {@code smooth_width = 2, 0.5}); equal to
 *                            {@code shrinkWrapSigma} = constant (cohere)
 * @param psf                 partial coherence ({@link PartialCoherence.Psf}, PyNX's syntax, e.g.
 *                            {@value PartialCoherence.Psf#RECOMMENDED}), used from the first iteration; "none"
 *                            (default, cohere's and PyNX's) = a fully coherent model
 */
public record PhasingParameters(String recipe, double hioBeta, double raarBeta, double shrinkWrapSigma,
	double shrinkWrapThreshold, int shrinkWrapPeriod, InitialSupport initialSupport, double supportBoxFraction,
	boolean twinRemoval, int averageLast, long seed, boolean positivity, ShrinkWrapMethod shrinkWrapMethod, double shrinkWrapSigmaEnd, String psf) {

	/** What the shrink-wrap threshold is relative to. */
	public enum ShrinkWrapMethod {
		/** The maximum of the blurred |ρ| (cohere). */
		MAX,
		/** The root mean square of the blurred |ρ| inside the current support (PyNX's SupportUpdate default). */
		RMS;

		/** "max" or "rms", any case; {@code key} names the parameter in the message. */
		public static ShrinkWrapMethod parse(final String s, final String key) {
			try {
				return valueOf(s.trim().toUpperCase(Locale.ROOT));
			} catch (final IllegalArgumentException | NullPointerException e) {
				throw new CdiException(key + "='" + s + "' is not known: expected max (cohere) or rms (PyNX).");
			}
		}
	}

	/** The settings without positivity, with cohere's shrink-wrap (relative to the maximum, constant σ). */
	public PhasingParameters(final String recipe, final double hioBeta, final double raarBeta, final double shrinkWrapSigma,
		final double shrinkWrapThreshold, final int shrinkWrapPeriod, final InitialSupport initialSupport, final double supportBoxFraction,
		final boolean twinRemoval, final int averageLast, final long seed) {
		this(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval,
			averageLast, seed, false, ShrinkWrapMethod.MAX, shrinkWrapSigma, "none");
	}

	/** How the support starts when no initial guess gives one. */
	public enum InitialSupport {
		/** A centred box of {@code supportBoxFraction} of each dimension (cohere). */
		BOX,
		/** The thresholded autocorrelation |IFFT(I)| ≥ 10 % of its max (PyNX's default): the support of ρ⋆ρ, a loose
		 * (twice as wide) but shape-aware start that shrink-wrap tightens. */
		AUTOCORRELATION,
		/** A centred box of half the extent of the thresholded autocorrelation along each axis, plus 10 % (about the
		 * object's bounding box: the autocorrelation of an object of width w is 2w wide); the box of cohere, sized
		 * from the data instead of by {@code supportBoxFraction}. */
		AUTOCORRELATION_BOX;

		/** "box", "autocorrelation" or "autocorrelation_box", any case; {@code key} names the parameter in the message. */
		public static InitialSupport parse(final String s, final String key) {
			try {
				return valueOf(s.trim().toUpperCase(Locale.ROOT));
			} catch (final IllegalArgumentException | NullPointerException e) {
				throw new CdiException(key + "='" + s + "' is not known: expected box, autocorrelation or autocorrelation_box.");
			}
		}
	}

	public PhasingParameters {
		Recipe.parse(recipe); // throws CdiException naming the column of a syntax error
		if (!(hioBeta > 0 && hioBeta <= 1.5)) throw new CdiException("Phasing parameter hio_beta = " + hioBeta + " is out of range: expected 0 < β ≤ 1.5 (typically 0.9).");
		if (!(raarBeta > 0 && raarBeta < 1)) throw new CdiException("Phasing parameter raar_beta = " + raarBeta + " is out of range: expected 0 < β < 1 (typically 0.75).");
		if (!(shrinkWrapSigma >= 0 && shrinkWrapSigma <= 20)) throw new CdiException("Phasing parameter shrink_wrap_sigma = " + shrinkWrapSigma + " voxels is out of range: expected 0 to 20 (typically 1).");
		if (!(shrinkWrapThreshold > 0 && shrinkWrapThreshold < 1)) throw new CdiException("Phasing parameter shrink_wrap_threshold = " + shrinkWrapThreshold + " is out of range: expected a fraction of the maximum between 0 and 1 (typically 0.1).");
		if (shrinkWrapPeriod < 0) throw new CdiException("Phasing parameter shrink_wrap_period = " + shrinkWrapPeriod + " is negative: expected 0 (never) or a number of iterations (typically 1).");
		if (initialSupport == null) throw new CdiException("Phasing parameter initial_support is missing: expected BOX or AUTOCORRELATION.");
		if (!(supportBoxFraction > 0 && supportBoxFraction <= 1)) throw new CdiException("Phasing parameter support_box_fraction = " + supportBoxFraction + " is out of range: expected 0 < f ≤ 1 (typically 0.5).");
		if (shrinkWrapMethod == null) throw new CdiException("Phasing parameter shrink_wrap_method is missing: expected MAX (cohere) or RMS (PyNX).");
		if (!(shrinkWrapSigmaEnd >= 0 && shrinkWrapSigmaEnd <= 20)) throw new CdiException("Phasing parameter shrink_wrap_sigma_end = " + shrinkWrapSigmaEnd + " voxels is out of range: expected 0 to 20 (PyNX decays σ from 2 to 0.5).");
		PartialCoherence.Psf.parse(psf); // throws CdiException saying what is expected
		if (averageLast < 0) throw new CdiException("Phasing parameter average_last = " + averageLast + " is negative: expected 0 or more iterations (typically 20).");
	}

	/** cohere's 34-ID-C defaults: {@value Recipe#COHERE_DEFAULT}, β 0.9, shrink-wrap σ 1 / threshold 0.1 every
	 * iteration, box support of half the array, twin removal at iteration 2, average of the last 20, seed 1. */
	public static PhasingParameters defaults() {
		return new PhasingParameters(Recipe.COHERE_DEFAULT, 0.9, 0.75, 1.0, 0.1, 1, InitialSupport.BOX, 0.5, true, 20, 1L);
	}

	/** PyNX-style recipe of {@link #forward2D()}: 32 × (25 HIO + support update), then 5 × (20 ER + support update). */
	public static final String FORWARD_2D_RECIPE = "(Sup*ER**20)**5 * (Sup*HIO**25)**32";

	/**
	 * Defaults for 2D forward (transmission) CDI of a thin object, PyNX-like: {@value #FORWARD_2D_RECIPE} (900
	 * iterations, the support updated every 25 HIO / 20 ER iterations), HIO β 0.9, positivity (a real, non-negative
	 * object), shrink-wrap at 0.25 × the rms of the blurred |ρ| inside the support with σ decaying 2 → 0.5 (PyNX's
	 * SupportUpdate {@code method='rms'}, {@code smooth_width=2,0.5}), the initial support a centred box of half the
	 * autocorrelation's extent ({@link InitialSupport#AUTOCORRELATION_BOX}), cohere's twin removal at iteration 2 and
	 * the average of the last 20 iterates. Measured on {@code Forward2DTest}: 5 of 5 seeds (letters behind a 20 × 20
	 * beam stop, 10⁹ photons); with the plain autocorrelation support 2 of 5, with a fixed box of 0.3 4 of 5.
	 */
	public static PhasingParameters forward2D() {
		return new PhasingParameters(FORWARD_2D_RECIPE, 0.9, 0.75, 2.0, 0.25, 1, InitialSupport.AUTOCORRELATION_BOX, 0.5, true, 20, 1L,
			true, ShrinkWrapMethod.RMS, 0.5, "none");
	}

	public Recipe parsedRecipe() { return Recipe.parse(recipe); }

	/**
	 * A warning when {@code average_last} asks for more iterates than the recipe has before its closing CG polish
	 * (the result is then the average of all of them, from the first iterates on); null when it does not, when the
	 * recipe writes its own {@code Avg}.
	 */
	public String averageLastWarning() {
		final Recipe r = parsedRecipe();
		final int n = r.iterationsBeforePolish();
		if (averageLast <= 1 || averageLast <= n || r.writes(PhasingOperator.Average.class)) return null;
		return "average_last=" + averageLast + " is more than the " + n + " iterations of recipe '" + recipe.trim() + "'"
			+ (n < r.totalIterations() ? " before its CG polish" : "") + ": the result is the average of all " + n
			+ " iterates, the first ones included (give average_last=" + Math.max(1, n / 10) + " or a longer recipe).";
	}

	/** The partial-coherence model, or null when the model is fully coherent. */
	public PartialCoherence.Psf parsedPsf() { return PartialCoherence.Psf.parse(psf); }

	public PhasingParameters withRecipe(final String v) { return new PhasingParameters(v, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withHioBeta(final double v) { return new PhasingParameters(recipe, v, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withRaarBeta(final double v) { return new PhasingParameters(recipe, hioBeta, v, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	/** A constant σ stays constant (the end σ follows); a decaying one keeps its end. */
	public PhasingParameters withShrinkWrapSigma(final double v) { return new PhasingParameters(recipe, hioBeta, raarBeta, v, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd == shrinkWrapSigma ? v : shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withShrinkWrapThreshold(final double v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, v, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withShrinkWrapPeriod(final int v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, v, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withInitialSupport(final InitialSupport v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, v, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withSupportBoxFraction(final double v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, v, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withTwinRemoval(final boolean v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, v, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withAverageLast(final int v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, v, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withPositivity(final boolean v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, v, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withShrinkWrapMethod(final ShrinkWrapMethod v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, v, shrinkWrapSigmaEnd, psf); }
	public PhasingParameters withShrinkWrapSigmaEnd(final double v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, v, psf); }
	public PhasingParameters withPsf(final String v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, seed, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, v); }
	public PhasingParameters withSeed(final long v) { return new PhasingParameters(recipe, hioBeta, raarBeta, shrinkWrapSigma, shrinkWrapThreshold, shrinkWrapPeriod, initialSupport, supportBoxFraction, twinRemoval, averageLast, v, positivity, shrinkWrapMethod, shrinkWrapSigmaEnd, psf); }
}
