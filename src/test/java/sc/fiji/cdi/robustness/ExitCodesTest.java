package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.robustness.SignalTest.Run;

/**
 * Each row of the exit-code table in docs/cluster.md, run: 0 success (with a complete result set), 1 a command that
 * ran and failed, 2 a bad command line (an unterminated quote in the --run string, unquoted text, an unknown
 * command or key, a value outside its range), for {@code --run} and {@code -macro}; 143 and 137 are run in
 * {@link SignalTest}. The table and the runner's constants list the same codes.
 */
class ExitCodesTest {

	@Test
	void theDocumentedTableListsExactlyTheRunnersCodes() throws Exception {
		final String doc = Files.readString(Path.of("docs/cluster.md"));
		final Set<Integer> documented = new TreeSet<>();
		final Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(doc);
		while (m.find()) documented.add(Integer.parseInt(m.group(1)));
		assertEquals(new TreeSet<>(Set.of(Main.OK, Main.FAILED, Main.BAD_COMMAND_LINE, Main.SIGTERM, 137)), documented, "docs/cluster.md exit-code table");
	}

	@Test
	void eachCodeAsDocumented(@TempDir final Path tmp) throws Exception {
		final Grid g = new Grid(8, 16, 16);
		final float[] v = new float[g.size()];
		for (int i = 0; i < v.length; i++) v[i] = 1 + (i * 7) % 13;
		final Path in = tmp.resolve("scan 1.tif");
		TiffWriter.write(in, new RealVolume(g, v));
		final Path out = tmp.resolve("out");
		final String base = "input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"3*ER\",threads=1";

		Run r = SignalTest.inProcess("--headless", "--run", "Reconstruct", base);
		assertEquals(Main.OK, r.code(), r.err());
		assertTrue(Files.isRegularFile(out.resolve("scan 1_manifest.json")), "a finished run has its manifest");

		r = SignalTest.inProcess("--headless", "--run", "Reconstruct", base.replace("scan 1.tif", "scan 2.tif"));
		assertEquals(Main.FAILED, r.code(), r.err());
		assertTrue(r.err().contains("Reconstruct failed: ") && r.err().contains("scan 2.tif"), r.err());

		for (final String[] bad : new String[][] {
			{ "Reconstruct", base + ",recipe=\"5*ER", "quote is not closed" },
			{ "Reconstruct", base + ",seed=abc", "'abc' (the value of 'seed')" },
			{ "Reconstruct", base + ",threads=-4", "'threads'" },
			{ "Reconstruct", base + ",randm_starts=2", "random_starts" },
			{ "Reconstrct", base, "no command named 'Reconstrct'" } }) {
			r = SignalTest.inProcess("--headless", "--run", bad[0], bad[1]);
			assertEquals(Main.BAD_COMMAND_LINE, r.code(), bad[1] + ": " + r.err());
			assertTrue(r.err().contains(bad[2]), bad[1] + ": " + r.err());
			SignalTest.assertNoStackTrace(r.err());
		}
		r = SignalTest.inProcess("--headless", "--run");
		assertEquals(Main.BAD_COMMAND_LINE, r.code(), r.err());
		r = SignalTest.inProcess("-macro", tmp.resolve("no_such_macro.ijm").toString());
		assertEquals(Main.BAD_COMMAND_LINE, r.code(), r.err());
		final Path macro = Files.writeString(tmp.resolve("error.ijm"), "x = 1;\ny = undefinedVariable + 1;\n");
		r = SignalTest.inProcess("-macro", macro.toString());
		assertEquals(Main.FAILED, r.code(), r.err());
		assertFalse(Files.exists(tmp.resolve("scan 2_manifest.json")));
	}
}
