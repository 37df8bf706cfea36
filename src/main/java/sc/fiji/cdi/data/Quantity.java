package sc.fiji.cdi.data;

/** What a diffraction array holds: the measured intensity I = |F|² (photon counts) or the amplitude |F| = √I. */
public enum Quantity {
	INTENSITY, AMPLITUDE;

	public static Quantity parse(final String s) {
		return switch (s.trim().toLowerCase()) {
			case "intensity", "i", "counts" -> INTENSITY;
			case "amplitude", "a", "modulus", "sqrt" -> AMPLITUDE;
			default -> throw new IllegalArgumentException("unknown quantity '" + s + "': expected 'intensity' or 'amplitude'");
		};
	}
}
