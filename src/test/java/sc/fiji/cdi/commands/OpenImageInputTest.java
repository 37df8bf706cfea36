package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.process.FloatProcessor;
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
}
