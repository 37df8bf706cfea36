package sc.fiji.cdi.phasing;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.pipeline.DataKind;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.util.Progress;

/**
 * Not a test: the 2D defaults on data they were not tuned on — the letters transposed and moved off-centre, with
 * a smoothly varying thickness, 10⁸ photons, a 24 × 24 beam stop (arguments: photons, beam stop).
 */
public final class Forward2DRobustness {
	public static void main(final String[] a) {
		final double photons = a.length > 0 ? Double.parseDouble(a[0]) : 1e8;
		final int stop = a.length > 1 ? Integer.parseInt(a[1]) : 24;
		final int n = Forward2DTest.N;
		final ComplexVolume l = TextObject.letters(n), truth = new ComplexVolume(l.grid);
		for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) {
			final int ys = Math.floorMod(x + 20, n), xs = Math.floorMod(y - 15, n);
			truth.data[2 * (ys * n + xs)] = l.data[2 * (y * n + x)] * (float) (0.6 + 0.4 * Math.cos(x / 9.0) * Math.sin(y / 13.0));
		}
		final boolean[] s = new boolean[n * n];
		for (int i = 0; i < s.length; i++) s[i] = truth.data[2 * i] > 0;
		int ok = 0;
		for (long seed = 1; seed <= 5; seed++) {
			final Diffraction m = TextObject.measure(truth, photons, stop, seed);
			final DataKind kind = DataKind.resolve("auto", m);
			final ReconstructionPipeline.Outcome o = ReconstructionPipeline.run(kind.prepare(m), new ReconstructionPipeline.Request(
				kind.centred(PreprocessOptions.defaults()), kind.adapt(PhasingParameters.defaults()).withSeed(seed), "jtransforms", 1), null, Progress.NONE);
			final Quality.Comparison q = Quality.compare(o.result().object(), truth, s);
			System.out.printf("robustness %s, photons %.0e, beam stop %d, seed %d: amplitude corr %.3f, χ² %.3e%n", kind.label(), photons, stop, seed, q.amplitudeCorrelation(), o.result().finalChi2());
			if (q.amplitudeCorrelation() >= 0.9) ok++;
		}
		System.out.println("ROBUST " + ok + "/5 photons " + photons + " beam stop " + stop);
	}
}
