package sc.fiji.cdi.preprocess;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.preprocess.PreprocessOptions.Outside;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.Progress;

/**
 * The APS 34-ID-C scan 54 failure reproduced on a simulated crystal (docs/phasing.md, "Preprocessing and unmeasured
 * pixels"): a rocking scan shorter than the FFT size (56 of 64 planes, as 201 of 216), padded. With the padding masked
 * and the random start not scaled to the data (the behaviour before the fix), the masked planes keep the start's
 * energy, HIO runs away and the result is a blob with χ² 0.59 — the same figure as scan 54's 0.50–0.59. Either fix
 * alone (padding as measured zeros; the start scaled to the data) and both together (the defaults) give the crystal.
 */
class UnmeasuredPixelsTest {

	private static final Grid BOX = Grid.cube(64);
	private static final String RECIPE = "20*ER+180*HIO+20*ER";

	private static Diffraction shortScan(final SimulatedCrystal c) {
		return Preprocessor.cropOrPad(c.diffraction(), new Grid(56, 64, 64), Outside.ZERO); // a 56-frame rocking scan
	}

	private static Diffraction prepared(final Diffraction scan, final Outside outside) {
		return Preprocessor.apply(scan, PreprocessOptions.defaults().withThreshold(2).withTargetSize(BOX).withOutside(outside));
	}

	/** @param scaled false: the random start as before the fix, not scaled to the data (given as a guess) */
	private static PhasingResult phase(final Diffraction pre, final boolean scaled) {
		final PhasingParameters p = PhasingParameters.defaults().withRecipe(RECIPE).withSeed(1);
		final boolean[] box = Phaser.boxSupport(BOX, p.supportBoxFraction());
		final InitialGuess old = scaled ? null : new InitialGuess(new ComplexVolume(BOX, Phaser.randomObject(BOX, box, 1)), box);
		return new Phaser(new JTransformsBackend(2)).run(pre, p, old, Progress.NONE);
	}

	@Test
	void paddedRockingScanPhasesOnlyWithTheFix() {
		final SimulatedCrystal c = CrystalSimulator.simulate(BOX, SimulationParameters.defaults().withSizeFraction(0.3).withPhotons(1e5), 1);
		final Diffraction scan = shortScan(c);
		final Diffraction masked = prepared(scan, Outside.UNMEASURED), zero = prepared(scan, Outside.ZERO);
		assertTrue(masked.mask.isUnmeasured(BOX.index(0, 32, 32)), "padded plane masked with Outside.UNMEASURED");
		assertNull(zero.mask, "padded planes are measured zeros by default");
		assertTrue(zero.log.steps().stream().anyMatch(s -> "zero (measured)".equals(s.parameters().get("paddedPixels"))), "the log says how padding was treated");

		final PhasingResult before = phase(masked, false);
		final Quality.Comparison qb = Quality.compare(before.object(), c.object(), c.support());
		System.out.printf("before the fix: chi2 %.4f, amplitude correlation %.3f%n", before.finalChi2(), qb.amplitudeCorrelation());
		assertTrue(before.finalChi2() > 0.2 && qb.amplitudeCorrelation() < 0.7, "the failure reproduces: χ² " + before.finalChi2() + ", correlation " + qb.amplitudeCorrelation());

		check(c, "defaults (zero padding, scaled start)", zero, true);
	}

	/** Each of the two fixes alone is enough on this case (two more runs, hence slow). */
	@Test
	@Tag("slow")
	void eachFixAloneIsEnough() {
		final SimulatedCrystal c = CrystalSimulator.simulate(BOX, SimulationParameters.defaults().withSizeFraction(0.3).withPhotons(1e5), 1);
		final Diffraction scan = shortScan(c);
		check(c, "scaled start alone", prepared(scan, Outside.UNMEASURED), true);
		check(c, "zero padding alone", prepared(scan, Outside.ZERO), false);
	}

	private static void check(final SimulatedCrystal c, final String what, final Diffraction pre, final boolean scaled) {
		for (final Object[] v : new Object[][] { { what, pre, scaled } }) {
			final PhasingResult r = phase((Diffraction) v[1], (Boolean) v[2]);
			final Quality.Comparison q = Quality.compare(r.object(), c.object(), c.support());
			System.out.printf("%s: chi2 %.4f, amplitude correlation %.3f%n", v[0], r.finalChi2(), q.amplitudeCorrelation());
			assertTrue(r.finalChi2() < 0.06 && q.amplitudeCorrelation() > 0.9, v[0] + ": χ² " + r.finalChi2() + ", correlation " + q.amplitudeCorrelation());
		}
	}

	@Test
	void scaleToDataMatchesTheMeasuredAmplitudes() {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.cube(16), SimulationParameters.defaults(), 2);
		final Diffraction d = c.diffraction();
		final float[] m = Phaser.unshiftedAmplitude(d);
		final float[] obj = c.object().data.clone();
		for (int i = 0; i < obj.length; i++) obj[i] *= 37f;
		Phaser.scaleToData(Grid.cube(16), obj, m, Phaser.unshiftedMask(d));
		for (int i = 0; i < obj.length; i++) assertTrue(Math.abs(obj[i] - c.object().data[i]) < 1e-4 * (1 + Math.abs(c.object().data[i])), "scale undone at " + i);
		assertFalse(Float.isNaN(obj[0]));
	}
}
