package sc.fiji.cdi.nn.predict;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.CdiException;

/**
 * Fits a measured pattern to a network's input (recorded in the pattern's log): √I; unmeasured (masked) pixels set
 * to 0; binned (the same factor along every axis, {@link #binning}) by the integer factor that brings the object
 * (its extent estimated from the autocorrelation) closest to the size fractions the model was trained on — binning
 * by b in reciprocal space shrinks the field of view b times at the same voxel, so a small crystal fills more of the
 * box (3D-CDI-NN also downsamples its measured crops) — then cropped or zero-padded about the peak (index N/2 → n/2)
 * to the network size n, which keeps the oversampling while the voxel becomes N/(b·n) times coarser; normalised to
 * max 1. Not thread-safe (it caches {@link #trainedFraction()}).
 */
public final class InputFitting {

	/** Largest pattern size per axis the object-size estimate looks at. */
	static final int ESTIMATE_SIZE = 128;

	private final ModelCard card;
	private final Grid grid;
	private final String source;
	/** {@link #trainedFraction()}, computed at the first fit. */
	private double[] trainedFraction;

	/**
	 * @param card   the model's card (architecture, training recipe)
	 * @param source the model's name for messages
	 */
	InputFitting(final ModelCard card, final String source) {
		this.card = card;
		this.source = source;
		this.grid = networkGrid(card);
	}

	/** The network's input grid (n³ or n²). */
	static Grid networkGrid(final ModelCard card) {
		final int n = card.architecture.inputSize();
		return card.architecture.rank() == 3 ? Grid.cube(n) : Grid.of2D(n, n);
	}

	/**
	 * A network input, the binning that produced it, its unmeasured pixels (null: none), and the fractional index of
	 * its zero frequency per axis (n/2 without binning; binning by b in blocks that start at the pattern's centre
	 * pixel puts it (b − 1)/2b of a binned pixel lower), the pattern it was made from ({@link #centred}) and the whole
	 * pixels by which that one was moved (z, y, x; zeros when it was centred already).
	 */
	public record Fitted(RealVolume input, int[] binZyx, Mask unmeasured, double[] centreZyx, Diffraction pattern, int[] shiftZyx) {}

	/**
	 * A pattern's centre of mass may lie n/16 pixels (at least this many) from index N/2 along an axis and count as
	 * centred, n being the network's input size (the network sees the pattern cropped to about n pixels): a strain
	 * field's phase ramp moves the peak by a pixel or a few, and {@link RampMatching} gives that ramp back from the
	 * data (on the held-out family the brightest pixel is at most 2 pixels off at 64³ and 3 at 128²); further off,
	 * the array was not cut about the peak.
	 */
	static final int CENTRED_WITHIN = 2;

	/** The largest offset of the pattern's centre of mass from N/2 that counts as centred, for a network of input size n. */
	static int centredWithin(final int n) { return Math.max(CENTRED_WITHIN, n / 16); }

	/**
	 * The pattern as a network of input size {@code n} must see it: itself when it was centred already (Reconstruct's
	 * preprocessing, whichever centring it used: the centre of symmetry for forward CDI, where the brightest pixel is
	 * a speckle beside the beam stop) or when its intensity-weighted centre of mass lies within {@link #centredWithin}
	 * pixels of N/2 along every axis (a beam stop or a hot pixel does not move it); else centred on its centre of mass
	 * ({@link Preprocessor#centreOnPeak}, pixels that come in masked; the step is logged), and refused when it is
	 * FFT-shifted ({@link Preprocessor#requirePeakNotInCorner}). The network's crop/pad is about N/2: an off-centre
	 * pattern would be unlike any it was trained on.
	 */
	public static Diffraction centred(final Diffraction d, final int n) {
		if (Preprocessor.centred(d)) return d;
		Preprocessor.requirePeakNotInCorner(d);
		final int[] com = Preprocessor.centroid(d), dims = d.grid().zyx();
		boolean centred = true;
		for (int a = 3 - d.grid().rank(); a < 3; a++) centred &= Math.abs(com[a] - dims[a] / 2) <= centredWithin(n);
		return centred ? d : Preprocessor.centreOnPeak(d, PreprocessOptions.Centring.CENTRE_OF_MASS);
	}

