package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.util.CdiException;

/** size= asks for an array phasing can use: at least 8 pixels per axis (a 2³ crop gave a meaningless χ² of 1e-15). */
class SizeParameterTest {

	@Test
	void tooSmallSizesAreRefused() {
		for (final String s : new String[] { "2,2,2", "3", "5", "64,7" }) {
			final CdiException e = assertThrows(CdiException.class, () -> Inputs.sizeSyntax(s), s);
			assertTrue(e.getMessage().startsWith("size='" + s + "'") && e.getMessage().contains("below 8 pixels"), e.getMessage());
		}
		assertArrayEquals(new long[] { 8 }, Inputs.sizeSyntax("8"));
		assertArrayEquals(new long[] { 16, 64, 64 }, Inputs.sizeSyntax("16,64,64"));
	}
}
