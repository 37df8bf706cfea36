package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A non-ASCII path (a user's "é", a sample called "Au-ü") when Java runs in the C/POSIX locale, as on many cluster nodes
 * (LANG unset): Java then encodes file names as ASCII and the path cannot be used. The run must say so, naming the key
 * and the fix (a UTF-8 locale), not "Invalid parameter: Malformed input or input contains unmappable characters".
 * Runs the standalone runner in a child JVM started with LC_ALL=C (Linux; macOS always encodes file names as UTF-8).
 */
class LocalePathTest {

	private static String run(final Path tmp, final String... args) throws Exception {
		final Path log = tmp.resolve("child.txt");
		final List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), "sc.fiji.cdi.app.Main"));
		cmd.addAll(List.of(args));
		final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
		pb.environment().put("LC_ALL", "C");
		pb.environment().put("LANG", "C");
		final Process p = pb.start();
		assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
		return p.exitValue() + "\n" + Files.readString(log, StandardCharsets.ISO_8859_1);
	}

	/** Whether this JVM passes {@code text} to a child process as it is (arguments are encoded with sun.jnu.encoding). */
	static boolean argumentsCanHold(final String text) {
		try {
			return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder().canEncode(text);
		} catch (final IllegalArgumentException e) {
			return false;
		}
	}

	@Test
	void aNonAsciiPathInTheCLocaleNamesTheKeyAndTheFix(@TempDir final Path tmp) throws Exception {
		assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"));
		// the macro's text is read as UTF-8, so the path reaches the command with its "ü"
		final Path macro = Files.writeString(tmp.resolve("m.ijm"), "run(\"Import Diffraction\", \"input=[" + tmp + "/scan-\u00fc.tif] output_dir=[" + tmp
			+ "/out]\");\nif (getInfo(\"cdi.lastFailure\") != \"\") exit(getInfo(\"cdi.lastFailure\"));\n", StandardCharsets.UTF_8);
		final String r = run(tmp, "--headless", "-macro", macro.toString());
		assertTrue(r.startsWith("1\n"), r);
		assertTrue(r.contains("Parameter 'input'") && r.contains("LANG=C.UTF-8"), r);
		assertFalse(r.contains("Malformed input"), r);
		assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
	}

	@Test
	void aNonAsciiPathOnTheCommandLineInTheCLocaleIsABadCommandLine(@TempDir final Path tmp) throws Exception {
		assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"));
		// the child gets the "ü" as a shell gives it (UTF-8 bytes) only when this JVM encodes arguments as UTF-8: run
		// itself under LANG=C (a build on a cluster node), it passes "?", an ordinary file name that does not exist
		assumeTrue(argumentsCanHold("\u00fc"), "this JVM (sun.jnu.encoding " + System.getProperty("sun.jnu.encoding") + ") cannot pass a non-ASCII argument");
		final String r = run(tmp, "--headless", "--run", "Import Diffraction", "input=\"" + tmp + "/scan-\u00fc.tif\",output_dir=\"" + tmp + "/out\"");
		assertEquals("2", r.substring(0, r.indexOf('\n')), r);
		assertTrue(r.contains("Parameter 'input'") && r.contains("LANG=C.UTF-8"), r);
		assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
	}
}
