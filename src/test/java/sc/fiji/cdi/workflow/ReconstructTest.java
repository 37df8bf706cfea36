package sc.fiji.cdi.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/** The Reconstruct workflow called the way a script calls it: no SciJava context, no command, no ImageJ. */
class ReconstructTest {

	private static Path scan(final Path dir, final SimulatedCrystal c) {
		final Path f = dir.resolve("scan.tif");
		TiffWriter.write(f, c.diffraction().values);
		return f;
	}

	private static Reconstruct.Request request(final Path in, final Path out) {
		return new Reconstruct.Request(in, ImportOptions.defaults(), PreprocessOptions.defaults(), null, Reconstruct.Mode.PHASING,
			PhasingParameters.defaults().withRecipe("2*(20*ER+80*HIO)+40*ER").withSeed(2), "jtransforms", 1, 1, "auto", null, 0, "cpu", out, "scan");
	}

	@Test
	void aScriptReconstructsASimulatedCrystalAndGetsTheResultSet(@TempDir final Path tmp) {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3);
		final Path out = tmp.resolve("out");
		final Reconstruct.Result r = Reconstruct.run(request(scan(tmp, c), out), Progress.NONE);
		assertEquals(240, r.outcome().result().iterations());
		assertTrue(r.outcome().result().finalChi2() < 0.02, "χ² " + r.outcome().result().finalChi2());
		// against the ground truth, after removing the trivial ambiguities (shift, global phase, twin)
		final double corr = Quality.compare(r.object(), c.object(), c.support()).amplitudeCorrelation();
		assertTrue(corr > 0.9, "amplitude correlation with the truth " + corr);
		assertEquals(5, r.files().size(), r.files().toString());
		for (final Path f : r.files()) assertTrue(Files.isRegularFile(f) && f.getParent().equals(out), f.toString());
		assertEquals("phasing", r.report().get("mode"));
	}

	@Test
	void cancellingStopsTheWorkflowAndWritesNothing(@TempDir final Path tmp) throws Exception {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 4);
		final Path out = tmp.resolve("out");
		final AtomicInteger checks = new AtomicInteger();
		final Progress cancelSoon = new Progress() {
			@Override public void status(final String message) {}
			@Override public void progress(final long done, final long total) {}
			@Override public boolean isCancelled() { return checks.incrementAndGet() > 50; }
		};
		assertThrows(CancelledException.class, () -> Reconstruct.run(request(scan(tmp, c), out), cancelSoon));
		// all-or-nothing: the run created the output folder, so a cancelled run removes it (no empty folder left)
		assertFalse(Files.exists(out), "no file, no staging folder and no empty output folder left");
	}

	@Test
	void threeSizesOnA2dPatternAreRefusedNotTurnedInto3d(@TempDir final Path tmp) {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3);
		final Path out = tmp.resolve("out");
		final Reconstruct.Request base = request(scan(tmp, c), out);
		final Reconstruct.Request r = new Reconstruct.Request(base.input(), base.importOptions(), base.preprocess(), new int[] { 10, 32, 32 }, base.mode(),
			base.phasing(), base.backend(), base.threads(), base.randomStarts(), base.model(), base.refinement(), base.fineTuneSteps(), base.device(), out, base.name());
		final CdiException e = assertThrows(CdiException.class, () -> Reconstruct.run(r, Progress.NONE));
		assertTrue(e.getMessage().contains("size='10,32,32'") && e.getMessage().contains("2D") && e.getMessage().contains("one size")
			&& e.getMessage().contains("two (y, x"), e.getMessage());
		assertFalse(Files.exists(out), "nothing written for a refused size");
	}

	@Test
	void theNumberOfSizesMustMatchTheDataDimensions() {
		// 2D: one (a square) or two (y, x); three are refused
		assertEquals(Grid.of2D(48, 48), Reconstruct.targetSize(new int[] { 48 }, true));
		assertEquals(Grid.of2D(32, 48), Reconstruct.targetSize(new int[] { 32, 48 }, true));
		assertThrows(CdiException.class, () -> Reconstruct.targetSize(new int[] { 10, 100, 100 }, true));
		// 3D: one (a cube) or three (z, y, x); two would crop the volume to one slice
		assertEquals(Grid.cube(32), Reconstruct.targetSize(new int[] { 32 }, false));
		assertEquals(new Grid(16, 32, 48), Reconstruct.targetSize(new int[] { 16, 32, 48 }, false));
		final CdiException e = assertThrows(CdiException.class, () -> Reconstruct.targetSize(new int[] { 64, 64 }, false));
		assertTrue(e.getMessage().contains("size='64,64'") && e.getMessage().contains("3D") && e.getMessage().contains("three (z, y, x"), e.getMessage());
		assertEquals(null, Reconstruct.targetSize(null, true));
	}

	/** The log's summary of the starts: each start's iterations where they differ (NN + refine), not the best's for all. */
	@Test
	void theStartsAreSummarisedWithEachOnesIterations() {
		assertEquals("1 start of 620 iterations", Reconstruct.describeStarts(java.util.List.of(620), java.util.List.of("")));
		assertEquals("4 starts of 620 iterations", Reconstruct.describeStarts(java.util.List.of(620, 620, 620, 620), java.util.List.of("", "", "", "")));
		assertEquals("2 starts: network 190 iterations, random 900", Reconstruct.describeStarts(java.util.List.of(190, 900), java.util.List.of("network", "random")));
		assertEquals("3 starts: network 190 iterations, random 900, random 900",
			Reconstruct.describeStarts(java.util.List.of(190, 900, 900), java.util.List.of("network", "random", "random")));
	}

	@Test
	void networkParametersInPhasingModeAreNamedAsIgnored(@TempDir final Path tmp) {
		final Reconstruct.Request plain = request(tmp.resolve("in.tif"), tmp);
		assertEquals(java.util.List.of(), plain.ignoredParameters());
		final Reconstruct.Request nn = new Reconstruct.Request(plain.input(), plain.importOptions(), plain.preprocess(), null, Reconstruct.Mode.PHASING, plain.phasing(), "jtransforms", 1, 1,
			"my-3d", "10*ER | 3x 40*ER | 10*CG", 5, "cpu", tmp, "scan");
		final java.util.List<String> w = nn.ignoredParameters();
		assertEquals(3, w.size(), w.toString());
		assertTrue(w.get(1).startsWith("model=my-3d applies to mode=nn+refine only") && w.get(2).startsWith("refinement=10*ER | 3x 40*ER | 10*CG applies"), w.toString());
	}

	/**
	 * average_last is judged against the recipe phasing runs, after the data kind adapted it: a 30-iteration recipe is
	 * named in the report (and the log), while average_last=700 fits forward CDI's 900-iteration default recipe (it did
	 * not fit the 620 of the 3D default the request carries, which is what was checked before the data were known).
	 */
	@Test
	void anAverageLongerThanThePhasedRecipeIsNamedInTheReport(@TempDir final Path tmp) {
		final Path in = scan(tmp, CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3));
		final Reconstruct.Request plain = request(in, tmp.resolve("short"));
		final Reconstruct.Result shortRecipe = Reconstruct.run(new Reconstruct.Request(in, plain.importOptions(), plain.preprocess(), null, Reconstruct.Mode.PHASING,
			plain.phasing().withRecipe("20*ER+10*HIO").withAverageLast(50), "jtransforms", 1, 1, null, null, 0, "cpu", tmp.resolve("short"), "scan"), Progress.NONE);
		assertEquals("average_last=50 is more than the 30 iterations of recipe '20*ER+10*HIO': the result is the average of all 30 iterates,"
			+ " the first ones included (give average_last=3 or a longer recipe).", shortRecipe.averageLastWarning());
		assertEquals(shortRecipe.averageLastWarning(), shortRecipe.report().get(Reconstruct.AVERAGE_LAST_WARNING));
		final Reconstruct.Result forward = Reconstruct.run(new Reconstruct.Request(in, plain.importOptions(), plain.preprocess(), null, Reconstruct.Mode.PHASING,
			PhasingParameters.defaults().withAverageLast(700).withSeed(2), "jtransforms", 1, 1, null, null, 0, "cpu", tmp.resolve("forward"), "scan", "forward", null, null),
			Progress.NONE);
		assertEquals(900, forward.outcome().result().iterations());
		assertEquals(null, forward.averageLastWarning(), "700 of 900 iterates fit forward CDI's recipe");
		assertTrue(PhasingParameters.defaults().withAverageLast(700).averageLastWarning() != null, "but not the 620 of the 3D default");
	}

	/** mode=auto: the network start only where it was measured to win (2D Bragg, 128² to 256²), or where it is asked for. */
	@Test
	void autoModeStartsFromTheNetworkOnlyWhereItWasMeasuredToWin() {
		final sc.fiji.cdi.data.Grid g128 = Grid.of2D(128, 128);
		assertEquals(Reconstruct.Mode.NN_REFINE, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, g128, false, false, null).getKey());
		assertEquals(Reconstruct.Mode.NN_REFINE, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, Grid.of2D(128, 256), false, false, null).getKey());
		assertEquals(Reconstruct.Mode.PHASING, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, Grid.of2D(64, 64), false, false, null).getKey(),
			"64²: more solved, but chi2 not worse in only 76 %");
		final java.util.Map.Entry<Reconstruct.Mode, String> cube = Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, Grid.cube(64), false, false, null);
		assertEquals(Reconstruct.Mode.PHASING, cube.getKey());
		assertTrue(cube.getValue().startsWith("3D data: phasing"), cube.getValue());
		assertEquals(Reconstruct.Mode.PHASING, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.FORWARD_2D, g128, false, false, null).getKey());
		assertEquals(Reconstruct.Mode.PHASING, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, g128, true, false, null).getKey());
		assertEquals(Reconstruct.Mode.PHASING, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, g128, false, true, null).getKey());
		final String small = Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, Grid.of2D(96, 128), false, false, null).getValue();
		assertTrue(small.startsWith("a 2D array of 96x128: phasing"), small);
		assertEquals(Reconstruct.Mode.PHASING, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, Grid.of2D(512, 512), false, false, null).getKey());
		// a named model asks for the network on any data
		assertEquals(Reconstruct.Mode.NN_REFINE, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, Grid.cube(64), false, false, "model=3d").getKey());
		assertEquals(Reconstruct.Mode.AUTO, Reconstruct.Mode.parse(" Auto "));
		assertTrue(assertThrows(CdiException.class, () -> Reconstruct.Mode.parse("fast")).getMessage().contains("'auto', 'phasing' or 'nn+refine'"));
	}

	/**
	 * mode=auto decides on the array that is phased: binned, then size= or the FFT-friendly size (127 pixels are
	 * phased as 128, so the network start); a binning larger than the data is refused by name, not an internal error.
	 */
	@Test
	void autoModeJudgesTheArrayThatPreprocessingPhases(@TempDir final Path tmp) {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3);
		final sc.fiji.cdi.data.Diffraction d = c.diffraction();
		for (final PreprocessOptions o : java.util.List.of(PreprocessOptions.defaults(), PreprocessOptions.defaults().withBinning(1, 2, 3),
			PreprocessOptions.defaults().withTargetSize(Grid.of2D(40, 48)), PreprocessOptions.defaults().withBinning(4, 3, 1).withTargetSize(Grid.of2D(20, 30))))
			assertEquals(sc.fiji.cdi.preprocess.Preprocessor.apply(d, o).grid(), sc.fiji.cdi.preprocess.Preprocessor.outputGrid(d.grid(), o, d.source), o.toString());
		final Grid g127 = sc.fiji.cdi.preprocess.Preprocessor.outputGrid(Grid.of2D(127, 127), PreprocessOptions.defaults(), "test");
		assertEquals(Grid.of2D(128, 128), g127);
		assertEquals(Reconstruct.Mode.NN_REFINE, Reconstruct.autoMode(sc.fiji.cdi.pipeline.DataKind.BRAGG_3D, g127, false, false, null).getKey());
		assertEquals(Grid.of2D(128, 128), sc.fiji.cdi.preprocess.Preprocessor.outputGrid(Grid.of2D(256, 257), PreprocessOptions.defaults().withBinning(1, 2, 2), "test"));

		final Reconstruct.Request plain = request(scan(tmp, c), tmp.resolve("out"));
		final Reconstruct.Request tooCoarse = new Reconstruct.Request(plain.input(), plain.importOptions(), PreprocessOptions.defaults().withBinning(1, 100, 100), null,
			Reconstruct.Mode.AUTO, plain.phasing(), "jtransforms", 1, 1, null, null, 0, "cpu", plain.outputDir(), "scan");
		final CdiException e = assertThrows(CdiException.class, () -> Reconstruct.run(tooCoarse, Progress.NONE));
		assertTrue(e.getMessage().contains("is larger than the data 64x64"), e.getMessage());
	}
}
