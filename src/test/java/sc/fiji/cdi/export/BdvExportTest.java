package sc.fiji.cdi.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

class BdvExportTest {

	@TempDir
	Path dir;

	static RealVolume random(final Grid g, final long seed, final boolean withNaN) {
		final Random r = new Random(seed);
		final float[] d = new float[g.size()];
		for (int i = 0; i < d.length; i++) d[i] = withNaN && r.nextInt(10) == 0 ? Float.NaN : (float) r.nextGaussian();
		return new RealVolume(g, d, new double[] { 5, 6, 7 }, "nm");
	}

	@Test
	void a128CubeIsWrittenBlockwiseAndReadsBackIdentical() throws Exception {
		final Grid g = new Grid(128, 100, 130); // border blocks of every size
		final float[] smooth = new float[g.size()];
		for (int i = 0; i < smooth.length; i++) smooth[i] = (float) Math.sin(i * 1e-3);
		final RealVolume amp = new RealVolume(g, smooth, new double[] { 5, 6, 7 }, "nm"), strain = random(g, 2, true);
		final Path xml = dir.resolve("crystal.xml");
		BdvExport.write(xml, List.of(BdvExport.Channel.of("amplitude", amp), BdvExport.Channel.of("strain", strain)), amp.voxelSize, "nm", Progress.NONE);
		final Path n5 = dir.resolve("crystal.n5");
		// 2 × 2 × 3 blocks of 64³ per channel, no pyramid below 256
		try (Stream<Path> s = Files.list(n5.resolve("setup0/timepoint0/s0"))) { assertEquals(4, s.count()); } // 3 x-folders + attributes.json
		assertFalse(Files.exists(n5.resolve("setup0/timepoint0/s1")));
		final float[] back = new float[g.size()];
		N5Writer.reader(n5.resolve("setup1/timepoint0/s0")).read(new long[3], new int[] { g.nx, g.ny, g.nz }, back);
		assertArrayEquals(strain.data, back); // NaN compares equal bit-wise via Float.equals semantics
		try (Stream<Path> s = Files.list(dir)) { assertEquals(3, s.count(), "only the xml, the n5 folder and their manifest (written last), no temporary files"); }
		checkXml(xml, 2, new long[] { 130, 100, 128 });
	}

	@Test
	void pythonZarrN5StoreReadsTheSameValuesAndThePyramid() throws Exception {
		Assumptions.assumeTrue(PythonCheck.hasModules("zarr", "numpy"), "Debian python3-zarr not installed: skipping the independent N5 check");
		final Grid g = new Grid(9, 20, 300); // x ≥ 256 → a pyramid level
		final RealVolume v = random(g, 3, true);
		final Path xml = dir.resolve("p.xml");
		BdvExport.write(xml, List.of(BdvExport.Channel.of("phase", v)), v.voxelSize, "nm", Progress.NONE);
		final Path raw = dir.resolve("expected.raw");
		PythonCheck.writeRaw(raw, v.data);
		final String script = String.join("\n",
			"import sys, zarr, numpy as np",
			"root = zarr.open(zarr.N5Store(sys.argv[1]), mode='r')",
			"a = root['setup0/timepoint0/s0'][:]",
			"e = np.fromfile(sys.argv[2], dtype='<f4').reshape(9, 20, 300)",
			"assert a.shape == e.shape, a.shape",
			"assert np.array_equal(a, e, equal_nan=True), 'values differ'",
			"s1 = root['setup0/timepoint0/s1'][:]",
			"assert s1.shape == (5, 10, 150), s1.shape",
			"p = np.pad(e, ((0, 1), (0, 0), (0, 0)), constant_values=np.nan).reshape(5, 2, 10, 2, 150, 2)",
			"import warnings; warnings.simplefilter('ignore')",
			"m = np.nanmean(p, axis=(1, 3, 5))",
			"assert np.allclose(s1, m, equal_nan=True, atol=1e-6), np.nanmax(np.abs(s1 - m))",
			"print('ok', a.shape, s1.shape)");
		final PythonCheck.Result r = PythonCheck.run(script, dir.resolve("p.n5").toString(), raw.toString());
		assertEquals(0, r.exit(), r.output());
		assertTrue(r.output().contains("ok"));
		checkXml(xml, 1, new long[] { 300, 20, 9 });
	}

