package sc.fiji.cdi.io;

import java.util.List;
import java.util.Locale;

/**
 * What is known about a named area detector: its pixel pitch and, for some, pixels that are bad by construction.
 * The name is the one the beamline records (SPEC {@code #UIMDET 34idcTIM2:}, a BLISS detector name, a P10 Eiger).
 *
 * @param name         canonical name
 * @param pixelUm      pixel pitch in µm (square pixels)
 * @param knownBad     regions of the full detector whose flat-field response is not trusted (e.g. chip seams); their
 *                     flat-field value is set to 0, which makes them bad pixels wherever a flat field is applied
 * @param description  what it is
 * @param rows         pixel rows of the whole detector (0: not known; a family of detectors of several sizes)
 * @param columns      pixel columns of the whole detector (0: not known)
 * @param seamRows     extra pixel pitches of the gap between the chips below pixel row {@code rows/2 − 1} that the
 *                     frames do not hold (0: the frames hold the gap, or there is none)
 * @param seamColumns  the same to the right of pixel column {@code columns/2 − 1}
 */
public record Detector(String name, double pixelUm, List<DetectorRegion> knownBad, String description, int rows, int columns, int seamRows, int seamColumns) {

	/** A detector whose size is not known. */
	public Detector(final String name, final double pixelUm, final List<DetectorRegion> knownBad, final String description) {
		this(name, pixelUm, knownBad, description, 0, 0, 0, 0);
	}

	/**
	 * APS 34-ID-C Timepix quad (2×2 chips, 512×512 pixels of 55 µm). Known bad: columns 255–256 of rows 0–254, the
	 * pixels along the vertical chip seam of the upper chips that cohere 4.x zeroes in the flat field (its
	 * {@code Detector_34idcTIM2} zeroes [255:257, 0:255] of the transposed TIFF it reads). With the dark field and the
	 * mean − 3σ rule this leaves 335 of the 65,536 pixels of scan 54's region 0,256,0,256 without a flat-field value,
	 * cohere's own count.
	 */
	public static final Detector APS_34IDC_TIM2 = new Detector("34idcTIM2", 55, List.of(new DetectorRegion(255, 2, 0, 255)),
		"APS 34-ID-C Timepix quad, 512x512 pixels of 55 um", 512, 512, 5, 4);
	// the seam: the frames leave out the chips' gap, 5 pixel pitches between rows 255 and 256 and 4 between columns
	// 255 and 256 (cohere_beamlines' Detector_34idcTIM2: seamsize (4, 5) on its transposed axes, added by
	// get_beamzero and get_realpixelpos to positions past 256 for its reciprocal-space map)

	/** APS 34-ID-C single Timepix (256×256 pixels of 55 µm), no seam. */
	public static final Detector APS_34IDC_TIM1 = new Detector("34idcTIM1", 55, List.of(), "APS 34-ID-C Timepix, 256x256 pixels of 55 um", 256, 256, 0, 0);

	/** ESRF ID01 Maxipix 2×2 (516×516 pixels of 55 µm; the frames hold the chip gaps, rows/columns 255–260). */
	public static final Detector MAXIPIX = new Detector("maxipix", 55, List.of(), "ESRF Maxipix 2x2 (Medipix2 chips), 516x516 pixels of 55 um (ID01 'mpx1x4', 'mpxgaas')",
		516, 516, 0, 0);

	/** ESRF ID01 Eiger2 M (2164 rows × 1030 columns of 75 µm, bcdi's {@code Eiger2M.unbinned_pixel_number}). */
	public static final Detector EIGER2M = new Detector("eiger2M", 75, List.of(), "ESRF ID01 Eiger2 M, 2164x1030 pixels (rows x columns) of 75 um", 2164, 1030, 0, 0);

	/** Names (lower case, letters and digits only) → detector; families by prefix after the exact names. */
	private static final List<Detector> KNOWN = List.of(APS_34IDC_TIM2, APS_34IDC_TIM1, EIGER2M, MAXIPIX,
		new Detector("mpx", 55, List.of(), "ESRF Maxipix 2x2, 516x516 pixels of 55 um", 516, 516, 0, 0),
		family("merlin", 55, "Quantum Detectors Merlin (Medipix3), 55 um pixels"),
		family("medipix", 55, "Medipix, 55 um pixels"),
		family("timepix", 55, "Timepix, 55 um pixels"),
		family("eiger", 75, "Dectris Eiger / Eiger2, 75 um pixels (PETRA P10 'eiger4m', 'e4m', 'e500')"),
		family("e4m", 75, "PETRA P10 Eiger 4M, 75 um pixels"),
		family("e500", 75, "PETRA P10 Eiger 500k, 75 um pixels"),
		family("pilatus", 172, "Dectris Pilatus, 172 um pixels"),
		family("lambda", 55, "X-Spectrum Lambda, 55 um pixels"));

	/**
	 * The pixel the detector arm points at, (row, column) of the whole detector: its centre (rows/2, columns/2), as
	 * cohere takes it ({@code beam_zero = dims // 2} of its 34idcTIM1/TIM2 and mpxgaas detectors, "an estimate" that
	 * its configuration may override; xrayutilities' centre channel {@code cch}, the pixel along the primary beam at
	 * zero detector angles); null when the detector's size is not known.
	 */
	public DetectorPixel centrePixel() {
		return rows > 0 && columns > 0 ? new DetectorPixel(rows / 2, columns / 2) : null;
	}

	/** Whether frames of {@code frameRows} × {@code frameColumns} pixels are the whole detector. */
	public boolean isWhole(final int frameRows, final int frameColumns) { return frameRows == rows && frameColumns == columns; }

	/**
	 * The distance from pixel {@code from} to pixel {@code to} of the whole detector in pixel pitches (rows down,
	 * columns right), the chips' seam included where the two lie on either side of it ({@link #seamRows}).
	 */
	public double[] pitchesBetween(final DetectorPixel from, final DetectorPixel to) {
		return new double[] { physical(to.row(), rows, seamRows) - physical(from.row(), rows, seamRows),
			physical(to.column(), columns, seamColumns) - physical(from.column(), columns, seamColumns) };
	}

	private static double physical(final double pixel, final int n, final int seam) {
		return seam > 0 && pixel >= n / 2 ? pixel + seam : pixel;
	}

	private static Detector family(final String prefix, final double um, final String d) { return new Detector(prefix, um, List.of(), d); }

	/** The detector of that name (case, punctuation and a trailing ':' ignored; family by prefix), or null when unknown. */
	public static Detector find(final String recordedName) {
		if (recordedName == null) return null;
		final String n = key(recordedName);
		if (n.isEmpty()) return null;
		for (final Detector d : KNOWN) if (key(d.name).equals(n)) return d;
		for (final Detector d : KNOWN) if (n.startsWith(key(d.name)) || (n.contains(key(d.name)) && key(d.name).length() >= 5)) return d;
		return null;
	}

	/** The names of the table, for messages. */
	public static String knownNames() {
		final StringBuilder b = new StringBuilder();
		for (final Detector d : KNOWN) b.append(b.length() == 0 ? "" : ", ").append(d.name);
		return b.toString();
	}

	private static String key(final String s) { return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""); }
}
