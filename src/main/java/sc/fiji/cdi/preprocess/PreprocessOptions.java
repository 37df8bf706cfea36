package sc.fiji.cdi.preprocess;

import sc.fiji.cdi.data.Grid;

/**
 * What {@link Preprocessor#apply} does, in order: threshold, centre the peak, bin, crop or pad.
 *
 * @param threshold values at or below this level are set to 0, in the data's quantity (counts for intensities); 0 = off
 * @param centre how to find the peak that is moved to n/2 on every axis ({@link Centring#NONE} = leave it)
 * @param targetSize final array size after binning; null = the next FFT-friendly size (2^a 3^b 5^c) of each axis
 * @param binZ binning factor along z (rocking angle)
 * @param binY binning factor along y (detector rows)
 * @param binX binning factor along x (detector columns)
 * @param outside what the pixels that enter the array from outside the detector or the scan (padding to the FFT
 *        size, the edge uncovered by the centring shift) are; {@link Outside#ZERO} by default (see there)
 */
public record PreprocessOptions(double threshold, Centring centre, Grid targetSize, int binZ, int binY, int binX, Outside outside) {

	/**
	 * What pixels from outside the measured array are in the modulus projection. Measured as on APS 34-ID-C scan 54
	 * (docs/phasing.md, "Preprocessing"): with the 15 padded rocking planes left free ({@link #UNMEASURED}), HIO
	 * from the default start ends at χ² 0.50 with a blob; as measured zeros it reaches the crystal.
	 */
	public enum Outside {
		/** Zero intensity, constrained like any measured pixel: cohere's zero-padding. Far from the Bragg peak the
		 * intensity has fallen to the background, which the threshold sets to 0 anyway. */
		ZERO,
		/** Unknown: masked, so the modulus projection leaves them free (PyNX's treatment of masked pixels). */
		UNMEASURED
	}

	/** How the peak to centre is located. */
	public enum Centring {
		/** Do not move the data. */
		NONE,
		/** The brightest measured pixel (cohere's and PyNX's default centring); a lone spike (a hot pixel, a zinger:
		 * its in-frame neighbours below 1 % of it) is passed over ({@link Preprocessor#peak}). */
		MAX,
		/** The intensity-weighted centre of mass of the measured pixels, rounded to whole pixels. */
		CENTRE_OF_MASS,
		/** The centre of Friedel symmetry of a 2D forward-CDI pattern ({@link ForwardCdi#friedelCentre}); beside a
		 * beam stop the brightest pixel is a speckle, not the centre. 3D data: the array centre. */
		SYMMETRY
	}

	/** Pixels from outside the detector are measured zeros ({@link Outside#ZERO}). */
	public PreprocessOptions(final double threshold, final Centring centre, final Grid targetSize, final int binZ, final int binY, final int binX) {
		this(threshold, centre, targetSize, binZ, binY, binX, Outside.ZERO);
	}

	public PreprocessOptions {
		if (centre == null) centre = Centring.MAX;
		if (outside == null) outside = Outside.ZERO;
		if (binZ < 1 || binY < 1 || binX < 1) throw new IllegalArgumentException("binning factors must be >= 1, got " + binZ + "," + binY + "," + binX);
		if (!(threshold >= 0) || Double.isInfinite(threshold)) throw new IllegalArgumentException("threshold must be a finite number >= 0, got " + threshold);
	}

	/** Threshold 0, centre on the maximum, no binning, pad/crop to the next FFT-friendly size, padding = zeros. */
	public static PreprocessOptions defaults() { return new PreprocessOptions(0, Centring.MAX, null, 1, 1, 1, Outside.ZERO); }

	public PreprocessOptions withThreshold(final double t) { return new PreprocessOptions(t, centre, targetSize, binZ, binY, binX, outside); }

	public PreprocessOptions withCentre(final Centring c) { return new PreprocessOptions(threshold, c, targetSize, binZ, binY, binX, outside); }

	public PreprocessOptions withTargetSize(final Grid g) { return new PreprocessOptions(threshold, centre, g, binZ, binY, binX, outside); }

	public PreprocessOptions withBinning(final int z, final int y, final int x) { return new PreprocessOptions(threshold, centre, targetSize, z, y, x, outside); }

	public PreprocessOptions withOutside(final Outside v) { return new PreprocessOptions(threshold, centre, targetSize, binZ, binY, binX, v); }
}
