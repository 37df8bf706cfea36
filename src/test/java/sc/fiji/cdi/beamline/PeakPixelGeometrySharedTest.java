package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.testutil.SharedData;

/**
 * Scan 54 of APS 34-ID-C (skips without the shared data): the geometry block puts G at the Bragg peak's pixel. The
 * frames hold the region 0,256,0,256 of the 512×512 34idcTIM2; the peak is there, so it lies across the chip seam
 * from the centre pixel (256, 256) the arm points at. Expected q: xrayutilities 1.7.4's {@code QConversion.area} at
 * that pixel with cohere's circles and centre channel (256 + seam), {@code tools/geometry/xrayutilities_peak_pixel.py}.
 */
class PeakPixelGeometrySharedTest {

	@Test
	void scan54GeometryIsThatOfThePeakPixel() {
		final Path spec = SharedData.require("data/aps-34idc-scan54/example.spec");
		final Beamline.Scan s = new Aps34idc().load(new Beamline.Request(spec, null, "54", null, null, null, null, Quantity.INTENSITY));
		final int[] peak = Preprocessor.peak(s.data());
		assertArrayEquals(new int[] { 99, 127, 128 }, peak);
		// the default preprocessing (34-ID-C threshold 2, centred on the maximum, FFT-friendly size) centres the
		// phased array on that pixel
		final double[] c = Preprocessor.sourceOfCentre(Preprocessor.apply(s.data(), PreprocessOptions.defaults().withThreshold(2)));
		assertArrayEquals(new double[] { 99, 127, 128 }, c, 0);
		final Map<String, Object> g = PeakPixelGeometry.block(s, new int[] { 1, 1, 1 }, new double[] { peak[1], peak[2] }, "test");
		assertArrayEquals(new double[] { 127, 128 }, (double[]) g.get("bragg_peak_pixel_row_col"));
		assertArrayEquals(new double[] { 256, 256 }, (double[]) g.get("reference_pixel_row_col"));
		assertArrayEquals(new double[] { -134, -132 }, (double[]) g.get("peak_from_reference_pitches_row_col"));
		// the block as a report reads it back (JSON), with G at the peak's pixel
		@SuppressWarnings("unchecked")
		final Map<String, Object> json = new com.google.gson.Gson().fromJson(new com.google.gson.Gson().toJson(g), Map.class);
		final BraggGeometry atPeak = BraggGeometry.fromReport(json, "the block");
		assertArrayEquals(new double[] { -7.718813299, 10.630029164, 23.054847899 }, atPeak.braggVectorLab(), 1e-6);
		assertEquals(31.3187, atPeak.inplaneDeg(), 1e-4);
		assertEquals(13.4776, atPeak.outOfPlaneDeg(), 1e-4);
		assertEquals(1.856, (double) g.get("bragg_vector_angle_to_reference_deg"), 1e-3);
		assertEquals(0.236789, atPeak.dSpacingNm(), 1e-6);
		assertEquals(0.233484, ((Map<?, ?>) g.get("at_reference_pixel")).get("d_spacing_nm") instanceof Double d ? d : Double.NaN, 1e-6);
	}
}
