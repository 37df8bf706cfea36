package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.simulate.PoissonNoise;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

class RefinementTest {

	@Test
	void aPlainRecipeIsOneTrajectory() {
		final Refinement r = Refinement.parse(" 10*ER+600*HIO+40*ER+50*CG ");
		assertEquals(0, r.branches());
		assertEquals(700, r.totalIterations());
		assertEquals("10*ER+600*HIO+40*ER+50*CG", r.toString());
	}

	@Test
	void aBranchedRefinementCountsEveryRun() {
		final Refinement r = Refinement.parse("10*ER+600*HIO|3X 40*ER |100*CG");
		assertEquals("10*ER+600*HIO", r.trunk());
		assertEquals(3, r.branches());
		assertEquals("40*ER", r.branch());
		assertEquals("100*CG", r.polish());
		// trunk 610, three branches and the plain trajectory 4 x 40, two polishes 2 x 100
		assertEquals(970, r.totalIterations());
		assertEquals(r, Refinement.parse(r.toString()));
	}

	@Test
	void badRefinementsSayWhatIsWrong() {
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 40*ER | 50*CG")).getMessage().contains("expected the number of branches"));
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 3x 40*ER")).getMessage().contains("expected three"));
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 0x 40*ER | 50*CG")).getMessage().contains("0 branches"));
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 99x 40*ER | 50*CG")).getMessage().contains("expected 1 to 16"));
		// an empty part is named
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 3x | 5*CG")).getMessage().contains("branch recipe (after '3x') of the refinement"));
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse(" | 3x 40*ER | 100*CG")).getMessage().contains("trunk"));
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 3x 40*ER | ")).getMessage().contains("polish"));
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 3x 40*ER | 50*XY")).getMessage().contains("XY"));
		assertTrue(assertThrows(CdiException.class, () -> Refinement.parse(" ")).getMessage().contains("empty"));
	}

	/**
	 * A noisy pattern (Poisson, 10⁶ photons) refined from a good guess (the true object): the branched refinement keeps
	 * the better of its averaged branches and the trunk's plain continuation (never above the latter's χ²), stays close
	 * to the truth, counts every iteration, and its progress moves forward to the total.
	 */
	@Test
	void aBranchedRefinementKeepsTheBetterEnd() {
		final Grid g = Grid.of2D(96, 96);
		final TestObjects.Sample s = TestObjects.ellipsoid(g, new double[] { 1, 20, 14 }, 2.0);
		final float[] noisy = PoissonNoise.apply(s.diffraction().values.data, 1e6, 7);
		final Diffraction d = new Diffraction(new RealVolume(g, noisy), Quantity.INTENSITY, null, new sc.fiji.cdi.data.ProcessingLog(), "noisy ellipse");
		final InitialGuess guess = new InitialGuess(s.object().copy(), s.support());
		final PhasingParameters p = PhasingParameters.defaults().withTwinRemoval(false);
		final JTransformsBackend backend = new JTransformsBackend(1);
		final Refinement branched = Refinement.parse("10*ER+100*HIO | 4x 40*ER | 100*CG");
		final List<long[]> reports = new ArrayList<>();
		final List<String> statuses = new ArrayList<>();
		final Progress recording = new Progress() {
			@Override public void status(final String m) { statuses.add(m); }
			@Override public void progress(final long done, final long total) { reports.add(new long[] { done, total }); }
			@Override public boolean isCancelled() { return false; }
		};
		final PhasingResult b = branched.run(backend, d, p, guess, recording);
		final Phaser phaser = new Phaser(backend);
		final PhasingResult trunk = phaser.run(d, p.withRecipe("10*ER+100*HIO"), guess, Progress.NONE);
		final PhasingResult plain = phaser.run(d, p.withRecipe("40*ER+100*CG"), new InitialGuess(trunk.object(), trunk.support()), Progress.NONE);
		assertTrue(b.finalChi2() <= plain.finalChi2(), "branched chi2 " + b.finalChi2() + " against its plain end's " + plain.finalChi2());
		assertTrue(b.finalChi2() < 2e-3, "chi2 " + b.finalChi2());
		// the last status says which end was kept, and it is the one returned
		final String kept = statuses.get(statuses.size() - 1);
		assertTrue(kept.startsWith("refinement: kept "), kept);
		if (kept.contains("the plain trajectory (chi2")) assertEquals(plain.finalChi2(), b.finalChi2(), 1e-12 + 1e-9 * plain.finalChi2(), kept);
		else assertTrue(kept.contains("the average of 4 branches") && b.finalChi2() < plain.finalChi2(), kept);
		final double cb = Quality.compare(b.object(), s.object(), s.support()).amplitudeCorrelation();
		assertTrue(cb > 0.97, "correlation with the truth " + cb);
		assertEquals(branched.totalIterations(), b.iterations());
		long last = -1;
		for (final long[] r : reports) {
			assertEquals(branched.totalIterations(), r[1]);
			assertTrue(r[0] >= last && r[0] <= r[1], "progress goes forward within the total");
			last = r[0];
		}
		assertTrue(last >= branched.totalIterations() - 1, "progress reached " + last + " of " + branched.totalIterations());
	}

	@Test
	void aCancelledRefinementStops() {
		final Grid g = Grid.of2D(64, 64);
		final TestObjects.Sample s = TestObjects.ellipsoid(g, new double[] { 1, 12, 9 }, 1.0);
		final int[] calls = { 0 };
		final Progress cancelLater = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long done, final long total) { calls[0]++; }
			@Override public boolean isCancelled() { return calls[0] > 30; }
		};
		assertThrows(CancelledException.class, () -> Refinement.parse("10*ER+100*HIO | 3x 40*ER | 50*CG")
			.run(new JTransformsBackend(1), s.diffraction(), PhasingParameters.defaults(), new InitialGuess(s.object().copy(), s.support()), cancelLater));
	}

	/** Where one run fits but the branches' extra arrays do not, the refinement stops before it starts and says what fits. */
	@Test
	void branchesThatDoNotFitInMemorySayWhatWould() {
		final Grid g = Grid.of2D(64, 64);
		final TestObjects.Sample s = TestObjects.ellipsoid(g, new double[] { 1, 12, 9 }, 1.0);
		final JTransformsBackend backend = new JTransformsBackend(1);
		final long oneRun = Phaser.estimateBytes(g, backend);
		final int[] calls = { 0 };
		final Progress counting = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long done, final long total) { calls[0]++; }
			@Override public boolean isCancelled() { return false; }
		};
		try (var limit = sc.fiji.cdi.util.MemoryGuard.withAvailable(() -> oneRun + 1000)) {
			final CdiException e = assertThrows(CdiException.class, () -> Refinement.parse("10*ER | 3x 10*ER | 10*CG")
				.run(backend, s.diffraction(), PhasingParameters.defaults(), new InitialGuess(s.object().copy(), s.support()), counting));
			assertTrue(e.getMessage().contains("plain refinement recipe"), e.getMessage());
			assertEquals(0, calls[0], "nothing ran");
			// a plain recipe still runs within that memory
			assertTrue(Refinement.parse("10*ER").run(backend, s.diffraction(), PhasingParameters.defaults().withTwinRemoval(false), new InitialGuess(s.object().copy(), s.support()), Progress.NONE).finalChi2() < 1e-2);
		}
	}
}
