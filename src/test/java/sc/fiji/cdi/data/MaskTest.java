package sc.fiji.cdi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.FreePixels;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.preprocess.PreprocessOptions.Centring;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.CdiException;

/** The one mask type: polarity (true = unmeasured), counts, union, and the grid check at every boundary. */
class MaskTest {

	private static final Grid G = new Grid(2, 3, 4);

	/** Unmeasured pixels at flat indices 0, 5 and 23 of {@link #G}. */
	private static Mask threeBad() {
		final boolean[] bad = new boolean[G.size()];
		bad[0] = bad[5] = bad[23] = true;
		return Mask.fromUnmeasured(G, bad);
	}

	@Test
	void onePolarityWhateverTheSource() {
		final Mask m = threeBad();
		assertTrue(m.isUnmeasured(5));
		assertFalse(m.isMeasured(5));
		assertTrue(m.isMeasured(6));
		assertEquals(3, m.unmeasuredCount());
		assertEquals(21, m.measuredCount());
		// a "measured" array (true = good, the backends' old polarity) and a mask file (non-zero = bad) give the same mask
		final boolean[] good = new boolean[G.size()];
		java.util.Arrays.fill(good, true);
		good[0] = good[5] = good[23] = false;
		assertEquals(m, Mask.fromMeasured(G, good));
		final float[] file = new float[G.size()];
		file[0] = 1; file[5] = 255; file[23] = Float.NaN;
		assertEquals(m, Mask.fromNonZero(G, file));
		// the data say the same
		final Diffraction d = new Diffraction(new RealVolume(G), Quantity.INTENSITY, m, new ProcessingLog(), "t");
		assertFalse(d.isMeasured(23));
		assertTrue(d.isMeasured(22));
		assertEquals(3, d.unmeasuredCount());
		assertEquals(0, new Diffraction(new RealVolume(G), Quantity.INTENSITY, null, new ProcessingLog(), "t").unmeasuredCount());
	}

	@Test
	void countsAndImmutability() {
		final Mask none = Mask.none(G);
		assertTrue(none.isEmpty());
		assertEquals(0, none.unmeasuredCount());
		assertEquals(24, none.measuredCount());
		final Mask m = threeBad();
		final boolean[] copy = m.toArray();
		copy[1] = true;
		assertEquals(3, m.unmeasuredCount(), "toArray is a copy");
		assertFalse(m.isUnmeasured(1));
		assertEquals("Mask 2x3x4: 3 of 24 pixels unmeasured", m.toString());
		// the imglib2 view reads the same pixels, x first: flat index 23 = (z 1, y 2, x 3)
		final net.imglib2.RandomAccess<net.imglib2.type.logic.NativeBoolType> ra = ImgViews.view(m).randomAccess();
		assertArrayEquals(new long[] { 4, 3, 2 }, ImgViews.view(m).dimensionsAsLongArray());
		assertTrue(ra.setPositionAndGet(3, 2, 1).get());
		assertFalse(ra.setPositionAndGet(2, 2, 1).get());
		int viewed = 0;
		for (final net.imglib2.type.logic.NativeBoolType b : ImgViews.view(m)) if (b.get()) viewed++;
		assertEquals(3, viewed);
	}

	@Test
	void unionCountsEachPixelOnce() {
		final boolean[] b = new boolean[G.size()];
		b[5] = b[6] = b[7] = b[8] = true; // 5 overlaps
		final Mask a = threeBad(), other = Mask.fromUnmeasured(G, b);
		final Mask u = a.union(other);
		assertEquals(3 + 4 - 1, u.unmeasuredCount());
		for (int i = 0; i < G.size(); i++) assertEquals(a.isUnmeasured(i) || other.isUnmeasured(i), u.isUnmeasured(i), "pixel " + i);
		assertEquals(3, a.unmeasuredCount(), "the operands are not changed");
		assertEquals(4, other.unmeasuredCount());
		assertSame(a, a.union(null));
		assertSame(a, Mask.union(null, a));
		assertNull(Mask.union(null, null));
	}

	@Test
	void aMaskOfAnotherGridIsRejectedNamingBothShapes() {
		final Mask plane = Mask.none(Grid.of2D(4, 5));
		final RealVolume values = new RealVolume(G);
		CdiException e = assertThrows(CdiException.class, () -> new Diffraction(values, Quantity.INTENSITY, plane, new ProcessingLog(), "scan.tif"));
		assertTrue(e.getMessage().contains("4x5") && e.getMessage().contains("2x3x4") && e.getMessage().contains("scan.tif"), e.getMessage());
		e = assertThrows(CdiException.class, () -> threeBad().union(plane));
		assertTrue(e.getMessage().contains("4x5") && e.getMessage().contains("2x3x4"), e.getMessage());
		final Diffraction d = new Diffraction(values, Quantity.INTENSITY, null, new ProcessingLog(), "scan.tif");
		e = assertThrows(CdiException.class, () -> Preprocessor.applyMask(d, plane));
		assertTrue(e.getMessage().contains("4x5") && e.getMessage().contains("2x3x4"), e.getMessage());
		e = assertThrows(CdiException.class, () -> FreePixels.holdOut(d, plane));
		assertTrue(e.getMessage().contains("4x5") && e.getMessage().contains("2x3x4"), e.getMessage());
		e = assertThrows(CdiException.class, () -> new JTransformsBackend(1).open(G, new float[G.size()], plane, new float[2 * G.size()], new boolean[G.size()]));
		assertTrue(e.getMessage().contains("4x5") && e.getMessage().contains("2x3x4"), e.getMessage());
		e = assertThrows(CdiException.class, () -> Mask.fromUnmeasured(G, new boolean[23]));
		assertTrue(e.getMessage().contains("23") && e.getMessage().contains("2x3x4"), e.getMessage());
	}

	@Test
	void preprocessingKeepsTheMaskWithTheData() {
		final float[] v = new float[G.size()];
		java.util.Arrays.fill(v, 5f);
		final Mask m = threeBad();
		final Diffraction d = new Diffraction(new RealVolume(G, v), Quantity.INTENSITY, m, new ProcessingLog(), "t");
		assertSame(m, Preprocessor.threshold(d, 2).mask, "a step that keeps the pixels shares the mask: no copy");
		assertSame(m, Preprocessor.centreOnPeak(d, Centring.NONE).mask, "a zero centring shift shares the mask");
		// padding x from 4 to 6 moves every pixel by one column; the new columns are unmeasured (Outside.UNMEASURED)
		final Diffraction p = Preprocessor.cropOrPad(d, new Grid(2, 3, 6));
		assertEquals(new Grid(2, 3, 6), p.mask.grid);
		assertTrue(p.mask.isUnmeasured(p.grid().index(0, 0, 1)), "bad pixel (0,0,0) is now at x = 1");
		assertTrue(p.mask.isUnmeasured(p.grid().index(1, 2, 4)), "bad pixel (1,2,3) is now at x = 4");
		assertEquals(3 + 2 * 3 * 2, p.mask.unmeasuredCount(), "3 bad pixels and 2 padded columns of 6 rows");
		// the backends' order: ifftshift moves index n/2 to 0 and keeps the count
		final Mask shifted = FftShift.ifftshift(m);
		assertEquals(3, shifted.unmeasuredCount());
		assertArrayEquals(FftShift.ifftshift(G, m.toArray()), shifted.toArray());
		assertEquals(shifted, Phaser.unshiftedMask(d));
		assertNull(Phaser.unshiftedMask(new Diffraction(new RealVolume(G, v), Quantity.INTENSITY, null, new ProcessingLog(), "t")));
	}
}
