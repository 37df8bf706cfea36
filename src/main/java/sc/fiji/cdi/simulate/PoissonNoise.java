package sc.fiji.cdi.simulate;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import sc.fiji.cdi.util.CdiException;

/**
 * Photon-counting (Poisson) noise for simulated diffraction patterns. Exact samplers: sequential inversion for
 * λ &lt; 10, Hörmann's transformed rejection with squeeze (PTRS, Insurance: Math. Econ. 12, 39, 1993) above; from
 * {@link #NORMAL_FROM} on, the normal approximation N(λ, λ) in double (skewness λ^−½ ≤ 1e−6), which never overflows
 * (PTRS counts in a long, which overflowed to 2^63 for a λ of 1e30).
 */
public final class PoissonNoise {

	private static final double[] LOG_FACTORIAL = new double[16];
	static {
		for (int k = 1; k < LOG_FACTORIAL.length; k++) LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1] + Math.log(k);
	}

	private static final int BLOCK = 16384;

	/** Mean from which a draw is the normal approximation (exact samplers below). */
	public static final double NORMAL_FROM = 1e12;

	/** Largest photon total accepted: counts are floats (max 3.4e38), so this leaves room for the noise. */
	public static final double MAX_PHOTONS = 1e35;

	private PoissonNoise() {}

	/**
	 * Scales the intensities so that they sum to {@code photons}, then replaces every value by a Poisson draw with
	 * that mean. Returns a new array of counts (as floats); the input is not modified. Deterministic for a seed.
	 */
	public static float[] apply(final float[] intensity, final double photons, final long seed) {
		if (!(photons > 0) || !(photons <= MAX_PHOTONS)) throw new CdiException("Photon count " + photons + " is invalid: expected a number > 0 and at most " + MAX_PHOTONS + ".");
		double total = 0;
		for (final float v : intensity) {
			if (v < 0 || Float.isNaN(v)) throw new CdiException("Cannot add Poisson noise: the intensity holds a negative or NaN value (" + v + "); expected intensities >= 0.");
			total += v;
		}
		final float[] out = new float[intensity.length];
		if (total == 0) return out;
		final double scale = photons / total;
		// fixed blocks, each with its own stream split from the seed in order: the same counts for any thread count
		final int blocks = (out.length + BLOCK - 1) / BLOCK;
		final SplittableRandom root = new SplittableRandom(seed);
		final SplittableRandom[] streams = new SplittableRandom[blocks];
		for (int b = 0; b < blocks; b++) streams[b] = root.split();
		IntStream.range(0, blocks).parallel().forEach(b -> {
			final SplittableRandom rng = streams[b];
			for (int i = b * BLOCK, end = Math.min(out.length, i + BLOCK); i < end; i++) out[i] = (float) draw(rng, scale * intensity[i]);
		});
		return out;
	}

	/** One draw from Poisson(λ), λ ≥ 0, as a double: exact below {@link #NORMAL_FROM}, normal above; any finite λ. */
	public static double draw(final SplittableRandom rng, final double lambda) {
		if (lambda < NORMAL_FROM) return sample(rng, lambda);
		return Math.max(0, Math.rint(lambda + Math.sqrt(lambda) * rng.nextGaussian()));
	}

	/** One exact draw from Poisson(λ), 0 ≤ λ &lt; {@link #NORMAL_FROM} (a larger λ: {@link #draw}). */
	public static long sample(final SplittableRandom rng, final double lambda) {
		if (lambda <= 0) return 0;
		if (!(lambda < NORMAL_FROM)) throw new IllegalArgumentException("Poisson mean " + lambda + " is too large for an exact count: expected < " + NORMAL_FROM + " (use draw)");
		return lambda < 10 ? inversion(rng, lambda) : ptrs(rng, lambda);
	}

	private static long inversion(final SplittableRandom rng, final double lambda) {
		final double u = rng.nextDouble();
		if (u < 1 - lambda) return 0; // 1 − λ ≤ exp(−λ) = P(0): most weak pixels end here without an exp
		double p = Math.exp(-lambda), cdf = p;
		long k = 0;
		while (u > cdf && k < 1000) {
			k++;
			p *= lambda / k;
			cdf += p;
		}
		return k;
	}

	private static long ptrs(final SplittableRandom rng, final double lambda) {
		final double b = 0.931 + 2.53 * Math.sqrt(lambda);
		final double a = -0.059 + 0.02483 * b;
		final double vr = 0.9277 - 3.6224 / (b - 2);
		double logLambda = Double.NaN, logInvAlpha = Double.NaN; // only needed by the rare slow path
		while (true) {
			final double u = rng.nextDouble() - 0.5;
			final double v = rng.nextDouble();
			final double us = 0.5 - Math.abs(u);
			final long k = (long) Math.floor((2 * a / us + b) * u + lambda + 0.43);
			if (us >= 0.07 && v <= vr) return k; // squeeze: accepted without logarithms (~90 % of draws)
			if (k < 0 || (us < 0.013 && v > us)) continue;
			if (Double.isNaN(logLambda)) { logLambda = Math.log(lambda); logInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4)); }
			if (Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logFactorial(k)) return k;
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
