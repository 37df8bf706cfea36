package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.beamline.Aps34idc;
import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
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
}
