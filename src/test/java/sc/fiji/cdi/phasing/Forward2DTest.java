package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.pipeline.DataKind;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.util.Progress;

/**
 * Issue 12's 2D acceptance test: a text-like object (three separate letters) behind a 20 × 20 beam stop with
 * Poisson noise (10⁹ photons) reconstructs with the defaults (data_kind auto → forward-2d) in at least 4 of 5
 * seeds. Success: Pearson correlation of |ρ| with the truth ≥ 0.9 over the dilated true support, after alignment
 * (translation, 180° twin, phase offset).
 */
class Forward2DTest {

	static final int N = 256;

	/** One seed: noise and random start from {@code seed}, everything else the defaults. */
	static Quality.Comparison reconstruct(final long seed, final PhasingParameters phasing) { return reconstruct(seed, phasing, true); }

	/** @param adapt whether {@code phasing} goes through {@link DataKind#adapt} (the defaults path) */
	static Quality.Comparison reconstruct(final long seed, final PhasingParameters phasing, final boolean adapt) {
		return reconstruct(seed, phasing, adapt, DataKind.resolve("auto", TextObject.measure(TextObject.letters(N), 1e9, 20, 1)));
	}

	/** @param kind whose data preparation (beam stop) and centring are used */
	static Quality.Comparison reconstruct(final long seed, final PhasingParameters phasing, final boolean adapt, final DataKind kind) {
		return reconstruct(seed, phasing, adapt, kind, 1);
	}

	/** @param starts random starts (0: automatic, as the commands run by default) */
	static Quality.Comparison reconstruct(final long seed, final PhasingParameters phasing, final boolean adapt, final DataKind kind, final int starts) {
		final ComplexVolume truth = TextObject.letters(N);
		final Diffraction measured = TextObject.measure(truth, 1e9, 20, seed);
		final Diffraction prepared = kind.prepare(measured);
		final ReconstructionPipeline.Outcome o = ReconstructionPipeline.run(prepared,
			new ReconstructionPipeline.Request(PreprocessOptions.defaults().withCentre(kind.centring()), (adapt ? kind.adapt(phasing) : phasing).withSeed(seed), "jtransforms", 1, starts), null, Progress.NONE);
		final boolean[] truthSupport = new boolean[N * N];
		for (int i = 0; i < truthSupport.length; i++) truthSupport[i] = truth.data[2 * i] > 0;
		final Quality.Comparison q = Quality.compare(o.result().object(), truth, truthSupport);
		System.out.printf(Locale.ROOT, "letters 256², beam stop 20², 1e9 photons, seed %d, %s: amplitude corr %.3f, complex corr %.3f, twin %s, χ² %.3e, support %d px (true %d), %d iterations in %.1f s%n",
			seed, o.starts() == null ? "1 start" : o.starts().starts().size() + " starts (" + o.starts().averaged() + " averaged)", q.amplitudeCorrelation(), q.complexCorrelation(), q.twin(), o.result().finalChi2(), count(o.result().support()), count(truthSupport), o.result().iterations(), o.result().seconds());
		if (System.getProperty("cdi.test.dump") != null) {
			try {
				final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * N * N).order(java.nio.ByteOrder.LITTLE_ENDIAN);
				for (final float v : q.aligned().amplitude().data) b.putFloat(v);
				java.nio.file.Files.write(java.nio.file.Path.of(System.getProperty("cdi.test.dump") + seed + ".f32"), b.array());
			} catch (final java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
			System.out.println(o.preprocessed().log.steps());
		}
		return q;
	}

	static int count(final boolean[] b) { int c = 0; for (final boolean v : b) if (v) c++; return c; }

	@Test
	@Tag("slow")
	void lettersBehindABeamStopReconstructWithTheDefaultsInFourOfFiveSeeds() {
		int ok = 0;
		for (long seed = 1; seed <= 5; seed++) if (reconstruct(seed, PhasingParameters.defaults()).amplitudeCorrelation() >= 0.9) ok++;
		assertTrue(ok >= 4, ok + " of 5 seeds reconstructed");
	}

	/**
	 * The same case as the commands run it by default: automatic random starts (8 at 256²), ranked by free
	 * log-likelihood, the best averaged after alignment (twin included) and polished.
	 */
	@Test
	@Tag("slow")
	void lettersBehindABeamStopWithAutomaticStartsRankedAndAveraged() {
		int ok = 0;
		for (long seed = 1; seed <= 3; seed++) {
			final DataKind kind = DataKind.resolve("auto", TextObject.measure(TextObject.letters(N), 1e9, 20, 1));
			if (reconstruct(seed, PhasingParameters.defaults(), true, kind, 0).amplitudeCorrelation() >= 0.9) ok++;
		}
		assertTrue(ok >= 3, ok + " of 3 seeds reconstructed with the automatic starts");
	}
}
