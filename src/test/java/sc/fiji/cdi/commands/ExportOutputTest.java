package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * Export's output names: a folder given as output is refused, a BDV manifest does not repeat "bdv", an output that is
 * an input is refused, and a user's own folder or file named like the N5 container is kept.
 */
class ExportOutputTest {

	private static Path reconstruction(final Path dir) throws Exception {
		Files.createDirectories(dir);
		final Grid g = new Grid(8, 8, 8);
		final float[] a = new float[g.size()], p = new float[g.size()];
		for (int i = 0; i < a.length; i++) { a[i] = i % 7; p[i] = 0.01f * (i % 11); }
		TiffWriter.write(dir.resolve("scan_amplitude.tif"), new RealVolume(g, a, new double[] { 10, 10, 10 }, "nm"));
		TiffWriter.write(dir.resolve("scan_phase.tif"), new RealVolume(g, p, new double[] { 10, 10, 10 }, "nm"));
		return dir.resolve("scan_amplitude.tif");
	}

	@Test
	void aFolderAsOutputIsRefusedNotWrittenBesideIt(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path folder = Files.createDirectories(tmp.resolve("ex"));
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"vti\",output=\"" + folder + "\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("'output'") && r.err.contains("is a folder") && r.err.contains(folder.resolve("result.vti").toString()), r.err);
		assertFalse(Files.exists(tmp.resolve("ex.vti")), "nothing written beside the folder");
		try (var s = Files.list(folder)) {
			assertEquals(0, s.count());
		}
		final HeadlessRun inside = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"vti\",output=\"" + folder.resolve("scan.vti") + "\"");
		assertEquals(0, inside.code, inside.err);
		assertTrue(Files.size(folder.resolve("scan.vti")) > 1000);
	}

	/**
	 * A macro or command line without format= wrote BigDataViewer whatever the output (scan.vti was refused as "the
	 * format needs .xml"; a name without extension became BDV unsaid): the output's extension decides, a name without
	 * one gets the documented default, another extension is refused, and the log says which format was used.
	 */
	@Test
	void withoutFormatTheOutputsExtensionDecidesAndTheLogSaysSo(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final HeadlessRun vti = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",output=\"" + tmp.resolve("ex/scan.vti") + "\"");
		assertEquals(0, vti.code, vti.err);
		assertTrue(Files.size(tmp.resolve("ex/scan.vti")) > 1000);
		assertTrue((vti.out + vti.err).contains("Export format: vti (format not given: from the output's extension)"), vti.out + vti.err);
		final HeadlessRun cxi = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",output=\"" + tmp.resolve("ex/scan.h5") + "\"");
		assertEquals(0, cxi.code, cxi.err);
		assertTrue((cxi.out + cxi.err).contains("Export format: cxi"), cxi.out + cxi.err);
		final HeadlessRun bare = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",output=\"" + tmp.resolve("ex/plain") + "\"");
		assertEquals(0, bare.code, bare.err);
		assertTrue(Files.exists(tmp.resolve("ex/plain.xml")));
		assertTrue((bare.out + bare.err).contains("Export format: bigdataviewer (format not given and the output has no extension: the default)"), bare.out + bare.err);
		final HeadlessRun tif = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",output=\"" + tmp.resolve("ex/scan.tif") + "\"");
		assertEquals(1, tif.code, tif.err);
		assertTrue(tif.err.contains("'format' is not given") && tif.err.contains(".tif") && tif.err.contains("format=bigdataviewer (.xml), vti (.vti) or cxi"), tif.err);
		assertFalse(Files.exists(tmp.resolve("ex/scan.tif")));
		// a format given is used as given (and a different extension is still refused)
		final HeadlessRun given = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"vti\",output=\"" + tmp.resolve("ex/other") + "\"");
		assertEquals(0, given.code, given.err);
		assertTrue((given.out + given.err).contains("Export format: vti (given)"), given.out + given.err);
		final HeadlessRun clash = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"cxi\",output=\"" + tmp.resolve("ex/x.vti") + "\"");
		assertEquals(1, clash.code, clash.err);
		assertTrue(clash.err.contains("needs .cxi"), clash.err);
	}

	@Test
	void bdvManifestNameIsNotDoubled(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path out = tmp.resolve("ex");
		for (final String xml : new String[] { "bdv.xml", "scan.xml", "scan.xml" }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"bigdataviewer\",output=\"" + out.resolve(xml) + "\"");
			assertEquals(0, r.code, r.err);
		}
		// scan_bdv.xml would share scan.xml's set name (scan_bdv): refused, not mixed into it
		final HeadlessRun clash = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"bigdataviewer\",output=\"" + out.resolve("scan_bdv.xml") + "\"");
		assertEquals(1, clash.code, clash.err);
		assertTrue(clash.err.contains("scan.xml") && clash.err.contains("scan_bdv.xml"), clash.err);
		assertEquals(0, HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"bigdataviewer\",output=\"" + tmp.resolve("ex2/scan_bdv.xml") + "\"").code);
		assertTrue(Files.exists(tmp.resolve("ex2/scan_bdv_manifest.json")), "a name ending in _bdv is not doubled");
		assertTrue(Files.exists(out.resolve("bdv_manifest.json")));
		assertFalse(Files.exists(out.resolve("bdv_bdv_manifest.json")));
		assertTrue(Files.exists(out.resolve("scan_bdv_manifest.json")), "plain names keep the _bdv set name");
		assertTrue(Files.exists(out.resolve("scan.n5")) && Files.exists(out.resolve("scan.xml")) && !Files.exists(out.resolve("scan_bdv.xml")));
		AtomicOutput.checkComplete(out, "bdv", out.resolve("bdv.xml"));
		AtomicOutput.checkComplete(out, "scan_bdv", out.resolve("scan.xml"));
	}

	/** A small diffraction pattern in the cxidb layout, as Import Diffraction reads it. */
	private static Path diffraction(final Path file) throws Exception {
		final float[][][] cube = new float[8][8][8];
		for (int z = 0; z < 8; z++) for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) cube[z][y][x] = 1 + (x + y + z) % 5;
		try (WritableHdfFile f = HdfFile.write(file)) { f.putGroup("entry_1").putGroup("data_1").putDataset("data", cube); }
		return file;
	}

	@Test
	void cxiOutputThatIsTheDiffractionInputIsRefusedAndTheInputKept(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path data = diffraction(tmp.resolve("data.cxi"));
		final byte[] before = Files.readAllBytes(data);
		final Path link = Files.createSymbolicLink(tmp.resolve("link.cxi"), data);
		// the same file named directly, through "..", and through a link
		for (final String[] io : new String[][] { { data.toString(), data.toString() }, { data.toString(), tmp.resolve("sub/../data.cxi").toString() },
			{ link.toString(), data.toString() } }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"cxi\",diffraction_file=\"" + io[0]
				+ "\",output=\"" + io[1] + "\"");
			assertEquals(1, r.code, r.err);
			assertTrue(r.err.contains("'output'") && r.err.contains("same file as 'diffraction_file'") && r.err.contains("another output name"), r.err);
			assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
			assertArrayEquals(before, Files.readAllBytes(data), "the input is unchanged");
		}
		// a given phase_file counts as an input too
		final HeadlessRun phase = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"cxi\",output=\""
			+ Files.copy(data, amp.resolveSibling("scan_phase.h5")) + "\",phase_file=\"" + amp.resolveSibling("scan_phase.h5") + "\"");
		assertEquals(1, phase.code, phase.err);
		assertTrue(phase.err.contains("'phase_file'"), phase.err);
		final HeadlessRun ok = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"cxi\",diffraction_file=\"" + data
			+ "\",output=\"" + tmp.resolve("out.cxi") + "\"");
		assertEquals(0, ok.code, ok.err);
		assertTrue(Files.size(tmp.resolve("out.cxi")) > Files.size(data), "object and diffraction data written");
	}

	/** diffraction_file goes only into a CXI file: with vti or bigdataviewer it was silently left out of the export. */
	@Test
	void diffractionDataForAFormatWithoutThemIsRefusedNotDropped(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path data = diffraction(tmp.resolve("data.cxi"));
		for (final String target : new String[] { "output=\"" + tmp.resolve("ex/scan.vti") + "\"", "format=\"bigdataviewer\",output=\"" + tmp.resolve("ex/scan.xml") + "\"" }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",diffraction_file=\"" + data + "\"," + target);
			assertEquals(1, r.code, r.err);
			assertTrue(r.err.contains("Parameter 'diffraction_file'") && r.err.contains("only written into a CXI file") && r.err.contains("expected format=cxi"), r.err);
			assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
			assertFalse(Files.exists(tmp.resolve("ex")), "nothing written");
		}
	}

	@Test
	void aUsersFolderOrFileNamedLikeTheN5ContainerIsKept(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path out = Files.createDirectories(tmp.resolve("ex"));
		final Path mine = Files.writeString(Files.createDirectories(out.resolve("y.n5")).resolve("notes.txt"), "my own data");
		final Path plain = Files.writeString(out.resolve("z.n5"), "a file");
		final Path target = Files.createDirectories(tmp.resolve("elsewhere"));
		Files.createSymbolicLink(out.resolve("l.n5"), target);
		for (final String name : new String[] { "y", "z", "l" }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"bigdataviewer\",output=\"" + out.resolve(name + ".xml") + "\"");
			assertEquals(1, r.code, r.err);
			assertTrue(r.err.contains(out.resolve(name + ".n5").toString()) && r.err.contains("not written by an earlier export") && r.err.contains("another output name"), r.err);
			assertFalse(Files.exists(out.resolve(name + ".xml")) || Files.exists(out.resolve(name + "_bdv_manifest.json")), "nothing written for " + name);
		}
		assertEquals("my own data", Files.readString(mine));
		assertEquals("a file", Files.readString(plain));
		assertTrue(Files.isSymbolicLink(out.resolve("l.n5")) && Files.isDirectory(target));
		// the tool's own container is still replaced by the next export of the same name
		for (int k = 0; k < 2; k++) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"bigdataviewer\",output=\"" + out.resolve("w.xml") + "\"");
			assertEquals(0, r.code, r.err);
		}
		AtomicOutput.checkComplete(out, "w_bdv", out.resolve("w.xml"));
	}
}
