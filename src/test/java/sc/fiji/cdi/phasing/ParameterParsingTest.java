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

	/**
	 * average_last larger than the iterations it can average (those before a closing CG polish) averages all of them,
	 * the first random iterates included: that is said, not done silently (the sweep of 2 Dec found it silent).
	 */
	@Test
	void anAverageLongerThanTheRecipeIsWarnedOf() {
		final PhasingParameters d = PhasingParameters.defaults();
		assertEquals(null, d.averageLastWarning(), "cohere's 620 iterations, average of 20");
		final String w = d.withRecipe("10*ER").averageLastWarning();
		assertTrue(w != null && w.startsWith("average_last=20 is more than the 10 iterations of recipe '10*ER': the result is the average of all 10"), w);
		assertEquals(null, d.withRecipe("50*ER+10*CG").withAverageLast(50).averageLastWarning(), "50 iterates before the polish");
		final String p = d.withRecipe("50*ER+10*CG").withAverageLast(51).averageLastWarning();
		assertTrue(p != null && p.contains("50 iterations of recipe '50*ER+10*CG' before its CG polish"), p);
		assertEquals(null, d.withRecipe("10*ER").withAverageLast(1).averageLastWarning(), "1 = the last iterate");
	}
}