	/** Refuses a pattern of another rank than the network's (a 2D model on 3D data or the reverse), naming both. */
	public void requireRank(final Diffraction d) {
		final Grid g = d.grid();
		if (g.rank() != card.architecture.rank()) throw new CdiException("The model " + source + " expects " + card.architecture.rank() + "D patterns but " + d.source + " is " + g.rank() + "D (" + g
			+ "): choose a " + g.rank() + "D model.");
	}

	/**
	 * The network input for a pattern, as described in the class comment, with the steps logged; the pattern is
	 * first {@link #centred} ({@link Fitted#pattern} is the one the input was made from).
	 */
	public Fitted fit(final Diffraction pattern, final ProcessingLog log) {
		final Diffraction d = centred(pattern, card.architecture.inputSize());
		final int[] shift = new int[3];
		if (d != pattern) {
			final int[] com = Preprocessor.centroid(pattern), dims = pattern.grid().zyx();
			for (int a = 0; a < 3; a++) shift[a] = dims[a] / 2 - com[a]; // as Preprocessor.centreOnPeak moves it
		}
		if (d != pattern) log.add("nn_centre_on_peak", "centre_of_mass_zyx", Preprocessor.centroid(pattern), "shift_zyx", shift, "reason",
			"the pattern's centre of mass was more than max(2, n/16) pixels from the array centre, n = " + card.architecture.inputSize() + " the network's input size");
		requireRank(d);
		final Grid g = d.grid();
		final int n = card.architecture.inputSize();
		final int[] from = g.zyx();
		for (int a = 3 - g.rank(); a < 3; a++)
			if (from[a] < n / 4) throw new CdiException("The pattern " + d.source + " (" + g + ") is too small for the model " + source + " (input " + grid + "): axis " + "zyx".charAt(a) + " has " + from[a]
				+ " pixels, at least " + n / 4 + " are needed (zero-padding more than 4x would leave the network mostly zeros).");
		// the estimate runs on the central ≤ 128 pixels per axis: a centred crop keeps the object's fraction of the box
		// (only the voxel coarsens) and bounds the cost of the autocorrelation for large detectors
		final Grid probe = new Grid(Math.min(g.nz, ESTIMATE_SIZE), Math.min(g.ny, ESTIMATE_SIZE), Math.min(g.nx, ESTIMATE_SIZE));
		final Diffraction cropped = probe.equals(g) ? d : Preprocessor.cropOrPad(d, probe);
		final double[] fraction = objectFraction(probe, sanitisedAmplitude(cropped));
		final int[] bin = binning(g, fraction);
		final int better = factor(g, fraction, false);
		if (better != bin[2]) {
			final int[] crop = g.zyx();
			for (int a = 3 - g.rank(); a < 3; a++) crop[a] -= crop[a] % better;
			final Grid to = new Grid(crop[0], crop[1], crop[2]);
			log.add(BINNING_LIMITED, "bin_used", bin[2], "bin_fitting_the_crystal", better, "crop_to", to.toString(), "advice", "the pattern " + d.source + " (" + g
				+ ") was binned by " + bin[2] + ", not by " + better + ", which would bring its crystal to the size the model was trained on, because " + better
				+ " does not divide every axis: the network saw the crystal about " + String.format(java.util.Locale.ROOT, "%.1f", (double) better / bin[2])
				+ " times smaller in its box than the crystals it was trained on. Crop the pattern about its centre to " + to + " (Reconstruct: size=" + to.toString().replace('x', ',') + ") for a better prediction.");
		}
		final boolean binned = bin[0] * bin[1] * bin[2] > 1;
		// bad values are masked before binning, so that one NaN does not spoil its whole block
		final Diffraction fitted = Preprocessor.cropOrPad(binned ? Preprocessor.bin(withBadValuesMasked(d), bin[0], bin[1], bin[2]) : d, grid);
		final float[] in = sanitisedAmplitude(fitted);
		final int masked = d.unmeasuredCount();
		float max = 0;
		for (final float v : in) if (v > max) max = v;
		if (!(max > 0)) throw new CdiException("The pattern " + d.source + " is zero (or masked) everywhere inside the central " + grid + " the model " + source + " sees: expected a diffraction pattern with its peak near the array centre.");
		for (int i = 0; i < in.length; i++) in[i] /= max;
		log.add("nn_fit_to_network", "from", g.toString(), "estimated_object_fraction_zyx", fraction, "bin_zyx", bin, "to", grid.toString(),
			"method", "binning of the intensity to bring the object to the training size fraction, then centred crop/zero-pad in reciprocal space (keeps oversampling)",
			"masked_pixels_zeroed", masked);
		log.add("nn_normalise", "divided_by_max_amplitude", max);
		// zero frequency: original index N/2 lies in the binned pixel whose block [o + bQ, o + bQ + b − 1] has its
		// centre at o + bQ + (b − 1)/2 (Preprocessor.bin, o = (N mod b)/2); the crop/pad then maps M/2 to n/2
		final int[] to = grid.zyx();
		final double[] centre = new double[3];
		for (int a = 0; a < 3; a++) {
			final int b = bin[a], o = (from[a] % b) / 2;
			centre[a] = to[a] / 2 + ((from[a] / 2) - o - (b - 1) / 2.0) / b - (from[a] / b) / 2;
		}
		return new Fitted(new RealVolume(grid, in), bin, fitted.mask, centre, d, shift);
	}

