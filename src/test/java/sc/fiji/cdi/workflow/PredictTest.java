package sc.fiji.cdi.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/** The Predict (NN) workflow on folders that mix pattern sizes and ranks, and its progress and notes. */
class PredictTest {

	private static final SimulationParameters POLYGON = SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON);

	/** A simulated pattern named as a file would be. */
	private static Diffraction pattern(final Grid g, final long seed, final String source) {
		final Diffraction d = CrystalSimulator.simulate(g, g.is2D() ? POLYGON : SimulationParameters.defaults(), seed).diffraction();
		return new Diffraction(d.values, Quantity.INTENSITY, null, new ProcessingLog(), source);
	}

	/** Records the status in force at each progress call, as the headless progress line prints it. */
	private static final class Recording implements Progress {
		private String status = "";
		final List<String> lines = new ArrayList<>();
		@Override public void status(final String message) { status = message; }
		@Override public void progress(final long done, final long total) { lines.add(done + "/" + total + " " + status); }
		@Override public boolean isCancelled() { return false; }
	}

	@Test
	void autoChoosesTheModelPerPatternAndCountsAllPatterns() {
		// a 64² pattern beside 128² ones gets the 64² network, as when predicted alone, not padded into the 128² one
		final List<Diffraction> data = List.of(pattern(Grid.of2D(128, 128), 1, "big1.npy"), pattern(Grid.of2D(64, 64), 2, "small.npy"),
			pattern(Grid.of2D(128, 128), 3, "big2.npy"));
		final Recording progress = new Recording();
		final Predict.Result r = Predict.run(data, List.of("big1", "small", "big2"), new Predict.Request("auto", "cpu", 1, null), progress);
		assertEquals(List.of("big1", "small", "big2"), r.items().stream().map(Predict.Item::name).toList(), "items keep the order of the patterns");
		assertTrue(r.items().get(0).model().endsWith(ModelFolder.DEFAULT_2D_128) && r.items().get(2).model().endsWith(ModelFolder.DEFAULT_2D_128), r.model());
		assertTrue(r.items().get(1).model().endsWith(ModelFolder.DEFAULT_2D), r.items().get(1).model());
		final Predict.Result alone = Predict.run(List.of(data.get(1)), List.of("small"), new Predict.Request("auto", "cpu", 1, null), Progress.NONE);
		assertArrayEquals(alone.items().get(0).amplitude().data, r.items().get(1).amplitude().data, 1e-5f, "the 64² pattern predicts as it does alone");
		// one note per model chosen, naming its patterns and why
		assertEquals(2, r.notes().size(), r.notes().toString());
		assertTrue(r.notes().get(0).contains("big1 (128x128), big2 (128x128)") && r.notes().get(0).contains("at least 128 pixels"), r.notes().get(0));
		assertTrue(r.notes().get(1).contains("small (64x64)") && r.notes().get(1).contains("smaller than 128"), r.notes().get(1));
		// progress counts across both models; the last line says all patterns were predicted
		assertEquals(List.of("1/3 Predicted 1/3 patterns", "2/3 Predicted 2/3 patterns", "3/3 Predicted 3/3 patterns"), progress.lines);
	}

	@Test
	void theLastPartialBatchIsCounted() {
		final List<Diffraction> data = new ArrayList<>();
		for (int i = 0; i < 4; i++) data.add(pattern(Grid.of2D(32, 32), 10 + i, "p" + i + ".npy"));
		final Recording progress = new Recording();
		Predict.run(data, List.of("p0", "p1", "p2", "p3"), new Predict.Request("2d", "cpu", 3, null), progress);
		assertEquals(List.of("3/4 Predicted 3/4 patterns", "4/4 Predicted 4/4 patterns"), progress.lines);
	}

	@Test
	void mixedRanksPredictWithAutoAndAreRefusedForOneModel(@TempDir final Path tmp) {
		final List<Diffraction> data = List.of(pattern(Grid.of2D(64, 64), 4, "/data/a2d.npy"), pattern(Grid.cube(32), 5, "/data/b3d.npy"));
		final Predict.Result r = Predict.run(data, List.of("a2d", "b3d"), new Predict.Request("auto", "cpu", 4, null), Progress.NONE);
		assertTrue(r.items().get(0).model().endsWith(ModelFolder.DEFAULT_2D) && r.items().get(1).model().endsWith(ModelFolder.DEFAULT_3D), r.model());
		assertEquals(3, r.items().get(1).amplitude().grid.rank());
		// a named model: the message names the 2D and the 3D files and asks to split them (not "choose a 3D model")
		final CdiException e = assertThrows(CdiException.class, () -> Predict.run(data, List.of("a2d", "b3d"), new Predict.Request("2d", "cpu", 4, null), Progress.NONE));
		assertTrue(e.getMessage().contains("2D: /data/a2d.npy (64x64); 3D: /data/b3d.npy (32x32x32)") && e.getMessage().contains("separate folders"), e.getMessage());
		// one network is fine-tuned on all patterns: refused alike, and no model folder is left
		final Path out = tmp.resolve("tuned");
		final CdiException f = assertThrows(CdiException.class, () -> FineTune.run(new FineTune.Request(data, "auto", "cpu", 1, 1e-4, 2, out), Progress.NONE));
		assertTrue(f.getMessage().startsWith("Fine-tune Network got both 2D and 3D patterns") && f.getMessage().contains("/data/b3d.npy"), f.getMessage());
		assertTrue(Files.notExists(out));
	}

	@Test
	void aSingleSliceStackIsSaidToBeReadAs2D(@TempDir final Path tmp) throws Exception {
		// a (1, 32, 32) .npy is a 2D pattern (Grid: nz = 1 is 2D); the outputs are 2D and the log and report say why
		final float[] v = pattern(Grid.of2D(32, 32), 6, "x").values.data;
		final String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 32, 32), }";
		final StringBuilder h = new StringBuilder(dict);
		while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
		h.append('\n');
		final byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
		final ByteBuffer b = ByteBuffer.allocate(10 + hb.length + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
		b.put(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 }).putShort((short) hb.length).put(hb);
		for (final float x : v) b.putFloat(x);
		final Path in = Files.write(tmp.resolve("stack1.npy"), b.array());
		final Path out = tmp.resolve("out");
		final Predict.Result r = Predict.run(List.of(DiffractionReader.read(in, ImportOptions.defaults())), List.of("stack1"), new Predict.Request("auto", "cpu", 1, out), Progress.NONE);
		assertEquals(Grid.of2D(32, 32), r.items().get(0).amplitude().grid);
		assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("stack1: ") && n.contains("[1, 32, 32] has a single slice: read as a 2D pattern (32x32)")), r.notes().toString());
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("stack1_nn_report.json"))).getAsJsonObject();
		assertTrue(report.get("input_read_as").getAsString().contains("single slice"), report.toString());
		// a 2D or a true 3D array gets no note
		assertNull(Predict.singleSlice(new ProcessingLog().add("import", "shape", "[32, 32]")));
		assertNull(Predict.singleSlice(new ProcessingLog().add("import", "shape", "[2, 32, 32]")));
	}

	/** The report says which pattern was predicted, by which version, when and on which device, as Reconstruct's does. */
	@Test
	void theReportNamesThePatternTheSoftwareAndTheDevice(@TempDir final Path dir) throws Exception {
		final Path in = dir.resolve("scan7.tif");
		sc.fiji.cdi.io.TiffWriter.write(in, pattern(Grid.of2D(32, 32), 7, "x").values);
		final Path out = dir.resolve("out");
		Predict.run(List.of(DiffractionReader.read(in, ImportOptions.defaults())), List.of("scan7"), new Predict.Request("2d", "cpu", 1, out), Progress.NONE);
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan7" + Predict.REPORT_SUFFIX))).getAsJsonObject();
		assertEquals(in.toRealPath().toString(), report.get("source").getAsString());
		assertTrue(report.get("software").getAsString().startsWith("CDI for Fiji "), report.toString());
		assertEquals("cpu", report.get("device").getAsString());
		assertTrue(java.time.OffsetDateTime.parse(report.get("date").getAsString()).isAfter(java.time.OffsetDateTime.now().minusHours(1)), report.toString());
	}

	@TempDir
	Path tmp;

	@Test
	void aFolderWithOneBadPatternWritesNothingAndNamesIt() throws Exception {
		final Grid g = Grid.of2D(64, 64);
		final Diffraction zero = new Diffraction(new sc.fiji.cdi.data.RealVolume(g, new float[g.size()]), Quantity.INTENSITY, null, new ProcessingLog(), "b_zero.npy");
		final Path out = tmp.resolve("out");
		final CdiException e = assertThrows(CdiException.class,
			() -> Predict.run(List.of(pattern(g, 1, "a_good.npy"), zero), List.of("a_good", "b_zero"), new Predict.Request("2d", "cpu", 1, out), Progress.NONE));
		assertTrue(e.getMessage().contains("b_zero.npy"), e.getMessage());
		// the good pattern's prediction was made, but a failed run leaves nothing
		if (Files.exists(out))
			try (var files = Files.list(out)) {
				assertEquals(List.of(), files.map(f -> f.getFileName().toString()).toList());
			}
	}

	@Test
	void aNameClashIsRefusedBeforeAnyPrediction() throws Exception {
		final Grid g = Grid.of2D(64, 64);
		final Path out = tmp.resolve("clash");
		Predict.run(List.of(pattern(g, 1, tmp.resolve("one/x.npy").toString())), List.of("x"), new Predict.Request("2d", "cpu", 1, out), Progress.NONE);
		final Progress counting = new Recording();
		final CdiException e = assertThrows(CdiException.class, () -> Predict.run(List.of(pattern(g, 2, "a.npy"), pattern(g, 3, tmp.resolve("two/x.npy").toString())),
			List.of("a", "x"), new Predict.Request("2d", "cpu", 1, out), counting));
		assertTrue(e.getMessage().contains("already holds the result 'x_nn'"), e.getMessage());
		assertTrue(((Recording) counting).lines.isEmpty(), "nothing was predicted: " + ((Recording) counting).lines);
		assertTrue(!Files.exists(out.resolve("a" + Predict.AMPLITUDE_SUFFIX)), "nothing was written");
	}

	@Test
	void twoPatternsOfOneNameAreRefusedBeforeAnyPrediction() {
		final Grid g = Grid.of2D(64, 64);
		final Recording progress = new Recording();
		final CdiException e = assertThrows(CdiException.class, () -> Predict.run(List.of(pattern(g, 1, "sample.f1.npy"), pattern(g, 2, "sample.f2.npy")),
			List.of("sample", "sample"), new Predict.Request("2d", "cpu", 1, tmp.resolve("dup")), progress));
		assertTrue(e.getMessage().contains("sample.f1.npy and sample.f2.npy have the same name 'sample'"), e.getMessage());
		assertTrue(progress.lines.isEmpty(), "nothing was predicted");
	}
}
