package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ij.IJ;
import ij.ImagePlus;
import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;

/**
 * The shipped batch macro (reconstruction → strain → figure → CSV summary), run by ImageJ 1's own macro interpreter
 * through {@code Main -macro}, with {@code run("Reconstruct", …)} and {@code run("Strain", …)} routed to our SciJava
 * commands as in Fiji.
 */
class BatchMacroTest {

	@Test
	void aFolderOfScansGivesReconstructionsFiguresAndASummary(@TempDir final Path tmp) throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("scans"));
		final String[] names = { "scan1", "scan2.5deg" }; // a dot inside a name stays in it, as Reconstruct names its outputs
		for (long seed = 1; seed <= 2; seed++)
			TiffWriter.write(in.resolve(names[(int) seed - 1] + ".tif"),
				CrystalSimulator.simulate(Grid.cube(32), SimulationParameters.defaults().withPhotons(1e8), seed).diffraction().values);
		Files.write(in.resolve("broken.npy"), new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 5 });
		Files.writeString(in.resolve("notes.txt"), "not a scan");
		final Path out = tmp.resolve("results with space");

		final int code = Main.run("-macro", Path.of("macros/Batch_Reconstruct_Strain.ijm").toString(),
			"input_dir=[" + in + "] output_dir=[" + out + "] recipe=[10*ER+40*HIO+10*ER] seed=3 voxel_size=10");
		assertEquals(1, code, "one scan failed: the batch goes on, then exits with code 1");

		final List<String> rows = Files.readAllLines(out.resolve("summary.csv"));
		assertEquals("scan,status,chi2,seconds,support_voxels,strain", rows.get(0));
		assertEquals(4, rows.size(), "header + 3 scans: " + rows);
		final boolean strainInstalled;
		try (Context c = new Context(CommandService.class)) {
			strainInstalled = Main.find(c.service(CommandService.class), "Strain") != null;
		}
		final String[] failedRow = rows.get(1).split(",", -1);
		assertEquals(6, failedRow.length, rows.get(1));
		assertEquals("broken", failedRow[0]);
		assertEquals("failed", failedRow[1]);
		assertTrue(failedRow[2].isEmpty() && Double.parseDouble(failedRow[3]) >= 0 && failedRow[4].isEmpty() && failedRow[5].isEmpty(), "the time is in the seconds column: " + rows.get(1));
		for (int s = 1; s <= 2; s++) {
			final String[] cols = rows.get(1 + s).split(",", -1);
			assertEquals(names[s - 1], cols[0]);
			assertEquals("ok", cols[1]);
			final JsonObject report = JsonParser.parseString(Files.readString(out.resolve(names[s - 1] + "_report.json"))).getAsJsonObject();
			assertEquals(report.get("final_chi2").getAsDouble(), Double.parseDouble(cols[2]), 1e-9 * Math.abs(report.get("final_chi2").getAsDouble()), "χ² in the CSV is the report's");
			assertTrue(Double.parseDouble(cols[2]) < 0.5, "converged somewhat: χ² " + cols[2]);
			assertTrue(Double.parseDouble(cols[3]) > 0, "time " + cols[3]);
			assertEquals(report.get("support_voxels").getAsLong(), Long.parseLong(cols[4]));
			assertEquals(strainInstalled ? "done" : "skipped", cols[5]);
			if (strainInstalled) assertTrue(Files.exists(out.resolve(names[s - 1] + "_strain.tif")));
			final ImagePlus fig = IJ.openImage(out.resolve(names[s - 1] + "_phase_centre.png").toString());
			assertEquals(32, fig.getWidth(), "figure is the central phase slice");
		}
	}

	/**
	 * README: a leading ~ is the home folder, in a macro too. The batch macros read their folders themselves
	 * (getFileList, File.makeDirectory, File.exists), which do not expand it: input_dir=~/scans listed nothing ("0
	 * reconstructed, 0 failed", exit code 0) and output_dir=~/recon made a folder named "~" in the working folder.
	 */
	@Test
	void theBatchMacrosReadALeadingTildeAsTheHomeFolder(@TempDir final Path home) throws Exception {
		final String saved = System.getProperty("user.home");
		System.setProperty("user.home", home.toString());
		try {
			final Path in = Files.createDirectories(home.resolve("scans"));
			TiffWriter.write(in.resolve("scan1.tif"), CrystalSimulator.simulate(Grid.of2D(32, 32),
				SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3).diffraction().values);
			assertEquals(0, Main.run("-macro", Path.of("macros/Reconstruct_Folder.ijm").toString(), "input_dir=[~/scans] output_dir=[~/recon] recipe=[10*ER+20*HIO+10*ER]"));
			assertTrue(Files.exists(home.resolve("recon").resolve("scan1_manifest.json")), "Reconstruct_Folder: the scan in ~/scans reconstructed into ~/recon");
			assertEquals(0, Main.run("-macro", Path.of("macros/Batch_Reconstruct_Strain.ijm").toString(), "input_dir=[~/scans] output_dir=[~/batch] recipe=[10*ER+20*HIO+10*ER] strain=false"));
			final List<String> rows = Files.readAllLines(home.resolve("batch").resolve("summary.csv"));
			assertEquals(2, rows.size(), rows.toString());
			assertTrue(rows.get(1).startsWith("scan1,ok,"), rows.toString());
			assertTrue(!Files.exists(Path.of("~")), "no folder named '~' in the working folder");
		} finally {
			System.setProperty("user.home", saved);
		}
	}

	/**
	 * A Strain step that fails (here refused: the folder holds the strain of another reconstruction of that name) is
	 * "failed" in the CSV, although an earlier run's scan1_strain.tif is there: the file alone said "done".
	 */
	@Test
	void aStrainStepThatFailsIsFailedInTheSummaryDespiteAnEarlierStrainFile(@TempDir final Path tmp) throws Exception {
		final boolean strainInstalled;
		try (Context c = new Context(CommandService.class)) {
			strainInstalled = Main.find(c.service(CommandService.class), "Strain") != null;
		}
		org.junit.jupiter.api.Assumptions.assumeTrue(strainInstalled);
		final Path in = Files.createDirectories(tmp.resolve("scans"));
		TiffWriter.write(in.resolve("scan1.tif"), CrystalSimulator.simulate(Grid.cube(32), SimulationParameters.defaults().withPhotons(1e8), 1).diffraction().values);
		final Path out = Files.createDirectories(tmp.resolve("out"));
		Files.writeString(out.resolve("scan1_strain.tif"), "an earlier run's");
		Files.writeString(out.resolve("scan1_strain_manifest.json"), "{\n  \"result\": \"scan1_strain\",\n  \"complete\": true,\n  \"input\": \""
			+ tmp.resolve("elsewhere").resolve("scan1_amplitude.tif") + "\",\n  \"files\": {\n    \"scan1_strain.tif\": 16\n  }\n}\n");
		Main.run("-macro", Path.of("macros/Batch_Reconstruct_Strain.ijm").toString(), "input_dir=[" + in + "] output_dir=[" + out + "] recipe=[10*ER+40*HIO+10*ER] seed=3");
		final List<String> rows = Files.readAllLines(out.resolve("summary.csv"));
		assertTrue(rows.get(1).startsWith("scan1,ok,") && rows.get(1).endsWith(",failed"), rows.toString());
	}

	/** A NumPy .npz archive (np.savez) is a scan for the batch macro, as for Import Diffraction and Reconstruct: it was skipped unsaid. */
	@Test
	void reconstructFolderTakesNpzArchives(@TempDir final Path tmp) throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("scans"));
		final float[] v = CrystalSimulator.simulate(Grid.of2D(32, 32), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3).diffraction().values.data;
		final String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (32, 32), }";
		final int pad = 64 - (10 + dict.length() + 1) % 64;
		final java.nio.ByteBuffer npy = java.nio.ByteBuffer.allocate(10 + dict.length() + pad + 1 + 4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		npy.put((byte) 0x93).put("NUMPY".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) (dict.length() + pad + 1))
			.put((dict + " ".repeat(pad) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		for (final float x : v) npy.putFloat(x);
		try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(in.resolve("scan2.npz")))) {
			zip.putNextEntry(new java.util.zip.ZipEntry("arr_0.npy"));
			zip.write(npy.array());
			zip.closeEntry();
		}
		final Path out = tmp.resolve("recon");
		assertEquals(0, Main.run("-macro", Path.of("macros/Reconstruct_Folder.ijm").toString(), "input_dir=[" + in + "] output_dir=[" + out + "] recipe=[10*ER+20*HIO+10*ER]"));
		assertTrue(Files.exists(out.resolve("scan2_manifest.json")), "the .npz reconstructed");
	}

	@Test
	void aMacroErrorGivesExitCodeOneAndTheReasonOnStderr(@TempDir final Path tmp) throws Exception {
		final Path macro = Files.writeString(tmp.resolve("bad.ijm"), "x = 1;\ny = undefinedFunction(x);\n");
		final java.io.PrintStream old = System.err;
		final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
		final int code;
		System.setErr(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
		try {
			code = Main.run("-macro", macro.toString());
		} finally {
			System.setErr(old);
		}
		final String err = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
		assertEquals(1, code, err);
		assertTrue(err.contains("bad.ijm") && err.contains("Undefined identifier"), err);
	}
}