	/**
	 * The object's extent as a fraction of the box per axis (z, y, x), estimated from the autocorrelation |IFFT(I)|,
	 * whose support (≥ 0.1 of its maximum, PyNX's initial support) is about twice the object.
	 */
	static double[] objectFraction(final Grid g, final float[] amplitude) {
		final boolean[] ac = Phaser.autocorrelationSupport(g, FftShift.ifftshift(g, amplitude, 1), Phaser.AUTOCORRELATION_THRESHOLD);
		final int[] dims = g.zyx();
		final int[][] box = g.bounds(ac);
		final double[] f = new double[3];
		for (int a = 0; a < 3; a++) f[a] = box == null ? 0.5 : (box[1][a] - box[0][a] + 1) / (2.0 * dims[a]);
		return f;
	}

	/**
	 * The binning factor b, the same along every axis, that brings the estimated object fraction closest to the
	 * fraction the same estimate gives on the model's training crystals (binning a pattern by b enlarges the object's
	 * share of the box b times at the same real-space voxel), among the common divisors of the axes that leave at least
	 * the network size: a small crystal in a finely sampled pattern is binned, not cropped (cropping would coarsen its
	 * voxel and keep it smaller in the box than anything the network saw).
	 * <p>
	 * Isotropic because a detector with square pixels samples reciprocal space alike along every axis: binning the
	 * axes differently (the per-axis estimate varies with the crystal's shape, e.g. [1, 2, 2]) would stretch the
	 * crystal the network sees — one such prediction came out as an ellipse in the wrong orientation. The mismatch is
	 * the sum over axes of |log(f·b / f_trained)|, i.e. the mean size is matched and an elongated crystal stays
	 * elongated.
	 */
	int[] binning(final Grid g, final double[] fraction) {
		final int chosen = factor(g, fraction, true);
		final int[] bin = { 1, 1, 1 };
		for (int a = 3 - g.rank(); a < 3; a++) bin[a] = chosen;
		return bin;
	}

