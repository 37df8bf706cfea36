package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * Real signals at chosen steps of the standalone runner (child JVMs, {@link FaultChild}): SIGTERM while the results
 * are staged → exit 143, "no output was written" and truly nothing written; SIGTERM during the final moves → the set
 * completes and the message says so; kill -9 during the moves → the visible files are refused by readers and the next
 * run into the folder removes them and writes a complete set; a second run into a folder where the same result is
 * being written is refused. Never a stack trace on stderr.
 */
class SignalTest {

	@TempDir
	static Path tmp;
	private static Path input;

	@BeforeAll
	static void pattern() {
		final int n = 16;
		final Grid g = Grid.cube(n);
		final float[] v = new float[g.size()];
		for (int z = 0; z < n; z++) for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) {
			final double a = 1e3 * sinc(z - n / 2) * sinc(y - n / 2) * sinc(x - n / 2);
			v[g.index(z, y, x)] = (float) (a * a);
		}
		input = tmp.resolve("cube16.tif");
		TiffWriter.write(input, new RealVolume(g, v));
	}

	private static double sinc(final int i) {
		final double q = Math.PI * i * 0.3;
		return q == 0 ? 1 : Math.sin(q) / q;
	}

	record Run(int code, String err) {}

	private static Process start(final String mode, final Path out) throws IOException {
		final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-Djava.awt.headless=true",
			"-Dcdi.shutdown.wait=20", "-cp", System.getProperty("java.class.path"), FaultChild.class.getName(), mode,
			"--headless", "--run", "Reconstruct", "input=\"" + input + "\",output_dir=\"" + out + "\",recipe=\"5*ER\",threads=1"));
		final Path err = Files.createTempFile(tmp, "child", ".err");
		final Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
		ERR.put(p, err);
		return p;
	}

	private static Run child(final String mode, final Path out) throws IOException, InterruptedException {
		return finish(start(mode, out));
	}

	private static final java.util.Map<Process, Path> ERR = new java.util.concurrent.ConcurrentHashMap<>();

	private static Run finish(final Process p) throws IOException, InterruptedException {
		assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not end");
		return new Run(p.exitValue(), Files.readString(ERR.remove(p), StandardCharsets.UTF_8));
	}

	static void assertNoStackTrace(final String err) {
		assertFalse(err.contains("\tat ") || err.contains("Exception in thread") || err.contains("Caused by:"), "stack trace on stderr:\n" + err);
	}

	private static List<String> visible(final Path dir) throws IOException {
		if (!Files.isDirectory(dir)) return List.of();
		try (Stream<Path> s = Files.list(dir)) { return s.map(p -> p.getFileName().toString()).sorted().toList(); }
	}

	@Tag("slow") // a child JVM each
@Test
	void sigtermWhileTheResultsAreStagedWritesNothingAndSaysSo() throws Exception {
		final Path out = tmp.resolve("term-staging");
		final Run r = child("term-at:" + AtomicOutput.STEP_WRITE + "#1", out);
		assertEquals(143, r.code(), r.err());
		assertTrue(r.err().contains("terminated by a signal (SIGTERM); no output was written"), r.err());
		assertNoStackTrace(r.err());
		assertFalse(Files.exists(out), "a cancelled run left " + visible(out));
	}

	@Tag("slow") // a child JVM each
@Test
	void sigtermDuringTheFinalMovesCompletesTheSetAndSaysSo() throws Exception {
		final Path out = tmp.resolve("term-moves");
		final Run r = child("term-at:" + AtomicOutput.STEP_MOVE + "#2", out);
		assertEquals(143, r.code(), r.err());
		assertTrue(r.err().contains("after its results were complete; they are kept"), r.err());
		assertNoStackTrace(r.err());
		AtomicOutput.checkComplete(out, "cube16", out.resolve("cube16_amplitude.tif"));
		assertTrue(visible(out).contains("cube16" + AtomicOutput.MANIFEST_SUFFIX), visible(out).toString());
		assertEquals(List.of(), visible(out).stream().filter(n -> n.startsWith(".")).toList(), "hidden leftovers");
	}

	@Tag("slow") // a child JVM each
