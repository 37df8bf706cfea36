package sc.fiji.cdi.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
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

	/**
	 * The acceptance: a start with a loose support (a box of 0.75 of each axis: more unknowns than measured
	 * pixels) fits the pixels it saw better than the start with the crystal's own support, so χ² ranks it first;
	 * the free log-likelihood on the held-out pixels ranks the crystal first, and {@link MultiStart#combine} picks it.
	 */
	@Test
	void freeLogLikelihoodPicksTheCrystalWhereChi2PicksTheLooseSupport() {
		final TestObjects.Sample s = noisySample();
		final Diffraction data = s.diffraction();
		final boolean[] free = FreePixels.select(data, 3);
		final double ratio = (double) FreePixels.count(free) / data.grid().size();
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
}
