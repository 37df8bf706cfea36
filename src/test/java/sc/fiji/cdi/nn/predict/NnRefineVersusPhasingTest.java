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
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.pipeline.MultiStart;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.util.Progress;

/**
 * Why {@link NnRefine#DEFAULT_REFINEMENT} is what it is: on crystals of the independent held-out family (never seen in
 * training), the network start refined once must solve at least as many as Reconstruct's default phasing (its
 * default number of random starts, ranked, averaged, polished: {@link MultiStart}), end with a χ² not worse on most,
 * and cost at most a third of its iterations. The first six 2D 128² crystals of the seed-16 set; measured on
 * 30 Nov (eighth session, the branched default): refinement χ² below phasing's on all six (e.g. 0.000218 against
 * 0.000258, 0.000436 against 0.000475), 6 against 4 solved. The 190-iteration recipe before it ended above phasing on 2 of them (0.000272 against
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
		assertTrue(3 * Refinement.parse(NnRefine.DEFAULT_REFINEMENT).totalIterations() <= starts * Recipe.parse(phasing.recipe()).totalIterations(),
			"the refinement must cost at most a third of default phasing's iterations");
	}

	/**
	 * Why the default refinement branches: held-out 3D crystal 3 of seed 16 (64³, Poisson noise) is one where a single
	 * trajectory from the network start ({@code 10*ER+600*HIO+40*ER+50*CG}, the default before) ends above eight averaged
	 * random starts (χ² 0.01174 against 0.01139, correlation 0.948, not solved; measured with
	 * {@code HeldOutEvaluation --starts 1 --phasing-starts 8}). The averaged branches end lower (0.01133) and solve it.
	 */
	@Test
	@Tag("slow")
	void averagedBranchesReachBelowOneTrajectoryOnANoisyHeldOut3DCrystal() {
		final SimulatedCrystal x = HeldOutCrystals.crystal(Grid.cube(64), 16, 3);
		final Diffraction d = x.diffraction();
		final JTransformsBackend backend = new JTransformsBackend(1);
		final PhasingParameters p = NnRefine.parameters(PhasingParameters.defaults());
		try (Predictor net = Predictor.load("3d", "cpu")) {
			final Prediction pr = net.predict(d);
			final PhasingResult one = NnRefine.refine(d, pr, p, Refinement.parse("10*ER+600*HIO+40*ER+50*CG"), backend, Progress.NONE);
			final PhasingResult branched = NnRefine.refine(d, pr, p, backend, Progress.NONE);
			final double c1 = Quality.compare(one.object(), x.object(), x.support()).amplitudeCorrelation();
			final double cb = Quality.compare(branched.object(), x.object(), x.support()).amplitudeCorrelation();
			System.out.printf("held-out 3D crystal 3: one trajectory chi2 %.6f corr %.3f | default (branched) chi2 %.6f corr %.3f%n", one.finalChi2(), c1, branched.finalChi2(), cb);
			assertTrue(branched.finalChi2() < 0.98 * one.finalChi2(), "branched chi2 " + branched.finalChi2() + " against one trajectory's " + one.finalChi2());
			// solved; whether the single trajectory also reaches 0.95 depends on HIO's chaos (the network's last bits vary
			// with PyTorch's thread count, set by whichever test started the engine: 0.948 and 0.974 seen), so no ordering
			assertTrue(cb >= 0.95, "correlation with the truth: branched " + cb + ", one trajectory " + c1);
		}
	}
}
