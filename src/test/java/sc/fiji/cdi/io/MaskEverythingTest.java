package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/** A mask that masks every pixel is named as the cause, not the data ("holds only zeros"). */
class MaskEverythingTest {

	@Test
	void aMaskOfOnlyBadPixelsIsNamed(@TempDir final Path tmp) {
		final Grid g = Grid.cube(8);
		final float[] counts = new float[g.size()];
		Arrays.fill(counts, 5);
		counts[g.size() - 2] = 7; // a pattern, not a constant (refused as such)
		final Path data = tmp.resolve("p3.npy"), ones = tmp.resolve("ones3.npy"), ones2d = tmp.resolve("ones2.npy"), half = tmp.resolve("half.npy");
		NpyIO.write(data, new RealVolume(g, counts));
		final float[] all = new float[g.size()];
		Arrays.fill(all, 1);
		NpyIO.write(ones, new RealVolume(g, all));
		final float[] plane = new float[64];
		Arrays.fill(plane, 1);
		NpyIO.write(ones2d, new RealVolume(Grid.of2D(8, 8), plane));
		for (final Path m : new Path[] { ones, ones2d }) {
			final CdiException e = assertThrows(CdiException.class, () -> DiffractionReader.read(data, ImportOptions.defaults().withMaskPath(m)));
			assertTrue(e.getMessage().contains("Mask file " + m) && e.getMessage().contains("masks every pixel"), e.getMessage());
			assertFalse(e.getMessage().contains("only zeros"), e.getMessage());
		}
		// a partial mask still imports, its pixels set to 0
		final float[] h = new float[g.size()];
		for (int i = 0; i < h.length / 2; i++) h[i] = 1;
		NpyIO.write(half, new RealVolume(g, h));
		final Diffraction d = DiffractionReader.read(data, ImportOptions.defaults().withMaskPath(half));
		assertEquals(0f, d.values.data[0]);
		assertEquals(5f, d.values.data[g.size() - 1]);
	}
}
