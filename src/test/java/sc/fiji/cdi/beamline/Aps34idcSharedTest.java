package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.testutil.SharedData;

/**
 * The real raw scan 54 of APS 34-ID-C, imported from its SPEC file alone: the frames folder, the region
 * {@code #UIMR5 0 256 0 256}, and the whole-detector dark and flat fields are found, and the corrected frames match
 * cohere's. Peer numbers: cohere's streaming example (cohere-ui, pvapy) logs "beamline pre-processed frame sum"
 * 3685.491452757012 for the first frame (raw sum 4164) and 3807.5310657022605 for the second (raw 4300); the
 * shared README counts 335 of the 65,536 pixels without a flat-field value.
 */
class Aps34idcSharedTest {

	@Test
	void scan54FromTheSpecFileMatchesCoheresCorrectedFrames() {
		final Path spec = SharedData.require("data/aps-34idc-scan54/example.spec");
		final Beamline.Scan s = new Aps34idc().load(new Beamline.Request(spec, null, "54", null, null, null, null, Quantity.INTENSITY));
		final Diffraction d = s.data();
		assertEquals(new Grid(201, 256, 256), d.grid());
		assertTrue(s.report().get("frames_folder").toString().endsWith("Staff20-1a_S0054"));
		assertTrue(s.report().get("dark_field").toString().contains("dark.tif"));
		assertTrue(s.report().get("white_field").toString().contains("whitefield.tif"));
		final int plane = 256 * 256;
		for (int z = 0; z < 201; z += 50) {
			int bad = 0;
			for (int i = 0; i < plane; i++) if (d.mask.isUnmeasured(z * plane + i)) bad++;
			assertEquals(335, bad, "pixels without a flat-field value in frame " + z);
		}
		assertEquals(3685.491452757012, sum(d, 0), 0.01);
		assertEquals(3807.5310657022605, sum(d, 1), 0.01);
		assertNotNull(s.geometry());
		assertEquals(0.005, s.geometry().rockingStepDeg(), 1e-12);
		// the rules for other scans leave this one as it was: no marker values, no frame left out, the brightest pixel
		// is the one centred (no spike passed over), and it is not in a corner
		assertEquals(0, d.log.steps().get(0).parameters().get("markerPixels"));
		assertFalse(s.report().containsKey("scan_aborted") || s.report().containsKey("frames_ignored"));
		int brightest = -1;
		for (int i = 0; i < d.values.data.length; i++) if (d.isMeasured(i) && (brightest < 0 || d.values.data[i] > d.values.data[brightest])) brightest = i;
		assertArrayEquals(new int[] { brightest / plane, brightest % plane / 256, brightest % 256 }, sc.fiji.cdi.preprocess.Preprocessor.peak(d));
		sc.fiji.cdi.preprocess.Preprocessor.requirePeakNotInCorner(d);
	}

	private static double sum(final Diffraction d, final int z) {
		final int plane = d.grid().ny * d.grid().nx;
		double s = 0;
		for (int i = 0; i < plane; i++) s += d.values.data[z * plane + i];
		return s;
	}
}
