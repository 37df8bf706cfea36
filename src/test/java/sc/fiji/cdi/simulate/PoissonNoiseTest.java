package sc.fiji.cdi.simulate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.util.CdiException;

class PoissonNoiseTest {

	@Test
	void flatFieldHasTheRequestedTotalAndPoissonVarianceForSmallAndLargeMeans() {
		final int n = 400_000;
		for (final double lambda : new double[] { 0.05, 0.5, 3, 9.5, 10.5, 30, 1000, 1e6 }) {
			final float[] flat = new float[n];
			Arrays.fill(flat, 7f); // arbitrary scale: apply() rescales to the photon total
			final float[] counts = PoissonNoise.apply(flat, lambda * n, 42);
			double sum = 0, sum2 = 0;
			for (final float c : counts) { assertEquals(Math.rint(c), c, 0, "counts are integers"); sum += c; sum2 += (double) c * c; }
			final double mean = sum / n, variance = sum2 / n - mean * mean;
			// the total is itself Poisson(λn): within 5 standard deviations, which is within 1 % from λn = 2.5e5 up
			assertEquals(lambda * n, sum, 5 * Math.sqrt(lambda * n), "total counts for lambda " + lambda);
			assertEquals(lambda, variance, 0.03 * lambda, "variance for lambda " + lambda);
		}
	}

	@Test
	void probabilitiesMatchThePoissonMassFunction() {
		// PTRS region (lambda >= 10): the frequencies of k around the mode follow e^-λ λ^k / k!
		final SplittableRandom rng = new SplittableRandom(7);
		final double lambda = 25;
		final int n = 1_000_000;
		final int[] hist = new int[200];
		for (int i = 0; i < n; i++) hist[(int) PoissonNoise.sample(rng, lambda)]++;
		for (int k = 15; k <= 35; k++) {
			final double p = Math.exp(-lambda + k * Math.log(lambda) - PoissonNoise.logFactorial(k));
			assertEquals(p, hist[k] / (double) n, 5 * Math.sqrt(p / n) + 1e-4 * p, "P(k = " + k + ")");
		}
	}

	@Test
	void logFactorialIsAccurate() {
		double exact = 0;
		for (int k = 1; k <= 200; k++) {
			exact += Math.log(k);
			assertEquals(exact, PoissonNoise.logFactorial(k), 1e-10 * Math.max(1, exact), "ln " + k + "!");
		}
	}

	@Test
	void deterministicForASeedAndInputUntouched() {
		final float[] i = { 0, 1, 5, 100, 2, 0.5f };
		final float[] copy = i.clone();
		assertArrayEquals(PoissonNoise.apply(i, 1e4, 3), PoissonNoise.apply(i, 1e4, 3));
		assertArrayEquals(copy, i);
	}

	@Test
	void rejectsNegativeIntensitiesAndBadPhotonCounts() {
		assertThrows(CdiException.class, () -> PoissonNoise.apply(new float[] { 1, -1 }, 10, 0));
		assertThrows(CdiException.class, () -> PoissonNoise.apply(new float[] { 1, 1 }, 0, 0));
		assertThrows(CdiException.class, () -> PoissonNoise.apply(new float[] { 1, 1 }, Double.POSITIVE_INFINITY, 0));
		assertThrows(CdiException.class, () -> PoissonNoise.apply(new float[] { 1, 1 }, 1e36, 0));
	}

	@Test
	void hugeMeansAreNormalDrawsNotALongOverflow() {
		// photons=1e30 used to give 2^63 (9.22e18) in every pixel
		final int n = 20000;
		final float[] flat = new float[n];
		Arrays.fill(flat, 1);
		final double lambda = 1e30 / n;
		final float[] counts = PoissonNoise.apply(flat, 1e30, 5);
		double sum = 0, sq = 0;
		for (final float c : counts) { sum += c; sq += ((double) c - lambda) * ((double) c - lambda); }
		assertEquals(1e30, sum, 1e30 * 1e-6);
		// float rounding (2^-24 relative) dominates the Poisson spread here; every count is near its mean
		assertTrue(Math.sqrt(sq / n) / lambda < 1e-6, "relative spread " + Math.sqrt(sq / n) / lambda);
		// where the spread is resolvable, the variance is λ: mean 1e13 per pixel
		final double l2 = 1e13;
		final SplittableRandom rng = new SplittableRandom(1);
		double s2 = 0, v2 = 0;
		for (int i = 0; i < n; i++) { final double d = PoissonNoise.draw(rng, l2); s2 += d; v2 += (d - l2) * (d - l2); }
		assertEquals(l2, s2 / n, 5 * Math.sqrt(l2 / n));
		assertEquals(l2, v2 / n, 0.05 * l2);
		assertThrows(IllegalArgumentException.class, () -> PoissonNoise.sample(rng, 1e30));
		// the largest accepted total stays finite in float
		for (final float c : PoissonNoise.apply(new float[] { 1, 1 }, PoissonNoise.MAX_PHOTONS, 2)) assertTrue(Float.isFinite(c) && c > 0);
	}
}
