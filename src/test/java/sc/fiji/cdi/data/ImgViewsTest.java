package sc.fiji.cdi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.complex.ComplexFloatType;
import net.imglib2.type.numeric.real.FloatType;

/** The imglib2 views share the volume's array (no copy) and put x first. */
class ImgViewsTest {

	@Test
	void aRealVolumeViewIsTheSameArrayWithXFirst() {
		final Grid g = new Grid(3, 4, 5);
		final RealVolume v = new RealVolume(g);
		for (int i = 0; i < v.data.length; i++) v.data[i] = i;
		final ArrayImg<FloatType, FloatArray> img = ImgViews.view(v);
		assertArrayEquals(new long[] { 5, 4, 3 }, img.dimensionsAsLongArray());
		assertSame(v.data, img.update(null).getCurrentStorageArray(), "no copy");
		final RandomAccess<FloatType> ra = img.randomAccess();
		ra.setPosition(new long[] { 4, 2, 1 }); // x, y, z
		assertEquals(v.get(1, 2, 4), ra.get().get(), 0);
		ra.get().set(-7f); // writes through
		assertEquals(-7f, v.get(1, 2, 4), 0);
		final RealVolume back = ImgViews.volume(img);
		assertSame(v.data, back.data);
		assertEquals(g, back.grid);
	}

	@Test
	void aComplexVolumeViewIsTheSameInterleavedArray() {
		final Grid g = Grid.of2D(6, 7);
		final ComplexVolume c = new ComplexVolume(g);
		for (int i = 0; i < c.data.length; i++) c.data[i] = 0.5f * i;
		final ArrayImg<ComplexFloatType, FloatArray> img = ImgViews.view(c);
		assertArrayEquals(new long[] { 7, 6 }, img.dimensionsAsLongArray(), "2D: (x, y)");
		final RandomAccess<ComplexFloatType> ra = img.randomAccess();
		ra.setPosition(new long[] { 3, 5 });
		final int i = g.index(0, 5, 3);
		assertEquals(c.data[2 * i], ra.get().getRealFloat(), 0);
		assertEquals(c.data[2 * i + 1], ra.get().getImaginaryFloat(), 0);
		ra.get().set(1.5f, -2.5f);
		assertEquals(1.5f, c.data[2 * i], 0);
		assertEquals(-2.5f, c.data[2 * i + 1], 0);
		final ComplexVolume back = ImgViews.complexVolume(img);
		assertSame(c.data, back.data);
		assertEquals(g, back.grid);
	}
}
