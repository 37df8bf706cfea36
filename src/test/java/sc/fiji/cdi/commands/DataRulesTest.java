package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.beamline.Aps34idc;
import sc.fiji.cdi.beamline.Aps34idcRawScanTest;
import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.util.CdiException;

/** {@code data_threshold} and {@code bad_pixels} on {@code auto} follow the beamline's data rules; numbers and choices override them. */
class DataRulesTest {

	private static final Beamline.DataRules APS = new Aps34idc().dataRules();

	@Test
	void thresholdAutoIsTheBeamlinesNoiseFloorAndNumbersOverrideIt() {
		assertEquals(2, APS.intensityThreshold());
		assertEquals(2, Inputs.threshold("auto", APS));
		assertEquals(2, Inputs.threshold("", APS));
		assertEquals(0, Inputs.threshold("auto", Beamline.DataRules.GENERIC));
		assertEquals(0, Inputs.threshold("0", APS));
		assertEquals(5.5, Inputs.threshold(" 5.5 ", Beamline.DataRules.GENERIC));
		for (final String bad : new String[] { "-1", "two", "NaN", "Infinity" }) {
			final CdiException e = assertThrows(CdiException.class, () -> Inputs.threshold(bad, APS));
			assertTrue(e.getMessage().contains("data_threshold") && e.getMessage().contains("auto"), e.getMessage());
		}
	}

	@Test
	void badPixelsAutoFollowsTheBeamline() {
		final boolean[] bad = new boolean[16];
		bad[3] = bad[7] = true;
		final Diffraction d = new Diffraction(new RealVolume(Grid.of2D(4, 4)), Quantity.INTENSITY, Mask.fromUnmeasured(Grid.of2D(4, 4), bad), new ProcessingLog(), "test");
		assertTrue(APS.badPixelsAsZero());
		final Diffraction zero = Inputs.badPixels(d, "auto", APS);
		assertNull(zero.mask, "34-ID-C: bad pixels become measured zeros, as cohere");
		assertEquals(2, zero.log.steps().get(zero.log.steps().size() - 1).parameters().get("pixels"));
		assertSame(d, Inputs.badPixels(d, "auto", Beamline.DataRules.GENERIC), "generic data: bad pixels stay unmeasured");
		assertSame(d, Inputs.badPixels(d, "masked", APS), "masked overrides the beamline");
		assertNull(Inputs.badPixels(d, "zero", Beamline.DataRules.GENERIC).mask);
		assertThrows(CdiException.class, () -> Inputs.badPixels(d, "drop", APS));
	}

	/**
	 * At APS 34-ID-C bad_pixels=auto makes bad pixels measured zeros (cohere), but a detector's marker value is no
	 * measurement: a uint16 frame's Bragg peak saturated at 65535 stays unmeasured (free under the modulus constraint)
	 * while a hot dark-field pixel becomes a measured zero. Before, the saturated peak too was held at 0 by the phasing.
	 */
	@Test
	void aSaturatedPeakStaysUnmeasuredWhileAHotPixelBecomesAMeasuredZero(@TempDir final Path dir) throws IOException {
		final Path spec = Aps34idcRawScanTest.saturatedScanWithHotPixel(dir);
		final Beamline.Scan s = Inputs.importData(spec, "auto", null, "7", "", Inputs.importOptions("intensity", ImportOptions.DEFAULT_HDF5_DATASET, null, null, null, false));
		final Diffraction d = Inputs.badPixels(s.data(), "auto", s.rules());
		final Grid g = d.grid();
		assertEquals(new Grid(3, 3, 4), g);
		assertEquals(3, d.unmeasuredCount(), "only the saturated pixel of each frame is unmeasured");
		for (int z = 0; z < 3; z++) {
			assertTrue(d.mask.isUnmeasured(g.index(z, 2, 3)), "the saturated peak is free");
			assertTrue(d.isMeasured(g.index(z, 1, 1)), "the hot pixel is a measured zero");
			assertEquals(0f, d.values.get(z, 1, 1));
			assertEquals(10 * (z + 1) + 6, d.values.get(z, 1, 2), 0, "counts are kept");
		}
		final java.util.Map<String, Object> step = d.log.steps().get(d.log.steps().size() - 1).parameters();
		assertEquals(3, step.get("pixels"), "the hot pixel in 3 frames became zeros");
		assertEquals(3, step.get("markerPixelsUnmeasured"));
		// bad_pixels=zero asks the same of the other bad pixels; masked leaves both free
		assertEquals(d.mask, Inputs.badPixels(s.data(), "zero", s.rules()).mask);
		assertEquals(6, Inputs.badPixels(s.data(), "masked", s.rules()).unmeasuredCount());
	}

	/** Data whose only bad pixels are markers are left as they are by every rule; markers outside the mask are refused. */
	@Test
	void markersAloneAreLeftAsTheyAre() {
		final Grid g = Grid.of2D(4, 4);
		final boolean[] m = new boolean[16];
		m[5] = true;
		final Mask markers = Mask.fromUnmeasured(g, m);
		final Diffraction d = new Diffraction(new RealVolume(g), Quantity.INTENSITY, markers, markers, new ProcessingLog(), "test");
		for (final String c : new String[] { "auto", "zero", "masked" }) assertSame(d, Inputs.badPixels(d, c, APS), c);
		assertThrows(IllegalArgumentException.class, () -> new Diffraction(new RealVolume(g), Quantity.INTENSITY, null, markers, new ProcessingLog(), "test"));
	}
}
