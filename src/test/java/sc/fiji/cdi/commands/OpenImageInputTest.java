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
		assertTrue(d.log.steps().stream().anyMatch(s -> s.name().equals("clamp_negative")));
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
