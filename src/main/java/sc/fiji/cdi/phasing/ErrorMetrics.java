package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
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
		return chi2(new JTransformsBackend(1), object, data);
	}

	public static double chi2(final PhasingBackend backend, final ComplexVolume object, final Diffraction data) {
		if (!object.grid.equals(data.grid())) throw new CdiException("Object is " + object.grid + " but the data " + data.source + " are " + data.grid() + ": expected the same grid for χ².");
		try (PhasingBackend.Session s = backend.open(data.grid(), Phaser.unshiftedAmplitude(data), Phaser.unshiftedMeasured(data), object.data, new boolean[data.grid().size()])) {
			return s.projectModulus();
		}
	}
}
