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

/**
 * Bad input to the network commands, run headless as a cluster job would: each is refused with what was wrong and
 * exit status 1 before any output, or, where the run goes on without the network, says so in the log.
 */
class NnBadInputTest {

	private static final SimulationParameters POLYGON = SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON);

	private static Path pattern2D(final Path dir, final int n, final long seed) {
		final Path f = dir.resolve("scan.tif");
		TiffWriter.write(f, CrystalSimulator.simulate(Grid.of2D(n, n), POLYGON, seed).diffraction().values);
		return f;
	}

	@Test
	void nnPlusRefineRefusesANamedModelOfTheOtherRankEvenWithRandomStarts(@TempDir final Path tmp) throws Exception {
		// before: with random_starts > 1 the 3D network's start failed on the 2D pattern and became a random start, so
		// the run answered with phasing alone, exit 0, and only the report said so
		final Path in = pattern2D(tmp, 64, 5);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",mode=\"nn+refine\",model=\"3d\",random_starts=2,recipe=\"10*ER\",refinement=\"10*ER\",device=\"cpu\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("expects 3D patterns") && r.err.contains(in.toString()) && r.err.contains("is 2D (64x64)") && r.err.contains("choose a 2D model"), r.err);
		assertFalse(r.err.contains("start 1/2"), "refused before any phasing: " + r.err);
		assertFalse(Files.exists(out), "no output folder");
	}
}
