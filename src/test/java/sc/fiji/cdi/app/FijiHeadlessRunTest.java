package sc.fiji.cdi.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.console.ConsoleService;
import org.scijava.startup.StartupService;

/**
 * {@code fiji --headless --run "<command>" '<args>'} through scijava-common's own console handling, as Fiji's launcher
 * runs it (ConsoleService.processArgs, then StartupService.executeOperations): a failed CDI command must end the JVM
 * with status 1 and its reason; a good one must not. scijava-common's RunArgument alone would give 0 either way
 * (its startup operation's exceptions are only logged) — checked below as well.
 */
class FijiHeadlessRunTest {

	private final List<Integer> exits = new ArrayList<>();
	private IntConsumer saved;

	@BeforeEach
	void captureExit() {
		saved = CdiRunArgument.exit;
		CdiRunArgument.exit = exits::add;
		System.setProperty("java.awt.headless", "true");
	}

	@AfterEach
	void restore() { CdiRunArgument.exit = saved; }

	/** Runs the arguments as Fiji does; returns what was logged. */
	private static String fiji(final String... args) {
		final PrintStream old = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try (Context context = new Context()) {
			context.service(ConsoleService.class).processArgs(args);
			context.service(StartupService.class).executeOperations();
		} finally {
			System.setErr(old);
		}
		return buf.toString(StandardCharsets.UTF_8);
	}

	@Test
	void aFailedCommandEndsWithStatusOneAndItsReason(@TempDir final Path tmp) {
		final Path missing = tmp.resolve("scan54.tif");
		final String log = fiji("--headless", "--run", "Reconstruct", "input=\"" + missing + "\",output_dir=\"" + tmp.resolve("out") + "\"");
		assertEquals(List.of(1), exits, log);
		assertTrue(log.contains("Reconstruct failed: Parameter 'input': " + missing + " does not exist"), log);
		assertEquals(1, log.split(java.util.regex.Pattern.quote(missing + " does not exist"), -1).length - 1, "the reason in one line, not twice: " + log);
		assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
	}

	@Test
	void aGoodCommandDoesNotExitAndFijisSyntaxIsParsed(@TempDir final Path tmp) {
		// Fiji's syntax (ParseService): quoted text, bare numbers
		fiji("--headless", "--run", "Simulate Crystal", "dimensions=\"2D\",size=32,seed=7,output_dir=\"" + tmp + "\"");
		assertEquals(List.of(), exits);
		assertTrue(tmp.toFile().list().length > 0, "Simulate Crystal wrote nothing");
	}

	@Test
	void anUnquotedTextValueIsRefusedWithStatusTwo(@TempDir final Path tmp) {
		// the parser Fiji uses (ParseService) refuses a bare word: shape=polygon must be shape="polygon"
		final String log = fiji("--headless", "--run", "Simulate Crystal", "shape=polygon,size=32,output_dir=\"" + tmp + "\"");
		assertEquals(List.of(2), exits, log); // a bad command line (docs/cluster.md)
		assertTrue(log.contains("Unknown variable: polygon") && log.contains("double quotes"), log);
		assertEquals(0, tmp.toFile().list().length, "nothing ran");
	}

	@Test
	void aValueOutsideItsChoicesOrTypeIsRefusedWithStatusTwo(@TempDir final Path tmp) {
		// ParseService reads seed="abc" as text; SciJava would keep the default seed silently: the one check refuses it
		String log = fiji("--headless", "--run", "Reconstruct", "input=\"" + tmp + "\",output_dir=\"" + tmp.resolve("out") + "\",seed=\"abc\"");
		assertEquals(List.of(2), exits, log);
		assertTrue(log.contains("'seed': 'abc' is not a whole number"), log);
		exits.clear();
		log = fiji("--headless", "--run", "Reconstruct", "input=\"" + tmp + "\",output_dir=\"" + tmp.resolve("out") + "\",centring=\"middle\"");
		assertEquals(List.of(2), exits, log);
		assertTrue(log.contains("'middle' is not one of the choices; expected one of: max, centre_of_mass"), log);
		assertFalse(Files.exists(tmp.resolve("out")), "nothing ran");
	}
}
