package sc.fiji.cdi.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.fiji.CdiSettings;
import sc.fiji.cdi.phasing.Backends;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;

/** One rule for every thread count: 0 = all cores, never more than the cores, whichever way the number came. */
class ThreadsTest {

	private static final int CORES = Runtime.getRuntime().availableProcessors();

	@Test
	void zeroMeansAllCoresAndNothingExceedsThem() {
		assertEquals(CORES, Threads.resolve(0));
		assertEquals(CORES, Threads.resolve(-3));
		assertEquals(1, Threads.resolve(1));
		assertEquals(CORES, Threads.resolve(100000));
		assertEquals(Threads.resolve(100000), ReconstructionPipeline.threads(100000), "the explicit path uses the same rule");
	}

	@Test
	void aCappedCountSaysSoNamingTheKey() {
		assertNull(Threads.capNote("threads", 1, "phasing uses"));
		final String note = Threads.capNote("threads", 100000, "phasing uses");
		assertTrue(note.startsWith("threads=100000 is more than the " + CORES + " available processors: phasing uses " + CORES + " threads"), note);
	}

	@Test
	void storedAutomaticAndExplicitCountsAreCappedAlike() {
		assertEquals(CORES, new CdiSettings(CdiSettings.Device.AUTO, 100000, null).effectiveThreads(), "a stored count");
		assertEquals(CORES, CdiSettings.defaults().effectiveThreads(), "the automatic count");
		assertEquals(CORES, ((JTransformsBackend) Backends.select("jtransforms", Grid.cube(8), 100000)).threads(), "a backend's pool");
	}

	@Test
	void pytorchNeverGetsMoreThreadsThanCores() {
		final String intra = System.getProperty("ai.djl.pytorch.num_threads"), inter = System.getProperty("ai.djl.pytorch.num_interop_threads");
		try {
			DjlRuntime.setThreads(100000, 100000);
			assertEquals(Integer.toString(CORES), System.getProperty("ai.djl.pytorch.num_threads"));
			assertEquals(Integer.toString(CORES), System.getProperty("ai.djl.pytorch.num_interop_threads"));
		} finally {
			restore("ai.djl.pytorch.num_threads", intra);
			restore("ai.djl.pytorch.num_interop_threads", inter);
		}
	}

	private static void restore(final String key, final String value) {
		if (value == null) System.clearProperty(key); else System.setProperty(key, value);
	}
}
