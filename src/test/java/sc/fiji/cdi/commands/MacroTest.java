package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;

/** The shipped batch macro, run by ImageJ 1's own interpreter with run("Reconstruct", …) routed to our command. */
class MacroTest {

	@Test
	void theFolderMacroReconstructsEveryStack(@TempDir final Path tmp) throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("scans"));
		for (long seed = 1; seed <= 2; seed++)
			TiffWriter.write(in.resolve("scan" + seed + ".tif"), CrystalSimulator.simulate(Grid.of2D(48, 48),
				SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), seed).diffraction().values);
		Files.writeString(in.resolve("notes.txt"), "not a scan");
		final Path out = tmp.resolve("recon");
		Files.createDirectories(out);
		final int code = Main.run("-macro", Path.of("macros/Reconstruct_Folder.ijm").toString(),
			"input_dir=[" + in + "] output_dir=[" + out + "] recipe=[20*ER+60*HIO+20*ER]");
		assertEquals(0, code);
		for (long seed = 1; seed <= 2; seed++) {
			assertTrue(Files.exists(out.resolve("scan" + seed + "_amplitude.tif")), "scan" + seed);
			final String report = Files.readString(out.resolve("scan" + seed + "_report.json"));
			assertTrue(report.contains("\"iterations\": 100"), report.substring(0, 200));
		}
		try (var s = Files.list(out)) {
			assertEquals(12, s.count(), "5 files and the manifest per scan, nothing for notes.txt");
		}
	}

	@Test
	void theFolderMacroListsFailedScansAndExitsWithOne(@TempDir final Path tmp) throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("scans"));
		TiffWriter.write(in.resolve("a.tif"), CrystalSimulator.simulate(Grid.of2D(32, 32),
			SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 1).diffraction().values);
		TiffWriter.write(in.resolve("b.tif"), new sc.fiji.cdi.data.RealVolume(Grid.of2D(32, 32), new float[32 * 32])); // all zeros: refused
		// an earlier run's result in the input folder is skipped, not read as a (failing) pattern
		TiffWriter.write(in.resolve("old_amplitude.tif"), new sc.fiji.cdi.data.RealVolume(Grid.of2D(32, 32), new float[32 * 32]));
		final Path out = tmp.resolve("recon");
		final java.io.PrintStream oldOut = System.out, oldErr = System.err;
		final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
		final java.io.PrintStream capture = new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8);
		final int code;
		try {
			System.setOut(capture);
			System.setErr(capture);
			code = Main.run("-macro", Path.of("macros/Reconstruct_Folder.ijm").toString(),
				"input_dir=[" + in + "] output_dir=[" + out + "] recipe=[10*ER]");
		} finally {
			System.setOut(oldOut);
			System.setErr(oldErr);
		}
		final String text = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
		assertEquals(1, code, "a failed scan makes the headless run fail: " + text);
		assertTrue(text.contains("Reconstruct_Folder: 1 reconstructed, 1 failed: b.tif (") && text.contains("zeros"), text);
		assertTrue(Files.exists(out.resolve("a_manifest.json")), "the good scan is reconstructed");
		assertTrue(!Files.exists(out.resolve("b_manifest.json")));
		// the last scan (b.tif) failed, so the property the macro reads holds its reason
		assertTrue(System.getProperty(CdiCommand.LAST_FAILURE_PROPERTY, "").contains("zeros"), System.getProperty(CdiCommand.LAST_FAILURE_PROPERTY));
	}
}
