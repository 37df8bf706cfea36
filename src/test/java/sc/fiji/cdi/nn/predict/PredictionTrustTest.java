package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.bench.HeldOutCrystals;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.phasing.ErrorMetrics;
import sc.fiji.cdi.simulate.SimulatedCrystal;

class PredictionTrustTest {

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	@Test
	void mirroringIsAnInvolutionAboutTheCentreAndAConsistentAnswerHasNoDisagreement() {
		final Grid g = Grid.cube(8);
		final float[] v = new float[g.size()];
		for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(0.7 * i) + 1;
		for (int a = 0; a < 3; a++) {
			assertArrayEquals(v, Symmetry.mirror(g, Symmetry.mirror(g, v, a), a));
			assertEquals(v[g.index(4, 4, 4)], Symmetry.mirror(g, v, a)[g.index(4, 4, 4)]); // the centre stays
		}
		assertEquals(0, PredictionTrust.disagreement(g, v, new float[][] { v, v, v }), 1e-9);
		assertTrue(PredictionTrust.of(0.02, 0.01).trusted());
		assertFalse(PredictionTrust.of(0.05, 0.01).trusted());
		assertFalse(PredictionTrust.of(0.02, 0.2).trusted());
		assertTrue(PredictionTrust.of(0.2, 0.01).message().startsWith("do not use this prediction without refinement"));
	}

	@Test
	void everyPredictionCarriesItsChi2AndVerdict() {
		try (Predictor p = Predictor.load("3d", "cpu")) {
			final Diffraction d = HeldOutCrystals.crystal(Grid.cube(32), 15, 0).diffraction();
			final Prediction pr = p.predict(d);
			assertEquals(ErrorMetrics.chi2(NnRefine.initialGuess(pr, d).object(), d), pr.trust().chi2(), 1e-6);
			assertTrue(pr.trust().disagreement() >= 0 && pr.trust().disagreement() < 0.2, "disagreement " + pr.trust().disagreement());
			// the bundled model does not explain independent crystals well enough to be used unrefined (held-out chi2 0.14-0.36)
			assertFalse(pr.trust().trusted(), pr.trust().message());
			assertTrue(pr.log().steps().stream().anyMatch(s -> s.name().equals("nn_trust")));
		}
	}

	/**
	 * The verdict separates successes (correlation ≥ 0.95, phase RMS ≤ 0.3 rad) from the rest on crystals of the plugin's
	 * own simulator, which the bundled 2D network never saw (other seeds than the calibration's): most trusted
	 * predictions are successes and few flagged ones are.
	 */
	@Test
	void trustedPredictionsAreMostlySuccessesAndFlaggedOnesMostlyNot() {
		try (Predictor p = Predictor.load("2d", "cpu")) {
			final Grid g = Grid.of2D(64, 64);
			final CrystalRecipe r = p.card().training.dataRecipe != null ? p.card().training.dataRecipe : CrystalRecipe.defaults(2);
			int trusted = 0, trustedOk = 0, flagged = 0, flaggedOk = 0;
			for (int k = 0; k < 40; k++) {
				final SimulatedCrystal c = r.crystal(g, 4242L, k);
				final Prediction pr = p.predict(c.diffraction());
				final Quality.Comparison q = Quality.compare(NnRefine.initialGuess(pr, c.diffraction()).object(), c.object(), c.support());
				final boolean ok = q.amplitudeCorrelation() >= 0.95 && q.phaseRmsError() <= 0.3;
				if (pr.trust().trusted()) { trusted++; if (ok) trustedOk++; } else { flagged++; if (ok) flaggedOk++; }
			}
			final String counts = trusted + " trusted (" + trustedOk + " successes), " + flagged + " flagged (" + flaggedOk + " successes)";
			assertTrue(trusted >= 5 && flagged >= 5, counts);
			assertTrue(trustedOk >= 0.5 * trusted, counts);
			assertTrue(flaggedOk <= 0.15 * flagged, counts);
		}
	}
}
