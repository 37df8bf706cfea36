package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

class PhaserTest {

	private static final TestObjects.Sample CRYSTAL_32 = TestObjects.ellipsoid(Grid.cube(32), new double[] { 6, 7, 5 }, 2.0);

	@Test
	void erFromTheTrueSupportConverges() {
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("250*ER").withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(0);
		// start: the true support filled with a flat amplitude and zero phase (the true phase spans 2 rad)
		final ComplexVolume flat = new ComplexVolume(Grid.cube(32));
		for (int i = 0; i < CRYSTAL_32.support().length; i++) if (CRYSTAL_32.support()[i]) flat.data[2 * i] = 1f;
		final PhasingResult r = new Phaser(new JTransformsBackend(1)).run(CRYSTAL_32.diffraction(), p, new InitialGuess(flat, CRYSTAL_32.support()), Progress.NONE);
		final double[] h = r.chi2History();
		System.out.printf("ER from the true support, 32³: χ² %.3e → %.3e (iteration 10: %.3e), final %.3e%n", h[0], h[h.length - 1], h[10], r.finalChi2());
		// ER's error is non-increasing (Fienup 1982): allow float rounding only
		for (int i = 1; i < h.length; i++) assertTrue(h[i] <= h[i - 1] * (1 + 1e-3), "χ² rose at iteration " + i + ": " + h[i - 1] + " → " + h[i]);
		assertTrue(r.finalChi2() < 1e-4, "final χ² " + r.finalChi2());
		assertEquals(r.finalChi2(), ErrorMetrics.chi2(r.object(), CRYSTAL_32.diffraction()), 1e-9, "ErrorMetrics uses the same formula");
	}

	@Test
	void trueObjectHasZeroChi2AndItsTwinTheSame() {
		final ComplexVolume truth = CRYSTAL_32.object();
		final double c0 = ErrorMetrics.chi2(truth, CRYSTAL_32.diffraction());
		final double c1 = ErrorMetrics.chi2(Alignment.twin(truth), CRYSTAL_32.diffraction());
		final double c2 = ErrorMetrics.chi2(Alignment.shift(Alignment.rotatePhase(truth, 1.3), new int[] { 3, -2, 5 }), CRYSTAL_32.diffraction());
		assertTrue(c0 < 1e-10, "χ² of the truth " + c0);
		assertTrue(c1 < 1e-10, "χ² of the twin " + c1);
		assertTrue(c2 < 1e-10, "χ² of a shifted, phase-offset copy " + c2);
		// and a perturbed object has a clearly larger χ²
		final ComplexVolume bad = Alignment.rotatePhase(truth, 0);
		for (int i = 0; i < bad.data.length; i += 64) bad.data[i] += 0.3f;
		assertTrue(ErrorMetrics.chi2(bad, CRYSTAL_32.diffraction()) > 1e-4);
	}

