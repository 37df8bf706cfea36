package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.export.CxiWriter;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;

/**
 * Work that would not fit in the heap is refused up front with what it needs, what is available and what to change
 * — checked with a fake, small memory source (no gigabytes allocated) at each guarded place.
 */
class MemoryGuardTest {

	private static final long MB = 1L << 20;

	private static Diffraction data64() {
		return CrystalSimulator.simulate(Grid.cube(64), SimulationParameters.defaults(), 3).diffraction();
	}

	@Test
	void theEstimateOfPhasingMatchesItsBuffers() {
		// 9 floats + 2 booleans in the JTransforms session, 6 floats + 2 booleans in Phaser: 64 bytes per voxel
		assertEquals(64L * 64 * 64 * 64, Phaser.estimateBytes(Grid.cube(64), new JTransformsBackend(1)));
		assertEquals(64L * 256 * 256 * 256, Phaser.estimateBytes(Grid.cube(256), new JTransformsBackend(1)), "1 GB at 256³");
	}

	@Test
	void networkPredictionIsRefusedBeforeItAllocates() {
		final Diffraction d = CrystalSimulator.simulate(Grid.of2D(32, 32), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3).diffraction();
		try (var predictor = sc.fiji.cdi.nn.predict.Predictor.load("2d", "cpu"); var g = MemoryGuard.withAvailable(() -> 64 * 1024)) {
			// 100 patterns × 32² voxels × 17 B + a batch of 16 × 12 B ≈ 1.9 MB > 64 kB
			final CdiException e = assertThrows(CdiException.class, () -> predictor.predictAll(java.util.Collections.nCopies(100, d), 16, null));
			assertTrue(e.getMessage().contains("network prediction of 100 pattern(s)"), e.getMessage());
		}
	}

	@Test
	void phasingIsRefusedWithNumbersAndAdvice() {
		final Diffraction d = data64();
		try (var g = MemoryGuard.withAvailable(() -> 8 * MB)) {
			final CdiException e = assertThrows(CdiException.class,
				() -> new Phaser(new JTransformsBackend(1)).run(d, PhasingParameters.defaults().withRecipe("5*ER"), null, null));
			assertTrue(e.getMessage().startsWith("Not enough memory for phase retrieval of"), e.getMessage());
			assertTrue(e.getMessage().contains("needs about 16 MB but only 8 MB are available"), e.getMessage());
			assertTrue(e.getMessage().contains("Bin or crop the diffraction data") && e.getMessage().contains("-Xmx"), e.getMessage());
		}
		// with enough memory the same run goes through
		try (var g = MemoryGuard.withAvailable(() -> 17 * MB)) {
			assertEquals(5, new Phaser(new JTransformsBackend(1)).run(d, PhasingParameters.defaults().withRecipe("5*ER"), null, null).iterations());
		}
	}

	@Test
	void preprocessingIsRefusedBeforeItCopiesTheScan() {
		final Diffraction d = data64();
		try (var g = MemoryGuard.withAvailable(() -> 2 * MB)) {
			final CdiException e = assertThrows(CdiException.class, () -> ReconstructionPipeline.run(d,
				new ReconstructionPipeline.Request(PreprocessOptions.defaults(), PhasingParameters.defaults(), "auto", 1), null, sc.fiji.cdi.util.Progress.NONE));
			assertTrue(e.getMessage().startsWith("Not enough memory for preprocessing"), e.getMessage());
			assertTrue(e.getMessage().contains("needs about 3 MB"), e.getMessage());
		}
	}

	@Test
	void cxiExportIsRefusedAndWritesNothing(@TempDir final Path tmp) throws Exception {
		final ComplexVolume obj = new ComplexVolume(Grid.cube(64), new float[2 * 64 * 64 * 64]);
		final Path target = tmp.resolve("object.cxi");
		try (var g = MemoryGuard.withAvailable(() -> 4 * MB)) {
			final CdiException e = assertThrows(CdiException.class, () -> CxiWriter.write(target, obj, null, null, Map.of(), null));
			assertTrue(e.getMessage().startsWith("Not enough memory for the CXI export object.cxi"), e.getMessage());
			assertTrue(e.getMessage().contains("needs about 8 MB"), e.getMessage());
		}
		try (var files = Files.list(tmp)) { assertEquals(List.of(), files.toList()); }
	}

	@Test
	void theReconstructCommandExitsWithTheReasonAndNoOutput(@TempDir final Path tmp) throws Exception {
		final Path in = tmp.resolve("scan.tif");
		TiffWriter.write(in, data64().values);
		final Path out = tmp.resolve("out");
		final PrintStream old = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		final int code;
		try (var g = MemoryGuard.withAvailable(() -> 10 * MB)) {
			System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
			code = Main.run("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"10*ER\"");
		} finally {
			System.setErr(old);
		}
		final String err = buf.toString(StandardCharsets.UTF_8);
		assertEquals(1, code, err);
		assertTrue(err.contains("Reconstruct failed: Not enough memory for phase retrieval of") && err.contains("needs about 16 MB"), err);
		if (Files.exists(out)) try (var files = Files.list(out)) { assertEquals(List.of(), files.toList()); }
	}

	@Test
	void theRealHeapIsConsulted() {
		MemoryGuard.require(MB, "a small buffer", null);
		final CdiException e = assertThrows(CdiException.class, () -> MemoryGuard.require(Runtime.getRuntime().maxMemory() + MB, "more than the heap", "use less"));
		assertTrue(e.getMessage().contains("Use less, or raise Java's memory limit"), e.getMessage());
	}
}
