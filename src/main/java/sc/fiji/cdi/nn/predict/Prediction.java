package sc.fiji.cdi.nn.predict;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;

/**
 * What a network predicts for one pattern, on the network's grid (natural order, object centred at n/2): amplitude
 * in [0, 1], phase in radians (the data's phase ramp given, the mean inside the support removed: AutoPhaseNN's
 * post-processing, {@link PostProcessing}), support [A ≥ threshold], and the object A·exp(iφ) everywhere (not cut to
 * the support: where the network under-estimates the crystal its phase is still an estimate; the refinement's seed
 * cuts it, {@link NnRefine#initialGuess}).
 *
 * @param voxelScaleZyx real-space voxel size of the prediction in units of the data's real-space voxel
 *                      (data size / (bin · network size) per axis: cropping the pattern coarsens the real-space voxel)
 * @param binZyx        reciprocal-space binning factor per axis applied before the crop (1 = none): the prediction
 *                      covers 1/bin of the data's field of view
 * @param dataGrid      grid of the diffraction data the prediction came from
 * @param patternShiftZyx the whole pixels by which the pattern was moved to centre it before the network saw it
 *                      ({@link InputFitting#centred}; zeros when it was centred): the prediction is the object of the
 *                      centred pattern, without the ramp that puts the pattern where it was measured
 * @param log           the data's processing log extended by the network preprocessing (crop/pad, mask, normalise)
 * @param millis        wall time of the network forward passes for this pattern, the mirrored inputs of the trust
 *                      check included (a batch's time divided by its size)
 * @param trust         {@link PredictionTrust}: χ² against the data and mirror disagreement, with the flag; null for
 *                      {@link Predictor#predictNormalised} (no data to compare with)
 */
public record Prediction(RealVolume amplitude, RealVolume phase, boolean[] support, ComplexVolume object, double[] voxelScaleZyx, int[] binZyx,
	Grid dataGrid, int[] patternShiftZyx, ProcessingLog log, double millis, PredictionTrust trust) {

	Prediction withTrust(final PredictionTrust t) {
		return new Prediction(amplitude, phase, support, object, voxelScaleZyx, binZyx, dataGrid, patternShiftZyx, log, millis, t);
	}

	Prediction withPatternShift(final int[] shiftZyx) {
		return new Prediction(amplitude, phase, support, object, voxelScaleZyx, binZyx, dataGrid, shiftZyx.clone(), log, millis, trust);
	}
}
