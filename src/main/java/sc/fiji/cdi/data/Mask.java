package sc.fiji.cdi.data;

import java.util.Arrays;

import sc.fiji.cdi.util.CdiException;

/**
 * The <em>unmeasured</em> pixels of a diffraction pattern on its {@link Grid}: detector gaps and chip seams, hot and
 * dead pixels (dark/flat field), pixels a mask file marks, the beam-stop shadow, pixels that came in from outside the
 * detector (padding, centring shifts with {@code Outside.UNMEASURED}) and free pixels held out of a run. One
 * polarity everywhere in the project: a pixel <em>in</em> the mask is unmeasured ({@link #isUnmeasured}), the
 * modulus projection leaves it free (PyNX's mask convention: non-zero = masked; cohere's bad pixels), and every
 * other pixel is measured ({@link #isMeasured}). A {@link Diffraction} with every pixel measured has no mask
 * ({@code null}).
 * <p>
 * The mask carries its grid; every method that combines a mask with data or another mask checks it
 * ({@link #requireGrid}) and throws a {@link CdiException} naming both shapes. Index order is the grid's flat
 * (z, y, x) index, x fastest; a mask handed to a phasing backend is in the backend's FFT-unshifted order (same grid,
 * other layout, see {@code PhasingBackend}).
 * <p>
 * Immutable: a mask never changes after it is made, so steps that keep it (threshold, new values) share it instead
 * of copying it. {@link #fromUnmeasured} takes its array over without a copy.
 */
public final class Mask {

	public final Grid grid;
	/** true = unmeasured; owned by this mask, never changed. */
	private final boolean[] unmeasured;
	/** Number of true values; −1 until first asked (a benign race: every thread computes the same number). */
	private int unmeasuredCount = -1;

	private Mask(final Grid grid, final boolean[] unmeasured) {
		if (unmeasured.length != grid.size())
			throw new CdiException("A mask of " + unmeasured.length + " pixels does not fit the grid " + grid + " (" + grid.size() + " pixels): expected one value per pixel.");
		this.grid = grid;
		this.unmeasured = unmeasured;
	}

	/**
	 * The mask whose unmeasured pixels are the true values of {@code unmeasured} (true = bad/unmeasured pixel).
	 * The array is taken over without a copy: the caller must not change it afterwards.
	 */
	public static Mask fromUnmeasured(final Grid grid, final boolean[] unmeasured) {
		return new Mask(grid, unmeasured);
	}

	/** The mask of the pixels where {@code measured} is false (true = measured/good pixel); the array is not kept. */
	public static Mask fromMeasured(final Grid grid, final boolean[] measured) {
		final boolean[] u = new boolean[measured.length];
		for (int i = 0; i < u.length; i++) u[i] = !measured[i];
		return new Mask(grid, u);
	}

	/** The mask of the pixels where {@code values} is non-zero (NaN included): the rule of mask files. */
	public static Mask fromNonZero(final Grid grid, final float[] values) {
		final boolean[] u = new boolean[values.length];
		for (int i = 0; i < u.length; i++) u[i] = values[i] != 0;
		return new Mask(grid, u);
	}

	/** A mask with no unmeasured pixel (for a union that adds pixels one by one). */
	public static Mask none(final Grid grid) { return new Mask(grid, new boolean[grid.size()]); }

	public boolean isUnmeasured(final int i) { return unmeasured[i]; }

	public boolean isMeasured(final int i) { return !unmeasured[i]; }

	/** Number of unmeasured pixels. */
	public int unmeasuredCount() {
		int c = unmeasuredCount;
		if (c < 0) {
			c = 0;
			for (final boolean b : unmeasured) if (b) c++;
			unmeasuredCount = c;
		}
		return c;
	}

	/** Number of measured pixels: {@code grid.size() − unmeasuredCount()}. */
	public int measuredCount() { return grid.size() - unmeasuredCount(); }

	/** Whether no pixel is unmeasured. */
	public boolean isEmpty() { return unmeasuredCount() == 0; }

	/** The pixels unmeasured in this mask or in {@code other} (this mask when {@code other} is null); same grid required. */
	public Mask union(final Mask other) {
		if (other == null) return this;
		other.requireGrid(grid, "The mask added by the union");
		final boolean[] u = unmeasured.clone();
		for (int i = 0; i < u.length; i++) u[i] |= other.unmeasured[i];
		return new Mask(grid, u);
	}

	/** {@code a ∪ b} where either may be null (= nothing unmeasured); null when both are. */
	public static Mask union(final Mask a, final Mask b) {
		return a == null ? b : a.union(b);
	}

	/**
	 * This mask, after checking that it is on {@code expected}.
	 *
	 * @param what names the mask in the message ("Mask file m.tif", "The bad-pixel mask of scan 54", …)
	 * @throws CdiException naming both shapes when the grids differ
	 */
	public Mask requireGrid(final Grid expected, final String what) {
		if (!grid.equals(expected))
			throw new CdiException(what + " is " + grid + " pixels but the data are " + expected + ": expected a mask of the data's grid.");
		return this;
	}

	/** A copy of the pixels as an array, true = unmeasured. */
	public boolean[] toArray() { return unmeasured.clone(); }

	/**
	 * The mask's own array (true = unmeasured), not a copy, for kernels that loop over every pixel (phasing
	 * backends, shifts, binning) — read only: a mask never changes.
	 */
	public boolean[] unmeasuredArray() { return unmeasured; }

	@Override
	public boolean equals(final Object o) {
		return o instanceof Mask m && m.grid.equals(grid) && Arrays.equals(m.unmeasured, unmeasured);
	}

	@Override
	public int hashCode() { return 31 * grid.hashCode() + Arrays.hashCode(unmeasured); }

	/** "Mask 64x64x64: 1234 of 262144 pixels unmeasured". */
	@Override
	public String toString() { return "Mask " + grid + ": " + unmeasuredCount() + " of " + grid.size() + " pixels unmeasured"; }
}
