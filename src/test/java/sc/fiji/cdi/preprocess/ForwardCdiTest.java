package sc.fiji.cdi.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.phasing.TextObject;
import sc.fiji.cdi.pipeline.DataKind;
import sc.fiji.cdi.phasing.PhasingParameters;

class ForwardCdiTest {

	private static final Diffraction LETTERS = TextObject.measure(TextObject.letters(128), 1e9, 12, 3);

	@Test
	void beamStopShadowIsMaskedWithItsEdge() {
		final Diffraction d = ForwardCdi.maskBeamStop(LETTERS);
		int masked = 0;
		masked += d.mask.unmeasuredCount();
		// the 12 × 12 shadow around (64, 64) and its 1-pixel edge: 14 × 14
		assertEquals(14 * 14, masked);
		for (int y = 58; y < 70; y++) for (int x = 58; x < 70; x++) assertTrue(d.mask.isUnmeasured(y * 128 + x), "shadow pixel " + y + "," + x);
		assertTrue(d.mask.isUnmeasured(57 * 128 + 57) && d.mask.isUnmeasured(70 * 128 + 70) && !d.mask.isUnmeasured(56 * 128 + 64) && !d.mask.isUnmeasured(64 * 128 + 71));
		assertEquals(14 * 14, d.log.steps().get(d.log.steps().size() - 1).parameters().get("maskedPixels"));
		assertNull(LETTERS.mask, "the input is not modified");
	}

	@Test
	void noBeamStopNoChange() {
		final Diffraction open = TextObject.measure(TextObject.letters(128), 1e9, 0, 3);
		assertSame(open, ForwardCdi.maskBeamStop(open));
	}

	/**
	 * A large object's pattern without a beam stop has near-zero pixels a few pixels from its bright centre (the first
	 * fringe minimum): not a beam stop. Until 30 Nov a 2-pixel minimum made such a pattern "forward" data, with
	 * positivity on, and the object's phase was lost.
	 */
	@Test
	void aFringeMinimumBesideABrightCentreIsNotABeamStop() {
		final int n = 200;
		final Grid g = Grid.of2D(n, n);
		final float[] obj = new float[2 * n * n];
		for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) {
			final double r = Math.hypot(y - n / 2, x - n / 2), ph = 0.5 * Math.sin(y / 5.0);
			if (r <= 0.3 * n / 2) { obj[2 * (y * n + x)] = (float) Math.cos(ph); obj[2 * (y * n + x) + 1] = (float) Math.sin(ph); }
		}
		sc.fiji.cdi.fft.Fft.forward(g, obj);
		final float[] shifted = sc.fiji.cdi.phasing.FftShift.fftshift(g, obj, 2), in = new float[n * n];
		float max = 0;
		for (int i = 0; i < in.length; i++) { in[i] = shifted[2 * i] * shifted[2 * i] + shifted[2 * i + 1] * shifted[2 * i + 1]; max = Math.max(max, in[i]); }
		for (int i = 0; i < in.length; i++) in[i] *= 1e8f / max;
		final Diffraction open = new Diffraction(new RealVolume(g, in), sc.fiji.cdi.data.Quantity.INTENSITY, null, new sc.fiji.cdi.data.ProcessingLog(), "disc");
		assertTrue(!ForwardCdi.hasBeamStop(open), "no beam stop on an unblocked pattern");
		assertEquals(DataKind.BRAGG_3D, DataKind.resolve("auto", open));
		// the same pattern with a 10 × 10 shadow on its centre has one
		final float[] blocked = in.clone();
		for (int y = n / 2 - 5; y < n / 2 + 5; y++) for (int x = n / 2 - 5; x < n / 2 + 5; x++) blocked[y * n + x] = 0;
		assertEquals(DataKind.FORWARD_2D, DataKind.resolve("auto", new Diffraction(new RealVolume(g, blocked), sc.fiji.cdi.data.Quantity.INTENSITY, null, new sc.fiji.cdi.data.ProcessingLog(), "blocked")));
	}

	@Test
	void friedelCentreFindsTheCentreOfSymmetryBesideABeamStop() {
		assertArrayEquals(new int[] { 0, 64, 64 }, ForwardCdi.friedelCentre(ForwardCdi.maskBeamStop(LETTERS)));
		// the same pattern rolled by (+5, −3): centre (69, 61); the brightest pixel is elsewhere
		final float[] v = LETTERS.values.data, r = new float[v.length];
		for (int y = 0; y < 128; y++) for (int x = 0; x < 128; x++) r[Math.floorMod(y + 5, 128) * 128 + Math.floorMod(x - 3, 128)] = v[y * 128 + x];
		final Diffraction rolled = new Diffraction(new RealVolume(LETTERS.grid(), r), LETTERS.quantity, null, LETTERS.log, "rolled");
		assertArrayEquals(new int[] { 0, 69, 61 }, ForwardCdi.friedelCentre(ForwardCdi.maskBeamStop(rolled)));
		final Diffraction centred = Preprocessor.centreOnPeak(ForwardCdi.maskBeamStop(rolled), PreprocessOptions.Centring.SYMMETRY);
		for (int i = 0; i < v.length; i++) if (!centred.mask.isUnmeasured(i) && Math.abs((i / 128) - 64) < 50 && Math.abs((i % 128) - 64) < 50) assertEquals(v[i], centred.values.data[i], "pixel " + i);
	}

	@Test
	void dataKindChoosesTheDefaultsAndKeepsWhatTheUserSet() {
		assertEquals(DataKind.FORWARD_2D, DataKind.resolve("auto", LETTERS));
		// without a beam stop a 2D pattern is taken as Bragg data (e.g. a 2D slice of a crystal's peak)
		assertEquals(DataKind.BRAGG_3D, DataKind.resolve(null, TextObject.measure(TextObject.letters(128), 1e9, 0, 3)));
		assertEquals(DataKind.FORWARD_2D, DataKind.resolve("forward", TextObject.measure(TextObject.letters(128), 1e9, 0, 3)));
		assertEquals(DataKind.BRAGG_3D, DataKind.resolve("bragg", LETTERS));
		final PhasingParameters f = DataKind.FORWARD_2D.adapt(PhasingParameters.defaults());
		assertEquals(PhasingParameters.forward2D(), f);
		final PhasingParameters mine = DataKind.FORWARD_2D.adapt(PhasingParameters.defaults().withRecipe("100*HIO+20*ER").withSeed(9), false);
		assertEquals("100*HIO+20*ER", mine.recipe());
		assertEquals(9, mine.seed());
		assertEquals(false, mine.positivity());
		assertEquals(PhasingParameters.ShrinkWrapMethod.RMS, mine.shrinkWrapMethod());
		assertSame(PhasingParameters.defaults().recipe(), DataKind.BRAGG_3D.adapt(PhasingParameters.defaults()).recipe());
	}
}