@Test
	void killDuringTheFinalMovesLeavesARefusedSetThatTheNextRunReplaces() throws Exception {
		final Path out = tmp.resolve("kill-moves");
		final Run r = child("kill-at:" + AtomicOutput.STEP_MOVE + "#3", out);
		assertEquals(137, r.code(), r.err());
		assertTrue(visible(out).stream().anyMatch(n -> n.startsWith("cube16_")), "the kill came after two moves: " + visible(out));
		final var refused = org.junit.jupiter.api.Assertions.assertThrows(sc.fiji.cdi.util.CdiException.class,
			() -> AtomicOutput.checkComplete(out, "cube16", out.resolve("cube16_amplitude.tif")));
		assertTrue(refused.getMessage().contains("incomplete result set"), refused.getMessage());
		// the Strain command, a reader of Reconstruct's files, refuses it with that message
		final Run strain = inProcess("--headless", "--run", "Strain", "amplitude_file=\"" + out.resolve("cube16_amplitude.tif") + "\",lattice_constant=0.4");
		assertEquals(1, strain.code(), strain.err());
		assertTrue(strain.err().contains("incomplete result set"), strain.err());
		// the next run into the folder cleans up and writes a complete set
		final Run again = inProcess("--headless", "--run", "Reconstruct", "input=\"" + input + "\",output_dir=\"" + out + "\",recipe=\"5*ER\",threads=1");
		assertEquals(0, again.code(), again.err());
		AtomicOutput.checkComplete(out, "cube16", out.resolve("cube16_amplitude.tif"));
		assertEquals(List.of(), visible(out).stream().filter(n -> n.startsWith(".")).toList(), "hidden leftovers");
	}

	@Tag("slow") // a child JVM
	@Test
	void aRunInAnotherProcessHoldsTheResultAndASignalStopsItCleanly() throws Exception {
		final Path out = tmp.resolve("other-process");
		final Process p = start("sleep-at:" + AtomicOutput.STEP_WRITE + "#1", out);
		final long deadline = System.nanoTime() + 90_000_000_000L;
		while (!Files.isDirectory(out.resolve(".cube16.cdi-staging")) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
		assertTrue(p.isAlive(), "the child ended early");
		final Run second = inProcess("--headless", "--run", "Reconstruct", "input=\"" + input + "\",output_dir=\"" + out + "\",recipe=\"5*ER\",threads=1");
		assertEquals(1, second.code(), second.err());
		assertTrue(second.err().contains("being written by another run"), second.err());
		new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor(); // SIGTERM while the other process writes
		final Run first = finish(p);
		assertEquals(143, first.code(), first.err());
		assertTrue(first.err().contains("no output was written"), first.err());
		assertNoStackTrace(first.err());
		assertFalse(Files.exists(out), "nothing left: " + visible(out));
	}

	@Test
	void aSecondRunIntoAFolderWhereTheSameResultIsBeingWrittenIsRefused() throws Exception {
		final Path out = tmp.resolve("locked");
		try (AtomicOutput.ResultSet first = AtomicOutput.ResultSet.open(out, "cube16")) {
			final Run r = inProcess("--headless", "--run", "Reconstruct", "input=\"" + input + "\",output_dir=\"" + out + "\",recipe=\"5*ER\",threads=1");
			assertEquals(1, r.code(), r.err());
			assertTrue(r.err().contains("being written by another run"), r.err());
			assertNoStackTrace(r.err());
		}
		assertFalse(Files.exists(out), "the refused run and the released reservation leave no folder");
	}

	static Run inProcess(final String... args) {
		final PrintStream old = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try {
			return new Run(Main.run(args), buf.toString(StandardCharsets.UTF_8));
		} finally {
			System.setErr(old);
		}
	}
}
