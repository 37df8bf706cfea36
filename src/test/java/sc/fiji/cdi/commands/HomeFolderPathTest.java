package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.testutil.HeadlessRun;

/**
 * A path that starts with {@code ~} is the user's home folder, in {@code --run} strings and macros alike: the shell does
 * not expand it inside quotes, and Fiji passes it on as written, so {@code output_dir="~/recon"} made a folder named
 * "~" in the working directory. The home folder here is a temporary one ({@code user.home}).
 */
class HomeFolderPathTest {

	@TempDir
	Path home;

	private String savedHome;

	@BeforeEach
	void homeIsATemporaryFolder() throws Exception {
		savedHome = System.getProperty("user.home");
		System.setProperty("user.home", home.toString());
		TiffWriter.write(home.resolve("scan 1.tif"), CrystalSimulator.simulate(Grid.of2D(32, 32),
			SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3).diffraction().values);
	}

	@AfterEach
	void restoreHome() {
		System.setProperty("user.home", savedHome);
	}

	@Test
	void aLeadingTildeInARunStringIsTheHomeFolder() {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"~/scan 1.tif\",output_dir=\"~/imported\"");
		assertEquals(0, r.code, r.err);
		assertTrue(Files.exists(home.resolve("imported").resolve("scan 1_import_manifest.json")), "written into the home folder");
		assertFalse(Files.exists(Path.of("~")), "no folder named '~' in the working directory");
		assertTrue(r.out.contains(home.resolve("imported").toString()), "says where: " + r.out);
	}

	@Test
	void aLeadingTildeInAMacroIsTheHomeFolder() throws Exception {
		final Path macro = home.resolve("m.ijm");
		Files.writeString(macro, "run(\"Import Diffraction\", \"input=[~/scan 1.tif] output_dir=[~/from macro]\");\n"
			+ "if (getInfo(\"cdi.lastFailure\") != \"\") exit(getInfo(\"cdi.lastFailure\"));\n");
		assertEquals(0, Main.run("-macro", macro.toString()));
		assertTrue(Files.exists(home.resolve("from macro").resolve("scan 1_import_manifest.json")));
		assertFalse(Files.exists(Path.of("~")), "no folder named '~' in the working directory");
	}

	@Test
	void onlyALeadingTildeBeforeASeparatorIsExpanded() {
		assertEquals(home + "/x", ParameterCheck.home("~/x"));
		assertEquals(home.toString(), ParameterCheck.home("~"));
		assertEquals("~user/x", ParameterCheck.home("~user/x"));
		assertEquals("a/~/x", ParameterCheck.home("a/~/x"));
		assertEquals("/data/~x", ParameterCheck.home("/data/~x"));
	}
}
