package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;

/** Inputs with the same base name from different folders must not silently replace each other's results. */
class SameNameOutputTest {

	private static Path pattern(final Path dir, final long seed) throws Exception {
		Files.createDirectories(dir);
		final Path f = dir.resolve("x.tif");
		TiffWriter.write(f, CrystalSimulator.simulate(Grid.of2D(32, 32),
			SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), seed).diffraction().values);
		return f;
	}

	/** The run failed naming both inputs (the earlier result's and its own) and each of {@code words}. */
	private static void assertRefused(final HeadlessRun other, final Path a, final Path b, final String... words) throws IOException {
		assertNotEquals(0, other.code, other.err);
		assertTrue(other.err.contains(a.toRealPath().toString()) && other.err.contains(b.toRealPath().toString()), "names both inputs: " + other.err);
		for (final String w : words) assertTrue(other.err.contains(w), w + ": " + other.err);
	}

	@Test
	void reconstructRefusesAnotherInputOfTheSameNameButReplacesItsOwn(@TempDir final Path tmp) throws Exception {
		final Path a = pattern(tmp.resolve("a"), 1), b = pattern(tmp.resolve("b"), 2), out = tmp.resolve("col");
		final String args = ",output_dir=\"" + out + "\",recipe=\"10*ER\",random_starts=1";
		assertEquals(0, HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + a + "\"" + args).code);
		assertTrue(Files.readString(out.resolve("x_manifest.json")).contains(a.toRealPath().toString()), "the manifest records the input");
		final HeadlessRun again = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + a + "\"" + args);
		assertEquals(0, again.code, "rerunning the same input replaces its result: " + again.err);
		final byte[] before = Files.readAllBytes(out.resolve("x_amplitude.tif"));
		final HeadlessRun other = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + b + "\"" + args);
		assertRefused(other, a, b, "output_dir");
		assertArrayEquals(before, Files.readAllBytes(out.resolve("x_amplitude.tif")), "the first input's result is kept");
		AtomicOutput.checkComplete(out, "x", out.resolve("x_amplitude.tif"));
	}

	@Test
	void phaseRetrievalRefusesAnotherInputOfTheSameNameBeforePhasing(@TempDir final Path tmp) throws Exception {
		final Path a = pattern(tmp.resolve("a"), 1), b = pattern(tmp.resolve("b"), 2), out = tmp.resolve("pr");
		final String args = ",output_dir=\"" + out + "\",recipe=\"10*ER\",random_starts=1";
		final HeadlessRun first = HeadlessRun.of("--headless", "--run", "Phase Retrieval", "input=\"" + a + "\"" + args);
		assertEquals(0, first.code, first.err);
		assertTrue(first.out.contains("final chi2") && first.out.contains("5 files in " + out), "says where the results went: " + first.out);
		final HeadlessRun other = HeadlessRun.of("--headless", "--run", "Phase Retrieval", "input=\"" + b + "\"" + args.replace("10*ER", "400*HIO"));
		assertRefused(other, a, b);
		assertTrue(!other.err.contains("HIO "), "refused before any phasing: " + other.err);
	}

	@Test
	void importRefusesAnotherInputOfTheSameName(@TempDir final Path tmp) throws Exception {
		final Path a = pattern(tmp.resolve("a"), 1), b = pattern(tmp.resolve("b"), 2), out = tmp.resolve("imp");
		assertEquals(0, HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + a + "\",output_dir=\"" + out + "\"").code);
		assertEquals(0, HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + a + "\",output_dir=\"" + out + "\"").code);
		final HeadlessRun other = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + b + "\",output_dir=\"" + out + "\"");
		assertRefused(other, a, b);
	}

	@Test
	void predictRefusesAnotherInputOfTheSameName(@TempDir final Path tmp) throws Exception {
		final Path a = pattern(tmp.resolve("a"), 1), b = pattern(tmp.resolve("b"), 2), out = tmp.resolve("nn");
		final String args = ",output_dir=\"" + out + "\",device=\"cpu\"";
		final HeadlessRun first = HeadlessRun.of("--headless", "--run", "Predict (NN)", "input=\"" + a + "\"" + args);
		assertEquals(0, first.code, first.err);
		assertEquals(0, HeadlessRun.of("--headless", "--run", "Predict (NN)", "input=\"" + a + "\"" + args).code);
		final HeadlessRun other = HeadlessRun.of("--headless", "--run", "Predict (NN)", "input=\"" + b + "\"" + args);
		assertRefused(other, a, b, "x_nn");
	}

	@Test
	void phaseRetrievalRefusesAnOutputFolderInsideItsInputFrameFolder(@TempDir final Path tmp) throws Exception {
		final Path frames = Files.createDirectories(tmp.resolve("frames"));
		final sc.fiji.cdi.data.RealVolume stack = CrystalSimulator.simulate(Grid.cube(16), SimulationParameters.defaults(), 1).diffraction().values;
		for (int z = 0; z < 16; z++) {
			final float[] plane = java.util.Arrays.copyOfRange(stack.data, z * 256, (z + 1) * 256);
			TiffWriter.write(frames.resolve(String.format("f_%03d.tif", z + 1)), new RealVolume(Grid.of2D(16, 16), plane));
		}
		for (final Path out : new Path[] { frames, frames.resolve("recon") }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Phase Retrieval", "input=\"" + frames + "\",output_dir=\"" + out + "\",recipe=\"5*ER\",random_starts=1");
			assertEquals(1, r.code, r.err);
			assertTrue(r.err.contains("'output_dir'") && r.err.contains("input frame folder"), r.err);
			try (var s = Files.list(frames)) {
				assertEquals(16, s.count(), "nothing written into the frame folder");
			}
		}
	}

	/** A reconstruction's amplitude and phase files ({@code x_amplitude.tif}, {@code x_phase.tif}) in {@code dir}. */
	private static Path reconstruction(final Path dir, final long seed) throws Exception {
		Files.createDirectories(dir);
		final sc.fiji.cdi.simulate.SimulatedCrystal c = CrystalSimulator.simulate(Grid.cube(16), SimulationParameters.defaults(), seed);
		TiffWriter.write(dir.resolve("x_phase.tif"), c.object().phase());
		final Path a = dir.resolve("x_amplitude.tif");
		TiffWriter.write(a, c.object().amplitude());
		return a;
	}

	@Test
	void strainRefusesTheStrainOfAnotherReconstructionOfTheSameNameButReplacesItsOwn(@TempDir final Path tmp) throws Exception {
		final Path a = reconstruction(tmp.resolve("a"), 1), b = reconstruction(tmp.resolve("b"), 2), out = tmp.resolve("strain");
		final String args = ",hkl=\"111\",lattice_constant=0.4078,voxel_size=10,output_dir=\"" + out + "\"";
		final HeadlessRun first = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + a + "\"" + args);
		assertEquals(0, first.code, first.err);
		assertTrue(first.out.contains("6 files in " + out), "says where the results went: " + first.out);
		assertTrue(Files.readString(out.resolve("x_strain_manifest.json")).contains(a.toRealPath().toString()), "the manifest records the input");
		final HeadlessRun again = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + a + "\"" + args);
		assertEquals(0, again.code, "rerunning the same reconstruction replaces its strain: " + again.err);
		final byte[] before = Files.readAllBytes(out.resolve("x_strain.tif"));
		final HeadlessRun other = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + b + "\"" + args);
		assertEquals(1, other.code, other.err);
		assertRefused(other, a, b, "output_dir");
		assertArrayEquals(before, Files.readAllBytes(out.resolve("x_strain.tif")), "the first reconstruction's strain is kept");
		AtomicOutput.checkComplete(out, "x_strain", out.resolve("x_strain.tif"));
	}

	/**
	 * The same reconstruction's files opened as images (File > Open, then Strain on the open images): the same input as
	 * amplitude_file= of those files, so the rerun replaces its strain. Before, the image's title was its identity and
	 * the rerun was refused as "another reconstruction of the same name".
	 */
	@Test
	void strainOfTheSameFilesOpenedAsImagesReplacesItsOwn(@TempDir final Path tmp) throws Exception {
		final Path a = reconstruction(tmp.resolve("a"), 1), out = tmp.resolve("strain");
		final HeadlessRun first = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + a + "\",hkl=\"111\",lattice_constant=0.4078,voxel_size=10,output_dir=\"" + out + "\"");
		assertEquals(0, first.code, first.err);
		final Path failure = tmp.resolve("failure.txt");
		final Path macro = Files.writeString(tmp.resolve("m.ijm"), String.join("\n",
			"open(\"" + a + "\");", "open(\"" + a.resolveSibling("x_phase.tif") + "\");",
			"run(\"Strain\", \"amplitude=[x_amplitude.tif] phase=[x_phase.tif] hkl=111 lattice_constant=0.4078 voxel_size=10 output_dir=[" + out + "]\");",
			"File.saveString(getInfo(\"cdi.lastFailure\"), \"" + failure + "\");", ""));
		assertEquals(0, sc.fiji.cdi.app.Main.run("-macro", macro.toString()));
		assertEquals("", Files.readString(failure), "the strain of the same files, opened as images, replaces its own");
		assertTrue(Files.readString(out.resolve("x_strain_manifest.json")).contains(a.toRealPath().toString()), "recorded as the file it was opened from");
	}

	/** The mechanism Predict (NN) shares: the manifest's input, checked when the set is opened. */
	@Test
	void resultSetInputCheck(@TempDir final Path tmp) throws Exception {
		try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(tmp, "x_nn").input("image 'one \"q\"'")) {
			TiffWriter.write(set.file("x_nn_amplitude.tif"), new RealVolume(Grid.of2D(4, 4), new float[16]));
			set.commit();
		}
		try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(tmp, "x_nn").input("image 'one \"q\"'")) {
			// same input (escaped quotes compare equal): accepted
		}
		final CdiException e = assertThrows(CdiException.class, () -> {
			try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(tmp, "x_nn").input("image 'two'")) {
				set.commit();
			}
		});
		assertTrue(e.getMessage().contains("image 'one \"q\"'") && e.getMessage().contains("image 'two'"), e.getMessage());
		assertTrue(Files.exists(tmp.resolve("x_nn_amplitude.tif")));
	}

	/** Outputs are named after the file without its extension: dots inside the name stay (they were cut at the first). */
	@Test
	void dotsInsideANameStay(@TempDir final Path tmp) throws Exception {
		assertEquals("scan_1.5deg", Inputs.baseName(tmp.resolve("scan_1.5deg.tif")));
		assertEquals("rocking_t", Inputs.baseName(tmp.resolve("rocking_t.ome.tif")));
		assertEquals("S0054.eiger", Inputs.baseName(tmp.resolve("S0054.eiger.h5")));
		assertEquals("scan_1.5", Inputs.baseName(tmp.resolve("scan_1.5")));
		final Path a = tmp.resolve("scan_1.5deg.tif"), b = tmp.resolve("scan_1.7deg.tif");
		Files.move(pattern(tmp.resolve("a"), 1), a);
		Files.move(pattern(tmp.resolve("b"), 2), b);
		final Path out = tmp.resolve("out");
		for (final Path in : new Path[] { a, b }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"20*ER\",random_starts=1");
			assertEquals(0, r.code, r.err);
		}
		assertTrue(Files.exists(out.resolve("scan_1.5deg_report.json")) && Files.exists(out.resolve("scan_1.7deg_report.json")), "one result set per input");
	}
}
