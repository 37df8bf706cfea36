package sc.fiji.cdi.nn.train;

import ai.djl.ndarray.NDArray;

/** The training losses of {@link TrainingConfig.LossKind} on packed batches. */
final class Losses {

	private Losses() {}

	static NDArray loss(final TrainingConfig.LossKind kind, final NDArray amplitude, final NDArray phase, final NetworkTrainer.Batches.Tensors t) {
		return switch (kind) {
			case PHYSICS -> PhysicsLoss.loss(amplitude, phase, t.targetUnshifted(), t.measured(), PhysicsLoss.DEFAULT_THRESHOLD);
			case SUPERVISED -> supervised(amplitude, phase, t);
			case COMBINED -> PhysicsLoss.loss(amplitude, phase, t.targetUnshifted(), t.measured(), PhysicsLoss.DEFAULT_THRESHOLD).add(supervised(amplitude, phase, t));
		};
	}

	/**
	 * Per sample: mean |Â − A| over the box plus the mean of (1 − cos(φ̂ − φ)) inside the true support (wrap-safe),
	 * the smaller of the values against the truth and against its twin ρ*(−r) (both have the same diffraction
	 * pattern, so neither is preferred); averaged over the batch.
	 */
	static NDArray supervised(final NDArray amplitude, final NDArray phase, final NetworkTrainer.Batches.Tensors t) {
		final NDArray direct = perSample(amplitude, phase, t.amplitude(), t.phase(), t.support());
		final NDArray twin = perSample(amplitude, phase, t.twinAmplitude(), t.twinPhase(), t.twinSupport());
		return direct.minimum(twin).mean();
	}

	private static NDArray perSample(final NDArray a, final NDArray p, final NDArray ta, final NDArray tp, final NDArray s) {
		final long b = a.getShape().get(0);
		final NDArray la = a.sub(ta).abs().reshape(b, -1).mean(new int[] { 1 });
		final NDArray dp = p.sub(tp).cos().neg().add(1f).mul(s).reshape(b, -1).sum(new int[] { 1 });
		final NDArray ns = s.reshape(b, -1).sum(new int[] { 1 }).add(1f);
		return la.add(dp.div(ns));
	}
}
