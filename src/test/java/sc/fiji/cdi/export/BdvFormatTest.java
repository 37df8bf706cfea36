package sc.fiji.cdi.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.Progress;

/**
 * The export read the way BigDataViewer reads it, with the names its readers look up (pinned from the sources):
 * spim_data {@code mpicbg.spim.data.XmlKeys} (SpimData, BasePath, SequenceDescription, ImageLoader@format, ViewSetups /
 * ViewSetup / id, name, size, voxelSize / unit, size, Timepoints@type + integerpattern, ViewRegistrations /
 * ViewRegistration@timepoint@setup / ViewTransform@type="affine" / affine), bdv-core {@code XmlIoN5ImageLoader}
 * ({@code @ImgLoaderIo(format = "bdv.n5")}, child element {@code n5} resolved against the base path) and
 * {@code BdvN5Format} ({@code setup%d}, {@code setup%d/timepoint%d/s%d}, group attributes {@code dataType} and
 * {@code downsamplingFactors} read as {@code double[][]}), plus the N5 dataset attributes every N5 reader needs
 * (dimensions, blockSize, dataType, compression.type). Then the data of every level are read back through them.
 */
class BdvFormatTest {

	private static Element child(final Element e, final String tag) {
		final var list = e.getElementsByTagName(tag);
		assertTrue(list.getLength() > 0, "<" + e.getTagName() + "> has no <" + tag + ">");
		return (Element) list.item(0);
	}

	private static JsonObject attributes(final Path group) throws Exception {
		final Path f = group.resolve("attributes.json");
		assertTrue(Files.isRegularFile(f), "no " + f);
		return JsonParser.parseString(Files.readString(f)).getAsJsonObject();
	}

	@Test
	void bigDataViewerFindsEverySetupLevelAndVoxel(@TempDir final Path dir) throws Exception {
		final Grid g = new Grid(260, 40, 70); // z ≥ 256: a second pyramid level
		final float[] a = new float[g.size()], s = new float[g.size()];
		for (int i = 0; i < a.length; i++) { a[i] = (float) Math.cos(i * 1e-3); s[i] = i % 7 == 0 ? Float.NaN : i * 1e-6f; }
		final double[] voxel = { 11, 6, 5 };
		final Path xml = dir.resolve("crystal.xml");
		BdvExport.write(xml, List.of(BdvExport.Channel.of("amplitude", new RealVolume(g, a, voxel, "nm")), BdvExport.Channel.of("strain", new RealVolume(g, s, voxel, "nm"))),
			voxel, "nm", Progress.NONE);

		final Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
		final Element root = d.getDocumentElement();
		assertEquals("SpimData", root.getTagName());
		assertEquals("0.2", root.getAttribute("version"));
		final Element base = child(root, "BasePath");
		assertEquals("relative", base.getAttribute("type"));
		final Element seq = child(root, "SequenceDescription");
		final Element loader = child(seq, "ImageLoader");
		assertEquals("bdv.n5", loader.getAttribute("format"));
		final Path n5 = xml.getParent().resolve(base.getTextContent().trim()).resolve(child(loader, "n5").getTextContent().trim()).normalize();
		assertTrue(Files.isDirectory(n5), n5.toString());
		assertEquals("pattern", child(seq, "Timepoints").getAttribute("type"));
		assertEquals("0", child(child(seq, "Timepoints"), "integerpattern").getTextContent().trim());
		final var setups = child(seq, "ViewSetups").getElementsByTagName("ViewSetup");
		assertEquals(2, setups.getLength());
		final var regs = child(root, "ViewRegistrations").getElementsByTagName("ViewRegistration");
		assertEquals(2, regs.getLength());
		for (int i = 0; i < 2; i++) {
			final Element setup = (Element) setups.item(i);
			final int id = Integer.parseInt(child(setup, "id").getTextContent().trim());
			assertEquals("70 40 260", child(setup, "size").getTextContent().trim(), "x y z");
			final Element vs = child(setup, "voxelSize");
			assertEquals("nm", child(vs, "unit").getTextContent().trim());
			assertEquals("5.0 6.0 11.0", child(vs, "size").getTextContent().trim());
			final Element reg = (Element) regs.item(i);
			assertEquals("0", reg.getAttribute("timepoint"));
			assertEquals(String.valueOf(id), reg.getAttribute("setup"));
			final Element vt = child(reg, "ViewTransform");
			assertEquals("affine", vt.getAttribute("type"));
			final String[] m = child(vt, "affine").getTextContent().trim().split("\\s+");
			assertEquals(12, m.length);
			assertEquals(5.0, Double.parseDouble(m[0]));
			assertEquals(6.0, Double.parseDouble(m[5]));
			assertEquals(11.0, Double.parseDouble(m[10]));

			// BdvN5Format: setup%d group attributes
			final JsonObject sa = attributes(n5.resolve(String.format("setup%d", id)));
			assertEquals("float32", sa.get("dataType").getAsString());
			final JsonArray factors = sa.getAsJsonArray("downsamplingFactors");
			assertNotNull(factors);
			assertEquals(2, factors.size(), "levels: s0 and s1");
			final float[] truth = id == 0 ? a : s;
			for (int level = 0; level < factors.size(); level++) {
				final JsonArray f = factors.get(level).getAsJsonArray();
				assertEquals(3, f.size());
				final Path ds = n5.resolve(String.format("setup%d/timepoint%d/s%d", id, 0, level));
				final JsonObject da = attributes(ds);
				final long[] dims = new long[3];
				for (int k = 0; k < 3; k++) dims[k] = da.getAsJsonArray("dimensions").get(k).getAsLong();
				final long[] expected = { 70, 40, 260 };
				for (int k = 0; k < 3; k++) expected[k] = (expected[k] + f.get(k).getAsInt() - 1) / f.get(k).getAsInt();
				assertArrayEquals(expected, dims, "level " + level + " dimensions = ceil(size / factor)");
				assertEquals(3, da.getAsJsonArray("blockSize").size());
				assertEquals("float32", da.get("dataType").getAsString());
				assertTrue(List.of("raw", "gzip").contains(da.getAsJsonObject("compression").get("type").getAsString()));
				if (level == 0) {
					final float[] back = new float[g.size()];
					N5Writer.reader(ds).read(new long[3], new int[] { g.nx, g.ny, g.nz }, back);
					assertArrayEquals(truth, back, "setup " + id + " level 0 values");
				}
			}
		}
	}
}
