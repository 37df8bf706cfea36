package sc.fiji.cdi.data;

/**
 * A measured (or simulated) diffraction pattern, 2D or 3D, with the Bragg peak / direct beam near the centre of
 * the array (not FFT-shifted), as a detector records it.
 * <p>
 * {@link #quantity} says whether {@link #values} are intensities or amplitudes. {@link #mask} is the set of pixels
 * that were <em>not</em> measured (detector gaps, hot pixels, beam stop; see {@link Mask}), on the data's grid;
 * {@code null} = every pixel measured. Unmeasured pixels are left unconstrained by the modulus projection.
 * {@link #markers} are the pixels of the mask that held a detector's marker value rather than a count: a
 * {@code bad_pixels} rule that turns bad pixels into measured zeros (cohere's at APS 34-ID-C) leaves them unmeasured.
 */
public final class Diffraction {

	public final RealVolume values;
	public final Quantity quantity;
	/** The unmeasured pixels, on {@link #grid()}; null = every pixel measured. */
	public final Mask mask;
	/**
	 * The pixels of {@link #mask} that held an integer detector frame's marker value (the type's largest value, a
	 * negative one: {@code DetectorCorrections.markerPixels}) as imported; null = none. No measurement at all — a
	 * saturated counter or a gap — so they stay unmeasured whatever {@code bad_pixels} makes of the other bad pixels.
	 */
	public final Mask markers;
	public final ProcessingLog log;
	/** Where the data came from (a file path, "simulated", …). */
	public final String source;

	/** Data without marker pixels. @throws sc.fiji.cdi.util.CdiException when the mask is not on the grid of the values (naming both) */
	public Diffraction(final RealVolume values, final Quantity quantity, final Mask mask, final ProcessingLog log, final String source) {
		this(values, quantity, mask, null, log, source);
	}

	/**
	 * @param markers the marker pixels (null: none), on the grid and unmeasured in {@code mask}
	 * @throws sc.fiji.cdi.util.CdiException when a mask is not on the grid of the values (naming both)
	 * @throws IllegalArgumentException when a marker pixel is measured in {@code mask} (a programming error)
	 */
	public Diffraction(final RealVolume values, final Quantity quantity, final Mask mask, final Mask markers, final ProcessingLog log, final String source) {
		if (mask != null) mask.requireGrid(values.grid, "The mask of " + source);
		if (markers != null) {
			markers.requireGrid(values.grid, "The marker pixels of " + source);
			for (int i = 0; i < values.grid.size(); i++)
				if (markers.isUnmeasured(i) && (mask == null || mask.isMeasured(i))) throw new IllegalArgumentException("Marker pixel " + i + " of " + source + " is not in the mask.");
		}
		this.values = values; this.quantity = quantity; this.mask = mask; this.markers = markers; this.log = log; this.source = source;
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

	/**
	 * A copy with other values and mask, the same source, and the log extended by one step. The copy has no
	 * {@link #markers}: they name pixels of the data as imported (a step that only adds to the mask keeps them with
	 * {@link #withMarkers}).
	 */
	public Diffraction withValues(final RealVolume newValues, final Quantity q, final Mask newMask, final String step, final Object... params) {
		final ProcessingLog l = new ProcessingLog(log);
		if (step != null) l.add(step, params);
		return new Diffraction(newValues, q, newMask, l, source);
	}

	/** The same data with {@code m} as the marker pixels (null: none); they must be unmeasured in {@link #mask}. */
	public Diffraction withMarkers(final Mask m) {
		return m == markers ? this : new Diffraction(values, quantity, mask, m, log, source);
	}
}
