package sc.fiji.cdi.experiments;

import java.util.Locale;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
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
			for (final PreprocessOptions.Outside o : PreprocessOptions.Outside.values()) {
				final Diffraction pre = Preprocessor.apply(cut, PreprocessOptions.defaults().withThreshold(thr).withTargetSize(Grid.cube(n)).withOutside(o));
				final PhasingResult r = new Phaser(new JTransformsBackend(2)).run(pre, PhasingParameters.defaults().withRecipe(recipe).withSeed(seed), null, Progress.NONE);
				final Quality.Comparison q = Quality.compare(r.object(), c.object(), c.support());
				int sup = 0;
				for (final boolean b : r.support()) if (b) sup++;
				int truth = 0;
				for (final boolean b : c.support()) if (b) truth++;
				System.out.printf(Locale.ROOT, "seed %d %s: chi2 %.4f ampCorr %.3f phaseRms %.3f support %d (truth %d) %.1fs%n", seed, o, r.finalChi2(),
					q.amplitudeCorrelation(), q.phaseRmsError(), sup, truth, r.seconds());
			}
		}
	}
}
