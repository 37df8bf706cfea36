package sc.fiji.cdi.nn.train;

import ai.djl.ndarray.NDArray;

/** The training losses of {@link TrainingConfig.LossKind} on packed batches. */
final class Losses {

	private Losses() {}

	static NDArray loss(final TrainingConfig.LossKind kind, final NDArray amplitude, final NDArray phase, final NetworkTrainer.Batches.Tensors t) {
		return switch (kind) {
			case PHYSICS -> PhysicsLoss.loss(amplitude, phase, t.targetUnshifted(), t.measured(), PhysicsLoss.TRAINING_THRESHOLD);
			case SUPERVISED -> supervised(amplitude, phase, t);
			case COMBINED -> PhysicsLoss.loss(amplitude, phase, t.targetUnshifted(), t.measured(), PhysicsLoss.TRAINING_THRESHOLD).add(supervised(amplitude, phase, t));
		};
	}

	/**
	 * Per sample: mean |Â − A| over the box plus 1 − |mean of exp(i(φ̂ − φ))| inside the true support (wrap-safe and blind
	 * to a global phase offset, as the evaluation's phase error is),
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
		// 1 − |⟨exp(iΔφ)⟩| over the support = min over a constant c of ⟨1 − cos(Δφ − c)⟩: a pattern does not fix the
		// object's global phase, so the loss must not either (a fixed offset made vortex and strain-gradient samples,
		// whose phase is not zero-mean, pull the network into a flat-phase, flat-amplitude plateau on 30 Nov)
		final NDArray d = p.sub(tp);
		final NDArray ns = s.reshape(b, -1).sum(new int[] { 1 }).maximum(1f);
		final NDArray c = d.cos().mul(s).reshape(b, -1).sum(new int[] { 1 }).div(ns);
		final NDArray sn = d.sin().mul(s).reshape(b, -1).sum(new int[] { 1 }).div(ns);
		final NDArray coherence = c.square().add(sn.square()).add(1e-8f).sqrt();
		return la.add(coherence.neg().add(1f));
	}
}
