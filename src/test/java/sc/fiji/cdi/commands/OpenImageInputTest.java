package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.util.CdiException;

/** A pattern taken from an image open in Fiji is refused for the reasons a file would be. */
class OpenImageInputTest {

	private static ImagePlus image(final String title, final float... values) {
		return new ImagePlus(title, new FloatProcessor(4, values.length / 4, values));
	}

	@Test
	void anOpenImageIsCheckedAsAFileIs() {
		final float[] flat = new float[16];
		java.util.Arrays.fill(flat, 5);
		final CdiException c = assertThrows(CdiException.class, () -> Inputs.fromImage(image("flat", flat), "intensity", false, "image 'flat'"));
		assertTrue(c.getMessage().startsWith("The image 'flat' is not a diffraction pattern: every measured pixel is 5"), c.getMessage());
		final float[] nan = new float[16];
		nan[3] = Float.NaN;
		nan[5] = 2;
		assertTrue(assertThrows(CdiException.class, () -> Inputs.fromImage(image("nan", nan), "intensity", false, "image 'nan'")).getMessage().contains("NaN"));
		final float[] neg = new float[16];
		neg[1] = -1;
		neg[2] = 3;
		assertTrue(assertThrows(CdiException.class, () -> Inputs.fromImage(image("neg", neg), "intensity", false, "image 'neg'")).getMessage().contains("negative"));
		// clamp_negative sets them to 0, as for a file, and the log says so
		final ImagePlus open = image("neg", neg);
		final Diffraction d = Inputs.fromImage(open, "intensity", true, "image 'neg'");
		assertEquals(0f, d.values.data[1]);
		assertEquals(-1f, open.getProcessor().getf(1), "the open image is not changed");
		assertEquals("image 'neg'", d.source);
		assertEquals(1, d.log.steps().get(0).parameters().get("clampedNegative"), "the import log counts the clamped pixels, as for a file");
	}

	/**
	 * A mask file, given with an image open in Fiji, masks its pixels as it would a file's (before, it was silently
	 * ignored: only file inputs went through the import's corrections); a detector region crops the open frames; a
	 * dataset= is refused, since an open image has no datasets.
	 */
	@Test
	void importCorrectionsApplyToAnOpenImage(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir) {
		final float[] v = new float[16];
		for (int i = 0; i < 16; i++) v[i] = 10 + i;
		final byte[] m = new byte[16];
		m[5] = 1;
		m[10] = (byte) 255;
		final java.nio.file.Path mask = dir.resolve("mask.tif");
		assertTrue(new ij.io.FileSaver(new ImagePlus("mask", new ByteProcessor(4, 4, m))).saveAsTiff(mask.toString()));
		final ImagePlus open = image("frame", v);
		final sc.fiji.cdi.io.ImportOptions withMask = sc.fiji.cdi.io.ImportOptions.defaults().withMaskPath(mask);
		final Diffraction d = Inputs.fromImage(open, withMask, "image 'frame'");
		assertEquals(2, d.unmeasuredCount());
		assertTrue(d.mask.isUnmeasured(5) && d.mask.isUnmeasured(10));
		assertEquals(0f, d.values.data[5]);
		assertEquals(16f, open.getProcessor().getf(6), "the open image is not changed");
		assertEquals(15f, open.getProcessor().getf(5), "the open image is not changed");
		// roi=minX,sizeX,minY,sizeY: the 2x2 region at x 1, y 2 of the 4x4 frame
		final Diffraction cut = Inputs.fromImage(open, sc.fiji.cdi.io.ImportOptions.defaults().withRoi(sc.fiji.cdi.io.DetectorRegion.parse("1,2,2,2", "roi")), "image 'frame'");
		assertEquals(2, cut.values.grid.ny);
		assertEquals(2, cut.values.grid.nx);
		assertEquals(10 + 2 * 4 + 1, cut.values.data[0]);
		final CdiException e = assertThrows(CdiException.class,
			() -> Inputs.fromImage(open, sc.fiji.cdi.io.ImportOptions.defaults().withHdf5DatasetPath("/entry/data/data"), "image 'frame'"));
		assertTrue(e.getMessage().startsWith("dataset=/entry/data/data names an array inside an HDF5"), e.getMessage());
		assertTrue(e.getMessage().contains("the open image 'frame'"), e.getMessage());
	}

	/**
	 * A 16-bit image open in Fiji (a detector frame opened with File > Open) gets the marker rule of a 16-bit file:
	 * 65535 is a saturated counter or a gap, unmeasured and set to 0, not the brightest count. Before, only files were
	 * checked. 8-bit and 32-bit float images have no markers.
	 */
	@Test
	void aSixteenBitImageHasTheMarkerRuleOfASixteenBitFile() {
		final short[] px = new short[16];
		for (int i = 0; i < 16; i++) px[i] = (short) (100 + i);
		px[6] = (short) 65535;
		final ImagePlus open = new ImagePlus("frame", new ShortProcessor(4, 4, px, null));
		final Diffraction d = Inputs.fromImage(open, "intensity", false, "image 'frame'");
		assertEquals(1, d.unmeasuredCount());
		assertTrue(d.mask.isUnmeasured(6) && d.markers.isUnmeasured(6));
		assertEquals(0f, d.values.data[6]);
		assertEquals(105f, d.values.data[5]);
		assertEquals(65535f, open.getProcessor().getf(6), "the open image is not changed");
		assertEquals(1, d.log.steps().get(0).parameters().get("markerPixels"));
		assertEquals("uint16", d.log.steps().get(0).parameters().get("dtype"));
		final float[] f = new float[16];
		for (int i = 0; i < 16; i++) f[i] = 100 + i;
		f[6] = 65535;
		assertNull(Inputs.fromImage(image("float", f), "intensity", false, "image 'float'").mask, "float data have no markers");
		final byte[] b = new byte[16];
		for (int i = 0; i < 16; i++) b[i] = (byte) (100 + i);
		b[6] = (byte) 255;
		assertNull(Inputs.fromImage(new ImagePlus("bytes", new ByteProcessor(4, 4, b)), "intensity", false, "image 'bytes'").mask, "8-bit data have no markers");
	}
}
