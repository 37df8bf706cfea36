package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;

/** The commands run the way a cluster job runs them: {@code java -jar … --headless --run "<label>" '<args>'}. */
class HeadlessCommandsTest {

	private static Path simulated2D(final Path dir, final long seed) { return simulated2D(dir, seed, 64); }

	/** A simulated polygon's 2D Bragg pattern of n² pixels, written as {@code scan<seed>.tif}. */
	private static Path simulated2D(final Path dir, final long seed, final int n) {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(n, n),
			SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), seed);
		final Path f = dir.resolve("scan" + seed + ".tif");
		TiffWriter.write(f, c.diffraction().values);
		return f;
	}

	/** A headless run and the report it wrote. */
	private record Ran(HeadlessRun run, JsonObject report) {}

	/** Reconstruct, headless, on a simulated 128² Bragg pattern ({@code scan<seed>.tif}) with these extra options; it must exit 0. */
	private static Ran reconstruct128(final Path tmp, final long seed, final String options) throws java.io.IOException {
		final Path in = simulated2D(tmp, seed, 128), out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\"" + options);
		assertEquals(0, r.code, r.err);
		return new Ran(r, JsonParser.parseString(Files.readString(out.resolve("scan" + seed + "_report.json"))).getAsJsonObject());
	}

	/**
	 * Reconstruct without mode= (mode=auto) on a 2D Bragg pattern of 128²: the network start, refined, as measured to
	 * win on such patterns; the log and the report say which mode ran and why. With recipe= it phases (below).
	 */
	@Test
	void autoModeRefinesTheNetworkStartOnA2DBraggPattern(@TempDir final Path tmp) throws Exception {
		final Ran ran = reconstruct128(tmp, 4, "");
		final HeadlessRun r = ran.run();
		final JsonObject report = ran.report();
		assertEquals("nn+refine", report.get("mode").getAsString());
		assertTrue(report.get("mode_auto").getAsString().startsWith("a 2D Bragg pattern of 128x128: nn+refine"), report.get("mode_auto").getAsString());
		assertTrue(report.has("nn_prediction"), "the network's start is recorded");
		assertTrue(r.out.contains("mode=auto: a 2D Bragg pattern of 128x128: nn+refine") || r.err.contains("mode=auto: a 2D Bragg pattern of 128x128: nn+refine"), r.out + r.err);
		assertTrue(report.get("final_chi2").getAsDouble() < 0.02, report.get("final_chi2").toString());
	}

	/**
	 * mode=auto chose the network, but its start cannot be made (here device=gpu on a machine whose PyTorch sees no
	 * GPU, as a laptop without the natives fails): phasing runs instead, the log warns and the report carries no trace
	 * of the failed network start. With mode=nn+refine the same failure is an error.
	 */
	@Test
	void autoModeFallsBackToPhasingWhenTheNetworkCannotStart(@TempDir final Path tmp) throws Exception {
		final Ran ran = reconstruct128(tmp, 5, ",device=\"gpu\"");
		final HeadlessRun r = ran.run();
		final JsonObject report = ran.report();
		final Path in = tmp.resolve("scan5.tif");
		org.junit.jupiter.api.Assumptions.assumeFalse(report.has("nn_prediction"), "this machine's PyTorch sees a GPU: the network started");
		assertEquals("phasing", report.get("mode").getAsString());
		assertTrue(report.get("mode_auto_fell_back").getAsBoolean());
		assertTrue(report.get("mode_auto").getAsString().contains("the network start failed (Device 'gpu' was requested"), report.get("mode_auto").getAsString());
		for (final String k : new String[] { "model", "nn_refine_starts", "fine_tuning" }) assertFalse(report.has(k), k);
		assertEquals(8, report.get("random_starts").getAsInt(), "phasing as by default");
		assertTrue((r.out + r.err).contains("so phasing ran instead"), r.out + r.err);
		final HeadlessRun nn = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("nn") + "\",device=\"gpu\",mode=\"nn+refine\"");
		assertEquals(1, nn.code, nn.out + nn.err);
		assertTrue(nn.err.contains("Device 'gpu' was requested"), nn.err);
	}

	@Test
	void reconstructWritesAllOutputsAndAReportWithASmallChi2(@TempDir final Path tmp) throws Exception {
		final Path in = simulated2D(tmp, 3);
		final byte[] before = Files.readAllBytes(in);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"2*(20*ER+80*HIO)+40*ER\",seed=2");
		assertEquals(0, r.code, r.err);
		for (final String s : new String[] { "_amplitude.tif", "_phase.tif", "_support.tif", "_report.json", "_error.png" })
			assertTrue(Files.size(out.resolve("scan3" + s)) > 100, s);
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan3_report.json"))).getAsJsonObject();
		assertEquals(240, report.get("iterations").getAsInt());
		assertEquals(240, report.getAsJsonArray("chi2_history").size());
		final double chi2 = report.get("final_chi2").getAsDouble();
		assertTrue(chi2 < 0.02, "final χ² " + chi2);
		assertTrue(report.getAsJsonArray("processing").size() >= 2, "import and preprocessing steps recorded");
		assertEquals(8, report.get("random_starts").getAsInt(), "automatic number of starts for a 64² pattern");
		assertEquals("free_llk", report.get("ranked_by").getAsString());
		final var starts = report.getAsJsonArray("starts");
		assertEquals(8, starts.size());
		for (int k = 0; k < 8; k++) {
			final JsonObject st = starts.get(k).getAsJsonObject();
			assertEquals(2 + k, st.get("seed").getAsLong(), "start k uses seed + k");
			assertTrue(st.get("seconds").getAsDouble() > 0 && st.has("free_llk") && st.has("chi2_fitted_pixels") && st.has("rank"), st.toString());
		}
		assertTrue(report.getAsJsonObject("prtf").get("resolution_voxels").getAsDouble() >= 1, "PRTF resolution in the report");
		assertTrue(Files.readAllBytes(in).length == before.length && java.util.Arrays.equals(before, Files.readAllBytes(in)), "input unchanged");
		try (var s = Files.list(out)) {
			assertEquals(6, s.count(), "5 files and the manifest, no staging leftovers");
		}
	}

	@Test
	void partialCoherenceIsRecordedAndABadPsfIsRefusedBeforeAnyOutput(@TempDir final Path tmp) throws Exception {
		final Path in = simulated2D(tmp, 5);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"2*(20*ER+80*HIO)+40*ER\",random_starts=2,psf=\"pseudo-voigt,1,0.05,10\"");
		assertEquals(0, r.code, r.err);
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan5_report.json"))).getAsJsonObject();
		assertEquals("pseudo-voigt,1,0.05,10", report.getAsJsonObject("phasing_parameters").get("psf").getAsString());
		final var fwhm = report.getAsJsonArray("psf_fwhm_zyx");
		assertEquals(3, fwhm.size());
		// coherent data: the kernel narrows from its FWHM of 1 pixel
		assertTrue(fwhm.get(2).getAsDouble() < 1.0 && fwhm.get(1).getAsDouble() < 1.0, fwhm.toString());
		final Path out2 = tmp.resolve("out2");
		final HeadlessRun bad = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out2 + "\",psf=\"gauss,1\"");
		assertEquals(2, bad.code, "a malformed value is a bad command line (docs/cluster.md): " + bad.err);
		assertTrue(bad.err.contains("psf='gauss,1' is not known"), bad.err);
		assertFalse(Files.exists(out2.resolve("scan5_report.json")), "nothing written");
		// refused before the import: a damaged input with a bad psf names the psf, not the file
		final Path damaged = tmp.resolve("damaged.tif");
		Files.write(damaged, java.util.Arrays.copyOf(Files.readAllBytes(in), 200));
		final HeadlessRun early = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + damaged + "\",output_dir=\"" + out2 + "\",psf=\"gauss,1\"");
		assertTrue(early.err.contains("psf='gauss,1'"), early.err);
	}

	@Test
	void aMissingFileFailsWithExitCodeOneAndNamesTheFile(@TempDir final Path tmp) {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + tmp.resolve("nope.tif") + "\",output_dir=\"" + tmp + "\"");
		assertEquals(1, r.code);
		assertTrue(r.err.contains("nope.tif") && r.err.contains("does not exist"), r.err);
	}

	@Test
	void aBadRecipeFailsBeforeAnyOutputIsWritten(@TempDir final Path tmp) throws Exception {
		final Path in = simulated2D(tmp, 4);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"20*ER+*HIO\"");
		assertEquals(2, r.code, "a bad parameter value is a bad command line (docs/cluster.md)");
		assertTrue(r.err.toLowerCase().contains("recipe"), r.err);
		assertTrue(!Files.exists(out), "no output folder is made");
	}

	/**
	 * A key given twice in a --run string (a job line edited by appending seed=2 to one that has seed=1): Fiji's parser
	 * keeps the last value, which silently ran with one of two contradicting values; now a bad command line naming both.
	 */
	@Test
	void aKeyGivenTwiceIsABadCommandLineBeforeAnyOutput(@TempDir final Path tmp) throws Exception {
		final Path in = simulated2D(tmp, 6);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"5*ER\",seed=1,random_starts=1,seed=2");
		assertEquals(2, r.code, r.err);
		assertTrue(r.err.contains("Parameter 'seed' is given twice (the second time as seed=2)"), r.err);
		assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
		assertFalse(Files.exists(out), "no output folder is made");
		final HeadlessRun text = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"5*ER\",recipe=\"10*HIO\"");
		assertEquals(2, text.code, text.err);
		assertTrue(text.err.contains("'recipe' is given twice (the second time as recipe=\"10*HIO\")"), text.err);
	}

	/** dataset= names an array of an HDF5/NPZ file: with a TIFF (a wrong input, or a wrong key) it was silently ignored. */
	@Test
	void aDatasetForATiffInputIsRefusedNotIgnored(@TempDir final Path tmp) throws Exception {
		final Path in = simulated2D(tmp, 7);
		final Path out = tmp.resolve("out");
		for (final String command : new String[] { "Import Diffraction", "Reconstruct" }) {
			final String recipe = command.equals("Reconstruct") ? ",recipe=\"5*ER\"" : "";
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", command, "input=\"" + in + "\",dataset=\"/entry/data\",output_dir=\"" + out + "\"" + recipe);
			assertEquals(1, r.code, command + ": " + r.err);
			assertTrue(r.err.contains("dataset=/entry/data names an array inside an HDF5") && r.err.contains("is a TIFF file") && r.err.contains("or no dataset="), r.err);
			assertFalse(Files.exists(out.resolve("scan7_import_report.json")) || Files.exists(out.resolve("scan7_report.json")), "nothing written");
		}
		// the default, as Fiji's recorder writes it, is fine
		final HeadlessRun ok = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + in + "\",dataset=\"" + sc.fiji.cdi.io.ImportOptions.DEFAULT_HDF5_DATASET + "\",output_dir=\"" + out + "\"");
		assertEquals(0, ok.code, ok.err);
	}

	@Test
	void anUnknownCommandIsABadCommandLine() {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstrct", "input=\"x\"");
		assertEquals(2, r.code);
		assertTrue(r.err.contains("Reconstrct") && r.err.contains("Reconstruct"), r.err);
	}

	/** A failure is one line on stderr, "cdi: <command> failed: <reason>" (the command's own log line left out), in --run and in a macro. */
	@Test
	void aFailureIsReportedInOneLine(@TempDir final Path tmp) throws Exception {
		final Path missing = tmp.resolve("scan54.tif");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + missing + "\",output_dir=\"" + tmp.resolve("out") + "\"");
		assertEquals(1, r.code, r.err);
		final java.util.List<String> lines = (r.err + r.out).lines().filter(l -> l.contains("does not exist")).toList();
		assertEquals(java.util.List.of("cdi: Import Diffraction failed: Parameter 'input': " + missing + " does not exist; expected an existing file or folder."), lines, r.err);
		final Path macro = Files.writeString(tmp.resolve("m.ijm"), "run(\"Import Diffraction\", \"input=[" + missing + "] output_dir=[" + tmp.resolve("out") + "]\");\n");
		final java.io.PrintStream oldOut = System.out;
		final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
		System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
		final HeadlessRun m;
		try {
			m = HeadlessRun.of("--headless", "-macro", macro.toString());
		} finally {
			System.setOut(oldOut);
		}
		assertEquals(0, m.code, "a failed command is logged and the macro goes on, as in Fiji: " + m.err);
		assertEquals(1, (m.err + m.out + buf.toString(java.nio.charset.StandardCharsets.UTF_8)).lines().filter(l -> l.contains("does not exist")).count(), m.err + m.out);
	}

	@Test
	void simulateCrystalSaysWhereItsFilesWentAndDoesNotReplaceAnotherSimulationOfTheSameName(@TempDir final Path tmp) throws Exception {
		final String args = "dimensions=\"2D\",size=16,seed=7,output_dir=\"" + tmp + "\"";
		final HeadlessRun first = HeadlessRun.of("--headless", "--run", "Simulate Crystal", args);
		assertEquals(0, first.code, first.err);
		assertTrue(first.out.contains("crystal16_seed7") && first.out.contains("3 files in " + tmp.toAbsolutePath()), "says where the results went: " + first.out);
		assertEquals(0, HeadlessRun.of("--headless", "--run", "Simulate Crystal", args).code, "the same simulation again replaces its own files");
		final byte[] before = Files.readAllBytes(tmp.resolve("crystal16_seed7_intensity.tif"));
		// same size and seed, hence the same file names, but another crystal: the first one's files are kept
		final HeadlessRun other = HeadlessRun.of("--headless", "--run", "Simulate Crystal", args + ",shape=\"sphere\"");
		assertEquals(1, other.code, other.err);
		assertTrue(other.err.contains("shape=polyhedron") && other.err.contains("shape=sphere") && other.err.contains("output_dir"), other.err);
		assertArrayEquals(before, Files.readAllBytes(tmp.resolve("crystal16_seed7_intensity.tif")));
	}

	@Test
	void simulateCrystalByMenuLabelWritesTheTruth(@TempDir final Path tmp) throws Exception {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Simulate Crystal", "dimensions=\"2D\",size=32,seed=7,output_dir=\"" + tmp + "\"");
		assertEquals(0, r.code, r.err);
		for (final String s : new String[] { "_intensity.tif", "_true_amplitude.tif", "_true_phase.tif" })
			assertTrue(Files.exists(tmp.resolve("crystal32_seed7" + s)), s);
		final var d = sc.fiji.cdi.io.DiffractionReader.read(tmp.resolve("crystal32_seed7_intensity.tif"), sc.fiji.cdi.io.ImportOptions.defaults());
		assertEquals(Grid.of2D(32, 32), d.grid());
		assertTrue(d.values.max() > 0);
	}

	@Test
	void negativeValuesNameTheClampNegativeKeyWhichImportAndReconstructTake(@TempDir final Path tmp) throws Exception {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 5);
		final float[] v = c.diffraction().values.data.clone();
		v[0] = -3; v[1] = -1; // e.g. after a background subtraction
		final Path in = tmp.resolve("neg.tif");
		TiffWriter.write(in, new sc.fiji.cdi.data.RealVolume(Grid.of2D(64, 64), v));

		// the error names a key the commands really take
		final HeadlessRun refused = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("refused") + "\"");
		assertEquals(1, refused.code, refused.err);
		assertTrue(refused.err.contains("2 negative values") && refused.err.contains("clamp_negative=true"), refused.err);
		assertTrue(!Files.exists(tmp.resolve("refused")), "nothing written");

		final Path imported = tmp.resolve("imported");
		final HeadlessRun ok = HeadlessRun.of("--headless", "--run", "Import Diffraction",
			"input=\"" + in + "\",output_dir=\"" + imported + "\",clamp_negative=true");
		assertEquals(0, ok.code, ok.err);
		final var d = sc.fiji.cdi.io.DiffractionReader.read(imported.resolve("neg_diffraction.tif"), sc.fiji.cdi.io.ImportOptions.defaults());
		assertEquals(0f, d.values.data[0]);
		assertEquals(0f, d.values.data[1]);
		assertEquals(v[2], d.values.data[2]);

		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"10*ER\",random_starts=1,clamp_negative=true");
		assertEquals(0, r.code, r.err);
		final String report = Files.readString(out.resolve("neg_report.json"));
		assertTrue(report.contains("clampedNegative"), "the import step records the clamped values");
		final HeadlessRun bad = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("out2") + "\",clamp_negative=maybe");
		assertEquals(2, bad.code, bad.err);
		assertTrue(bad.err.contains("clamp_negative"), bad.err);
	}

	@Test
	void threeSizesOnA2dPatternAreABadValueNot3dPhasing(@TempDir final Path tmp) throws Exception {
		final Path in = simulated2D(tmp, 6);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",size=\"10,32,32\",recipe=\"10*ER\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("size='10,32,32'") && r.err.contains("2D") && r.err.contains("two (y, x"), r.err);
		assertTrue(!Files.exists(out), "no output folder is made");
	}
}
