package sc.fiji.cdi.nn.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one criterion for keeping a tuning: not higher, and a NaN misfit counts as the highest. */
class KeepsTuningTest {

	@Test
	void aTuningIsKeptWhenItsMisfitIsNotHigher() {
		assertTrue(FineTuning.keepsTuning(0.02, 0.01));
		assertTrue(FineTuning.keepsTuning(0.02, 0.02));
		assertFalse(FineTuning.keepsTuning(0.01, 0.02));
		assertFalse(FineTuning.keepsTuning(0.01, Double.NaN));
		assertTrue(FineTuning.keepsTuning(Double.NaN, 0.5), "a finite misfit improves on NaN");
		assertFalse(FineTuning.keepsTuning(Double.NaN, Double.NaN));
	}
}
