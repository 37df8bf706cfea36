package sc.fiji.cdi.nn.predict;

import java.util.Locale;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.ErrorMetrics;

/**
 * Whether a network prediction can be used without refinement, from two numbers the prediction gives about itself:
 * <ul>
 * <li><b>χ²</b> of the prediction against the measured pattern (on the data grid, the object scaled by Parseval;
 * {@code ErrorMetrics.chi2}): a prediction that does not explain its own data is wrong whatever it looks like;</li>
 * <li><b>disagreement</b> under mirror symmetry: mirroring the pattern along an axis (q → −q about the centre)
 * is the pattern of the mirrored object, so a network that has understood the pattern predicts the mirrored object.
 * For each axis, the prediction of the mirrored input is mirrored back and its amplitude correlated with the
 * original (the better of it and its twin |ρ(−r)|, which has the same pattern); disagreement = 1 − the mean of those
 * correlations. Far from its training data a network answers with a blob that depends on details of the input, so
 * the answers disagree (an ensemble's spread, obtained from one network and the symmetry of the physics).</li>
 * </ul>
 * The prediction is flagged "do not use without refinement" when either exceeds its limit. The χ² limit is where a
 * prediction is more likely than not a success (amplitude correlation ≥ 0.95 and phase RMS ≤ 0.3 rad, issue 15),
 * calibrated on the plugin's own simulator, which the bundled networks never saw ({@code HeldOutEvaluation
 * --calibrate}, 30 Nov): with χ² ≤ 0.025, 29 of 46 trusted 2D predictions at 64² were successes and 3 of 50 flagged
 * ones; in 3D at 32³ 1 of 1 and 4 of 47; with the 128² 2D network at 128², 9 of 9 and 3 of 39. (Until 30 Nov the
 * limit was 0.10, set on 3D predictions whose χ² was 0.14–0.36; the better 2D network then gave χ² 0.02–0.08 on
 * crystals none of which was a success, all of them trusted.) Mirror disagreement: successes measured 0.018 at most, so 0.05 flags only answers that change under the
 * symmetry; on the held-out family it ranks far worse than χ² (ROC AUC 0.25–0.77 against 0.79–0.96, docs/models.md).
 *
 * @param chi2          the prediction's χ² against the data
 * @param disagreement  1 − mean mirror-consistency correlation, in [0, 2]
 * @param trusted       both under their limits
 */
public record PredictionTrust(double chi2, double disagreement, boolean trusted) {

	/** χ² limit (see the class comment). */
	public static final double CHI2_LIMIT = 0.025;
	/** Disagreement limit (see the class comment). */
	public static final double DISAGREEMENT_LIMIT = 0.05;

	public static PredictionTrust of(final double chi2, final double disagreement) {
		return new PredictionTrust(chi2, disagreement, chi2 <= CHI2_LIMIT && disagreement <= DISAGREEMENT_LIMIT);
	}

	/** One number for ranking (ROC): each quantity relative to its limit, the larger of the two. */
	public double score() { return Math.max(chi2 / CHI2_LIMIT, disagreement / DISAGREEMENT_LIMIT); }

	/** The message for the log and the report. */
	public String message() {
		return String.format(Locale.ROOT, trusted ? "prediction consistent with its data (chi2 %.3f <= %.3f, mirror disagreement %.3f <= %.2f)"
			: "do not use this prediction without refinement (chi2 %.3f, limit %.3f; mirror disagreement %.3f, limit %.2f)", chi2, CHI2_LIMIT, disagreement, DISAGREEMENT_LIMIT);
	}

	/** A network input followed by its mirror images along every axis of the grid (z, y, x order), for one forward pass. */
	static float[][] withMirrors(final Grid g, final float[] input) {
		final int axes = g.rank();
		final float[][] all = new float[1 + axes][];
		all[0] = input;
		for (int k = 0; k < axes; k++) all[1 + k] = Symmetry.mirror(g, input, 3 - axes + k);
		return all;
	}

	/**
	 * The trust of a prediction for the data d: χ² of the prediction (as {@link NnRefine#initialGuess} puts it on the
	 * data grid) against d, and its disagreement with the amplitudes predicted for the mirror images of the input
	 * ({@link #withMirrors}, same order), which are mirrored back here.
	 */
	static PredictionTrust assess(final Prediction p, final Diffraction d, final float[][] mirroredAmplitudes) {
		final Grid g = p.amplitude().grid;
		final int axes = g.rank();
		final float[][] back = new float[axes][];
		for (int k = 0; k < axes; k++) back[k] = Symmetry.mirror(g, mirroredAmplitudes[k], 3 - axes + k);
		return of(ErrorMetrics.chi2(NnRefine.initialGuess(p, d).object(), d), disagreement(g, p.amplitude().data, back));
	}

	/** The disagreement of an amplitude with the amplitudes predicted for mirrored inputs (already mirrored back). */
	static double disagreement(final Grid g, final float[] amplitude, final float[][] mirroredBack) {
		double sum = 0;
		for (final float[] b : mirroredBack)
			sum += Symmetry.twinInvariantCorrelation(g, amplitude, b);
		return 1 - sum / mirroredBack.length;
	}
}
