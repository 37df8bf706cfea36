package sc.fiji.cdi.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.Progress;

/**
 * The {@code fine_tuning} block of the Predict and Reconstruct reports says what was done: every tuning run of
 * {@link FineTuning#predictTuned} (a second at a third of the rate when the first raised χ²) with its rate, losses,
 * χ² and seconds, and the seconds of all. Before, only the last run was recorded: a report read "learning_rate
 * 0.00033" for a run asked at the default 0.001 and hid the first run and its time.
 */
class TuningRecordTest {

	@Test
	void theReportListsEveryTuningRunAndTheirTime() {
		DjlRuntime.init(null);
		final var d = CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 31).diffraction();
		try (Predictor p = Predictor.load("2d", "cpu")) {
			final FineTuning.Tuned t = FineTuning.predictTuned(p, d, 1, Progress.NONE);
			final Map<String, Object> r = t.toReport();
			@SuppressWarnings("unchecked")
			final List<Map<String, Object>> tries = (List<Map<String, Object>>) r.get("tries");
			// one run when it lowered χ², else a second at a third of the rate
			final boolean firstKept = FineTuning.keepsTuning(t.chi2Untuned(), (double) tries.get(0).get("chi2_tuned"));
			assertEquals(firstKept ? 1 : 2, tries.size(), r.toString());
			assertEquals(firstKept || FineTuning.keepsTuning(t.chi2Untuned(), (double) tries.get(tries.size() - 1).get("chi2_tuned")), t.tunedKept(), r.toString());
			assertEquals(FineTuning.DEFAULT_LEARNING_RATE, (double) tries.get(0).get("learning_rate"), 1e-15);
			if (tries.size() == 2) assertEquals(FineTuning.DEFAULT_LEARNING_RATE / 3, (double) tries.get(1).get("learning_rate"), 1e-15);
			final Map<String, Object> last = tries.get(tries.size() - 1);
			for (final String k : new String[] { "learning_rate", "physics_loss_before", "physics_loss_after" }) assertEquals(r.get(k), last.get(k), k + ": the top level is the last run");
			assertEquals(r.get("chi2_tuned"), last.get("chi2_tuned"));
			double sum = 0;
			for (final Map<String, Object> x : tries) sum += (double) x.get("seconds");
			assertEquals(sum, (double) r.get("seconds"), 1e-12, "seconds of all runs");
			assertTrue(sum > 0);
		}
	}
}
