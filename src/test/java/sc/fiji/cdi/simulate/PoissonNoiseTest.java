package sc.fiji.cdi.simulate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
			assertEquals(lambda * n, sum, 0.01 * lambda * n, "total counts for lambda " + lambda);
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
	}
}
