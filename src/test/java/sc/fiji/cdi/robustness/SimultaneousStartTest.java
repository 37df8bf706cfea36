package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.testutil.SmallStack;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * Different scans into one output folder run side by side (docs/cluster.md), also when they start at the same
 * moment, as the tasks of a job array do: each run's early check that the folder is writable must not take a lock
 * that another run's check holds. Deterministic: the other run's check is held open while this run starts.
 */
class SimultaneousStartTest {

	@Test
	void anotherRunsWritabilityCheckDoesNotRefuseThisRun(@TempDir final Path tmp) throws Exception {
		final Path in = SmallStack.tiff(tmp.resolve("scan55.tif"));
		final Path out = Files.createDirectories(tmp.resolve("recon"));
		// what another task's ResultWriter.checkWritable holds at this instant (before this fix: the shared probe name)
		try (AtomicOutput.ResultSet otherProbe = AtomicOutput.ResultSet.open(out, "cdi-write-test")) {
			ResultWriter.checkWritable(out);
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + in + "\",output_dir=\"" + out + "\"");
			assertEquals(0, r.code, r.err);
		}
		assertTrue(Files.exists(out.resolve("scan55_import_manifest.json")));
		try (var s = Files.list(out)) {
			assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("cdi-write-test")), "no probe left behind");
		}
	}
}
