package sc.fiji.cdi.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.preprocess.PreprocessOptions.Centring;
import sc.fiji.cdi.util.CdiException;

class PreprocessorTest {

	/** A Gaussian peak of height 1000 at (pz, py, px) on a background of 1 count, with a mask at {@code bad}. */
	private static Diffraction peak(final Grid g, final int pz, final int py, final int px, final int... bad) {
		final float[] v = new float[g.size()];
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final double r2 = (z - pz) * (z - pz) + (y - py) * (y - py) + (x - px) * (x - px);
			v[g.index(z, y, x)] = (float) (1 + 1000 * Math.exp(-r2 / 4));
		}
		boolean[] m = null;
		if (bad.length > 0) { m = new boolean[g.size()]; for (final int i : bad) m[i] = true; }
		return new Diffraction(new RealVolume(g, v), Quantity.INTENSITY, m == null ? null : Mask.fromUnmeasured(g, m), new ProcessingLog().add("import", "file", "test"), "test");
	}

	private static int argmax(final Diffraction d) {
		int best = 0;
		for (int i = 0; i < d.values.data.length; i++) if (d.values.data[i] > d.values.data[best]) best = i;
		return best;
	}

	/**
	 * A hot pixel brighter than the Bragg peak (bright in every frame, its neighbours at the background; not flagged
	 * without a dark field) is passed over by the MAX centring: the peak is centred. Before, the hot pixel was.
	 */
	@Test
	void aHotPixelBrighterThanThePeakIsNotCentred() {
		final Grid g = new Grid(20, 24, 30);
		final Diffraction d = peak(g, 8, 10, 12);
		for (int z = 0; z < g.nz; z++) d.values.data[g.index(z, 3, 25)] = 1e6f;
		assertArrayEquals(new int[] { 8, 10, 12 }, Preprocessor.peak(d));
		final Diffraction c = Preprocessor.centreOnPeak(d, Centring.MAX);
		assertEquals(1001, c.values.get(10, 12, 15), 1e-3, "the Bragg peak at n/2");
		// the peak itself, however sharp, is no spike: its neighbours hold exp(-1/4) of it
		assertArrayEquals(new int[] { 8, 10, 12 }, Preprocessor.peak(peak(g, 8, 10, 12)));
	}

	/**
	 * A Bragg peak a few pixels from a corner of the detector region, at the start of the rocking scan (a raw beamline
	 * scan), is centred; the same peak wrapped round the array's ends (FFT-shifted: its counts in the mirror corners)
	 * is refused. Before, both were refused as FFT-shifted: the corners held more counts than the middle.
	 */
	@Test
	void aBraggPeakNearACornerIsCentredAnFftShiftedPatternRefused() {
		final Grid g = new Grid(32, 32, 32);
		final Diffraction corner = peak(g, 3, 2, 4);
		final Diffraction c = Preprocessor.centreOnPeak(corner, Centring.MAX);
		assertEquals(g.index(16, 16, 16), argmax(c));
		final float[] v = new float[g.size()];
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final int dz = Math.min(z, g.nz - z), dy = Math.min(y, g.ny - y), dx = Math.min(x, g.nx - x);
			v[g.index(z, y, x)] = (float) (1 + 1000 * Math.exp(-(dz * dz + dy * dy + dx * dx) / 4.0));
		}
		final Diffraction shifted = new Diffraction(new RealVolume(g, v), Quantity.INTENSITY, null, new ProcessingLog(), "shifted");
		final CdiException e = assertThrows(CdiException.class, () -> Preprocessor.centreOnPeak(shifted, Centring.MAX));
		assertTrue(e.getMessage().contains("FFT-shifted") && e.getMessage().contains("fftshift"), e.getMessage());
	}

	@Test
	void centringPutsTheMaximumAtHalfTheSizeWithoutWrapAround() {
		final Grid g = new Grid(20, 24, 30);
		final int bad = g.index(5, 8, 20);
		final Diffraction d = peak(g, 6, 9, 22, bad);
		final Diffraction c = Preprocessor.centreOnPeak(d, Centring.MAX);
		assertEquals(g, c.grid());
		assertEquals(g.index(10, 12, 15), argmax(c));
		// shift (4, 3, -7): the masked pixel moves with the data, pixels shifted in are masked zeros
		assertTrue(c.mask.isUnmeasured(g.index(9, 11, 13)));
		assertFalse(c.mask.isUnmeasured(g.index(9, 11, 14)));
		assertTrue(c.mask.isUnmeasured(g.index(0, 12, 15)), "z rows 0..3 come from outside the array");
		assertEquals(0f, c.values.get(0, 12, 15));
		assertTrue(c.mask.isUnmeasured(g.index(10, 12, 29)), "x columns 23..29 come from outside");
		assertFalse(c.mask.isUnmeasured(g.index(10, 12, 22)));
		assertEquals(d.values.get(6, 9, 22), c.values.get(10, 12, 15));
		final ProcessingLog.Step s = c.log.steps().get(c.log.steps().size() - 1);
		assertEquals("centreOnPeak", s.name());
		assertEquals("4,3,-7", s.parameters().get("shiftZyx"));
		assertFalse(d.mask.isUnmeasured(g.index(0, 12, 15)), "input unchanged");

		final Diffraction com = Preprocessor.centreOnPeak(peak(new Grid(16, 16, 16), 5, 6, 7), Centring.CENTRE_OF_MASS);
		// background pulls the centre of mass towards the box centre; the peak still lands within a pixel of n/2
		final int i = argmax(com);
		assertEquals(8, i / 256, 1);
		assertEquals(8, (i / 16) % 16, 1);
		assertEquals(8, i % 16, 1);
	}

	@Test
	void binningConservesIntensityAndAddsAmplitudesInQuadrature() {
		final Grid g = new Grid(8, 12, 10);
		final Random r = new Random(3);
		final float[] v = new float[g.size()];
		for (int i = 0; i < v.length; i++) v[i] = r.nextInt(50);
		final Diffraction d = new Diffraction(new RealVolume(g, v), Quantity.INTENSITY, null, new ProcessingLog(), "t");
		final Diffraction b = Preprocessor.bin(d, 2, 3, 5);
		assertEquals(new Grid(4, 4, 2), b.grid());
		assertEquals(d.values.sum(), b.values.sum(), 1e-3);
		assertEquals(v[0] + v[1] + v[2] + v[3] + v[4] + v[10] + v[11] + v[12] + v[13] + v[14] + v[20] + v[21] + v[22] + v[23] + v[24]
				+ v[120] + v[121] + v[122] + v[123] + v[124] + v[130] + v[131] + v[132] + v[133] + v[134] + v[140] + v[141] + v[142] + v[143] + v[144], b.values.get(0, 0, 0), 1e-3);
		// amplitude binning = sqrt of the binned intensity
		final Diffraction amp = new Diffraction(d.amplitude(), Quantity.AMPLITUDE, null, new ProcessingLog(), "t");
		final Diffraction ba = Preprocessor.bin(amp, 2, 3, 5);
		for (int i = 0; i < ba.values.data.length; i++) assertEquals(Math.sqrt(b.values.data[i]), ba.values.data[i], 1e-3);
		assertEquals("2,3,5", b.log.steps().get(0).parameters().get("factorsZyx"));
	}

	@Test
	void binnedPixelIsBadOnlyIfAllItsPixelsAreBad() {
		final Grid g = Grid.of2D(4, 4);
		final float[] v = new float[16];
		java.util.Arrays.fill(v, 2);
		final boolean[] m = new boolean[16];
		m[0] = m[1] = m[4] = m[5] = true; // whole first 2x2 block
		m[2] = true; // one pixel of the second block
		final Diffraction d = new Diffraction(new RealVolume(g, v), Quantity.INTENSITY, Mask.fromUnmeasured(g, m), new ProcessingLog(), "t");
		final Diffraction b = Preprocessor.bin(d, 1, 2, 2);
		assertArrayEquals(new boolean[] { true, false, false, false }, b.mask.toArray());
		assertEquals(0f, b.values.data[0]);
		assertEquals(8f, b.values.data[1], 1e-6, "3 good pixels of 2 counts, scaled to 4 pixels");
		assertEquals(8f, b.values.data[3]);
	}

	@Test
	void cropOrPadKeepsTheCentreAndMasksPadding() {
		final Grid g = new Grid(5, 6, 7);
		final Diffraction d = peak(g, 2, 3, 3);
		final Diffraction p = Preprocessor.cropOrPad(d, new Grid(8, 9, 4));
		assertEquals(new Grid(8, 9, 4), p.grid());
		assertEquals(d.values.get(2, 3, 3), p.values.get(4, 4, 2));
		assertTrue(p.mask.isUnmeasured(p.grid().index(0, 4, 2)), "padded z plane masked");
		assertTrue(p.mask.isUnmeasured(p.grid().index(4, 8, 2)), "padded y row masked");
		assertFalse(p.mask.isUnmeasured(p.grid().index(4, 4, 0)), "cropped x keeps measured pixels");
		int padded = 0;
		padded += p.mask.unmeasuredCount();
		assertEquals(8 * 9 * 4 - 5 * 6 * 4, padded);
		final Diffraction back = Preprocessor.cropOrPad(Preprocessor.cropOrPad(d, new Grid(9, 10, 11)), g);
		assertArrayEquals(d.values.data, back.values.data);
		assertNull(back.mask);
	}

	@Test
	void thresholdMaskAndFftSizes() {
		final Diffraction d = peak(Grid.of2D(8, 8), 0, 4, 4);
		final Diffraction t = Preprocessor.threshold(d, 2.0);
		int nonZero = 0;
		for (final float f : t.values.data) { if (f != 0) { nonZero++; assertTrue(f > 2); } }
		assertTrue(nonZero > 0 && nonZero < 64);
		assertEquals(64 - nonZero, t.log.steps().get(1).parameters().get("zeroedPixels"));
		// at or below the level, as cohere's intensity_threshold (data <= threshold → 0)
		final float[] two = d.values.data.clone();
		two[5] = 2f;
		two[6] = 2.0001f;
		final Diffraction cut = Preprocessor.threshold(d.withValues(d.values.with(two), d.quantity, null, "edit"), 2.0);
		assertEquals(0f, cut.values.data[5]);
		assertEquals(2.0001f, cut.values.data[6]);
		final boolean[] m = new boolean[64];
		m[9] = true;
		final Diffraction masked = Preprocessor.applyMask(Preprocessor.applyMask(d, Mask.fromUnmeasured(d.grid(), m)), Mask.none(d.grid()));
		assertTrue(masked.mask.isUnmeasured(9));
		assertEquals(0f, masked.values.data[9]);
		assertThrows(CdiException.class, () -> Preprocessor.applyMask(d, Mask.none(Grid.of2D(1, 3))));
		assertEquals(List.of(1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 15, 16, 18, 20, 64, 128, 135, 243, 250, 256, 1024),
				List.of(1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 14, 16, 17, 19, 64, 127, 129, 241, 244, 255, 1023).stream().map(Preprocessor::fftFriendlySize).toList());
	}

	@Test
	void applyRunsAllStepsAndLogsThem() {
		final Diffraction d = peak(new Grid(30, 34, 42), 12, 20, 18, 0);
		final Diffraction r = Preprocessor.apply(d, PreprocessOptions.defaults().withThreshold(1.5).withBinning(1, 2, 2), null);
		// centred on the max, binned 1x2x2 -> 30x17x21, padded to FFT-friendly 30x18x24
		assertEquals(new Grid(30, 18, 24), r.grid());
		assertEquals(r.grid().index(15, 9, 12), argmax(r));
		assertEquals(List.of("import", "threshold", "centreOnPeak", "bin", "cropOrPad"), r.log.steps().stream().map(ProcessingLog.Step::name).toList());
		
		assertEquals(1, d.log.steps().size(), "input log unchanged");
		final Diffraction same = Preprocessor.apply(peak(Grid.cube(16), 8, 8, 8), new PreprocessOptions(0, Centring.NONE, null, 1, 1, 1));
		assertEquals(1, same.log.steps().size(), "nothing to do: nothing logged");
	}

	@Test
	void aThresholdAboveEveryCountSaysSoAndNotThatThePatternIsShifted() {
		final Diffraction d = peak(Grid.cube(16), 8, 8, 8);
		final CdiException e = assertThrows(CdiException.class, () -> Preprocessor.apply(d, new PreprocessOptions(1e30, Centring.MAX, null, 1, 1, 1)));
		assertTrue(e.getMessage().contains("data_threshold") && e.getMessage().contains("brightest pixel is 1001"), e.getMessage());
		// a pattern of zeros has no peak to call FFT-shifted
		final Grid g = Grid.cube(8);
		Preprocessor.requirePeakNotInCorner(new Diffraction(new RealVolume(g, new float[g.size()]), Quantity.INTENSITY, null, new ProcessingLog(), "zeros"));
	}
}
