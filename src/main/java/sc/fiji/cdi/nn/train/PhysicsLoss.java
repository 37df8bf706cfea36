package sc.fiji.cdi.nn.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import sc.fiji.cdi.nn.model.ModelCard;

/**
 * The unsupervised, physics-aware loss of AutoPhaseNN (Yao et al. 2022): from the predicted amplitude A and phase
 * φ, S = [A ≥ threshold], ψ = A·exp(iφ)·S, Ŷ = |FFT(ψ)|, loss = mean |Ŷ/max(Ŷ) − Y| against the measured amplitude
 * Y (normalised to max 1). Needs no ground truth, so it also fine-tunes on measured data.
 * <p>
 * Normalisation: Ŷ is divided by its per-sample maximum (as 3D-CDI-NN's refinement does with |FFT(ρS)|/max), so
 * the loss does not depend on the unknown absolute scale of the object.
 * <p>
 * Centring: the data have the zero frequency at index n/2 (fftshifted, as detectors see it) and the object sits in
 * the middle of its box. For even n, |fftshift(fftn(ifftshift(ψ)))| = fftshift(|fftn(ψ)|) (the real-space shift
 * only multiplies F by (−1)^k), so instead of shifting every step, the target is given <em>ifftshifted</em> once
 * ({@link TrainingData#unshiftedTarget}) and compared with |fftn(ψ)| directly.
 * <p>
 * Gradient path (checked in DJL 0.35.1): ψ = re + i·im is built with a complex constant i ({@code NDArray.complex()}
 * and {@code toType(COMPLEX64)} both cut the gradient), then one {@code fft2} over all spatial axes, then abs.
 */
public final class PhysicsLoss {

	/** Support threshold on the predicted amplitude ({@link ModelCard#DEFAULT_SUPPORT_THRESHOLD}). */
	public static final double DEFAULT_THRESHOLD = ModelCard.DEFAULT_SUPPORT_THRESHOLD;

	/**
	 * Support threshold of the training loss: none. With AutoPhaseNN's hard [A ≥ 0.1] the loss has no gradient towards
	 * amplitudes below the threshold, so a network whose amplitudes all fell below it (ψ ≡ 0, Ŷ flat) stayed there:
	 * on 30 Nov, 2D trainings on the mixed recipe stuck at a loss of 1.36–1.57 (validation correlation 0.33–0.76) for 8
	 * epochs. Without the step the whole amplitude is fitted; the support threshold stays in post-processing.
	 */
	public static final double TRAINING_THRESHOLD = 0;

	private PhysicsLoss() {}

	/**
	 * @param amplitude     predicted A, (batch, 1, [z,] y, x)
	 * @param phase         predicted φ in radians, same shape
	 * @param targetUnshifted measured amplitude Y, max-normalised per sample, ifftshifted (zero frequency at index 0)
	 * @param threshold     support threshold on A
	 * @return scalar mean |Ŷ − Y|
	 */
	public static NDArray loss(final NDArray amplitude, final NDArray phase, final NDArray targetUnshifted, final double threshold) {
		return loss(amplitude, phase, targetUnshifted, null, threshold);
	}

	/**
	 * The loss over measured pixels only: with {@code measuredUnshifted} (1 measured, 0 masked or outside the detector,
	 * ifftshifted like the target) Ŷ is normalised by its maximum over measured pixels and the mean runs over them, so
	 * detector gaps and a beam stop are not fitted as zeros. Null: every pixel is measured.
	 */
	public static NDArray loss(final NDArray amplitude, final NDArray phase, final NDArray targetUnshifted, final NDArray measuredUnshifted, final double threshold) {
		if (measuredUnshifted == null) return targetUnshifted.sub(modelAmplitude(amplitude, phase, null, threshold)).abs().mean();
		final NDArray d = targetUnshifted.sub(modelAmplitude(amplitude, phase, measuredUnshifted, threshold)).abs().mul(measuredUnshifted);
		return d.sum().div(measuredUnshifted.sum().add(1e-12f));
	}

	/** Ŷ = |FFT(A·S·exp(iφ))| / max, zero frequency at index 0, normalised to max 1 per sample. */
	public static NDArray modelAmplitude(final NDArray amplitude, final NDArray phase, final double threshold) {
		return modelAmplitude(amplitude, phase, null, threshold);
	}

	/** The same, normalised by the maximum over the pixels where {@code measuredUnshifted} is 1 (all when null). */
	static NDArray modelAmplitude(final NDArray amplitude, final NDArray phase, final NDArray measuredUnshifted, final double threshold) {
		final NDManager m = amplitude.getManager();
		final NDArray support = amplitude.gte(threshold).toType(DataType.FLOAT32, false); // no gradient through the step
		final NDArray a = amplitude.mul(support);
		final NDArray re = a.mul(phase.cos());
		final NDArray im = a.mul(phase.sin());
		final NDArray i = m.create(new float[] { 0f, 1f }, new Shape(2)).complex();
		final NDArray psi = re.add(im.mul(i));
		final int rank = (int) amplitude.getShape().dimension() - 2;
		final long[] axes = new long[rank], sizes = new long[rank];
		for (int k = 0; k < rank; k++) {
			axes[k] = k + 2;
			sizes[k] = amplitude.getShape().get(k + 2);
		}
		// the complex abs has a 0/0 gradient where F = 0, which happens everywhere when the predicted support is empty
		// (ψ ≡ 0; with the central window, untrained networks do this) and one NaN gradient ruins every weight: a
		// point of 1e-6 at voxel 0 (outside any support) gives |F| ≥ 1e-6 minus ψ's own F, never exactly 0 in practice
		final float[] point = new float[(int) (amplitude.getShape().size() / amplitude.getShape().get(0))];
		point[0] = 1e-6f;
		final long[] sampleShape = amplitude.getShape().getShape().clone();
		sampleShape[0] = 1;
		final NDArray f = psi.add(m.create(point, new Shape(sampleShape))).fft2(sizes, axes).abs();
		final long batch = amplitude.getShape().get(0);
		final long[] perSample = new long[rank + 2];
		java.util.Arrays.fill(perSample, 1);
		perSample[0] = batch;
		final NDArray seen = measuredUnshifted == null ? f : f.mul(measuredUnshifted);
		final NDArray max = seen.reshape(batch, -1).max(new int[] { 1 }).reshape(perSample); // PyTorch's max: one axis at a time
		return f.div(max.add(1e-12f));
	}
}
