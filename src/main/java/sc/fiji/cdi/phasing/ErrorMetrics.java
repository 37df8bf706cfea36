package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.util.CdiException;

/** Error metrics of an object against diffraction data, with exactly the formula the reconstruction reports. */
public final class ErrorMetrics {

	private ErrorMetrics() {}

	/**
	 * cohere's χ² = Σ(|F| − M)² / Σ M² over measured pixels, F = DFT(ρ) unscaled (REFERENCE §3), M = √I.
	 * Computed by the backend's own modulus projection so it matches {@link PhasingResult#chi2History()}.
	 *
	 * @param object ρ in natural order, on the data's grid
	 */
	public static double chi2(final ComplexVolume object, final Diffraction data) {
		return chi2(Backends.select("jtransforms", object.grid, 1), object, data);
	}

	/**
	 * χ² after scaling ρ by the factor s that minimises it, s = Σ|F|·M / Σ|F|² over measured pixels: the error of an
	 * object whose overall scale is arbitrary (a ground truth against noisy counts, a network's normalised output).
	 */
	public static double chi2ScaleFree(final ComplexVolume object, final Diffraction data) {
		final float[] f = Fft.forwardCopy(object.grid, object.data);
		final float[] m = Phaser.unshiftedAmplitude(data);
		final Mask unmeasured = Phaser.unshiftedMask(data);
		double fm = 0, ff = 0;
		for (int i = 0; i < m.length; i++) {
			if (unmeasured != null && unmeasured.isUnmeasured(i)) continue;
			final double a = Math.hypot(f[2 * i], f[2 * i + 1]);
			fm += a * m[i];
			ff += a * a;
		}
		final double s = ff > 0 ? fm / ff : 1;
		final float[] scaled = object.data.clone();
		for (int i = 0; i < scaled.length; i++) scaled[i] *= (float) s;
		return chi2(new ComplexVolume(object.grid, scaled), data);
	}

	public static double chi2(final PhasingBackend backend, final ComplexVolume object, final Diffraction data) {
		return chi2(backend, object, data, null);
	}

	/**
	 * χ² under the partial-coherence model a run fitted: Σ(√(|F|² ⊗ K) − M)² / Σ M² with K its kernel
	 * ({@link PhasingResult#psf}); the coherent χ² when it is null.
	 */
	public static double chi2(final PhasingBackend backend, final ComplexVolume object, final Diffraction data, final PartialCoherence.Kernel psf) {
		if (!object.grid.equals(data.grid())) throw new CdiException("Object is " + object.grid + " but the data " + data.source + " are " + data.grid() + ": expected the same grid for χ².");
		try (PhasingBackend.Session s = backend.open(data.grid(), Phaser.unshiftedAmplitude(data), Phaser.unshiftedMask(data), object.data, new boolean[data.grid().size()])) {
			return psf == null ? s.projectModulus() : s.projectModulus(PartialCoherence.of(data.grid(), psf), false);
		}
	}
}