	@Test
	void pyramidLevelsStopBelow256() {
		assertEquals(1, BdvExport.pyramid(new long[] { 255, 255, 255 }).size());
		assertEquals(2, BdvExport.pyramid(new long[] { 256, 256, 256 }).size());
		assertEquals(3, BdvExport.pyramid(new long[] { 512, 512, 512 }).size());
		assertArrayEquals(new int[] { 4, 4, 4 }, BdvExport.pyramid(new long[] { 512, 512, 512 }).get(2));
	}

	@Test
	void aFailedExportLeavesNothingAndKeepsThePreviousOne() throws Exception {
		final Grid g = Grid.cube(70);
		final RealVolume v = random(g, 4, false);
		final Path xml = dir.resolve("x.xml");
		BdvExport.write(xml, List.of(BdvExport.Channel.of("a", v)), v.voxelSize, "nm", Progress.NONE);
		final String before = Files.readString(xml);
		final BlockSource inner = BlockSource.of(v);
		final BlockSource failing = new BlockSource() {
			int calls;
			@Override public long[] dimensionsXyz() { return inner.dimensionsXyz(); }
			@Override public void read(final long[] o, final int[] s, final float[] d) {
				if (++calls == 3) throw new CdiException("disk full (simulated)");
				inner.read(o, s, d);
			}
		};
		assertThrows(CdiException.class, () -> BdvExport.write(xml, List.of(new BdvExport.Channel("b", failing)), v.voxelSize, "nm", Progress.NONE));
		try (Stream<Path> s = Files.list(dir)) { assertEquals(3, s.count(), "the previous xml, n5 and manifest, no temporary folder left"); }
		assertEquals(before, Files.readString(xml));
		final float[] back = new float[g.size()];
		N5Writer.reader(dir.resolve("x.n5/setup0/timepoint0/s0")).read(new long[3], new int[] { 70, 70, 70 }, back);
		assertArrayEquals(v.data, back);
		// mismatched channels are refused
		assertThrows(CdiException.class, () -> BdvExport.write(xml, List.of(BdvExport.Channel.of("a", v), BdvExport.Channel.of("b", random(Grid.cube(8), 1, false))), v.voxelSize, "nm", Progress.NONE));
	}

	/** Well-formed and with the layout of REFERENCE §6. */
	static void checkXml(final Path xml, final int channels, final long[] dimsXyz) throws Exception {
		final Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
		final Element root = d.getDocumentElement();
		assertEquals("SpimData", root.getTagName());
		assertEquals("0.2", root.getAttribute("version"));
		final Element loader = (Element) d.getElementsByTagName("ImageLoader").item(0);
		assertEquals("bdv.n5", loader.getAttribute("format"));
		final Element n5 = (Element) loader.getElementsByTagName("n5").item(0);
		assertEquals("relative", n5.getAttribute("type"));
		assertTrue(Files.isDirectory(xml.resolveSibling(n5.getTextContent())), "the n5 path resolves next to the xml");
		final NodeList setups = d.getElementsByTagName("ViewSetup");
		assertEquals(channels, setups.getLength());
		for (int i = 0; i < channels; i++) {
			final Element s = (Element) setups.item(i);
			assertEquals(String.valueOf(i), s.getElementsByTagName("id").item(0).getTextContent());
			assertEquals(dimsXyz[0] + " " + dimsXyz[1] + " " + dimsXyz[2], s.getElementsByTagName("size").item(0).getTextContent());
			assertTrue(Files.exists(xml.resolveSibling(n5.getTextContent()).resolve("setup" + i + "/timepoint0/s0/attributes.json")));
		}
		final NodeList regs = d.getElementsByTagName("ViewRegistration");
		assertEquals(channels, regs.getLength());
		final String[] affine = ((Element) regs.item(0)).getElementsByTagName("affine").item(0).getTextContent().trim().split("\\s+");
		assertEquals(12, affine.length);
		assertEquals(7.0, Double.parseDouble(affine[0]), "x scale = x voxel size");
		assertEquals(5.0, Double.parseDouble(affine[10]), "z scale = z voxel size");
		assertEquals(1, d.getElementsByTagName("Timepoints").getLength());
	}
}
