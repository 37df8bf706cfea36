package sc.fiji.cdi.beamline;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.DetectorPixel;
import sc.fiji.cdi.util.CdiException;

/**
 * The geometry of the Bragg peak's pixel. A beamline's motors give the detector angles of the pixel the detector arm
 * points at (the centre channel, {@link DetectorPlacement#reference()}); the array that is phased is centred on the
 * Bragg peak, which lies elsewhere on the detector (scan 54: 134 rows and 132 columns, seam included, from the centre of the
 * 34idcTIM2). The Bragg vector G of the reconstruction is the q of that pixel, and the reciprocal basis is taken there
 * ({@link BraggGeometry#atPixelOffset}), as cohere's 34-ID-C orthogonalisation evaluates xrayutilities'
 * {@code QConversion.area} at the peak's pixel and bcdi corrects the detector angles for the peak's position
 * ({@code Setup.correct_detector_angles}).
 */
public final class PeakPixelGeometry {

	private PeakPixelGeometry() {}

	/** The numbers of the arm's pixel kept in the block ({@link BraggGeometry#toReport()} keys that the peak's pixel changes). */
	static final java.util.List<String> AT_REFERENCE_KEYS = java.util.List.of("inplane_deg_lab", "outofplane_deg", "two_theta_deg", "bragg_vector_lab_zyx", "d_spacing_nm");

	/**
	 * The report's {@code geometry} block of {@code scan} when the array phased after binning by {@code bin} (z, y,
	 * x) is centred on the frames' pixel {@code frameRowColumn} (row, column of the imported frames, fractions
	 * allowed): what the beamline read, the geometry of the Bragg peak's pixel under the {@link BraggGeometry#REPORT_KEYS}
	 * (which {@link BraggGeometry#fromReport} reads), the peak's and the reference pixel of the whole detector, and the
	 * numbers at the reference pixel under {@code at_reference_pixel}. Where the peak cannot be placed on the detector
	 * the block keeps the reference pixel's geometry and says why ({@code geometry_pixel}).
	 *
	 * @param how where {@code frameRowColumn} comes from, in words
	 */
	public static Map<String, Object> block(final Beamline.Scan scan, final int[] bin, final double[] frameRowColumn, final String how) {
		final Map<String, Object> g = new LinkedHashMap<>(scan.report());
		if (scan.geometry() == null) return g;
		final BraggGeometry reference = scan.geometry();
		BraggGeometry atPeak = reference;
		final Grid frames = scan.data().grid();
		final DetectorPlacement placement = scan.placement();
		final String why = placement == null ? "the import does not say where the frames lie on the detector"
			: frameRowColumn == null ? "the Bragg peak's pixel is not known" : placement.unplaced(frames.ny, frames.nx);
		if (why == null) {
			final DetectorPixel peak = placement.onDetector(frameRowColumn[0], frameRowColumn[1]);
			final double[] pitches = placement.pitchesFromReference(peak);
			atPeak = reference.atPixelOffset(pitches[0], pitches[1]);
			g.put("geometry_pixel", "the Bragg peak's: the angles and Bragg vector below are those of the ray to the peak's pixel (exact, as xrayutilities' QConversion.area; "
				+ "bcdi's correct_detector_angles to first order), the reciprocal basis is taken there");
			g.put("bragg_peak_pixel_row_col", peak.toArray());
			g.put("bragg_peak_pixel_source", how + String.format(Locale.ROOT, ": frames' pixel (row, column) %s", new DetectorPixel(frameRowColumn[0], frameRowColumn[1]))
				+ (placement.region() == null ? " of the whole detector" : " + the region's first row and column " + placement.region().minY() + ", " + placement.region().minX()));
			g.put("reference_pixel_row_col", placement.reference().toArray());
			g.put("reference_pixel_source", placement.referenceSource());
			g.put("peak_from_reference_pitches_row_col", pitches);
			if (placement.detector() != null && (placement.detector().seamRows() > 0 || placement.detector().seamColumns() > 0))
				g.put("detector_seam", placement.detector().name() + ": " + placement.detector().seamRows() + " pixel pitches between rows " + (placement.detector().rows() / 2 - 1) + " and "
					+ placement.detector().rows() / 2 + ", " + placement.detector().seamColumns() + " between columns " + (placement.detector().columns() / 2 - 1) + " and "
					+ placement.detector().columns() / 2 + ", counted in the offset where crossed (cohere_beamlines' seamsize)");
			final Map<String, Object> all = reference.toReport(), ref = new LinkedHashMap<>();
			for (final String k : AT_REFERENCE_KEYS) ref.put(k, all.get(k));
			g.put("at_reference_pixel", ref);
			g.put("bragg_vector_angle_to_reference_deg", atPeak.angleToDeg(reference));
		} else {
			g.put("geometry_pixel", "the reference pixel the detector arm points at, not the Bragg peak's: " + why);
		}
		try {
			g.putAll(atPeak.binned(bin[0], bin[1], bin[2]).toReport());
			g.put("binning_zyx", bin);
		} catch (final CdiException e) {
			for (final String k : BraggGeometry.REPORT_KEYS) g.remove(k);
			g.put("missing", e.getMessage());
		}
		return g;
	}
	/**
	 * The geometry of a report block ({@link #block}) in one line for the log: the angles, 2θ and d-spacing the block
	 * holds, and at which pixel (the Bragg peak's, how far from the arm's, or why the arm's); null when the block has
	 * no geometry.
	 */
	public static String describe(final Map<?, ?> block) {
		if (!(block.get("inplane_deg_lab") instanceof Number ip) || !(block.get("outofplane_deg") instanceof Number op)) return null;
		final StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "in-plane %.4f°, out-of-plane %.4f°", ip.doubleValue(), op.doubleValue()));
		if (block.get("two_theta_deg") instanceof Number t) b.append(String.format(Locale.ROOT, ", 2θ %.4f°", t.doubleValue()));
		if (block.get("d_spacing_nm") instanceof Number d) b.append(String.format(Locale.ROOT, ", d = %.5f nm", d.doubleValue()));
		if (block.get("bragg_peak_pixel_row_col") instanceof double[] peak && block.get("reference_pixel_row_col") instanceof double[] ref)
			b.append(String.format(Locale.ROOT, ", at the Bragg peak's detector pixel %s, G %.3f° from that of the arm's pixel %s", new DetectorPixel(peak[0], peak[1]).inWords(),
				((Number) block.get("bragg_vector_angle_to_reference_deg")).doubleValue(), new DetectorPixel(ref[0], ref[1]).inWords()));
		else if (block.get("geometry_pixel") != null) b.append("; ").append(block.get("geometry_pixel"));
		return b.toString();
	}
}
