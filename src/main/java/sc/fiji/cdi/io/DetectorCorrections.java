package sc.fiji.cdi.io;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.util.CdiException;

/**
 * Dark- and flat-field rules for photon-counting area detectors, as APS 34-ID-C applies them to its Timepix frames
 * (following cohere 4.x, {@code beamlines/aps_34idc/detectors.py}; facts, not its code). Both fields are frames of
 * the <em>whole</em> detector; the statistics are taken there, then the results are cut to the frames' region
 * ({@link DetectorRegion}).
 * <ul>
 * <li>Dark field: a photon-counting detector has no dark current to subtract; counts in a dark frame mark hot or
 *     noisy pixels. Pixels with dark &gt; {@value #DARK_BAD_ABOVE} are bad (cohere: set to 0).</li>
 * <li>Flat field: the detector's known-bad regions (chip seams, {@link Detector#knownBad()}) are set to 0 first;
 *     then with the mean μ and standard deviation σ of all pixels of the whole flat, pixels below
 *     μ − {@value #FLAT_LOW_SIGMAS}σ (and ≤ 0) are bad; every other pixel is multiplied by the gain μ / flat, so a
 *     frame keeps its photon scale (cohere: frame / flat × μ; division by 0 → 0).</li>
 * </ul>
 * Where this deviates from cohere: bad pixels are reported as a mask (values 0) rather than being measured zeros;
 * whether the phasing then leaves them free or holds them at 0 is the caller's choice (Reconstruct
 * {@code bad_pixels=masked|zero}), except for {@link #markerPixels}, which are no measurement and stay free.
 */
public final class DetectorCorrections {

	/** Dark-frame counts above this mark a bad pixel (cohere 34-ID-C). */
	public static final double DARK_BAD_ABOVE = 1;

	/** Flat-field values below mean − this many standard deviations mark a bad pixel (cohere 34-ID-C). */
	public static final double FLAT_LOW_SIGMAS = 3;

	private DetectorCorrections() {}

	/**
	 * The flat-field correction on one detector frame.
	 *
	 * @param gain      μ / flat for good pixels, 0 for bad ones
	 * @param bad       the pixels with no usable flat-field value (unmeasured), on the flat's 2D grid
	 * @param mean      μ of the whole flat after the known-bad regions were zeroed
	 * @param sigma     σ of the same
	 * @param knownBad  pixels set to 0 because the detector's table lists them
	 * @param low       pixels below μ − 3σ or ≤ 0 (known-bad ones included)
	 */
	public record FlatField(float[] gain, Mask bad, double mean, double sigma, int knownBad, int low) {}

	/** Bad (unmeasured) pixels of a dark frame on its grid {@code frame}: dark &gt; {@value #DARK_BAD_ABOVE} or NaN. */
	public static Mask darkBadPixels(final float[] dark, final Grid frame) {
		final boolean[] bad = new boolean[dark.length];
		for (int i = 0; i < bad.length; i++) bad[i] = dark[i] > DARK_BAD_ABOVE || Float.isNaN(dark[i]);
		return Mask.fromUnmeasured(frame, bad);
	}

	/**
	 * The pixels of integer detector frames that hold a marker rather than a count: the largest value of the type
	 * (65535, 2³¹−1, 2³²−1: a saturated counter, or the gap and dead-pixel marker of Eiger and Lambda frames) and,
	 * for signed types, negative values (Pilatus: −1 gaps, −2 bad pixels). Integer types as the TIFF and HDF5
	 * readers ({@code uint16}, {@code int32}), EDF ({@code UnsignedShort}) and NumPy ({@code <u2}, {@code >i4}) name
	 * them — a detector's frames saved with NumPy keep their markers; float data and 8-bit images have no markers (null).
	 *
	 * @param negatives whether negative values are markers: false when the user asked for negatives to be set to 0
	 *                  ({@link ImportOptions#clampNegative}: background-subtracted counts, whose negatives are noise)
	 * @return the marker pixels on {@code g}, or null when there are none (no array is allocated then)
	 */
	public static Mask markerPixels(final float[] v, final Grid g, final String dtype, final boolean negatives) {
		final java.util.regex.Matcher m = INTEGER_TYPE.matcher(dtype == null ? "" : dtype.toLowerCase(java.util.Locale.ROOT));
		if (!m.find()) return null;
		final boolean signed;
		final int bits;
		if (m.group(2) != null) { signed = m.group(1).isEmpty(); bits = Integer.parseInt(m.group(2)); }
		else if (m.group(5) != null) { signed = m.group(5).equals("i"); bits = 8 * Integer.parseInt(m.group(6)); }
		else { signed = m.group(3) == null; bits = m.group(4).equals("short") ? 16 : 32; }
		final float max = (float) ((1L << (signed ? bits - 1 : bits)) - 1); // as float: 65535, 2^31, 2^32
		final boolean below = signed && negatives;
		boolean[] bad = null; // allocated at the first marker: most frames have none
		for (int i = 0; i < v.length; i++)
			if (v[i] >= max || below && v[i] < 0) {
				if (bad == null) bad = new boolean[v.length];
				bad[i] = true;
			}
		return bad == null ? null : Mask.fromUnmeasured(g, bad);
	}

