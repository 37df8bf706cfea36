package sc.fiji.cdi.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.Moments;
import sc.fiji.cdi.phasing.TestObjects;

class AlignmentTest {

	private static final TestObjects.Sample CRYSTAL = TestObjects.ellipsoid(Grid.cube(32), new double[] { 6, 7, 5 }, 2.0);

	@Test
	void twinIsAnInvolutionAndConjugatesThePhase() {
		final ComplexVolume t = Alignment.twin(CRYSTAL.object());
		assertArrayEquals(CRYSTAL.object().data, Alignment.twin(t).data);
		final Grid g = t.grid;
		final int i = g.index(16 + 2, 16 - 3, 16 + 1), j = g.index(16 - 2, 16 + 3, 16 - 1);
		assertEquals(CRYSTAL.object().data[2 * j], t.data[2 * i]);
		assertEquals(-CRYSTAL.object().data[2 * j + 1], t.data[2 * i + 1]);
	}

	@Test
	void matchTwinUndoesShiftPhaseOffsetAndTwin() {
		final ComplexVolume truth = CRYSTAL.object();
		for (final boolean twin : new boolean[] { false, true }) {
			ComplexVolume c = twin ? Alignment.twin(truth) : truth;
			c = Alignment.rotatePhase(Alignment.shift(c, new int[] { 4, -3, 6 }), 2.1);
			final Alignment.Match m = Alignment.match(c, truth);
			assertEquals(twin, m.twin());
			// the twin of a copy shifted by s is the twin shifted by −s
			assertArrayEquals(twin ? new int[] { 4, -3, 6 } : new int[] { -4, 3, -6 }, m.shiftZyx(), "twin " + twin);
			assertEquals(1, m.correlation(), 1e-6);
			for (int i = 0; i < truth.data.length; i++) assertEquals(truth.data[i], m.object().data[i], 1e-5);
			final Quality.Comparison q = Quality.compare(c, truth, CRYSTAL.support());
			assertEquals(1, q.amplitudeCorrelation(), 1e-9);
			assertEquals(0, q.phaseRmsError(), 1e-5);
			assertEquals(twin, q.twin());
		}
	}

	@Test
	void phaseRmsErrorMeasuresKnownPhaseNoise() {
		final ComplexVolume truth = CRYSTAL.object();
		final ComplexVolume noisy = truth.copy();
		// alternate +0.1/−0.1 rad plus an offset of 0.5 rad: RMS after offset removal is 0.1
		for (int i = 0; i < truth.grid.size(); i++) {
			final double d = 0.5 + ((i % 2 == 0) ? 0.1 : -0.1);
			final double re = truth.data[2 * i], im = truth.data[2 * i + 1];
			noisy.data[2 * i] = (float) (re * Math.cos(d) - im * Math.sin(d));
			noisy.data[2 * i + 1] = (float) (re * Math.sin(d) + im * Math.cos(d));
		}
		assertEquals(0.1, Quality.phaseRms(noisy, truth, CRYSTAL.support()), 2e-3);
		assertEquals(-Math.PI + 0.1, Quality.wrapPi(Math.PI + 0.1), 1e-12);
		assertEquals(Math.PI, Quality.wrapPi(-Math.PI), 1e-12);
	}

	@Test
	void amplitudeCorrelationDropsForADifferentShape() {
		final TestObjects.Sample other = TestObjects.ellipsoid(Grid.cube(32), new double[] { 4, 9, 7 }, 2.0);
		final Quality.Comparison q = Quality.compare(other.object(), CRYSTAL.object(), CRYSTAL.support());
		assertTrue(q.amplitudeCorrelation() < 0.8, "corr " + q.amplitudeCorrelation());
	}

	@Test
	void centreOnSupportMovesTheCentreOfMassToTheMiddle() {
		final ComplexVolume shifted = Alignment.shift(CRYSTAL.object(), new int[] { 3, -5, 2 });
		final boolean[] sup = sc.fiji.cdi.phasing.FftShift.roll(shifted.grid, CRYSTAL.support(), 3, -5, 2);
		final Alignment.Centred c = Alignment.centreOnSupport(shifted, sup);
		assertArrayEquals(new int[] { -3, 5, -2 }, c.shiftZyx());
		assertArrayEquals(CRYSTAL.object().data, c.object().data);
		assertArrayEquals(CRYSTAL.support(), c.support());
		final double[] com = Moments.centreOfMass(shifted.grid, c.support());
		for (final double v : com) assertEquals(16, v, 0.5);
	}

	@Test
	void phaseOffsetAndRampRemoval() {
		final Grid g = Grid.cube(32);
		final double[] k = { 0.2, -0.12, 0.31 };
		final TestObjects.Sample box = TestObjects.rampBox(g, new int[] { 10, 12, 8 }, k);
		final double[] est = Alignment.phaseRamp(box.object());
		for (int d = 0; d < 3; d++) assertEquals(k[d], est[d], 0.01, "axis " + d);
		final ComplexVolume flat = Alignment.removePhaseRamp(Alignment.rotatePhase(box.object(), 1.0));
		final ComplexVolume noOffset = Alignment.removePhaseOffset(flat, box.support());
		final float[] ph = noOffset.phase().data;
		double maxAbs = 0;
		for (int i = 0; i < ph.length; i++) if (box.support()[i]) maxAbs = Math.max(maxAbs, Math.abs(ph[i]));
		assertTrue(maxAbs < 0.1, "residual phase after ramp and offset removal " + maxAbs);
		assertEquals(0, Alignment.meanPhase(noOffset, box.support()), 1e-6);
		assertFalse(Double.isNaN(maxAbs));
	}
}
