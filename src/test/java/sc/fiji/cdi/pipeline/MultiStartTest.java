package sc.fiji.cdi.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.phasing.FreePixels;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.TestObjects;
import sc.fiji.cdi.simulate.PoissonNoise;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

class MultiStartTest {

	private static final JTransformsBackend BACKEND = new JTransformsBackend(2);

	/** A 2D crystal (ellipse, smooth phase) of 26×34 pixels in a 96² box, Poisson counts with 1e7 photons. */
	private static TestObjects.Sample noisySample() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(96, 96), new double[] { 1, 13, 17 }, 1.5);
		final Diffraction clean = s.diffraction();
		final float[] counts = PoissonNoise.apply(clean.values.data, 1e7, 7);
		return new TestObjects.Sample(s.object(), s.support(), clean.withValues(new RealVolume(clean.grid(), counts), clean.quantity, null, "poisson", "photons", 1e7));
	}

	/** Every start's result is kept until ranking: too many for the memory are refused before the first start runs. */
	@Test
	void startsThatWouldNotFitAreRefusedBeforeTheFirst() {
		final Diffraction data = noisySample().diffraction();
		final int[] calls = { 0 };
		final Progress counting = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long done, final long total) { calls[0]++; }
			@Override public boolean isCancelled() { return false; }
		};
		final long oneStart = Phaser.estimateBytes(data.grid(), BACKEND) + 2L * 9 * data.grid().size();
		try (var g = sc.fiji.cdi.util.MemoryGuard.withAvailable(() -> oneStart + 50L * 9 * data.grid().size())) {
			final CdiException e = assertThrows(CdiException.class,
				() -> MultiStart.run(data, PhasingParameters.defaults().withRecipe("10*ER"), 400, BACKEND, counting));
			assertTrue(e.getMessage().contains("400 starts (random_starts)") && e.getMessage().contains("fewer random_starts"), e.getMessage());
			assertEquals(0, calls[0], "refused before any start ran");
			// as many as fit run
			assertEquals(3, MultiStart.run(data, PhasingParameters.defaults().withRecipe("10*ER"), 3, BACKEND, Progress.NONE).starts().size());
		}
	}

	/**
	 * The acceptance: a start with a loose support (a box of 0.75 of each axis: more unknowns than measured
	 * pixels) fits the pixels it saw better than the start with the crystal's own support, so χ² ranks it first;
	 * the free log-likelihood on the held-out pixels ranks the crystal first, and {@link MultiStart#combine} picks it.
	 */
	@Test
	void freeLogLikelihoodPicksTheCrystalWhereChi2PicksTheLooseSupport() {
		final TestObjects.Sample s = noisySample();
		final Diffraction data = s.diffraction();
		final Mask free = FreePixels.select(data, 3);
		final double ratio = (double) free.unmeasuredCount() / data.grid().size();
		assertTrue(ratio > 0.03 && ratio < 0.06, "about 5 % free pixels, got " + ratio);
		final Diffraction fitted = FreePixels.holdOut(data, free);
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("20*ER+150*HIO+50*ER").withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(1);
		final Phaser phaser = new Phaser(BACKEND);
		final PhasingResult crystal = phaser.run(fitted, p.withSeed(1), new InitialGuess(null, s.support()), Progress.NONE);
		final PhasingResult loose = phaser.run(fitted, p.withSeed(2), new InitialGuess(null, Phaser.boxSupport(data.grid(), 0.75)), Progress.NONE);
		assertTrue(loose.finalChi2() < crystal.finalChi2(), "χ² alone must pick the loose support here: loose " + loose.finalChi2() + ", crystal " + crystal.finalChi2());
		final double llkCrystal = FreePixels.poissonLlk(crystal.object(), data, free), llkLoose = FreePixels.poissonLlk(loose.object(), data, free);
		System.out.printf("ranking case: chi2 crystal %.5f loose %.5f; free LLK crystal %.3f loose %.3f%n", crystal.finalChi2(), loose.finalChi2(), llkCrystal, llkLoose);
		assertTrue(llkCrystal < 0.5 * llkLoose, "free LLK: crystal " + llkCrystal + ", loose " + llkLoose);

		final MultiStart.Result r = MultiStart.combine(data, free, List.of(loose, crystal), p, BACKEND);
		assertEquals("free_llk", r.rankedBy());
		assertEquals(1, r.best(), "the crystal start ranks first");
		assertEquals(1, r.starts().get(1).rank());
		assertEquals(2, r.starts().get(0).rank());
		final Quality.Comparison q = Quality.compare(r.result().object(), s.object(), s.support());
		assertTrue(q.amplitudeCorrelation() > 0.9, "presented result is the crystal: amplitude correlation " + q.amplitudeCorrelation());
	}

	/** Free pixels avoid the centre and masked pixels; the LLK of the true object on noise-free data is 0. */
	@Test
	void freePixelsAndLogLikelihood() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.cube(32), new double[] { 6, 7, 8 }, 1.0);
		final Diffraction clean = s.diffraction();
		final boolean[] bad = new boolean[clean.grid().size()];
		for (int i = 0; i < bad.length; i += 7) bad[i] = true;
		final Diffraction masked = sc.fiji.cdi.preprocess.Preprocessor.applyMask(clean, Mask.fromUnmeasured(clean.grid(), bad));
		final Mask free = FreePixels.select(masked, 11);
		final Grid g = clean.grid();
		int n = 0;
		for (int z = 0, i = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++, i++) {
			if (!free.isUnmeasured(i)) continue;
			n++;
			assertTrue(!bad[i], "masked pixel " + i + " is not free");
		}
		assertEquals(n, free.unmeasuredCount());
		assertTrue(n > 0.03 * g.size() && n < 0.06 * g.size(), "about 5 %: " + n);
		assertTrue(!free.isUnmeasured(g.index(16, 16, 16)), "the centre is never free");
		assertEquals(0, FreePixels.poissonLlk(s.object(), clean, free), 1e-6);
		final sc.fiji.cdi.data.ComplexVolume twice = new sc.fiji.cdi.data.ComplexVolume(g, s.object().data.clone());
		for (int i = 0; i < twice.data.length; i++) twice.data[i] *= 1.2f;
		assertTrue(FreePixels.poissonLlk(twice, clean, free) > 1e-3, "a wrong scale costs likelihood");
	}

	/** Three starts of a small simulated crystal: every start in the record, the best averaged, a PRTF, a centred result. */
	@Test
	void threeStartsAreRecordedAveragedAndCentred() {
		final sc.fiji.cdi.simulate.SimulatedCrystal c = sc.fiji.cdi.simulate.CrystalSimulator.simulate(Grid.cube(32),
			sc.fiji.cdi.simulate.SimulationParameters.defaults().withSizeFraction(0.4).withPhotons(1e8), 4);
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("20*ER+100*HIO+30*ER");
		final MultiStart.Result r = MultiStart.run(c.diffraction(), p, 3, BACKEND, Progress.NONE);
		assertEquals(3, r.starts().size());
		assertEquals("free_llk", r.rankedBy());
		assertTrue(r.freePixels() > 0);
		for (final MultiStart.Start st : r.starts()) {
			assertEquals(p.seed() + st.index(), st.seed());
			assertTrue(st.seconds() > 0 && Double.isFinite(st.freeLlk()) && st.chi2() < 0.1, st.toString());
		}
		assertEquals(1, r.starts().get(r.best()).rank());
		assertTrue(r.averaged() >= 1 && r.averaged() <= 2, "best half of 3 = 2 at most: " + r.averaged());
		if (r.averaged() >= 2) {
			assertNotNull(r.prtf());
			assertTrue(r.prtf().resolutionVoxels() >= 1 && r.prtf().resolutionVoxels() < 8, "resolution " + r.prtf().resolutionVoxels());
		}
		final double[] com = sc.fiji.cdi.phasing.Moments.centreOfMass(c.diffraction().grid(), r.result().support());
		for (int d = 0; d < 3; d++) assertEquals(16, com[d], 1.0, "centred, axis " + d);
		final Quality.Comparison q = Quality.compare(r.result().object(), c.object(), c.support());
		assertTrue(q.amplitudeCorrelation() > 0.9, "amplitude correlation " + q.amplitudeCorrelation());
		assertTrue(r.result().finalChi2() < 0.05, "χ² of the average on all pixels " + r.result().finalChi2());
	}

	@Test
	void aSeededStartRunsItsOwnRecipeAndAFailedSeedBecomesARandomStart() {
		final TestObjects.Sample s = noisySample();
		final Diffraction data = s.diffraction();
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("10*ER+60*HIO+20*ER");
		final PhasingParameters shortRecipe = p.withRecipe("10*ER+20*HIO+10*ER");
		final boolean[] sawFreePixels = { false };
		// a seed from the support it is given; the data it sees must have the free pixels held out
		final MultiStart.Seeded good = new MultiStart.Seeded((fitted, progress) -> {
			sawFreePixels[0] = fitted.unmeasuredCount() > 0;
			return new InitialGuess(null, s.support());
		}, shortRecipe);
		final List<long[]> reports = new java.util.ArrayList<>();
		final Progress recording = new Progress() {
			@Override public void status(final String message) {}
			@Override public void progress(final long done, final long total) { reports.add(new long[] { done, total }); }
			@Override public boolean isCancelled() { return false; }
		};
		final MultiStart.Result r = MultiStart.run(data, p, 2, BACKEND, recording, good);
		assertTrue(sawFreePixels[0], "the seeder sees the data without the free pixels");
		assertEquals(40, r.starts().get(0).iterations());
		assertEquals(90, r.starts().get(1).iterations());
		// progress counts iterations over both starts (40 + 90), one total, never falling: the short seeded start is
		// 40/130 of the work, not half of it (a headless ETA extrapolates from this fraction)
		assertEquals(40 + 90, reports.size());
		for (int i = 0; i < reports.size(); i++) {
			assertEquals(130, reports.get(i)[1]);
			assertEquals(i + 1, reports.get(i)[0], "report " + i);
		}
		assertEquals(null, r.seededFailure());
		// a seeder that fails (as a network with an empty predicted support does): start 0 runs as a random start
		final MultiStart.Seeded failing = new MultiStart.Seeded((fitted, progress) -> { throw new CdiException("The model predicted an empty support"); }, shortRecipe);
		final MultiStart.Result f = MultiStart.run(data, p, 2, BACKEND, null, failing);
		assertEquals(2, f.starts().size());
		assertEquals(90, f.starts().get(0).iterations());
		assertTrue(f.seededFailure().contains("empty support"), f.seededFailure());
		// a cancellation is not a failure to recover from
		final MultiStart.Seeded cancelled = new MultiStart.Seeded((fitted, progress) -> { throw new CancelledException(); }, shortRecipe);
		assertThrows(CancelledException.class, () -> MultiStart.run(data, p, 2, BACKEND, null, cancelled));
	}
}
