package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.testutil.HeadlessRun;

/**
 * Reconstruct's keys that were once silently ignored or mis-explained (support_file, data_kind, positivity, two
 * sources, scan= on a plain file, threads above the cores, the seed in the report), run as a cluster job runs them.
 */
class ReconstructParametersTest {

	private static final String FAST = "recipe=\"20*ER+20*HIO+10*ER\",random_starts=1";

	private static Path pattern3D(final Path dir) {
		final Path f = dir.resolve("p3.tif");
		TiffWriter.write(f, CrystalSimulator.simulate(Grid.cube(16), SimulationParameters.defaults(), 5).diffraction().values);
		return f;
	}

	/** A 2D pattern with the 5×5 centre zeroed: a beam-stop shadow, forward CDI under data_kind=auto. */
	private static Path beamStopPattern(final Path dir) {
		final RealVolume v = CrystalSimulator.simulate(Grid.of2D(64, 64), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3)
			.diffraction().values;
		final float[] d = v.data.clone();
		for (int y = 30; y <= 34; y++) for (int x = 30; x <= 34; x++) d[y * 64 + x] = 0;
		final Path f = dir.resolve("p2bs.tif");
		TiffWriter.write(f, new RealVolume(v.grid, d));
		return f;
	}

	private static Path volume(final Path dir, final String name, final Grid g, final float value) {
		final float[] d = new float[g.size()];
		Arrays.fill(d, value);
		final Path f = dir.resolve(name);
		TiffWriter.write(f, new RealVolume(g, d));
		return f;
	}

	/** 1 in a centred cube of {@code side} voxels, 0 elsewhere: a support. */
	private static Path centredCube(final Path dir, final String name, final Grid g, final int side) {
		final float[] d = new float[g.size()];
		final int lo = (g.nx - side) / 2;
		for (int z = lo; z < lo + side; z++) for (int y = lo; y < lo + side; y++) for (int x = lo; x < lo + side; x++) d[(z * g.ny + y) * g.nx + x] = 1;
		final Path f = dir.resolve(name);
		TiffWriter.write(f, new RealVolume(g, d));
		return f;
	}

	private static HeadlessRun reconstruct(final String args) { return HeadlessRun.of("--headless", "--run", "Reconstruct", args); }

	private static JsonObject report(final Path out, final String name) throws Exception {
		return JsonParser.parseString(Files.readString(out.resolve(name + "_report.json"))).getAsJsonObject();
	}

