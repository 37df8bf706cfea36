package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

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

	@Test
	void aPatternWhoseSizeKeepsItFromTheRightBinningIsWarnedWithTheSizeToCropTo(@TempDir final Path tmp) throws Exception {
		// a small crystal (0.15 of the box) in a 128² pattern: the 64² network needs it binned by 2; one pixel more
		// (129², odd detectors and crops) and 2 no longer divides the axes: it was cropped unbinned without a word
		final var d = CrystalSimulator.simulate(Grid.of2D(128, 128), POLYGON.withSizeFraction(0.15), 8).diffraction();
		final float[] v = new float[129 * 129];
		for (int y = 0; y < 128; y++) System.arraycopy(d.values.data, y * 128, v, y * 129, 128);
		final Path even = tmp.resolve("even.tif"), odd = tmp.resolve("odd.tif");
		TiffWriter.write(even, d.values);
		TiffWriter.write(odd, new sc.fiji.cdi.data.RealVolume(Grid.of2D(129, 129), v));
		final String[] log = new String[2];
		final int[][] bins = new int[2][];
		for (int k = 0; k < 2; k++) {
			final Path in = k == 0 ? even : odd, out = tmp.resolve("out" + k);
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",model=\"2d\",output_dir=\"" + out + "\",device=\"cpu\"");
			assertEquals(0, r.code, r.err);
			log[k] = r.out + r.err;
			final var bin = JsonParser.parseString(Files.readString(out.resolve((k == 0 ? "even" : "odd") + "_nn_report.json"))).getAsJsonObject().getAsJsonArray("bin_zyx");
			bins[k] = new int[] { bin.get(1).getAsInt(), bin.get(2).getAsInt() };
		}
		assertEquals(2, bins[0][0], "the 128² pattern is binned by 2");
		assertFalse(log[0].contains("does not divide"), log[0]);
		assertEquals(1, bins[1][0], "2 does not divide 129");
		assertTrue(log[1].contains("[WARNING]") && log[1].contains(odd.toString()) && log[1].contains("binned by 1, not by 2") && log[1].contains("128x128"), log[1]);
	}

	@Test
	void aNetworkStartThatCannotBeMadeAmongRandomStartsIsWarnedInTheLog(@TempDir final Path tmp) throws Exception {
		// a 12² array is too small for the 64² network (at least 16 pixels per axis): the network start cannot be made
		// and runs as a random start; the log must say so, not only the report
		final Path in = pattern2D(tmp, 64, 6);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",mode=\"nn+refine\",model=\"2d\",size=\"12\",random_starts=2,recipe=\"10*ER\",refinement=\"10*ER\",device=\"cpu\"");
		assertEquals(0, r.code, r.err);
		final JsonObject starts = JsonParser.parseString(Files.readString(out.resolve("scan_report.json"))).getAsJsonObject().getAsJsonObject("nn_refine_starts");
		final String why = starts.get("network_start_failed").getAsString();
		assertTrue(why.contains("too small"), why);
		final String log = r.out + r.err;
		assertTrue(log.contains("[WARNING]") && log.contains("network start could not be made") && log.contains(why) && log.contains("2 random starts"), log);
	}
}
