package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.phasing.fftw.Fftw;
import sc.fiji.cdi.phasing.fftw.FftwBackend;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/** The partial-coherence model (PyNX's psf): its syntax, what it recovers from blurred data, both CPU backends alike. */
class PartialCoherenceTest {

	@Test
	void parsesPynxSyntaxAndNamesWhatIsExpected() {
		assertNull(PartialCoherence.Psf.parse("none"));
		assertNull(PartialCoherence.Psf.parse(""));
		final PartialCoherence.Psf pv = PartialCoherence.Psf.parse("pseudo-voigt,1,0.05,20");
		assertEquals(PartialCoherence.Profile.PSEUDO_VOIGT, pv.profile());
		assertEquals(1.0, pv.fwhm());
		assertEquals(0.05, pv.eta());
		assertEquals(20, pv.period());
		assertEquals(5, PartialCoherence.Psf.parse("Gaussian, 1.5").period());
		final CdiException bad = assertThrows(CdiException.class, () -> PartialCoherence.Psf.parse("gauss,1"));
		assertTrue(bad.getMessage().contains("psf='gauss,1'") && bad.getMessage().contains("pseudo-voigt,FWHM,ETA"), bad.getMessage());
		assertThrows(CdiException.class, () -> PartialCoherence.Psf.parse("gaussian,abc"));
		assertThrows(CdiException.class, () -> PartialCoherence.Psf.parse("gaussian,-1"));
		assertThrows(CdiException.class, () -> PhasingParameters.defaults().withPsf("lorentzian"));
	}

	/** I ⊗ G_σ in detector space (periodic), for a Gaussian of σ pixels. */
	private static Diffraction blurred(final Diffraction d, final double sigma) {
		final Grid g = d.grid();
		final float[] in = d.intensity().data, out = new float[in.length];
		final int r = (int) Math.ceil(4 * sigma);
		double norm = 0;
		for (int dy = -r; dy <= r; dy++)
			for (int dx = -r; dx <= r; dx++) norm += Math.exp(-(dy * dy + dx * dx) / (2 * sigma * sigma));
		for (int y = 0; y < g.ny; y++)
			for (int x = 0; x < g.nx; x++) {
				double s = 0;
				for (int dy = -r; dy <= r; dy++)
					for (int dx = -r; dx <= r; dx++)
						s += Math.exp(-(dy * dy + dx * dx) / (2 * sigma * sigma)) * in[Math.floorMod(y - dy, g.ny) * g.nx + Math.floorMod(x - dx, g.nx)];
				out[y * g.nx + x] = (float) (s / norm);
			}
		return new Diffraction(new RealVolume(g, out), Quantity.INTENSITY, null, new ProcessingLog(), "blurred test object");
	}

