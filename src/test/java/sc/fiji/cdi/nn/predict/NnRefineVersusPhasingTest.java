package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.bench.HeldOutCrystals;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.pipeline.MultiStart;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.util.Progress;

/**
 * Why {@link NnRefine#DEFAULT_RECIPE} is what it is: on crystals of the independent held-out family (never seen in
 * training), the network start refined once must solve at least as many as Reconstruct's default phasing (its
 * default number of random starts, ranked, averaged, polished: {@link MultiStart}), end with a χ² not worse on most,
 * and cost at most a third of its iterations. The first six 2D 128² crystals of the seed-16 set; measured on
 * 30 Nov: refinement χ² below phasing's on all six (e.g. 0.000237 against 0.000258, 0.000438 against 0.000475),
 * 6 against 4 solved. The 190-iteration recipe before it ended above phasing on 2 of them (0.000272 against
 * 0.000258, 0.000498 against 0.000475), which this test refuses.
 */
class NnRefineVersusPhasingTest {

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	@Test
	@Tag("slow")
	void theNetworkStartRefinedOnceMatchesDefaultPhasingOnHeldOutCrystals() {
		final Grid g = Grid.of2D(128, 128);
		final JTransformsBackend backend = new JTransformsBackend(1);
		final PhasingParameters phasing = PhasingParameters.defaults();
		final int n = 6, starts = MultiStart.defaultStarts(g);
		int phOk = 0, nnOk = 0, notWorse = 0;
		try (Predictor p = Predictor.load("2d-128", "cpu")) {
			for (int c = 0; c < n; c++) {
				final SimulatedCrystal x = HeldOutCrystals.crystal(g, 16, c);
				final Diffraction d = x.diffraction();
				final PhasingResult ph = MultiStart.run(d, phasing.withSeed(c + 1), starts, backend, null).result();
				final PhasingResult nn = NnRefine.refine(d, p.predict(d), NnRefine.parameters(phasing), backend, Progress.NONE);
				final double cp = Quality.compare(ph.object(), x.object(), x.support()).amplitudeCorrelation();
				final double cn = Quality.compare(nn.object(), x.object(), x.support()).amplitudeCorrelation();
				if (cp >= 0.95) phOk++;
				if (cn >= 0.95) nnOk++;
				if (nn.finalChi2() <= ph.finalChi2()) notWorse++;
				System.out.printf("held-out crystal %d: phasing (%d starts) corr %.3f chi2 %.6f | NN + refine corr %.3f chi2 %.6f%n",
					c, starts, cp, ph.finalChi2(), cn, nn.finalChi2());
			}
		}
		assertTrue(nnOk >= phOk, "NN + refine solved " + nnOk + " of " + n + ", default phasing " + phOk);
		assertTrue(notWorse >= n - 1, "NN + refine's chi2 not worse than default phasing's in only " + notWorse + " of " + n);
		assertTrue(3 * Recipe.parse(NnRefine.DEFAULT_RECIPE).totalIterations() <= starts * Recipe.parse(phasing.recipe()).totalIterations(),
			"the refinement must cost at most a third of default phasing's iterations");
	}
}
