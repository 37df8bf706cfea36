package sc.fiji.cdi.data;

/**
 * A measured (or simulated) diffraction pattern, 2D or 3D, with the Bragg peak / direct beam near the centre of
 * the array (not FFT-shifted), as a detector records it.
 * <p>
 * {@link #quantity} says whether {@link #values} are intensities or amplitudes. {@link #mask} is the set of pixels
 * that were <em>not</em> measured (detector gaps, hot pixels, beam stop; see {@link Mask}), on the data's grid;
 * {@code null} = every pixel measured. Unmeasured pixels are left unconstrained by the modulus projection.
 */
public final class Diffraction {

	public final RealVolume values;
	public final Quantity quantity;
	/** The unmeasured pixels, on {@link #grid()}; null = every pixel measured. */
	public final Mask mask;
	public final ProcessingLog log;
	/** Where the data came from (a file path, "simulated", …). */
	public final String source;

	/** @throws sc.fiji.cdi.util.CdiException when the mask is not on the grid of the values (naming both) */
	public Diffraction(final RealVolume values, final Quantity quantity, final Mask mask, final ProcessingLog log, final String source) {
		if (mask != null) mask.requireGrid(values.grid, "The mask of " + source);
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

	public boolean isMeasured(final int i) { return mask == null || mask.isMeasured(i); }

	/** Number of unmeasured pixels (0 without a mask). */
	public int unmeasuredCount() { return mask == null ? 0 : mask.unmeasuredCount(); }

	/** A copy with other values and mask, the same source, and the log extended by one step. */
	public Diffraction withValues(final RealVolume newValues, final Quantity q, final Mask newMask, final String step, final Object... params) {
		final ProcessingLog l = new ProcessingLog(log);
		if (step != null) l.add(step, params);
		return new Diffraction(newValues, q, newMask, l, source);
	}
}
