package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.Progress;

/** The recipe's CG iterations ({@link ConjugateGradient}): a descent on χ² that beats ER at the same cost. */
class ConjugateGradientTest {

	private static final TestObjects.Sample CRYSTAL = TestObjects.ellipsoid(Grid.cube(32), new double[] { 6, 7, 5 }, 2.0);

	/**
	 * A start near the solution, where a polish works: the truth with its amplitude off by up to ±20 % and its phase by
	 * up to ±0.3 rad, voxel by voxel, on the true support.
	 */
	private static InitialGuess nearStart() {
		final ComplexVolume start = CRYSTAL.object().copy();
		final java.util.SplittableRandom r = new java.util.SplittableRandom(7);
		for (int i = 0; i < CRYSTAL.support().length; i++) {
			final double a = 1 + 0.2 * (2 * r.nextDouble() - 1), t = 0.3 * (2 * r.nextDouble() - 1);
			final double re = start.data[2 * i], im = start.data[2 * i + 1];
			start.data[2 * i] = (float) (a * (re * Math.cos(t) - im * Math.sin(t)));
			start.data[2 * i + 1] = (float) (a * (re * Math.sin(t) + im * Math.cos(t)));
		}
		return new InitialGuess(start, CRYSTAL.support());
	}

	private static PhasingResult run(final String recipe, final int averageLast) {
		final PhasingParameters p = PhasingParameters.defaults().withRecipe(recipe).withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(averageLast);
		return new Phaser(new JTransformsBackend(1)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE);
	}

	@Test
	void cgLowersChi2MonotonicallyAndFasterThanErAtTheSameCost() {
		// one CG iteration costs two modulus projections, one ER iteration one
		final PhasingResult er = run("120*ER", 0), cg = run("60*CG", 0);
		final double[] h = cg.chi2History();
		for (int i = 1; i < h.length; i++) assertTrue(h[i] <= h[i - 1], "χ² rose at CG iteration " + i + ": " + h[i - 1] + " → " + h[i]);
		System.out.printf("From near the solution on the true support, 32³: start χ² %.3e, 120 ER χ² %.3e, 60 CG χ² %.3e%n", h[0], er.finalChi2(), cg.finalChi2());
		assertTrue(cg.finalChi2() < 0.75 * er.finalChi2(), "60 CG " + cg.finalChi2() + " against 120 ER " + er.finalChi2());
		assertEquals(cg.finalChi2(), ErrorMetrics.chi2(cg.object(), CRYSTAL.diffraction()), 1e-9, "the result is the last iterate");
		for (int i = 0; i < CRYSTAL.support().length; i++)
			if (!CRYSTAL.support()[i]) assertEquals(0f, Math.abs(cg.object().data[2 * i]) + Math.abs(cg.object().data[2 * i + 1]), "outside the support");
	}

	@Test
	void aFinalCgBlockPolishesTheAverage() {
		final PhasingResult averaged = run("40*ER", 10), polished = run("40*ER+10*CG", 10);
		assertEquals(50, polished.iterations());
		// the CG block starts from the average of ER iterations 30–39, so it starts at the averaged run's χ²
		assertEquals(averaged.finalChi2(), polished.chi2History()[40], 1e-6 * averaged.finalChi2());
		assertTrue(polished.finalChi2() < 0.8 * averaged.finalChi2(), "polished " + polished.finalChi2() + " against the average " + averaged.finalChi2());
	}

	@Test
	void withPositivityCgRunsAsEr() {
		final PhasingParameters p = PhasingParameters.defaults().withPositivity(true).withTwinRemoval(false).withShrinkWrapPeriod(0).withAverageLast(0);
		final Phaser phaser = new Phaser(new JTransformsBackend(1));
		final PhasingResult cg = phaser.run(CRYSTAL.diffraction(), p.withRecipe("5*ER+5*CG"), nearStart(), Progress.NONE);
		final PhasingResult er = phaser.run(CRYSTAL.diffraction(), p.withRecipe("10*ER"), nearStart(), Progress.NONE);
		assertEquals(er.finalChi2(), cg.finalChi2(), 0, "CG keeps no positivity, so it runs as ER there");
		assertEquals(10, cg.iterations());
	}

