package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.Progress;

/** HIO+ER with shrink-wrap from random starts converges on noise-free, oversampled (≥ 2) data. */
class PhaserConvergenceTest {

	private static int solved(final TestObjects.Sample s, final PhasingParameters base, final String label) {
		int ok = 0;
		final Phaser phaser = new Phaser(new JTransformsBackend(1));
		for (long seed = 1; seed <= 5; seed++) {
			final PhasingResult r = phaser.run(s.diffraction(), base.withSeed(seed), null, Progress.NONE);
			final Quality.Comparison c = Quality.compare(r.object(), s.object(), s.support());
			final boolean pass = r.finalChi2() <= 1e-3 && c.amplitudeCorrelation() >= 0.95 && c.phaseRmsError() <= 0.2;
			if (pass) ok++;
			System.out.printf(Locale.ROOT, "%s seed %d: chi2 %.2e amplitude corr %.4f phase rms %.4f rad twin %s %.2f s %s%n", label, seed, r.finalChi2(),
				c.amplitudeCorrelation(), c.phaseRmsError(), c.twin(), r.seconds(), pass ? "ok" : "FAIL");
		}
		return ok;
	}

	@Test
	void hioErShrinkWrap2D() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);
		assertTrue(solved(s, PhasingParameters.defaults(), "2D 64²") >= 4);
	}

	@Test
	@Tag("slow")
	void hioErShrinkWrap3D() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.cube(32), new double[] { 6, 7, 5 }, 2.0);
		assertTrue(solved(s, PhasingParameters.defaults().withRecipe("2*(20*ER+130*HIO)+20*ER"), "3D 32³") >= 4);
	}

	@Test
	void raarAndAutocorrelationSupportAlsoSolve2D() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);
		final PhasingParameters raar = PhasingParameters.defaults().withRecipe("2*(20*ER+180*RAAR)+20*ER");
		final PhasingParameters auto = PhasingParameters.defaults().withInitialSupport(PhasingParameters.InitialSupport.AUTOCORRELATION);
		final Phaser phaser = new Phaser(new JTransformsBackend(1));
		for (final PhasingParameters p : new PhasingParameters[] { raar, auto }) {
			int ok = 0;
			for (long seed = 1; seed <= 3; seed++) {
				final PhasingResult r = phaser.run(s.diffraction(), p.withSeed(seed), null, Progress.NONE);
				final Quality.Comparison c = Quality.compare(r.object(), s.object(), s.support());
				System.out.printf(Locale.ROOT, "2D 64² %s/%s seed %d: chi2 %.2e amplitude corr %.4f phase rms %.4f%n", p.recipe(), p.initialSupport(), seed,
					r.finalChi2(), c.amplitudeCorrelation(), c.phaseRmsError());
				if (r.finalChi2() <= 1e-3 && c.amplitudeCorrelation() >= 0.95 && c.phaseRmsError() <= 0.2) ok++;
			}
			assertTrue(ok >= 2, p.recipe() + " / " + p.initialSupport() + ": " + ok + " of 3 solved");
		}
	}
}
