package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.util.AtomicOutput;

/** Export's output names: a folder given as output is refused, a BDV manifest does not repeat "bdv". */
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
}