	@Test
	void recoversTheObjectAndTheBlurFromPartiallyCoherentData() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);
		final double sigma = 1.0;
		final Diffraction data = blurred(s.diffraction(), sigma);
		final Phaser phaser = new Phaser(new JTransformsBackend(1));
		double coherentSum = 0, modelSum = 0;
		for (long seed = 1; seed <= 3; seed++) {
			final PhasingResult coherent = phaser.run(data, PhasingParameters.defaults().withSeed(seed), null, Progress.NONE);
			final PhasingResult model = phaser.run(data, PhasingParameters.defaults().withSeed(seed).withPsf("gaussian,1,5"), null, Progress.NONE);
			final Quality.Comparison a = Quality.compare(coherent.object(), s.object(), s.support());
			final Quality.Comparison b = Quality.compare(model.object(), s.object(), s.support());
			System.out.printf(Locale.ROOT, "blur σ %.1f seed %d: coherent χ² %.3e corr %.4f phase %.3f | psf χ² %.3e corr %.4f phase %.3f fwhm %.2f %.2f%n", sigma, seed,
				coherent.finalChi2(), a.amplitudeCorrelation(), a.phaseRmsError(), model.finalChi2(), b.amplitudeCorrelation(), b.phaseRmsError(),
				model.psfFwhm()[1], model.psfFwhm()[2]);
			coherentSum += a.amplitudeCorrelation();
			modelSum += b.amplitudeCorrelation();
			assertTrue(model.finalChi2() < coherent.finalChi2(), "the blurred model fits blurred data better");
			assertEquals(2.355 * sigma, model.psfFwhm()[2], 0.8, "the refined kernel's width along x");
		}
		assertTrue(modelSum > coherentSum, "mean correlation with the model " + modelSum / 3 + " against " + coherentSum / 3);
	}

	/**
	 * A finished run is judged under the kernel it fitted wherever it is judged again: χ² and the free pixels'
	 * likelihood from its reported FWHM, and the random starts' combination (before, the combined result's χ² and the
	 * ranking were the coherent model's, while one start reported the model's).
	 */
	@Test
	void aRunsMetricsAreUnderTheKernelItFitted() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);
		final Diffraction data = blurred(s.diffraction(), 1.0);
		final JTransformsBackend backend = new JTransformsBackend(1);
		final PhasingParameters p = PhasingParameters.defaults().withPsf("gaussian,1,5");
		final PhasingResult r = new Phaser(backend).run(data, p, null, Progress.NONE);
		final double model = ErrorMetrics.chi2(backend, r.object(), data, r.psf()), coherent = ErrorMetrics.chi2(backend, r.object(), data);
		assertEquals(r.finalChi2(), model, 1e-3 * r.finalChi2(), "χ² from the reported FWHM is the run's own");
		assertTrue(coherent > 2 * model, "coherent χ² " + coherent + " against " + model + " under the kernel");
		assertEquals(r.psfFwhm()[2], PartialCoherence.of(data.grid(), r.psf()).fwhm()[2], 1e-9);
		assertTrue(FreePixels.poissonLlk(r.object(), data, null, r.psf()) < FreePixels.poissonLlk(r.object(), data, null), "the kernel explains the counts better");
		final sc.fiji.cdi.pipeline.MultiStart.Result one = sc.fiji.cdi.pipeline.MultiStart.combine(data,
			sc.fiji.cdi.data.Mask.fromUnmeasured(data.grid(), new boolean[data.grid().size()]), java.util.List.of(r), p, backend);
		assertEquals(r.finalChi2(), one.result().finalChi2(), 1e-3 * r.finalChi2(), "a single start's combination reports its χ²");
		assertEquals(r.psfFwhm()[2], one.result().psfFwhm()[2], 1e-9);
	}

	/**
	 * The kernel itself travels with a result: a fixed heavy-tailed kernel (period 0) reports the setting's FWHM, not
	 * its second moments' (2.7 px for pseudo-voigt FWHM 1), and is judged as it is; a branched refinement keeps its
	 * kernel (it returned none); a run started from a kernel goes on from it.
	 */
	@Test
	void theKernelTravelsWithTheResult() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(48, 48), new double[] { 1, 10, 8 }, 1.5);
		final Diffraction data = blurred(s.diffraction(), 0.8);
		final JTransformsBackend backend = new JTransformsBackend(1);
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("20*ER+60*HIO+20*ER");
		final PhasingResult fixed = new Phaser(backend).run(data, p.withPsf("pseudo-voigt,1,0.05,0"), null, Progress.NONE);
		assertEquals(0.0, fixed.psfFwhm()[0]);
		assertEquals(1.0, fixed.psfFwhm()[1], 1e-12);
		assertEquals(1.0, fixed.psfFwhm()[2], 1e-12);
		assertEquals(fixed.finalChi2(), ErrorMetrics.chi2(backend, fixed.object(), data, fixed.psf()), 1e-4 * fixed.finalChi2(), "judged under its own kernel");

		final PhasingResult branched = Refinement.parse("20*ER+40*HIO | 2x 10*ER | 10*ER").run(backend, data, p.withPsf("gaussian,1,5"), null, Progress.NONE);
		assertTrue(branched.psf() != null, "a branched refinement keeps its kernel");
		assertEquals(branched.finalChi2(), ErrorMetrics.chi2(backend, branched.object(), data, branched.psf()), 1e-3 * branched.finalChi2());

		final PhasingResult refined = new Phaser(backend).run(data, p.withPsf("gaussian,1,5"), null, Progress.NONE);
		final PhasingResult onFrom = new Phaser(backend).run(data, p.withRecipe("10*ER").withPsf("pseudo-voigt,1,0.05,0"),
			new InitialGuess(refined.object(), refined.support(), refined.psf()), Progress.NONE);
		for (int a = 1; a < 3; a++) assertEquals(refined.psfFwhm()[a], onFrom.psfFwhm()[a], 1e-12, "started from the kernel, not from the setting");
		assertTrue(Math.abs(refined.psfFwhm()[2] - 1.0) > 0.05, "a refined kernel unlike the setting: " + refined.psfFwhm()[2]);
	}

	@Test
	void coherentDataKeepANarrowKernelAndTheirObject() {
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);
		final PhasingResult r = new Phaser(new JTransformsBackend(1)).run(s.diffraction(), PhasingParameters.defaults().withPsf("pseudo-voigt,1,0.05,5"), null, Progress.NONE);
		final Quality.Comparison c = Quality.compare(r.object(), s.object(), s.support());
		System.out.printf(Locale.ROOT, "coherent data with psf: χ² %.3e corr %.4f phase %.3f fwhm %.2f %.2f%n", r.finalChi2(), c.amplitudeCorrelation(),
			c.phaseRmsError(), r.psfFwhm()[1], r.psfFwhm()[2]);
		assertTrue(c.amplitudeCorrelation() >= 0.95 && c.phaseRmsError() <= 0.2, "solved");
		assertTrue(r.psfFwhm()[1] < 1.0 && r.psfFwhm()[2] < 1.0, "a kernel narrower than it started");
	}

	@Test
	void fftwAndJTransformsProjectAlike() {
		org.junit.jupiter.api.Assumptions.assumeTrue(Fftw.available(), "FFTW natives not loadable here");
		final TestObjects.Sample s = TestObjects.ellipsoid(Grid.cube(16), new double[] { 4, 5, 3 }, 1.0);
		final Diffraction data = s.diffraction();
		final Grid g = data.grid();
		final float[] amp = Phaser.unshiftedAmplitude(data);
		final boolean[] support = Phaser.boxSupport(g, 0.5);
		final float[] object = Phaser.randomObject(g, support, 3);
		final double[] chi2 = new double[2];
		final float[][] out = new float[2][];
		final PhasingBackend[] backends = { new JTransformsBackend(1), new FftwBackend(1) };
		for (int b = 0; b < 2; b++) {
			final PartialCoherence pc = new PartialCoherence(g, PartialCoherence.Psf.parse("gaussian,1.5,1"));
			try (PhasingBackend.Session session = backends[b].open(g, amp, null, object, support)) {
				session.projectModulus(pc, true); // one step of K, then a projection with it
				chi2[b] = session.projectModulus(pc, false);
				session.er();
				out[b] = session.readObject();
			}
		}
		assertEquals(chi2[0], chi2[1], 1e-4 * chi2[0]);
		double diff = 0, norm = 0;
		for (int i = 0; i < out[0].length; i++) { diff += (out[0][i] - out[1][i]) * (out[0][i] - out[1][i]); norm += out[0][i] * out[0][i]; }
		assertTrue(Math.sqrt(diff / norm) < 1e-4, "relative difference " + Math.sqrt(diff / norm));
	}

	@Test
	void djlIsRefusedBeforeAnyWork() {
		final CdiException e = assertThrows(CdiException.class, () -> Backends.select("djl", Grid.cube(16), 1, true));
		assertTrue(e.getMessage().contains("psf"), e.getMessage());
	}
}
