package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.testutil.HeadlessRun;

/** Headless commands whose results are only image outputs say so when no output folder is given. */
class NothingKeptWarningTest {

	@Test
	void simulateWithoutAnOutputFolderWarns() {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Simulate Crystal", "size=16,dimensions=\"2D\"");
		assertEquals(0, r.code, r.err);
		assertTrue(r.err.contains("Simulate Crystal without output_dir") && r.err.contains("output_dir=\"<folder>\""), r.err);
	}
}
