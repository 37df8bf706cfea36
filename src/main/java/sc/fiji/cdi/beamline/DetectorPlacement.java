package sc.fiji.cdi.beamline;

import sc.fiji.cdi.io.Detector;
import sc.fiji.cdi.io.DetectorPixel;
import sc.fiji.cdi.io.DetectorRegion;

/**
 * Where a scan's frames lie on the whole detector, and which pixel the detector arm points at: what the geometry of
 * the Bragg peak's pixel needs ({@link PeakPixelGeometry}).
 *
 * @param detector   the detector (null when its name is not known)
 * @param region     the region of the whole detector the imported frames hold (SPEC {@code #UIMR5}, {@code roi=}), or
 *                   null: the frames are as the detector wrote them, which places them only when they are the whole
 *                   detector
 * @param directBeam the pixel the arm points at, given by the user ({@code direct_beam=}), or null: the detector's
 *                   centre ({@link Detector#centrePixel()})
 */
public record DetectorPlacement(Detector detector, DetectorRegion region, DetectorPixel directBeam) {

	/** The same placement with the pixel the arm points at given ({@code direct_beam=}); null keeps the detector's. */
	public DetectorPlacement withDirectBeam(final DetectorPixel pixel) { return pixel == null ? this : new DetectorPlacement(detector, region, pixel); }

	/** The pixel the detector arm points at: {@code direct_beam=}, else the detector's centre; null when neither is known. */
	public DetectorPixel reference() { return directBeam != null ? directBeam : detector == null ? null : detector.centrePixel(); }

	/** Where {@link #reference()} comes from, for the report. */
	public String referenceSource() {
		if (directBeam != null) return "direct_beam= (given)";
		return "the centre of the " + detector.rows() + "x" + detector.columns() + " " + detector.name()
			+ " (cohere's beam_zero = dims // 2; xrayutilities' centre channel); give direct_beam=row,column for a measured direct beam";
	}

	/**
	 * Why a pixel of frames of {@code frameRows} × {@code frameColumns} cannot be placed on the detector with a known
	 * reference pixel, or null when it can.
	 */
	public String unplaced(final int frameRows, final int frameColumns) {
		if (detector == null && directBeam == null) return "the detector is not known, so neither its size nor the pixel its arm points at; give direct_beam=row,column";
		if (reference() == null)
			return "the size of detector " + detector.name() + " is not known, so neither is the pixel its arm points at; give direct_beam=row,column (pixels of the whole detector)";
		if (region != null) return null;
		if (detector != null && detector.isWhole(frameRows, frameColumns)) return null;
		return "the frames (" + frameRows + "x" + frameColumns + " pixels) are not the whole detector" + (detector == null || detector.rows() == 0 ? "" : " (" + detector.rows() + "x" + detector.columns() + ")")
			+ " and no region places them on it; give roi=minX,sizeX,minY,sizeY";
	}

	/** The whole-detector pixel of the frames' pixel (row, column); check {@link #unplaced} first. */
	public DetectorPixel onDetector(final double frameRow, final double frameColumn) {
		return region == null ? new DetectorPixel(frameRow, frameColumn) : new DetectorPixel(region.minY() + frameRow, region.minX() + frameColumn);
	}

	/** The offset from the reference pixel to {@code pixel} in pixel pitches (rows down, columns right; the seam included). */
	public double[] pitchesFromReference(final DetectorPixel pixel) {
		final DetectorPixel ref = reference();
		return detector != null ? detector.pitchesBetween(ref, pixel) : new double[] { pixel.row() - ref.row(), pixel.column() - ref.column() };
	}
}
