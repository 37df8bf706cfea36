package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;

/** User-facing messages say what is wrong. */
class MessagesTest {

	@Test
	void aDoubledStarAfterACountIsNamed() {
		final CdiException e = assertThrows(CdiException.class, () -> Recipe.parse("10**ER"));
		assertTrue(e.getMessage().contains("doubled '*'") && e.getMessage().contains("10*ALG") && e.getMessage().contains("ALG**10"), e.getMessage());
		assertFalse(e.getMessage().contains("expected '*'"), e.getMessage());
		assertTrue(assertThrows(CdiException.class, () -> Recipe.parse("10ER")).getMessage().contains("expected '*' after the count 10"));
		assertEquals(50, Recipe.parse("HIO**50").totalIterations());
	}

	@Test
	void unknownKeyListsParametersNotSectionHeaders() {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Phase Retrieval", "bogus=1");
		assertEquals(2, r.code, r.err);
		assertTrue(r.err.contains("has no parameter 'bogus'") && r.err.contains("recipe") && r.err.contains("output_dir"), r.err);
		assertFalse(r.err.contains("_section"), r.err);
		final HeadlessRun header = HeadlessRun.of("--headless", "--run", "Phase Retrieval", "input_section=\"x\"");
		assertEquals(2, header.code, "a section header is not a key: " + header.err);
	}

	@Test
	void aFolderTheSystemRefusesIsNotCalledMissing(@TempDir final Path tmp) throws Exception {
		final String refused = AtomicOutput.describe(new NoSuchFileException(tmp.resolve("cdi").toString()));
		assertTrue(refused.contains("refused") && refused.contains(tmp + " exists") && !refused.contains("does not exist"), refused);
		final String missing = AtomicOutput.describe(new NoSuchFileException(tmp.resolve("no/such/cdi").toString()));
		assertTrue(missing.contains("a folder on the way does not exist"), missing);
		assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux /proc");
		final Path in = tmp.resolve("x.tif");
		sc.fiji.cdi.io.TiffWriter.write(in, new sc.fiji.cdi.data.RealVolume(sc.fiji.cdi.data.Grid.of2D(16, 16), new float[256]));
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"/proc/cdi\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("/proc/cdi") && !r.err.contains("does not exist"), r.err);
	}
}
