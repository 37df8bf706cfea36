package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.testutil.SmallStack;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * A bug (an unexpected exception or error inside a command) run headless: one line naming it and how to get the
 * details, exit code 1, nothing written — and the stack trace only when asked for with {@code -Dcdi.debug=true}.
 * The bug is injected through {@link AtomicOutput#faults} while the result is written.
 */
class UnexpectedErrorTest {

	@AfterEach
	void reset() {
		AtomicOutput.faults = null;
		System.clearProperty("cdi.debug");
	}

	private static HeadlessRun importWith(final Path tmp, final Throwable bug) throws Exception {
		final Path in = SmallStack.tiff(tmp.resolve("scan.tif"));
		AtomicOutput.faults = (step, file) -> {
			if (step.equals(AtomicOutput.STEP_WRITE) && file.getFileName().toString().endsWith("_diffraction.tif")) {
				if (bug instanceof RuntimeException r) throw r;
				throw (Error) bug;
			}
		};
		return HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("out") + "\"");
	}

	@Test
	void aBugIsOneLineWithoutAStackTrace(@TempDir final Path tmp) throws Exception {
		final HeadlessRun r = importWith(tmp, new IllegalStateException("injected bug"));
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("injected bug") && r.err.contains("-Dcdi.debug=true"), r.err);
		assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
		assertEquals(1, r.err.lines().filter(l -> l.contains("injected bug")).count(), r.err);
		assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
	}

	@Test
	void aBugShowsItsStackTraceWhenAskedFor(@TempDir final Path tmp) throws Exception {
		System.setProperty("cdi.debug", "true");
		final HeadlessRun r = importWith(tmp, new IllegalStateException("injected bug"));
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("\tat "), "the stack trace, asked for: " + r.err);
	}

	@Test
	void anErrorOfTheJavaRuntimeIsOneLineWithoutAStackTrace(@TempDir final Path tmp) throws Exception {
		final HeadlessRun r = importWith(tmp, new UnsatisfiedLinkError("injected: no libfoo in java.library.path"));
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("libfoo"), r.err);
		assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
		assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
	}
}
