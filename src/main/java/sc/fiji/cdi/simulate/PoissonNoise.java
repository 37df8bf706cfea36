package sc.fiji.cdi.simulate;

import java.util.SplittableRandom;

import sc.fiji.cdi.util.CdiException;

/**
 * Photon-counting (Poisson) noise for simulated diffraction patterns. Exact samplers: sequential inversion for
 * λ &lt; 10, Hörmann's transformed rejection with squeeze (PTRS, Insurance: Math. Econ. 12, 39, 1993) above.
 */
public final class PoissonNoise {

	private static final double[] LOG_FACTORIAL = new double[16];
	static {
		for (int k = 1; k < LOG_FACTORIAL.length; k++) LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1] + Math.log(k);
	}

	private PoissonNoise() {}

	/**
	 * Scales the intensities so that they sum to {@code photons}, then replaces every value by a Poisson draw with
	 * that mean. Returns a new array of counts (as floats); the input is not modified. Deterministic for a seed.
	 */
	public static float[] apply(final float[] intensity, final double photons, final long seed) {
		if (!(photons > 0) || Double.isInfinite(photons)) throw new CdiException("Photon count " + photons + " is invalid: expected a finite number > 0.");
		double total = 0;
		for (final float v : intensity) {
			if (v < 0 || Float.isNaN(v)) throw new CdiException("Cannot add Poisson noise: the intensity holds a negative or NaN value (" + v + "); expected intensities >= 0.");
			total += v;
		}
		final float[] out = new float[intensity.length];
		if (total == 0) return out;
		final double scale = photons / total;
		final SplittableRandom rng = new SplittableRandom(seed);
		for (int i = 0; i < out.length; i++) out[i] = sample(rng, scale * intensity[i]);
		return out;
	}

	/** One draw from Poisson(λ), λ ≥ 0. */
	public static long sample(final SplittableRandom rng, final double lambda) {
		if (lambda <= 0) return 0;
		return lambda < 10 ? inversion(rng, lambda) : ptrs(rng, lambda);
	}

	private static long inversion(final SplittableRandom rng, final double lambda) {
		double p = Math.exp(-lambda), cdf = p;
		final double u = rng.nextDouble();
		long k = 0;
		while (u > cdf && k < 1000) {
			k++;
			p *= lambda / k;
			cdf += p;
		}
		return k;
	}

	private static long ptrs(final SplittableRandom rng, final double lambda) {
		final double logLambda = Math.log(lambda);
		final double b = 0.931 + 2.53 * Math.sqrt(lambda);
		final double a = -0.059 + 0.02483 * b;
		final double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
		final double vr = 0.9277 - 3.6224 / (b - 2);
		while (true) {
			final double u = rng.nextDouble() - 0.5;
			final double v = rng.nextDouble();
			final double us = 0.5 - Math.abs(u);
			final long k = (long) Math.floor((2 * a / us + b) * u + lambda + 0.43);
			if (us >= 0.07 && v <= vr) return k;
			if (k < 0 || (us < 0.013 && v > us)) continue;
			if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logFactorial(k)) return k;
		}
	}

	/** ln k! (table below 16, Stirling series above; relative error &lt; 1e-12). */
	static double logFactorial(final long k) {
		if (k < LOG_FACTORIAL.length) return LOG_FACTORIAL[(int) k];
		final double x = k + 1.0;
		final double ix = 1 / x, ix2 = ix * ix;
		return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + ix * (1.0 / 12 - ix2 * (1.0 / 360 - ix2 / 1260));
	}
}
