package sc.fiji.cdi.nn.predict;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/**
 * AutoPhaseNN's post-processing of the raw network outputs (Yao et al. 2022): support [A ≥ threshold]; then the linear
 * phase ramp the measured pattern demands ({@link RampMatching}, measured on the object inside the support) and the
 * mean phase inside the support removed. The object A·exp(iφ) is kept everywhere, not cut to the support: where the
 * network under-estimates the crystal's extent (amplitude below the threshold inside the true crystal) its phase is
 * still its estimate of the crystal's phase there, while a cut object has no phase at all. Measured on the held-out
 * family (docs/models.md, 1 Dec, eleventh session): 3D 64³ phase RMS 0.674 → 0.310 rad (seed 18), with the
 * amplitude unchanged. The refinement's seed is still the cut object ({@link NnRefine#initialGuess}).
 */
final class PostProcessing {

	private final Grid grid;
	private final double threshold;
	private final String source;

	/**
	 * @param grid      the network grid
	 * @param threshold support threshold on the predicted amplitude (the model card's)
	 * @param source    the model's name for messages
	 */
	PostProcessing(final Grid grid, final double threshold, final String source) {
		this.grid = grid;
		this.threshold = threshold;
		this.source = source;
	}

	/**
	 * The prediction of one pattern from the network's amplitude and phase.
	 *
	 * @param input      the network's input (diffraction amplitude on the network grid), whose intensity sets the
	 *                   prediction's phase ramp
	 * @param unmeasured the input's unmeasured pixels (null: none)
	 * @param centre     the input's zero frequency per axis (fractional index; null: n/2)
	 * @param scale      the other arguments are {@link Prediction}'s
	 */
	Prediction apply(final float[] amp, final float[] phase, final float[] input, final Mask unmeasured, final double[] centre, final double[] scale, final int[] bin, final Grid dataGrid,
		final ProcessingLog log, final double ms) {
		final boolean[] support = new boolean[amp.length];
		int inside = 0;
		for (int i = 0; i < amp.length; i++) {
			support[i] = amp[i] >= threshold;
			if (support[i]) inside++;
		}
		if (inside == 0) throw new CdiException("The model " + source + " predicted an empty support (no amplitude above " + threshold + "): the pattern is probably far from what the model was trained on.");
		ComplexVolume obj = ComplexVolume.fromAmplitudePhase(new RealVolume(grid, amp), new RealVolume(grid, phase));
		final boolean[] use = RampMatching.friedelMeasured(grid, unmeasured);
		final float[] intensity = new float[input.length];
		for (int i = 0; i < input.length; i++) intensity[i] = input[i] * input[i];
		final double[] target = RampMatching.gradient(grid, intensity, use, centre);
		// the ramp the crystal (the object inside the support) needs, applied to the whole field
		obj = Alignment.addPhaseRamp(obj, RampMatching.missingRamp(NnRefine.cut(obj, support), target));
		log.add("nn_phase_ramp", "mean_phase_gradient_zyx_rad_per_voxel", target, "method", "linear phase ramp set to the data's mean phase gradient (argument of the Patterson function one voxel along each axis)");
		obj = Alignment.removePhaseOffset(obj, support);
		final RealVolume outPhase = obj.phase();
		return new Prediction(new RealVolume(grid, amp), outPhase, support, obj, scale, bin, dataGrid, new int[3], log, ms, null);
	}
}