	@Test
	void supportFileIsUsedAndABadOneIsRefused(@TempDir final Path tmp) throws Exception {
		final Path in = pattern3D(tmp);
		final String base = "input=\"" + in + "\",size=\"16\"," + FAST + ",";
		HeadlessRun r = reconstruct(base + "support_file=\"" + tmp.resolve("nonexist.tif") + "\",output_dir=\"" + tmp.resolve("a") + "\"");
		assertNotEquals(0, r.code);
		assertTrue(r.err.contains("support_file") && r.err.contains("does not exist"), r.err);
		assertFalse(Files.exists(tmp.resolve("a").resolve("p3_report.json")));

		r = reconstruct(base + "support_file=\"" + volume(tmp, "zero.tif", Grid.cube(16), 0) + "\",output_dir=\"" + tmp.resolve("b") + "\"");
		assertNotEquals(0, r.code);
		assertTrue(r.err.contains("support_file") && r.err.contains("all zero"), r.err);

		r = reconstruct(base + "support_file=\"" + centredCube(tmp, "small.tif", Grid.cube(8), 4) + "\",output_dir=\"" + tmp.resolve("c") + "\"");
		assertNotEquals(0, r.code);
		assertTrue(r.err.contains("small.tif") && r.err.contains("8x8x8") && r.err.contains("16x16x16"), r.err);

		// the pattern itself, or anything non-zero in half of the array or more, cannot be a support (oversampling ≥ 2)
		r = reconstruct(base + "support_file=\"" + in + "\",output_dir=\"" + tmp.resolve("e") + "\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("support_file") && r.err.contains("is the input pattern itself"), r.err);
		r = reconstruct(base + "support_file=\"" + volume(tmp, "ones.tif", Grid.cube(16), 1) + "\",output_dir=\"" + tmp.resolve("f") + "\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("non-zero in 4096 of 4096 voxels (100 %)") && r.err.contains("oversampling"), r.err);
		assertFalse(Files.exists(tmp.resolve("f").resolve("p3_report.json")));

		final Path sup = centredCube(tmp, "cube.tif", Grid.cube(16), 8);
		r = reconstruct(base + "support_file=\"" + sup + "\",output_dir=\"" + tmp.resolve("d") + "\"");
		assertEquals(0, r.code, r.err);
		assertEquals(sup.toAbsolutePath().toString(), report(tmp.resolve("d"), "p3").get("support_file").getAsString());
	}

	@Test
	void dataKindAndPositivityArePassedThrough(@TempDir final Path tmp) throws Exception {
		final Path in = beamStopPattern(tmp);
		HeadlessRun r = reconstruct("input=\"" + in + "\"," + FAST + ",output_dir=\"" + tmp.resolve("auto") + "\"");
		assertEquals(0, r.code, r.err);
		JsonObject rep = report(tmp.resolve("auto"), "p2bs");
		assertEquals("forward-2d", rep.get("data_kind").getAsString(), "precondition: the pattern has a beam stop");
		assertTrue(rep.getAsJsonObject("phasing_parameters").get("positivity").getAsBoolean());

		r = reconstruct("input=\"" + in + "\"," + FAST + ",data_kind=\"bragg\",positivity=\"false\",output_dir=\"" + tmp.resolve("bragg") + "\"");
		assertEquals(0, r.code, r.err);
		rep = report(tmp.resolve("bragg"), "p2bs");
		assertEquals("bragg-3d", rep.get("data_kind").getAsString());
		assertFalse(rep.getAsJsonObject("phasing_parameters").get("positivity").getAsBoolean());

		r = reconstruct("input=\"" + in + "\"," + FAST + ",positivity=\"false\",output_dir=\"" + tmp.resolve("nopos") + "\"");
		assertEquals(0, r.code, r.err);
		rep = report(tmp.resolve("nopos"), "p2bs");
		assertEquals("forward-2d", rep.get("data_kind").getAsString());
		assertFalse(rep.getAsJsonObject("phasing_parameters").get("positivity").getAsBoolean());
	}

	@Test
	void forwardOn3DIsRefused(@TempDir final Path tmp) {
		final HeadlessRun r = reconstruct("input=\"" + pattern3D(tmp) + "\"," + FAST + ",data_kind=\"forward\",output_dir=\"" + tmp.resolve("o") + "\"");
		assertNotEquals(0, r.code);
		assertTrue(r.err.contains("data_kind='forward'") && r.err.contains("2D forward CDI only") && r.err.contains("16x16x16"), r.err);
		assertFalse(Files.exists(tmp.resolve("o").resolve("p3_report.json")));
	}

	@Test
	void inputAndFrameFolderTogetherAreRefused(@TempDir final Path tmp) throws Exception {
		final Path folder = Files.createDirectory(tmp.resolve("frames"));
		final HeadlessRun r = reconstruct("input=\"" + pattern3D(tmp) + "\",frame_folder=\"" + folder + "\"," + FAST + ",output_dir=\"" + tmp.resolve("o") + "\"");
		assertNotEquals(0, r.code);
		assertTrue(r.err.contains("input=") && r.err.contains("frame_folder=") && r.err.contains("one source only"), r.err);
	}

	@Test
	void scanOnAPlainFileSaysItNeedsASpecInput(@TempDir final Path tmp) {
		final HeadlessRun r = reconstruct("input=\"" + pattern3D(tmp) + "\",scan=\"54\"," + FAST + ",output_dir=\"" + tmp.resolve("o") + "\"");
		assertNotEquals(0, r.code);
		assertTrue(r.err.contains("scan=54 needs a scan file as input") && r.err.contains("input=<file>.spec"), r.err);
		assertFalse(r.err.contains("not beamline=auto"), "no contradictory advice: " + r.err);
	}

	@Test
	void scanMisuseMessagesNameTheRightInput(@TempDir final Path tmp) throws Exception {
		final Path file = Files.writeString(tmp.resolve("p.npy"), "x"), folder = Files.createDirectory(tmp.resolve("frames"));
		assertTrue(Inputs.scanMisuse(file, "none", null, "3").contains("beamline=none"));
		assertTrue(Inputs.scanMisuse(folder, "auto", null, "3").contains("spec= is missing"));
		assertTrue(Inputs.scanMisuse(file, "auto", tmp.resolve("a.spec"), null).contains("goes with a folder of detector frames"));
	}

	@Test
	void threadsAreCappedAndTheReportKeepsTheGivenSeed(@TempDir final Path tmp) throws Exception {
		final Path out = tmp.resolve("o");
		final HeadlessRun r = reconstruct("input=\"" + pattern3D(tmp) + "\",recipe=\"20*ER+20*HIO+10*ER\",random_starts=3,seed=7,threads=1000,output_dir=\"" + out + "\"");
		assertEquals(0, r.code, r.err);
		final JsonObject rep = report(out, "p3");
		final int cores = Runtime.getRuntime().availableProcessors();
		assertEquals(Math.min(1000, cores), rep.get("threads").getAsInt(), "the thread count used, capped at the processors");
		assertEquals(7, rep.getAsJsonObject("phasing_parameters").get("seed").getAsLong(), "the seed given");
		final int best = rep.get("best_start").getAsInt();
		assertEquals(7 + best, rep.get("best_start_seed").getAsLong(), "start k runs with seed + k");
	}
}