	/**
	 * The factor of {@link #binning}; with {@code divisorsOnly} false, also among factors that do not divide the axes
	 * (the one the pattern would be binned by if it were cropped to a multiple of it). 1 for a foreign model whose
	 * training size is not known.
	 */
	private int factor(final Grid g, final double[] fraction, final boolean divisorsOnly) {
		final double[] target = trainedFraction();
		final int n = card.architecture.inputSize();
		final int[] dims = g.zyx();
		if (target == null) return 1;
		double best = Double.POSITIVE_INFINITY;
		int chosen = 1;
		for (int b = 1; ; b++) {
			boolean fits = true, divides = true;
			for (int a = 3 - g.rank(); a < 3; a++) {
				if (dims[a] / b < n) fits = false;
				if (dims[a] % b != 0) divides = false;
			}
			if (!fits) break;
			if (divisorsOnly && !divides) continue;
			double miss = 0;
			for (int a = 3 - g.rank(); a < 3; a++) miss += Math.abs(Math.log(fraction[a] * b / target[a]));
			if (miss < best - 1e-9) { best = miss; chosen = b; }
		}
		return chosen;
	}

	/** Log step of a pattern whose size kept it from the binning that fits its crystal to the model ({@link #binningAdvice}). */
	public static final String BINNING_LIMITED = "nn_binning_limited_by_size";

	/**
	 * What the log of a prediction says when the pattern's size kept it from the binning that brings its crystal to
	 * the training size (the factor must divide every axis, e.g. 257 pixels take none): the factor, the size to crop
	 * to, and why; null when the binning was the best one.
	 */
	public static String binningAdvice(final ProcessingLog log) {
		for (final ProcessingLog.Step st : log.steps())
			if (st.name().equals(BINNING_LIMITED)) return String.valueOf(st.parameters().get("advice"));
		return null;
	}

	/**
	 * The mean {@link #objectFraction} of crystals drawn like the model's training data (its card's recipe, else the
	 * default one) on the network grid: the autocorrelation estimate is biased by the shape, so the data are compared
	 * with the estimate on training-like crystals rather than with the recipe's nominal size.
	 */
	double[] trainedFraction() {
		if (trainedFraction != null) return trainedFraction;
		if (card.savedModel != null || card.architecture.kind() == Architecture.Kind.TENSORFLOW_SAVEDMODEL) {
			final double f = card.savedModel == null ? 0 : card.savedModel.objectFraction;
			return trainedFraction = f > 0 ? new double[] { f, f, f } : null;
		}
		final CrystalRecipe r = card.training != null && card.training.dataRecipe != null ? card.training.dataRecipe : CrystalRecipe.defaults(grid.rank());
		final int count = 8;
		final double[] f = new double[3];
		for (int k = 0; k < count; k++) {
			final Diffraction d = r.crystal(grid, 0x5EEDL, k).diffraction();
			final double[] e = objectFraction(grid, sanitisedAmplitude(d));
			for (int a = 0; a < 3; a++) f[a] += e[a] / count;
		}
		return trainedFraction = f;
	}

	/** d with non-finite values masked and negative ones set to 0 (d itself when it has neither). */
	private static Diffraction withBadValuesMasked(final Diffraction d) {
		final float[] v = d.values.data;
		boolean bad = false;
		for (final float x : v) if (!(x >= 0)) { bad = true; break; }
		if (!bad) return d;
		final float[] c = v.clone();
		final boolean[] mask = d.mask != null ? d.mask.toArray() : new boolean[c.length];
		for (int i = 0; i < c.length; i++) {
			if (!Float.isFinite(c[i])) { c[i] = 0f; mask[i] = true; }
			else if (c[i] < 0) c[i] = 0f;
		}
		return d.withValues(d.values.with(c), d.quantity, Mask.fromUnmeasured(d.grid(), mask), "nn_mask_bad_values", "rule", "non-finite masked, negative set to 0");
	}

	/** √I with unmeasured, non-finite and negative values set to 0. */
	private static float[] sanitisedAmplitude(final Diffraction d) {
		final float[] a = d.amplitude().data.clone();
		for (int i = 0; i < a.length; i++) if (!d.isMeasured(i) || !(a[i] > 0)) a[i] = 0f;
		return a;
	}
}