	/**
	 * 16- and 32-bit integers: TIFF/HDF5 ({@code uint16}, {@code int32}), EDF ({@code UnsignedShort},
	 * {@code SignedInteger}) or NumPy ({@code <u2}, {@code |i4}, {@code >u4 (Fortran order)}) names.
	 */
	private static final java.util.regex.Pattern INTEGER_TYPE = java.util.regex.Pattern.compile("^(?:(u?)int(16|32)\\b|(un)?signed(short|integer|long)\\b|[<>|=]([iu])([24])\\b)");

	/** A flat-field pixel this many times the flat's median (positive pixels) or more is bad: scan 54's brightest is 2.7 times. */
	public static final double FLAT_MAX_OVER_MEDIAN = 1e4;

	/**
	 * Zeroes (so marks bad) the flat-field pixels {@value #FLAT_MAX_OVER_MEDIAN} times its median or more — hot pixels,
	 * or a detector's marker values for gaps (65535, 2³²−1) — and returns how many: normalised to the mean, one such pixel
	 * would rescale every other pixel's gain, and so the whole data set, by orders of magnitude, and its σ would hide
	 * every bad pixel below the mean. More than 1 % of such pixels is a corrupt or mis-read flat field, refused.
	 */
	private static int zeroAbsurdPixels(final float[] f) {
		final float[] positive = new float[f.length];
		int n = 0;
		for (final float v : f) if (v > 0) positive[n++] = v;
		if (n == 0) return 0; // no counts at all: the mean check names it
		final float[] p = java.util.Arrays.copyOf(positive, n);
		java.util.Arrays.sort(p);
		final double median = p[n / 2], limit = FLAT_MAX_OVER_MEDIAN * median;
		int hot = 0;
		for (int i = 0; i < f.length; i++) if (f[i] >= limit) { f[i] = 0; hot++; }
		if (hot > 0.01 * f.length)
			throw new CdiException("The flat field has " + hot + " pixels (" + String.format(java.util.Locale.ROOT, "%.1f", 100.0 * hot / f.length) + " %) at " + FLAT_MAX_OVER_MEDIAN
				+ " times its median (" + median + ") or more; expected a flat-field frame of similar counts everywhere (a corrupt or mis-read flat field would rescale the whole data set).");
		return hot;
	}

	/**
	 * The flat-field correction of a whole-detector flat frame.
	 *
	 * @param flat     the flat frame (y, x on {@code frame}); not changed
	 * @param frame    its 2D grid
	 * @param detector the detector (its known-bad regions), or null
	 * @param originX  detector column of the flat's column 0 (0 for a whole-detector flat)
	 * @param originY  detector row of the flat's row 0
	 */
	public static FlatField flatField(final float[] flat, final Grid frame, final Detector detector, final int originX, final int originY) {
		final float[] f = new float[flat.length];
		for (int i = 0; i < f.length; i++) f[i] = Float.isFinite(flat[i]) ? flat[i] : 0;
		int known = 0;
		if (detector != null) {
			for (final DetectorRegion r : detector.knownBad()) {
				for (int y = Math.max(r.minY(), originY); y < Math.min(r.minY() + r.sizeY(), originY + frame.ny); y++)
					for (int x = Math.max(r.minX(), originX); x < Math.min(r.minX() + r.sizeX(), originX + frame.nx); x++) {
						final int i = (y - originY) * frame.nx + (x - originX);
						if (f[i] != 0) known++;
						f[i] = 0;
					}
			}
		}
		zeroAbsurdPixels(f);
		double s = 0, s2 = 0;
		for (final float v : f) { s += v; s2 += (double) v * v; }
		final double mean = s / f.length, sigma = Math.sqrt(Math.max(0, s2 / f.length - mean * mean));
		if (!(mean > 0)) {
			int nonFinite = 0;
			for (final float v : flat) if (!Float.isFinite(v)) nonFinite++;
			throw new CdiException("The flat field has no positive mean (" + mean + " over " + f.length + " pixels" + (nonFinite > 0 ? ", " + nonFinite + " of them NaN or infinite, counted as 0" : "")
				+ "); expected a flat-field frame with positive counts.");
		}
		final double low = mean - FLAT_LOW_SIGMAS * sigma;
		final float[] gain = new float[f.length];
		final boolean[] bad = new boolean[f.length];
		int nLow = 0;
		for (int i = 0; i < f.length; i++) {
			if (f[i] <= 0 || f[i] < low) { bad[i] = true; nLow++; }
			else gain[i] = (float) (mean / f[i]);
		}
		return new FlatField(gain, Mask.fromUnmeasured(frame, bad), mean, sigma, known, nLow);
	}
}
