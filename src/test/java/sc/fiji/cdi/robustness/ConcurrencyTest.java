package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;

/**
 * Two reconstructions running at the same time in one JVM (two Fiji commands, two macro threads) give bit-identical
 * results to the same two run one after the other: no shared mutable state. JTransforms' FFT thread count is a JVM
 * global that each session sets before its FFTs, so the runs use different thread counts on purpose: results must
 * not depend on the thread count at all, or a parallel neighbour could change them.
 */
class ConcurrencyTest {

	private static final PhasingParameters P = PhasingParameters.defaults().withRecipe("5*ER+20*HIO+5*ER").withAverageLast(3);

	private static Diffraction data(final long seed) {
		return CrystalSimulator.simulate(new Grid(16, 64, 64), SimulationParameters.defaults().withPhotons(1e7), seed).diffraction();
	}

	private static PhasingResult phase(final Diffraction d, final int threads, final long seed) {
		return new Phaser(new JTransformsBackend(threads)).run(d, P.withSeed(seed), null, null);
	}

	private static void assertIdentical(final PhasingResult a, final PhasingResult b, final String what) {
		assertArrayEquals(a.object().data, b.object().data, what + ": object");
		assertArrayEquals(a.support(), b.support(), what + ": support");
		assertArrayEquals(a.chi2History(), b.chi2History(), what + ": χ² history");
		assertEquals(a.finalChi2(), b.finalChi2(), 0.0, what + ": final χ²");
	}

	/**
	 * 16×64×64 = 65536 voxels is JTransforms' threshold for its multithreaded 3D path, so 2 and 3 threads really split
	 * the FFT. The iterates (object, support) are bit-identical; the χ² diagnostics are sums of per-thread partial
	 * sums and agree to ~1e-13 relative, not bitwise.
	 */
	@Test
	void resultsDoNotDependOnTheThreadCount() {
		final Diffraction d = data(11);
		final PhasingResult one = phase(d, 1, 5), two = phase(d, 2, 5), three = phase(d, 3, 5);
		for (final PhasingResult other : new PhasingResult[] { two, three }) {
			assertArrayEquals(one.object().data, other.object().data, "object, 1 vs more threads");
			assertArrayEquals(one.support(), other.support(), "support, 1 vs more threads");
			for (int i = 0; i < one.chi2History().length; i++)
				assertEquals(one.chi2History()[i], other.chi2History()[i], 1e-12 * one.chi2History()[i], "χ² at iteration " + i);
		}
		assertTrue(one.finalChi2() < one.chi2History()[0], "the run converged at all: χ² " + one.chi2History()[0] + " → " + one.finalChi2());
	}

	@Test
	void parallelRunsEqualSequentialRuns() throws Exception {
		final Diffraction a = data(21), b = data(22);
		final PhasingResult seqA = phase(a, 2, 7), seqB = phase(b, 1, 8);
		final ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 2; round++) {
				final Future<PhasingResult> fa = pool.submit(() -> phase(a, 2, 7));
				final Future<PhasingResult> fb = pool.submit(() -> phase(b, 1, 8));
				assertIdentical(seqA, fa.get(), "scan A, round " + round);
				assertIdentical(seqB, fb.get(), "scan B, round " + round);
			}
		} finally {
			pool.shutdownNow();
		}
		// and the inputs were not touched by either run
		assertArrayEquals(data(21).values.data, a.values.data, "input A unchanged");
	}
}
