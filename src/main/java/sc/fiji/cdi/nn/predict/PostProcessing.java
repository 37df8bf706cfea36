package sc.fiji.cdi.nn.predict;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/**
 * AutoPhaseNN's post-processing of the raw network outputs (Yao et al. 2022): support [A ≥ threshold], phase 0
 * outside it, the mean phase inside it removed, object A·exp(iφ)·S.
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

	/** The prediction of one pattern from the network's amplitude and phase; the other arguments are {@link Prediction}'s. */
	Prediction apply(final float[] amp, final float[] phase, final double[] scale, final int[] bin, final Grid dataGrid, final ProcessingLog log, final double ms) {
		final boolean[] support = new boolean[amp.length];
		final float[] ph = phase.clone();
		int inside = 0;
		for (int i = 0; i < amp.length; i++) {
			support[i] = amp[i] >= threshold;
			if (support[i]) inside++;
			else ph[i] = 0;
		}
		if (inside == 0) throw new CdiException("The model " + source + " predicted an empty support (no amplitude above " + threshold + "): the pattern is probably far from what the model was trained on.");
		ComplexVolume obj = ComplexVolume.fromAmplitudePhase(new RealVolume(grid, amp), new RealVolume(grid, ph));
		for (int i = 0; i < amp.length; i++) if (!support[i]) { obj.data[2 * i] = 0; obj.data[2 * i + 1] = 0; }
		obj = Alignment.removePhaseOffset(obj, support);
		final RealVolume outPhase = obj.phase();
		for (int i = 0; i < amp.length; i++) if (!support[i]) outPhase.data[i] = 0;
		return new Prediction(new RealVolume(grid, amp), outPhase, support, obj, scale, bin, dataGrid, log, ms, null);
	}
}
