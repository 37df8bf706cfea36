package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.phasing.PhasingParameters.InitialSupport;
import sc.fiji.cdi.phasing.PhasingParameters.ShrinkWrapMethod;
import sc.fiji.cdi.util.CdiException;

/** The phasing choices read from dialog or macro values: any case, and one message naming key, value and choices. */
class ParameterParsingTest {

	@Test
	void choicesParseAndUnknownOnesAreNamed() {
		assertEquals(ShrinkWrapMethod.RMS, ShrinkWrapMethod.parse(" rms ", "shrink_wrap_method"));
		assertEquals(InitialSupport.AUTOCORRELATION_BOX, InitialSupport.parse("Autocorrelation_Box", "initial_support"));
		final CdiException sw = assertThrows(CdiException.class, () -> ShrinkWrapMethod.parse("mean", "shrink_wrap_method"));
		assertTrue(sw.getMessage().startsWith("shrink_wrap_method='mean' is not known") && sw.getMessage().contains("max") && sw.getMessage().contains("rms"), sw.getMessage());
		final CdiException is = assertThrows(CdiException.class, () -> InitialSupport.parse(null, "initial_support"));
		assertTrue(is.getMessage().contains("initial_support='null'") && is.getMessage().contains("autocorrelation_box"), is.getMessage());
	}
}
