package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.Detector;
import sc.fiji.cdi.io.DetectorPixel;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.CdiException;

/** The geometry block at the Bragg peak's pixel, on synthetic frames (no shared data). */
class PeakPixelGeometryTest {

	private static final BraggGeometry ARM = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9.0, 0.5, 55, 32.174, 12.6346, 0.005);

	private static Diffraction peakAt(final Grid g, final int z, final int y, final int x) {
		final float[] v = new float[g.size()];
		for (int dz = -1; dz <= 1; dz++) for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++)
			v[g.index(z + dz, y + dy, x + dx)] = 100f / (1 + dz * dz + dy * dy + dx * dx);
		return new Diffraction(new RealVolume(g, v), Quantity.INTENSITY, null, new ProcessingLog(), "synthetic");
	}

	@Test
	void theCentreOfThePhasedArrayIsTracedThroughCentringBinningAndCropping() {
		final Diffraction d = peakAt(new Grid(16, 40, 30), 5, 20, 13);
		final Diffraction pre = Preprocessor.apply(d, PreprocessOptions.defaults().withBinning(1, 2, 2).withTargetSize(new Grid(8, 16, 16)));
		// the centred peak's 2x2 block (rows 20-21, columns 12-13) is the binned centre pixel: its middle
		assertArrayEquals(new double[] { 5, 20.5, 12.5 }, Preprocessor.sourceOfCentre(pre), 0);
		assertArrayEquals(new double[] { 5, 20, 13 }, Preprocessor.sourceOfCentre(Preprocessor.apply(d, PreprocessOptions.defaults())), 0);
	}

	@Test
	void theBlockIsThatOfThePeakPixelAndKeepsTheReferencePixelsNumbers() {
		// frames of region minX 100, minY 40 of a 256x256 34idcTIM1: the peak at frames' (20, 13) is the detector's (60, 113)
		final Beamline.Scan s = new Beamline.Scan(peakAt(new Grid(16, 40, 30), 5, 20, 13), "s", ARM, Map.of("beamline", "test"), Beamline.DataRules.GENERIC,
			new DetectorPlacement(Detector.APS_34IDC_TIM1, new DetectorRegion(100, 30, 40, 40), null));
		final Map<String, Object> g = PeakPixelGeometry.block(s, new int[] { 1, 2, 2 }, new double[] { 20, 13 }, "test");
		assertArrayEquals(new double[] { 60, 113 }, (double[]) g.get("bragg_peak_pixel_row_col"));
		assertArrayEquals(new double[] { 128, 128 }, (double[]) g.get("reference_pixel_row_col"));
		final BraggGeometry atPeak = ARM.atPixelOffset(-68, -15);
		assertEquals(atPeak.inplaneDeg(), (double) g.get("inplane_deg_lab"), 1e-12);
		assertEquals(atPeak.outOfPlaneDeg(), (double) g.get("outofplane_deg"), 1e-12);
		assertEquals(110.0, (double) g.get("pixel_um"), 1e-12, "binned pixel");
		assertEquals(32.174, (double) ((Map<?, ?>) g.get("at_reference_pixel")).get("inplane_deg_lab"), 1e-12);
		// direct_beam= moves the reference
		final Map<String, Object> moved = PeakPixelGeometry.block(s.withDirectBeam(new DetectorPixel(60, 113)), new int[] { 1, 1, 1 }, new double[] { 20, 13 }, "test");
		assertEquals(32.174, (double) moved.get("inplane_deg_lab"), 1e-9);
		assertTrue(moved.get("reference_pixel_source").toString().startsWith("direct_beam="));
	}

	@Test
	void framesThatCannotBePlacedKeepTheReferencePixelsGeometryAndSayWhy() {
		// 40x30 frames of a 256x256 detector with no region: where they lie is not known
		final Beamline.Scan s = new Beamline.Scan(peakAt(new Grid(16, 40, 30), 5, 20, 13), "s", ARM, Map.of(), Beamline.DataRules.GENERIC,
			new DetectorPlacement(Detector.APS_34IDC_TIM1, null, null));
		final Map<String, Object> g = PeakPixelGeometry.block(s, new int[] { 1, 1, 1 }, new double[] { 20, 13 }, "test");
		assertEquals(32.174, (double) g.get("inplane_deg_lab"), 1e-12);
		assertTrue(g.get("geometry_pixel").toString().contains("not the whole detector") && g.get("geometry_pixel").toString().contains("roi="), g.get("geometry_pixel").toString());
		assertFalse(g.containsKey("bragg_peak_pixel_row_col"));
		// a detector of unknown size: direct_beam= is asked for
		final Detector eiger = Detector.find("eiger4m");
		final String why = new DetectorPlacement(eiger, null, null).unplaced(40, 30);
		assertTrue(why.contains("direct_beam=row,column"), why);
	}

	@Test
	void aBadDirectBeamNamesTheKeyAndTheExpectedForm() {
		for (final String bad : new String[] { "256", "a,b", "1,2,3", "-1,5" }) {
			final CdiException e = assertThrows(CdiException.class, () -> DetectorPixel.parse(bad, "direct_beam"));
			assertTrue(e.getMessage().startsWith("direct_beam='" + bad + "'") && e.getMessage().contains("row,column"), e.getMessage());
		}
		assertEquals(new DetectorPixel(256, 255.5), DetectorPixel.parse(" 256, 255.5 ", "direct_beam"));
	}
}
