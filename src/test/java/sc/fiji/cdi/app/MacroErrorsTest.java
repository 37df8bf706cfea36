package sc.fiji.cdi.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A macro error in the standalone runner ({@code -macro}) names the line ImageJ's own error dialog names ("… in line
 * N"), and an unknown {@code run("…")} is one line naming the command, not a HeadlessException stack trace.
 */
class MacroErrorsTest {

	private record Run(int code, String said) {}

	private static Run macro(final Path dir, final String text) throws Exception {
		final Path file = Files.writeString(dir.resolve("m.ijm"), text);
		final PrintStream out = System.out, err = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		final PrintStream both = new PrintStream(buf, true, StandardCharsets.UTF_8);
		System.setOut(both);
		System.setErr(both);
		try {
			return new Run(Main.run("-macro", file.toString()), buf.toString(StandardCharsets.UTF_8));
		} finally {
			System.setOut(out);
			System.setErr(err);
		}
	}

	@Test
	void anErrorIsReportedAtItsOwnLine(@TempDir final Path tmp) throws Exception {
		Run r = macro(tmp, "b=undefinedVar+1;\n");
		assertEquals(Main.FAILED, r.code(), r.said());
		assertTrue(r.said().contains("error at line 1: Undefined variable"), r.said());
		r = macro(tmp, "a=1;\nb=undefinedVar+1;\nc=3;\nprint(c);\n");
		assertTrue(r.said().contains("error at line 2: Undefined variable"), r.said());
		r = macro(tmp, "x = 1\nprint(\"a\" + );\n");
		assertTrue(r.said().contains("error at line 2:"), r.said());
		r = macro(tmp, "// c\nexit(\"boom here\");\n");
		assertEquals(Main.FAILED, r.code(), r.said());
		assertTrue(r.said().contains("exit(...) at line 2"), r.said());
	}

	@Test
	void anUnknownCommandIsOneLineNamingItAndTheClosestKnownNames(@TempDir final Path tmp) throws Exception {
		Run r = macro(tmp, "a=1;\nb=2;\nrun(\"Nope Command\", \"x=1\");\nprint(\"after unknown\");\n");
		assertEquals(Main.FAILED, r.code(), r.said());
		assertTrue(r.said().contains("error at line 3: Unrecognized command: \"Nope Command\""), r.said());
		assertFalse(r.said().contains("HeadlessException") || r.said().contains("\tat "), "no stack trace: " + r.said());
		assertFalse(r.said().contains("after unknown"), "the macro stops at the unknown command");
		assertEquals(1, r.said().strip().lines().count(), r.said());
		r = macro(tmp, "run(\"Reconstruct Everything\", \"input=[/nonexistent.npy]\");\n");
		assertTrue(r.said().contains("line 1: Unrecognized command: \"Reconstruct Everything\" (closest known: \"Reconstruct\""), r.said());
	}

	@Test
	void knownImageJCommandsStillRun(@TempDir final Path tmp) throws Exception {
		final Run r = macro(tmp, "newImage(\"a\", \"8-bit ramp\", 4, 4, 1);\nrun(\"Fire\");\nif (!is(\"Inverting LUT\") && getTitle() != \"a\") exit(\"no image\");\n");
		assertEquals(Main.OK, r.code(), r.said());
	}

	@Test
	void aMissingOrBinaryMacroFileIsNamed(@TempDir final Path tmp) throws Exception {
		final PrintStream err = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
		final Path binary = Files.write(tmp.resolve("bin.ijm"), new byte[] { (byte) 0xff, (byte) 0xfe, 0, (byte) 0xc3, 0x28 });
		try {
			assertEquals(Main.BAD_COMMAND_LINE, Main.run("-macro", tmp.resolve("none.ijm").toString()));
			assertEquals(Main.BAD_COMMAND_LINE, Main.run("-macro", binary.toString()));
		} finally {
			System.setErr(err);
		}
		final String said = buf.toString(StandardCharsets.UTF_8);
		assertTrue(said.contains("none.ijm: the file does not exist") && said.contains("bin.ijm: it is not a text file"), said);
	}

	/** ImageJ's menu commands are known by their names without the keyboard shortcut ("Select All[a]" in IJ_Props.txt). */
	@Test
	void aMenuCommandWithAShortcutIsKnown(@TempDir final Path tmp) throws Exception {
		final Run r = macro(tmp, "newImage(\"t\", \"8-bit black\", 8, 8, 1);\nrun(\"Select All\");\n");
		assertEquals(0, r.code(), r.said());
	}
}
