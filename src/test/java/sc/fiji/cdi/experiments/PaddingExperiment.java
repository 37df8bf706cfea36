package sc.fiji.cdi.experiments;

import java.util.Locale;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.Progress;

/**
 * Experiment harness (not a test): a simulated crystal measured over fewer rocking planes than the box, padded back
 * as scan 54 is (201 → 216), the padding masked or zero. Args: n measuredZ sizeFraction photons threshold seeds recipe.
 */
public final class PaddingExperiment {

	public static void main(final String[] a) {
		final int n = Integer.parseInt(a[0]), mz = Integer.parseInt(a[1]);
		final double frac = Double.parseDouble(a[2]), photons = Double.parseDouble(a[3]), thr = Double.parseDouble(a[4]);
		final int seeds = Integer.parseInt(a[5]);
		final String recipe = a.length > 6 ? a[6] : PhasingParameters.defaults().recipe();
		for (int seed = 1; seed <= seeds; seed++) {
			final SimulatedCrystal c = CrystalSimulator.simulate(Grid.cube(n), SimulationParameters.defaults().withSizeFraction(frac).withPhotons(photons), seed);
			final Diffraction cut = Preprocessor.cropOrPad(c.diffraction(), new Grid(mz, n, n));
			for (final String variant : new String[] { "masked-unscaled", "masked-scaled", "zero-scaled" }) {
				final PreprocessOptions.Outside o = variant.startsWith("zero") ? PreprocessOptions.Outside.ZERO : PreprocessOptions.Outside.UNMEASURED;
				final Diffraction pre = Preprocessor.apply(cut, PreprocessOptions.defaults().withThreshold(thr).withTargetSize(Grid.cube(n)).withOutside(o));
				final PhasingParameters p = PhasingParameters.defaults().withRecipe(recipe).withSeed(seed);
				final boolean[] box = Phaser.boxSupport(pre.grid(), p.supportBoxFraction());
				// the old random start: not scaled to the data (a guess is used as given)
				final InitialGuess unscaled = variant.endsWith("unscaled") ? new InitialGuess(new sc.fiji.cdi.data.ComplexVolume(pre.grid(), Phaser.randomObject(pre.grid(), box, seed)), box) : null;
				final PhasingResult r = new Phaser(new JTransformsBackend(2)).run(pre, p, unscaled, Progress.NONE);
				final Quality.Comparison q = Quality.compare(r.object(), c.object(), c.support());
				int sup = 0;
				for (final boolean b : r.support()) if (b) sup++;
				int truth = 0;
				for (final boolean b : c.support()) if (b) truth++;
				double maxChi2 = 0;
				for (final double x : r.chi2History()) if (x > maxChi2 && x < 1e300) maxChi2 = x;
				System.out.printf(Locale.ROOT, "seed %d %s: chi2 %.4f (max during HIO %.3g) ampCorr %.3f phaseRms %.3f support %d (truth %d) %.1fs%n", seed, variant, r.finalChi2(),
					maxChi2, q.amplitudeCorrelation(), q.phaseRmsError(), sup, truth, r.seconds());
			}
		}
	}
}
