package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.testutil.HeadlessRun;

/** Fine-tune Network refuses what would leave a bad or mixed model folder, exits 1 and writes nothing. */
class FineTuneCommandTest {

	private static final SimulationParameters POLYGON = SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON);

	private static Path pattern(final Path file, final long seed) {
		TiffWriter.write(file, CrystalSimulator.simulate(Grid.of2D(32, 32), POLYGON, seed).diffraction().values);
		return file;
	}

	private static HeadlessRun tune(final String args) {
		return HeadlessRun.of("--headless", "--run", "Fine-tune Network", args + ",device=\"cpu\"");
	}

	private static void assertSaid(final HeadlessRun r, final String... parts) {
		assertEquals(1, r.code, r.err);
		for (final String p : parts) assertTrue(r.err.contains(p), "'" + p + "' in: " + r.err);
		assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
	}

	private static java.util.List<String> list(final Path dir) throws java.io.IOException {
		try (var s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}

	@Test
	void aTuningThatRaisesThePhysicsLossIsRefusedAndWritesNoModel(@TempDir final Path tmp) {
		// 3 steps at 0.1 throw default-2d far off (physics loss 0.0078 -> 0.97): before the fix this model was written, exit 0
		final Path out = tmp.resolve("tuned");
		assertSaid(tune("input=\"" + pattern(tmp.resolve("p.tif"), 700) + "\",output_dir=\"" + out + "\",steps=3,learning_rate=0.1"),
			"worse", "physics loss", "before", "after 3 steps at learning_rate 0.1", "not written", "lower learning_rate", "fewer steps");
		assertTrue(Files.notExists(out), "nothing written, not even the folder");
	}

	@Test
	void anOutputFolderHoldingAModelIsRefusedBeforeAnyWork(@TempDir final Path tmp) throws Exception {
		final Path in = pattern(tmp.resolve("p.tif"), 700);
		final Path old = Files.createDirectories(tmp.resolve("old-model"));
		for (final String f : new String[] { "model.json", "weights.params", "history.json" }) Files.writeString(old.resolve(f), "old " + f);
		final HeadlessRun r = tune("input=\"" + in + "\",output_dir=\"" + old + "\",steps=1");
		assertSaid(r, "already holds a model", "model.json, weights.params, history.json", "choose another output_dir", "delete");
		assertFalse(r.err.contains("Fine-tuning default"), "refused before tuning: " + r.err);
		assertEquals(java.util.List.of("history.json", "model.json", "weights.params"), list(old));
		for (final String f : new String[] { "model.json", "weights.params", "history.json" }) assertEquals("old " + f, Files.readString(old.resolve(f)));
		// a training's history alone is part of a model too
		final Path history = Files.createDirectories(tmp.resolve("history-only"));
		Files.writeString(history.resolve("history.csv"), "epoch,train,validation\n");
		assertSaid(tune("input=\"" + in + "\",output_dir=\"" + history + "\",steps=1"), "already holds a model", "history.csv");
	}

	@Test
	void inputAndPatternFolderTogetherAreRefused(@TempDir final Path tmp) throws Exception {
		final Path folder = Files.createDirectories(tmp.resolve("patterns"));
		pattern(folder.resolve("a.tif"), 701);
		final Path out = tmp.resolve("tuned");
		assertSaid(tune("input=\"" + pattern(tmp.resolve("p.tif"), 700) + "\",pattern_folder=\"" + folder + "\",output_dir=\"" + out + "\",steps=1"),
			"'input'", "'pattern_folder'", "expected one of them");
		assertTrue(Files.notExists(out));
	}

	@Test
	void theFolderOfTheInputIsRefusedAsOutputDir(@TempDir final Path tmp) throws Exception {
		final Path data = Files.createDirectories(tmp.resolve("data"));
		final Path in = pattern(data.resolve("p.tif"), 700);
		// the input is a file: its folder (before the fix only the file's own path was compared, and the model went into the data folder)
		assertSaid(tune("input=\"" + in + "\",output_dir=\"" + data + "\",steps=1"), "output_dir", "is the folder of 'input'", "p.tif", "another folder");
		assertSaid(tune("pattern_folder=\"" + data + "\",output_dir=\"" + data.resolve("sub").resolve("..") + "\",steps=1"), "output_dir", "'pattern_folder'");
		assertEquals(java.util.List.of("p.tif"), list(data));
	}

	@Test
	void aConstantPatternIsRefusedByFineTunePredictAndReconstruct(@TempDir final Path tmp) {
		final float[] flat = new float[32 * 32];
		java.util.Arrays.fill(flat, 5f);
		final Path in = tmp.resolve("flat.tif");
		TiffWriter.write(in, new sc.fiji.cdi.data.RealVolume(Grid.of2D(32, 32), flat));
		final String said = "not a diffraction pattern: every measured pixel is 5";
		// before the fix Fine-tune tuned on it (physics loss 0.0000 -> 0.97) and wrote the model
		assertSaid(tune("input=\"" + in + "\",output_dir=\"" + tmp.resolve("tuned") + "\",steps=1"), said, "flat.tif");
		assertSaid(HeadlessRun.of("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("nn") + "\",device=\"cpu\""), said, "flat.tif");
		assertSaid(HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("rec") + "\""), said, "flat.tif");
		for (final String o : new String[] { "tuned", "nn", "rec" }) assertTrue(Files.notExists(tmp.resolve(o)), o);
	}
}
