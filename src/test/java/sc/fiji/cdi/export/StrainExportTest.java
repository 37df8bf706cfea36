package sc.fiji.cdi.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jhdf.HdfFile;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.strain.RampRemoval;
import sc.fiji.cdi.strain.StrainAnalysis;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.strain.StrainResult;

class StrainExportTest {

	@TempDir
	Path dir;

	@Test
	void aStrainResultGoesToAllThreeFormatsWithTheSameValues() throws Exception {
		final Grid g = Grid.cube(24);
		final float[] c = new float[2 * g.size()];
		final boolean[] s = new boolean[g.size()];
		for (int z = 6; z < 18; z++) for (int y = 6; y < 18; y++) for (int x = 6; x < 18; x++) {
			final int i = g.index(z, y, x);
			s[i] = true;
			final double phi = 0.3 * y;
			c[2 * i] = (float) Math.cos(phi); c[2 * i + 1] = (float) Math.sin(phi);
		}
		final ComplexVolume obj = new ComplexVolume(g, c, new double[] { 10, 10, 10 }, "nm");
		final StrainResult r = StrainAnalysis.analyse(obj, s, StrainParameters.defaults().withRampRemoval(RampRemoval.NONE));
		StrainExport.bigDataViewer(dir.resolve("r.xml"), r, null);
		StrainExport.vti(dir.resolve("r.vti"), r);
		StrainExport.cxi(dir.resolve("r.cxi"), obj, r, null, Map.of("recipe", "ER"));
		final float[] back = new float[g.size()];
		N5Writer.reader(dir.resolve("r.n5/setup3/timepoint0/s0")).read(new long[3], new int[] { 24, 24, 24 }, back);
		assertArrayEquals(r.strain().data, back);
		assertEquals(0.3 / (10 * r.parameters().gNorm()), r.strain().data[g.index(12, 12, 12)], 1e-9);
		try (HdfFile f = new HdfFile(dir.resolve("r.cxi"))) {
			final float[][][] e = (float[][][]) f.getDatasetByPath("entry_1/image_1/strain").getData();
			assertEquals(r.strain().data[g.index(12, 12, 12)], e[12][12][12]);
			assertTrue(((String) f.getDatasetByPath("entry_1/image_1/process_1/configuration").getData()).contains("\"phase_sign\": 1"));
		}
		assertTrue(Files.size(dir.resolve("r.vti")) > 4L * 4 * g.size());
	}
}
