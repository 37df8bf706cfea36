package sc.fiji.cdi.simulate;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.RealVolume;

/**
 * A simulated crystal with its ground truth.
 *
 * @param object      the complex object ρ = A·exp(iφ), natural order, centred at n/2 per axis
 * @param support     the support [A ≥ 0.1·max A] (true = inside the particle), natural order
 * @param diffraction I = |fftshift(FFT(ρ))|² (peak at n/2), Poisson-noised when photons > 0, mask null
 */
public record SimulatedCrystal(ComplexVolume object, boolean[] support, Diffraction diffraction) {

	/** Ground-truth amplitude |ρ|. */
	public RealVolume amplitude() { return object.amplitude(); }

	/** Ground-truth phase in radians, (−π, π], set to 0 outside the support. */
	public RealVolume phase() {
		final RealVolume p = object.phase();
		for (int i = 0; i < p.data.length; i++) if (!support[i]) p.data[i] = 0;
		return p;
	}
}