	@Test
	void withoutMemoryForItsArraysCgRunsAsErAndSaysSo() {
		final PhasingParameters p = PhasingParameters.defaults().withTwinRemoval(false).withShrinkWrapPeriod(0).withAverageLast(0);
		final java.util.List<String> said = new java.util.ArrayList<>();
		final Progress listening = new Progress() {
			@Override public void status(final String message) { said.add(message); }
			@Override public void progress(final long done, final long total) {}
			@Override public boolean isCancelled() { return false; }
		};
		final PhasingResult er = new Phaser(new JTransformsBackend(1)).run(CRYSTAL.diffraction(), p.withRecipe("10*ER"), nearStart(), Progress.NONE);
		final PhasingResult cg;
		// enough for the run itself (~2 MB at 32³), not for the CG arrays plus their margin (~65 MB)
		try (var g = sc.fiji.cdi.util.MemoryGuard.withAvailable(() -> 32L << 20)) {
			cg = new Phaser(new JTransformsBackend(1)).run(CRYSTAL.diffraction(), p.withRecipe("5*ER+5*CG"), nearStart(), listening);
		}
		assertEquals(er.finalChi2(), cg.finalChi2(), 0, "ER instead of CG");
		assertTrue(said.stream().anyMatch(m -> m.contains("Not enough memory for the CG iterations") && m.contains("ER instead")), said.toString());
	}

	/**
	 * CG's elementwise passes split over the backend's threads: the same polish on 2 and 3 threads ends where it ends on
	 * one (to rounding: the partial sums are added in another order), and twice on 3 threads bit-identically.
	 */
	@Test
	void cgOnSeveralThreadsPolishesAsOnOne() {
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("5*ER+30*CG").withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(0);
		final PhasingResult one = new Phaser(new JTransformsBackend(1)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE);
		for (final int threads : new int[] { 2, 3 }) {
			final PhasingResult r = new Phaser(new JTransformsBackend(threads)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE);
			assertEquals(one.finalChi2(), r.finalChi2(), 1e-4 * one.finalChi2(), threads + " threads against one");
		}
		final PhasingResult a = new Phaser(new JTransformsBackend(3)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE),
			b = new Phaser(new JTransformsBackend(3)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE);
		org.junit.jupiter.api.Assertions.assertArrayEquals(a.object().data, b.object().data, "the same thread count, the same result");
		assertTrue(one.finalChi2() < 0.5 * one.chi2History()[5], "the CG block polished: " + one.chi2History()[5] + " → " + one.finalChi2());
	}

	/** Names of the live threads of the phasing's loop pools ({@link ChunkedLoops}). */
	private static java.util.Set<Thread> loopThreads() {
		final java.util.Set<Thread> t = new java.util.HashSet<>();
		for (final Thread th : Thread.getAllStackTraces().keySet()) if (th.isAlive() && th.getName().startsWith("cdi-phasing-")) t.add(th);
		return t;
	}

	/**
	 * The CG loops' threads end with the run, finished or cancelled inside the CG block: a batch of polishes leaves no
	 * idle pool behind.
	 */
	@Test
	void cgThreadsEndWithTheRun() throws InterruptedException {
		final java.util.Set<Thread> before = loopThreads();
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("2*ER+4*CG").withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(0);
		for (int r = 0; r < 4; r++) new Phaser(new JTransformsBackend(3)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE);
		final int[] calls = { 0 };
		final Progress cancelInCg = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long done, final long total) { calls[0]++; }
			@Override public boolean isCancelled() { return calls[0] > 4; }
		};
		org.junit.jupiter.api.Assertions.assertThrows(sc.fiji.cdi.util.CancelledException.class,
			() -> new Phaser(new JTransformsBackend(3)).run(CRYSTAL.diffraction(), p, nearStart(), cancelInCg));
		final long deadline = System.nanoTime() + 5_000_000_000L;
		java.util.Set<Thread> left;
		do {
			left = loopThreads();
			left.removeAll(before);
			if (left.isEmpty()) break;
			Thread.sleep(50);
		} while (System.nanoTime() < deadline);
		assertTrue(left.isEmpty(), "loop threads still alive after the runs: " + left);
	}

	@Test
	void everyBackendPolishesAlike() {
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("10*ER+10*CG").withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(5);
		final double reference = new Phaser(new JTransformsBackend(1)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE).finalChi2();
		for (final String name : new String[] { "fftw", "djl" }) {
			final double chi2 = new Phaser(Backends.select(name, CRYSTAL.object().grid, 1)).run(CRYSTAL.diffraction(), p, nearStart(), Progress.NONE).finalChi2();
			assertEquals(reference, chi2, 0.02 * reference, name + " against jtransforms");
		}
	}

	@Test
	void cgParsesInBothSyntaxes() {
		assertEquals(25, Recipe.parse("20*ER+5*CG").totalIterations());
		assertEquals(5, Recipe.parse("CG**5 * ER**20").count(Recipe.Algorithm.CG));
		assertEquals(Recipe.Algorithm.CG, Recipe.parse("20*ER+5*cg").algorithmAt(24));
	}
}
