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
 */
public record Detector(String name, double pixelUm, List<DetectorRegion> knownBad, String description) {

	/**
	 * APS 34-ID-C Timepix quad (2×2 chips, 512×512 pixels of 55 µm). Known bad: columns 255–256 of rows 0–254, the
	 * pixels along the vertical chip seam of the upper chips that cohere 4.x zeroes in the flat field (its
	 * {@code Detector_34idcTIM2} zeroes [255:257, 0:255] of the transposed TIFF it reads). With the dark field and the
	 * mean − 3σ rule this leaves 335 of the 65,536 pixels of scan 54's region 0,256,0,256 without a flat-field value,
	 * cohere's own count.
	 */
	public static final Detector APS_34IDC_TIM2 = new Detector("34idcTIM2", 55, List.of(new DetectorRegion(255, 2, 0, 255)),
		"APS 34-ID-C Timepix quad, 512x512 pixels of 55 um");

	/** APS 34-ID-C single Timepix (256×256 pixels of 55 µm), no seam. */
	public static final Detector APS_34IDC_TIM1 = new Detector("34idcTIM1", 55, List.of(), "APS 34-ID-C Timepix, 256x256 pixels of 55 um");

	/** Names (lower case, letters and digits only) → detector; families by prefix after the exact names. */
	private static final List<Detector> KNOWN = List.of(APS_34IDC_TIM2, APS_34IDC_TIM1,
		family("maxipix", 55, "ESRF Maxipix (Medipix2 chips), 55 um pixels (ID01 'mpx1x4', 'mpxgaas')"),
		family("mpx", 55, "ESRF Maxipix, 55 um pixels"),
		family("merlin", 55, "Quantum Detectors Merlin (Medipix3), 55 um pixels"),
		family("medipix", 55, "Medipix, 55 um pixels"),
		family("timepix", 55, "Timepix, 55 um pixels"),
		family("eiger", 75, "Dectris Eiger / Eiger2, 75 um pixels (PETRA P10 'eiger4m', 'e4m', 'e500')"),
		family("e4m", 75, "PETRA P10 Eiger 4M, 75 um pixels"),
		family("e500", 75, "PETRA P10 Eiger 500k, 75 um pixels"),
		family("pilatus", 172, "Dectris Pilatus, 172 um pixels"),
		family("lambda", 55, "X-Spectrum Lambda, 55 um pixels"));

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
