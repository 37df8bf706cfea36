package sc.fiji.cdi.data;

/**
 * A measured (or simulated) diffraction pattern, 2D or 3D, with the Bragg peak / direct beam near the centre of
 * the array (not FFT-shifted), as a detector records it.
 * <p>
 * {@link #quantity} says whether {@link #values} are intensities or amplitudes. {@link #mask} marks the pixels
 * that were <em>not</em> measured (detector gaps, hot pixels, beam stop): {@code true} = bad; {@code null} = all good.
 * Bad pixels are left unconstrained by the modulus projection.
 */
public final class Diffraction {

	public final RealVolume values;
	public final Quantity quantity;
	public final boolean[] mask;
	public final ProcessingLog log;
	/** Where the data came from (a file path, "simulated", …). */
	public final String source;

	public Diffraction(final RealVolume values, final Quantity quantity, final boolean[] mask, final ProcessingLog log, final String source) {
		if (mask != null && mask.length != values.grid.size()) throw new IllegalArgumentException("mask has " + mask.length + " pixels, data " + values.grid + " has " + values.grid.size());
		this.values = values; this.quantity = quantity; this.mask = mask; this.log = log; this.source = source;
	}

	public Grid grid() { return values.grid; }

	/** The amplitude |F| = √max(I, 0) (a copy when the data are intensities, the same array otherwise). */
	public RealVolume amplitude() {
		if (quantity == Quantity.AMPLITUDE) return values;
		final float[] a = new float[values.data.length];
		for (int i = 0; i < a.length; i++) a[i] = (float) Math.sqrt(Math.max(0f, values.data[i]));
		return values.with(a);
	}

	/** The intensity I = |F|². */
	public RealVolume intensity() {
		if (quantity == Quantity.INTENSITY) return values;
		final float[] a = new float[values.data.length];
		for (int i = 0; i < a.length; i++) a[i] = values.data[i] * values.data[i];
		return values.with(a);
	}

	public boolean isMeasured(final int i) { return mask == null || !mask[i]; }

	/** A copy with other values, same mask and source, and the log extended by one step. */
	public Diffraction withValues(final RealVolume newValues, final Quantity q, final boolean[] newMask, final String step, final Object... params) {
		final ProcessingLog l = new ProcessingLog(log);
		if (step != null) l.add(step, params);
		return new Diffraction(newValues, q, newMask, l, source);
	}
}
