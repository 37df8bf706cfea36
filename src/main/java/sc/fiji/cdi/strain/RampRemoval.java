package sc.fiji.cdi.strain;

/**
 * How the linear phase ramp is removed before strain analysis. A ramp in the object's phase is a shift of the
 * Bragg peak away from the array centre (a constant strain or a mis-centred peak); it is not physical information
 * once the peak was centred, so the peers (PyNX, cdiutils, bcdi) remove it.
 * <p>
 * Beware: a <em>homogeneous</em> strain is exactly a phase ramp, so either removal also removes the mean strain
 * along G; use {@link #NONE} to keep it (e.g. when the peak position was not re-centred).
 */
public enum RampRemoval {
	/** Keep the phase as it is. */
	NONE,
	/**
	 * Centre the Fourier-space centre of mass of |FFT(ρ·S)|² (sub-voxel), i.e. multiply ρ by exp(−2πi k₀·r):
	 * the approach of PyNX/cdiutils for a reconstruction whose peak is slightly off centre.
	 */
	FOURIER_COM,
	/**
	 * Fit a plane to the phase inside the support through its mean gradient (the mean of the wrapped nearest-
	 * neighbour differences along each axis) and subtract it. Using wrapped differences makes the fit insensitive
	 * to 2π jumps and to branch cuts around dislocation cores.
	 */
	PLANE_FIT;

	public static RampRemoval parse(final String s) {
		return switch (s.trim().toLowerCase().replace('-', '_').replace(' ', '_')) {
			case "none", "no" -> NONE;
			case "fourier_com", "com", "fourier", "fourier_centre_of_mass" -> FOURIER_COM;
			case "plane_fit", "plane", "fit" -> PLANE_FIT;
			default -> throw new sc.fiji.cdi.util.CdiException("Unknown phase-ramp removal '" + s + "': expected 'none', 'fourier_com' or 'plane_fit'.");
		};
	}
}