	@Test
	void twinOfAReconstructionHasTheSameChi2() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);
		final PhasingResult r = new Phaser(new JTransformsBackend(1)).run(s.diffraction(), PhasingParameters.defaults().withRecipe("2*(20*ER+100*HIO)+20*ER"), null, Progress.NONE);
		final double twin = ErrorMetrics.chi2(Alignment.twin(r.object()), s.diffraction());
		assertTrue(r.finalChi2() < 1e-2, "reconstruction χ² " + r.finalChi2());
		assertEquals(r.finalChi2(), twin, 1e-6 * Math.max(1, r.finalChi2()) + 1e-7, "twin χ²");
	}

	@Test
	void severalRandomStartsKeepTheLowestChi2() {
		final Diffraction d = CRYSTAL_32.diffraction();
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("5*ER+30*HIO+5*ER").withSeed(4);
		final Phaser phaser = new Phaser(new JTransformsBackend(1));
		double lowest = Double.POSITIVE_INFINITY;
		long lowestSeed = -1;
		for (int k = 0; k < 3; k++) {
			final double c = phaser.run(d, p.withSeed(4 + k), null, Progress.NONE).finalChi2();
			if (c < lowest) { lowest = c; lowestSeed = 4 + k; }
		}
		final PhasingResult best = phaser.runBest(d, p, 3, Progress.NONE);
		assertEquals(lowest, best.finalChi2(), 0, "the kept start is the one with the lowest final χ²");
		assertEquals(lowestSeed, best.parameters().seed(), "the result records the seed of the kept start");
		assertThrows(CdiException.class, () -> phaser.runBest(d, p, 0, Progress.NONE));
	}

	@Test
	void sameSeedGivesBitIdenticalResultsDifferentSeedsDiffer() {
		final Diffraction d = CRYSTAL_32.diffraction();
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("5*ER+30*HIO+5*ER").withAverageLast(5);
		for (final int threads : new int[] { 1, 2 }) {
			final PhasingResult a = new Phaser(new JTransformsBackend(threads)).run(d, p, null, Progress.NONE);
			final PhasingResult b = new Phaser(new JTransformsBackend(threads)).run(d, p, null, Progress.NONE);
			assertArrayEquals(a.object().data, b.object().data, threads + " threads");
			assertArrayEquals(a.chi2History(), b.chi2History());
			assertArrayEquals(a.support(), b.support());
			assertEquals(a.finalChi2(), b.finalChi2());
		}
		final PhasingResult c = new Phaser(new JTransformsBackend(1)).run(d, p.withSeed(2), null, Progress.NONE);
		final PhasingResult a = new Phaser(new JTransformsBackend(1)).run(d, p, null, Progress.NONE);
		assertTrue(c.chi2History()[0] != a.chi2History()[0]);
	}

	@Test
	void cancellationStopsWithinOneIteration() {
		final AtomicInteger iterations = new AtomicInteger();
		final int cancelAt = 7;
		final Progress p = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long done, final long total) { iterations.set((int) done); assertEquals(620, total); }
			@Override public boolean isCancelled() { return iterations.get() >= cancelAt; }
		};
		assertThrows(CancelledException.class, () -> new Phaser(new JTransformsBackend(1)).run(CRYSTAL_32.diffraction(), PhasingParameters.defaults(), null, p));
		assertEquals(cancelAt, iterations.get(), "no iteration ran after the cancel request");
	}

	@Test
	void progressCountsEveryIteration() {
		final AtomicInteger calls = new AtomicInteger();
		final long[] last = new long[2];
		final Progress p = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long done, final long total) { calls.incrementAndGet(); last[0] = done; last[1] = total; }
			@Override public boolean isCancelled() { return false; }
		};
		final PhasingResult r = new Phaser(new JTransformsBackend(1)).run(CRYSTAL_32.diffraction(), PhasingParameters.defaults().withRecipe("3*(2*ER+3*HIO)+RAAR"), null, p);
		assertEquals(16, calls.get());
		assertEquals(16, last[0]);
		assertEquals(16, last[1]);
		assertEquals(16, r.iterations());
		assertEquals(16, r.chi2History().length);
		assertEquals(16, r.outsideFractionHistory().length);
		assertEquals(0, r.outsideFractionHistory()[1], 0, "after ER nothing is outside the support");
		assertTrue(r.outsideFractionHistory()[3] > 0, "after HIO something is outside the support");
	}

	@Test
	void badInputsAreRefusedWithClearMessages() {
		final Phaser ph = new Phaser(new JTransformsBackend(1));
		final Diffraction d = CRYSTAL_32.diffraction();
		String m = assertThrows(CdiException.class, () -> ph.run(d, PhasingParameters.defaults(), new InitialGuess(new ComplexVolume(Grid.cube(16)), null), Progress.NONE)).getMessage();
		assertTrue(m.contains("16x16x16") && m.contains("32x32x32"), m);
		m = assertThrows(CdiException.class, () -> ph.run(d, PhasingParameters.defaults(), new InitialGuess(null, new boolean[d.grid().size()]), Progress.NONE)).getMessage();
		assertTrue(m.contains("empty"), m);
		m = assertThrows(CdiException.class, () -> PhasingParameters.defaults().withShrinkWrapThreshold(1.5)).getMessage();
		assertTrue(m.contains("shrink_wrap_threshold"), m);
		m = assertThrows(CdiException.class, () -> PhasingParameters.defaults().withRecipe("20*ER+")).getMessage();
		assertTrue(m.contains("column 7"), m);
		final Diffraction zero = new Diffraction(d.values.with(new float[d.grid().size()]), d.quantity, null, d.log, "zeros.tif");
		m = assertThrows(CdiException.class, () -> ph.run(zero, PhasingParameters.defaults(), null, Progress.NONE)).getMessage();
		assertTrue(m.contains("zeros.tif") && m.contains("zero everywhere"), m);
	}

	@Test
	void inputsAreNotModified() {
		final Diffraction d = CRYSTAL_32.diffraction();
		final float[] before = d.values.data.clone();
		final ComplexVolume guess = CRYSTAL_32.object().copy();
		final boolean[] sup = CRYSTAL_32.support().clone();
		new Phaser(new JTransformsBackend(2)).run(d, PhasingParameters.defaults().withRecipe("10*HIO+5*ER"), new InitialGuess(guess, sup), Progress.NONE);
		assertArrayEquals(before, d.values.data);
		assertArrayEquals(CRYSTAL_32.object().data, guess.data);
		assertArrayEquals(CRYSTAL_32.support(), sup);
	}

	@Test
	void boxWithLinearPhaseRampReconstructsToTheSameRamp() {
		final Grid g = Grid.of2D(64, 64);
		final double[] k = { 0, 0.15, -0.1 }; // rad/voxel (z, y, x)
		final TestObjects.Sample s = TestObjects.rampBox(g, new int[] { 1, 20, 26 }, k);
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("2*(20*ER+150*HIO)+40*ER");
		final PhasingResult r = new Phaser(new JTransformsBackend(1)).run(s.diffraction(), p, null, Progress.NONE);
		final Quality.Comparison c = Quality.compare(r.object(), s.object(), s.support());
		final double[] ramp = Alignment.phaseRamp(c.aligned());
		final double[] truthRamp = Alignment.phaseRamp(s.object());
		System.out.printf("ramp box: χ² %.2e, ramp (y, x) %.4f %.4f rad/voxel (truth %.4f %.4f, Fourier estimate of truth %.4f %.4f), phase rms %.3f, amplitude corr %.4f%n",
			r.finalChi2(), ramp[1], ramp[2], k[1], k[2], truthRamp[1], truthRamp[2], c.phaseRmsError(), c.amplitudeCorrelation());
		assertEquals(k[1], ramp[1], 0.01);
		assertEquals(k[2], ramp[2], 0.01);
		assertTrue(c.phaseRmsError() < 0.1, "phase rms " + c.phaseRmsError());
		assertTrue(r.finalChi2() < 1e-3, "χ² " + r.finalChi2());
	}

	@Test
	void maskedPixelsAreUnconstrainedEvenWhenTheirValuesAreGarbage() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);
		final Diffraction clean = s.diffraction();
		final Grid g = clean.grid();
		final boolean[] mask = new boolean[g.size()];
		final float[] values = clean.values.data.clone();
		for (int y = 0; y < 64; y++)
			for (int x = 0; x < 64; x++) {
				// a 3 × 3 beam stop at the centre (the peak!) and a detector gap along x = 45
				if ((Math.abs(y - 32) <= 1 && Math.abs(x - 32) <= 1) || x == 45) {
					mask[g.index(0, y, x)] = true;
					values[g.index(0, y, x)] = 1e9f; // garbage that must not be used
				}
			}
		final Diffraction masked = new Diffraction(clean.values.with(values), clean.quantity, Mask.fromUnmeasured(g, mask), clean.log, "masked");
		final PhasingResult r = new Phaser(new JTransformsBackend(1)).run(masked, PhasingParameters.defaults().withSeed(2), null, Progress.NONE);
		final Quality.Comparison c = Quality.compare(r.object(), s.object(), s.support());
		System.out.printf("masked beam stop + gap, 64²: χ² %.2e, amplitude corr %.4f, phase rms %.4f%n", r.finalChi2(), c.amplitudeCorrelation(), c.phaseRmsError());
		assertTrue(r.finalChi2() < 1e-3, "χ² " + r.finalChi2());
		assertTrue(c.amplitudeCorrelation() > 0.95, "amplitude correlation " + c.amplitudeCorrelation());
		assertTrue(c.phaseRmsError() < 0.2, "phase rms " + c.phaseRmsError());
		// the χ² of the truth ignores the garbage pixels
		assertTrue(ErrorMetrics.chi2(s.object(), masked) < 1e-10);
	}
}
