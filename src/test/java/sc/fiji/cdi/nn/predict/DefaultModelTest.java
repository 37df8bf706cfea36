package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.bench.NnEvaluation;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.phasing.ErrorMetrics;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.util.Progress;

/**
 * The bundled default models predict held-out simulated crystals (seeds never used in training). Since 30 Nov both
 * were trained with PyTorch on {@code tools/pytorch/crystals.py}, so the plugin's own simulator (drawn here with
 * the recipe their cards give for the crystal sizes) is a generator they never saw.
 */
class DefaultModelTest {

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	/** Median amplitude correlation after alignment (Quality.compare) over {@code n} held-out crystals. */
	private static double[] evaluate(final String model, final int n, final int size) { return evaluate(model, n, size, 0, 0); }

	/** The same with the crystals' size fractions drawn from [sizeMin, sizeMax] instead of the training range (0: as trained). */
	private static double[] evaluate(final String model, final int n, final int size, final double sizeMin, final double sizeMax) {
		try (Predictor p = Predictor.load(model, "cpu")) {
			final CrystalRecipe trained = p.card().training.dataRecipe;
			final CrystalRecipe recipe = sizeMin > 0 ? new CrystalRecipe(trained.base(), sizeMin, sizeMax, trained.phaseMin(), trained.phaseMax(), trained.photonsMin(), trained.photonsMax()) : trained;
			final Grid g = p.networkGrid().is2D() ? Grid.of2D(size, size) : Grid.cube(size);
			final List<SimulatedCrystal> crystals = new ArrayList<>();
			final List<Diffraction> data = new ArrayList<>();
			for (int k = 0; k < n; k++) {
				crystals.add(recipe.crystal(g, 987_654_321L, k));
				data.add(crystals.get(k).diffraction());
			}
			final List<Prediction> preds = p.predictAll(data, 8, Progress.NONE);
			final double[] corr = new double[n], chi2 = new double[n], bins = new double[n];
			for (int k = 0; k < n; k++) {
				final InitialGuess guess = NnRefine.initialGuess(preds.get(k), data.get(k));
				bins[k] = preds.get(k).binZyx()[2];
				assertEquals(g, guess.object().grid);
				corr[k] = Quality.compare(guess.object(), crystals.get(k).object(), crystals.get(k).support()).amplitudeCorrelation();
				chi2[k] = ErrorMetrics.chi2(guess.object(), data.get(k));
			}
			final double mc = NnEvaluation.median(corr), mx = NnEvaluation.median(chi2);
			System.out.printf("%s on %d held-out %s crystals (size %.2f-%.2f): median amplitude correlation %.3f, median chi2 %.4f, median x binning %.0f%n",
				model, n, g, recipe.sizeMin(), recipe.sizeMax(), mc, mx, NnEvaluation.median(bins));
			return new double[] { mc, mx, NnEvaluation.median(bins) };
		}
	}

	@Test
	void default2dModelPredictsHeldOutCrystals() {
		final double[] r = evaluate("2d", 24, 32); // measured: 0.920, chi2 0.048; third-stage 30 Nov model 0.943, 0.033
		assertTrue(r[0] >= 0.8, "median amplitude correlation " + r[0]);
		assertTrue(r[1] < 0.5, "median chi2 " + r[1]);
	}

	@Test
	void default3dModelPredictsHeldOutCrystals() {
		final double[] r = evaluate("3d", 16, 32); // measured: 0.919, chi2 0.114
		assertTrue(r[0] >= 0.85, "median amplitude correlation " + r[0]);
	}

	@Test
	void nnPlusRefineFitsTheDataFarBetterThanTheNetworkAlone() {
		try (Predictor p = Predictor.load("2d", "cpu")) {
			final SimulatedCrystal c = p.card().training.dataRecipe.crystal(p.networkGrid(), 987_654_321L, 1);
			final Prediction pr = p.predict(c.diffraction());
			final double nn = ErrorMetrics.chi2(NnRefine.initialGuess(pr, c.diffraction()).object(), c.diffraction());
			final sc.fiji.cdi.phasing.PhasingResult r = NnRefine.refine(c.diffraction(), pr, NnRefine.parameters(sc.fiji.cdi.phasing.PhasingParameters.defaults()),
				new sc.fiji.cdi.phasing.JTransformsBackend(1), Progress.NONE);
			final double corr = Quality.compare(r.object(), c.object(), c.support()).amplitudeCorrelation();
			System.out.printf("NN chi2 %.4f -> NN + refine chi2 %.5f after %d iterations, amplitude correlation %.3f%n", nn, r.finalChi2(), r.iterations(), corr);
			// measured 0.0599 -> 0.00021 with the 22 Nov 32² model, 0.0163 -> 0.00097 with the 30 Nov 64² one, 0.0234 -> 0.00084 with the
			// PyTorch-trained one, 0.0139 -> 0.00157 (correlation 0.977) with its third-stage successor, whose start alone fits 1.7x better
			assertTrue(r.finalChi2() < nn / 5 && r.finalChi2() < 0.003, "refined chi2 " + r.finalChi2() + " vs NN " + nn);
			assertTrue(corr > 0.9, "refined amplitude correlation " + corr);
		}
	}

	@Test
	void default2d128ModelPredictsLargerPatternsAtTheirOwnResolution() {
		// 128² patterns of the plugin's simulator (which it never saw): measured 0.863 on these 8; on 48 others 0.904
		// against 0.911 for the 64² network, which sees their central 64², with the far better phase (0.21 against
		// 0.55 rad; docs/models.md)
		final double[] r = evaluate("2d-128", 8, 128);
		assertTrue(r[0] >= 0.8, "median amplitude correlation " + r[0]);
		assertEquals(1, r[2], 0, "median binning along x");
		try (Predictor p = Predictor.load(ModelFolder.forData("auto", Grid.of2D(128, 128)), "cpu")) {
			assertEquals(Grid.of2D(128, 128), p.networkGrid());
		}
	}

	@Test
	void default2dModelHandlesLargerPatternsByCropping() {
		// 64² patterns of objects of the same box fraction: cropping to 32² keeps the oversampling
		final double[] r = evaluate("2d", 8, 64); // measured: 0.903; third-stage 30 Nov model 0.937
		assertTrue(r[0] >= 0.75, "median amplitude correlation " + r[0]);
	}

	@Test
	void default3dModelBinsSmallCrystalsInLargerPatterns() {
		// a crystal of 0.15-0.22 of a 64³ box (like the 3D-CDI-NN example crop) is binned 2x to the 0.3-0.45 the model
		// was trained on, instead of being cropped to a 32³ box where it would be half as large as anything seen in training
		final double[] r = evaluate("3d", 8, 64, 0.15, 0.22);
		assertEquals(2, r[2], 0, "median binning along x");
		assertTrue(r[0] >= 0.85, "median amplitude correlation " + r[0]);
		// crystals of the trained fractions are not binned
		assertEquals(1, evaluate("3d", 4, 64)[2], 0);
	}
}
