package sc.fiji.cdi.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/** The Export workflow without Fiji: format names, output-file rules, the strain's grid, and one VTI file. */
class ExportTest {

	@TempDir
	Path dir;

	private static RealVolume ramp(final Grid g, final float scale) {
		final float[] v = new float[g.size()];
		for (int i = 0; i < v.length; i++) v[i] = scale * i;
		return new RealVolume(g, v);
	}

	@Test
	void formatsAndTheirFileNames() {
		assertEquals(Export.Format.BIGDATAVIEWER, Export.Format.parse(" BDV ", "format"));
		assertEquals(Export.Format.VTI, Export.Format.parse("vtk", "format"));
		final CdiException bad = assertThrows(CdiException.class, () -> Export.Format.parse("png", "format"));
		assertTrue(bad.getMessage().contains("format='png'") && bad.getMessage().contains("bigdataviewer, vti or cxi"), bad.getMessage());
		assertEquals(dir.resolve("obj.vti"), Export.target(dir.resolve("obj"), Export.Format.VTI));
		assertEquals(dir.resolve("obj.h5"), Export.target(dir.resolve("obj.h5"), Export.Format.CXI));
		final CdiException ext = assertThrows(CdiException.class, () -> Export.target(dir.resolve("obj.tif"), Export.Format.VTI));
		assertTrue(ext.getMessage().contains(".tif") && ext.getMessage().contains(".vti"), ext.getMessage());
	}

	@Test
	void writesAVtiWithEveryChannelAndRefusesAStrainOnAnotherGrid() throws Exception {
		final Grid g = new Grid(4, 5, 6);
		final Path vti = dir.resolve("crystal.vti");
		final Export.Result r = Export.run(new Export.Request("crystal", ramp(g, 1), ramp(g, 0.01f), ramp(g, 1e-4f), null, null, Export.Format.VTI, vti,
			new double[] { 10, 10, 10 }, "nm", Map.of()), Progress.NONE);
		assertEquals(List.of("amplitude", "phase", "strain"), r.channels());
		final String head = new String(Files.readAllBytes(vti), java.nio.charset.StandardCharsets.ISO_8859_1);
		assertTrue(head.contains("Name=\"strain\"") && head.contains("Spacing=\"10.0 10.0 10.0\""), head.substring(0, Math.min(600, head.length())));
		final Path other = dir.resolve("other.vti");
		final CdiException e = assertThrows(CdiException.class, () -> Export.run(new Export.Request("crystal", ramp(g, 1), ramp(g, 0.01f), ramp(new Grid(4, 5, 7), 1e-4f),
			null, null, Export.Format.VTI, other, new double[] { 10, 10, 10 }, "nm", Map.of()), Progress.NONE));
		assertTrue(e.getMessage().contains(new Grid(4, 5, 7).toString()) && e.getMessage().contains(g.toString()), e.getMessage());
		assertFalse(Files.exists(other), "nothing written for a refused export");
	}

	@Test
	void aCancelledExportWritesNothingInAnyFormat() {
		final Grid g = new Grid(4, 5, 6);
		final Progress cancelled = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long d, final long t) {}
			@Override public boolean isCancelled() { return true; }
		};
		for (final Export.Format f : Export.Format.values()) {
			final Path out = dir.resolve("cancelled" + f.extension);
			assertThrows(sc.fiji.cdi.util.CancelledException.class, () -> Export.run(new Export.Request("crystal", ramp(g, 1), ramp(g, 0.01f), null, null, null, f, out,
				new double[] { 10, 10, 10 }, "nm", Map.of()), cancelled), f.name());
			assertFalse(Files.exists(out), f + ": nothing written");
			assertFalse(Files.exists(dir.resolve("cancelled.n5")), f + ": no N5 container");
		}
	}
}
