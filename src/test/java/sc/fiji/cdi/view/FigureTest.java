package sc.fiji.cdi.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.CompositeImage;
import ij.ImagePlus;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;

class FigureTest {

	@TempDir
	Path dir;

	@BeforeAll
	static void headless() { System.setProperty("java.awt.headless", "true"); }

	static final Grid G = new Grid(20, 30, 40);
	static final double[] VS = { 10, 10, 5 }; // nm: x voxels half as wide

	/** A box crystal: tensile (+0.1 %) for x < 20, compressive (−0.1 %) for x ≥ 20; NaN outside. */
	static RealVolume strain(final boolean[] support) {
		final float[] e = new float[G.size()];
		for (int z = 0; z < G.nz; z++) for (int y = 0; y < G.ny; y++) for (int x = 0; x < G.nx; x++) {
			final int i = G.index(z, y, x);
			support[i] = z >= 4 && z < 16 && y >= 5 && y < 25 && x >= 4 && x < 36;
			e[i] = support[i] ? (x < 20 ? 1e-3f : -1e-3f) : Float.NaN;
		}
		return new RealVolume(G, e, VS, "nm");
	}

	static int[] rgb(final int c) { return new int[] { (c >> 16) & 255, (c >> 8) & 255, c & 255 }; }

	@Test
	void lutsAreDivergingThroughWhiteAndCyclic() {
		assertArrayEquals(new int[] { 247, 247, 247 }, rgb(Lut.DIVERGING.rgb(0.5)));
		assertArrayEquals(new int[] { 178, 24, 43 }, rgb(Lut.DIVERGING.rgb(1)));
		assertArrayEquals(new int[] { 33, 102, 172 }, rgb(Lut.DIVERGING.rgb(0)));
		assertEquals(Lut.CYCLIC.rgb(0), Lut.CYCLIC.rgb(1), "phase −π and π have the same colour");
		assertEquals(Lut.CYCLIC, Lut.forQuantity("Phase"));
		assertEquals(Lut.DIVERGING, Lut.forQuantity("strain"));
		assertEquals(Lut.GREY, Lut.forQuantity("amplitude"));
	}

	@Test
	void strainFigureShowsTensionRedCompressionBlueAndGreyOutside() throws Exception {
		final boolean[] s = new boolean[G.size()];
		final RealVolume e = strain(s);
		assertArrayEquals(new int[] { 10, 15, 20 }, Figure.centreOfMass(G, s));
		final Figure.Options o = Figure.Options.strain().withTitle("Au (111), ε along G");
		assertArrayEquals(new double[] { -0.1, 0.1 }, Figure.range(e, s, o), 1e-7, "symmetric range in %");
		final BufferedImage img = Figure.render(e, s, o);
		// xy panel: 40 x-voxels × 5 nm = 200 nm wide, 30 y-voxels × 10 nm = 300 nm high → the longest side (300 nm) is 300 px
		final int left = 40, top = 30 + 40; // margin, title + margin
		final double px = 300 / 300.0; // pixels per nm
		final int yIn = top + (int) (15 * 10 * px);
		assertArrayEquals(new int[] { 178, 24, 43 }, rgb(img.getRGB(left + (int) (10 * 5 * px), yIn)), "tensile voxel is red");
		assertArrayEquals(new int[] { 33, 102, 172 }, rgb(img.getRGB(left + (int) (30 * 5 * px), yIn)), "compressive voxel is blue");
		assertArrayEquals(new int[] { 0xdd, 0xdd, 0xdd }, rgb(img.getRGB(left + 2, top + 2)), "outside the support is grey");
		final Path png = dir.resolve("strain.png");
		Figure.savePng(img, png);
		final BufferedImage back = ImageIO.read(png.toFile());
		assertEquals(img.getWidth(), back.getWidth());
		assertEquals(img.getRGB(left + 50, yIn), back.getRGB(left + 50, yIn));
		try (var l = Files.list(dir)) { assertEquals(1, l.count()); }
		// the three panels at the voxel aspect ratio: 200 + 200 + 300 nm wide plus the colour bar
		assertTrue(img.getWidth() >= 40 + 200 + 200 + 300 + 3 * 24, "width " + img.getWidth());
	}

	@Test
	void scaleBarIsARoundNumber() {
		assertEquals(50, Figure.niceLength(74));
		assertEquals(200, Figure.niceLength(250));
		assertEquals(1000, Figure.niceLength(1000));
	}

	@Test
	void withoutBigDataViewerAHyperstackWithOneChannelPerQuantityIsBuilt() {
		final boolean[] s = new boolean[G.size()];
		final Map<String, RealVolume> m = new LinkedHashMap<>();
		final float[] a = new float[G.size()];
		for (int i = 0; i < a.length; i++) a[i] = s.length > 0 ? 1 : 0;
		m.put("amplitude", new RealVolume(G, a, VS, "nm"));
		m.put("phase", strain(s).with(new float[G.size()]));
		m.put("strain", strain(s));
		assertFalse(BdvDisplay.bigDataViewerAvailable(), "BigDataViewer is not on the test class path");
		final BdvDisplay.Shown shown = BdvDisplay.show(m);
		assertEquals(BdvDisplay.Viewer.HYPERSTACK, shown.viewer());
		assertTrue(shown.message().contains("BigDataViewer is not available"));
		final ImagePlus imp = (ImagePlus) shown.handle();
		assertEquals(3, imp.getNChannels());
		assertEquals(20, imp.getNSlices());
		assertEquals(5.0, imp.getCalibration().pixelWidth);
		assertEquals(10.0, imp.getCalibration().pixelDepth);
		final CompositeImage ci = (CompositeImage) imp;
		assertEquals(-Math.PI, ci.getChannelLut(2).min, 1e-12);
		assertEquals(-1e-3, ci.getChannelLut(3).min, 1e-9);
		assertEquals(1e-3, ci.getChannelLut(3).max, 1e-9);
		// strain at (z=10, y=15, x=10), channel 3
		assertEquals(1e-3f, imp.getStack().getProcessor(imp.getStackIndex(3, 11, 1)).getf(10, 15), 0f);
	}
}
