package sc.fiji.cdi.phasing;

import java.util.Locale;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.util.CdiException;

/**
 * Partial coherence as a point-spread function K in detector space (PyNX's {@code psf}; cohere's {@code pcdi}; Clark
 * et al. 2012, Nat. Commun. 3:993): the measured intensity is modelled as the coherent |F|² convolved with K, so the
 * modulus projection becomes F ← F·√(I / (|F|² ⊗ K)) where measured (PyNX), and K is refined from the data every
 * {@link Psf#period()} iterations by {@link #LUCY_STEPS} Richardson–Lucy steps, K ← K·[(I / (|F|² ⊗ K)) ⋆ |F|²] / Σ|F|²
 * (cohere's LUCY update), then replaced by the axis-aligned Gaussian of its second moments, narrowed per axis where the
 * data allow (Occam). K lives in a window of ±{@link #HALF_WIDTH} pixels around zero frequency (cohere's 16-pixel
 * kernel), is non-negative and sums to 1.
 * <p>
 * One instance per reconstruction: it keeps K and its transform and two complex work arrays on the heap (6 floats a
 * voxel); the backend hands it F = FFT(ρ) (unnormalised, FFT-unshifted) and gets back F' on the same scale.
 */
public final class PartialCoherence {

	/** Half-width of K's window in pixels along each axis (capped at a quarter of the axis). */
	public static final int HALF_WIDTH = 8;

	/** Richardson–Lucy steps per update of K (cohere's {@code pc_LUCY_iterations}). */
	public static final int LUCY_STEPS = 20;

	/** K is narrowed along an axis to {@link #SHRINK} of its σ while the ROI's misfit grows by no more than this fraction. */
	public static final double OCCAM = 0.002, SHRINK = 0.8;

	/** The narrowest σ (pixels) K's Gaussian keeps along an axis: K is then nearly a delta (neighbours at 0.4 %). */
	public static final double SIGMA_MIN = 0.3;

	/**
	 * Full-grid DFTs in place on interleaved complex arrays, as {@link Fft}'s (forward unnormalised, inverse scaled by
	 * 1/N): each backend gives its own FFT, so the two extra transforms an iteration costs run at its speed.
	 */
	public interface Transforms {
		void forward(float[] interleaved);

		void inverse(float[] interleaved);

		/** JTransforms ({@link Fft}) with {@code threads}. */
		static Transforms jtransforms(final Grid grid, final int threads) {
			return new Transforms() {
				@Override public void forward(final float[] a) { Fft.forward(grid, a, threads); }
				@Override public void inverse(final float[] a) { Fft.inverse(grid, a, threads); }
			};
		}
	}

	/** The shape K starts from. */
	public enum Profile { GAUSSIAN, LORENTZIAN, PSEUDO_VOIGT }

	/**
	 * The {@code psf} setting, in PyNX's words: {@code gaussian,FWHM[,PERIOD]}, {@code lorentzian,FWHM[,PERIOD]} or
	 * {@code pseudo-voigt,FWHM,ETA[,PERIOD]} (FWHM in detector pixels, η the Lorentzian fraction; K refined every
	 * PERIOD iterations, 0 = never, default 5), or {@code none}.
	 */
	public record Psf(Profile profile, double fwhm, double eta, int period) {

		/** PyNX's recommendation for data with significant partial coherence. */
		public static final String RECOMMENDED = "pseudo-voigt,1,0.05,10";

		public Psf {
			if (!(fwhm > 0 && fwhm <= 2 * HALF_WIDTH)) throw new CdiException("psf: the width " + fwhm + " pixels is out of range: expected a FWHM above 0 and at most " + 2 * HALF_WIDTH + " pixels (typically 1).");
			if (!(eta >= 0 && eta <= 1)) throw new CdiException("psf: the Lorentzian fraction " + eta + " is out of range: expected 0 to 1 (typically 0.05).");
			if (period < 0) throw new CdiException("psf: the update period " + period + " is negative: expected 0 (never refined) or a number of iterations (typically 5–20).");
		}

		/** null for "none" (or blank); otherwise the parsed setting, or a {@link CdiException} saying what is expected. */
		public static Psf parse(final String text) {
			if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("none") || text.trim().equalsIgnoreCase("false")) return null;
			final String[] f = text.trim().toLowerCase(Locale.ROOT).split("\\s*,\\s*");
			final String expected = "expected none, gaussian,FWHM[,PERIOD], lorentzian,FWHM[,PERIOD] or pseudo-voigt,FWHM,ETA[,PERIOD] (PyNX's syntax, e.g. " + RECOMMENDED + ")";
			try {
				switch (f[0]) {
					case "gaussian", "lorentzian":
						if (f.length < 2 || f.length > 3) break;
						return new Psf(f[0].equals("gaussian") ? Profile.GAUSSIAN : Profile.LORENTZIAN, Double.parseDouble(f[1]), 0, f.length == 3 ? Integer.parseInt(f[2]) : 5);
					case "pseudo-voigt", "pseudo_voigt", "voigt":
						if (f.length < 3 || f.length > 4) break;
						return new Psf(Profile.PSEUDO_VOIGT, Double.parseDouble(f[1]), Double.parseDouble(f[2]), f.length == 4 ? Integer.parseInt(f[3]) : 5);
					default:
						break;
				}
			} catch (final NumberFormatException e) {
				throw new CdiException("psf='" + text + "' has a value that is not a number: " + expected + ".");
			}
			throw new CdiException("psf='" + text + "' is not known: " + expected + ".");
		}

		/** K(r) before normalisation, r in pixels. */
		double value(final double r) {
			final double x = 2 * r / fwhm;
			final double gauss = Math.exp(-Math.log(2) * x * x), lorentz = 1 / (1 + x * x);
			return switch (profile) {
				case GAUSSIAN -> gauss;
				case LORENTZIAN -> lorentz;
				case PSEUDO_VOIGT -> (1 - eta) * gauss + eta * lorentz;
			};
		}
	}

	/**
	 * A snapshot of K (its window on the ROI, unshifted) and the FWHM reported for it: what a finished run fitted, to
	 * judge that run under its own model ({@link #of}) or to go on from it ({@link #start}). For one grid only.
	 */
	public record Kernel(int[] roiZyx, float[] values, double[] fwhmZyx) {}

	private final Grid g, roi;
	private final int n, nr;
	/** The FWHM K has: the setting's (isotropic) until K is first refined or started from a snapshot. */
	private double[] fwhm;
	/** Whether {@link #kernelHat} must be computed anew from K. */
	private boolean kernelChanged = true;
	private final int[] half;
	/** FFT of K on the full grid; |F|² and its blur on the full grid. */
	private final float[] kernelHat, work;
	/** K, the measured intensity (−1 = unmeasured), |F|²'s transform and a work array on the ROI, all unshifted. */
	private final float[] kernel, observed, modelHat, roiWork;
	private int updates;

	public PartialCoherence(final Grid grid, final Psf psf) {
		this.g = grid;
		this.n = grid.size();
		final int[] dims = grid.zyx(), r = new int[3];
		half = new int[3];
		for (int a = 0; a < 3; a++) {
			half[a] = Math.min(HALF_WIDTH, dims[a] / 4);
			r[a] = Math.min(dims[a], 4 * HALF_WIDTH);
		}
		roi = new Grid(r[0], r[1], r[2]);
		nr = roi.size();
		kernelHat = new float[2 * n];
		work = new float[2 * n];
		kernel = new float[nr];
		observed = new float[nr];
		modelHat = new float[2 * nr];
		roiWork = new float[2 * nr];
		window((i, dz, dy, dx) -> kernel[i] = (float) psf.value(Math.sqrt(dz * dz + dy * dy + dx * dx)));
		normaliseKernel();
		// the setting's width as given: a heavy-tailed profile's second moments on the window would say far more
		// (pseudo-voigt FWHM 1: 2.7 px), and K keeps that profile until it is first refined
		fwhm = new double[3];
		for (int a = 0; a < 3; a++) fwhm[a] = half[a] > 0 ? psf.fwhm() : 0;
	}

	/** K now, with its FWHM. */
	public Kernel kernel() { return new Kernel(roi.zyx(), kernel.clone(), fwhm.clone()); }

	/** K ← a snapshot taken on the same grid (a finished run's), refined further as before. */
	public void start(final Kernel k) {
		if (!java.util.Arrays.equals(k.roiZyx(), roi.zyx()) || k.values().length != nr)
			throw new IllegalArgumentException("a partial-coherence kernel of a " + java.util.Arrays.toString(k.roiZyx()) + " region, not " + roi);
		System.arraycopy(k.values(), 0, kernel, 0, nr);
		fwhm = k.fwhmZyx().clone();
		kernelChanged = true;
	}

	/** The fixed model of a finished run (its {@link Kernel}), for its metrics: never refined. */
	public static PartialCoherence of(final Grid grid, final Kernel k) {
		final PartialCoherence pc = new PartialCoherence(grid, new Psf(Profile.GAUSSIAN, 1, 0, 0));
		pc.start(k);
		return pc;
	}

	/** Heap bytes of one instance on {@code grid}, with the backend's heap copy of F (FFTW's). */
	public static long bytes(final Grid grid) { return grid.size() * 6L * Float.BYTES + 6L * 32 * 32 * 32 * Float.BYTES; }

	private interface Offset { void at(int roiIndex, int dz, int dy, int dx); }

	/** Visits K's window: the index in the (unshifted) ROI and the signed offsets from zero frequency. */
	private void window(final Offset o) {
		for (int dz = -half[0]; dz <= half[0]; dz++)
			for (int dy = -half[1]; dy <= half[1]; dy++)
				for (int dx = -half[2]; dx <= half[2]; dx++)
					o.at(roiIndex(dz, dy, dx), dz, dy, dx);
	}

	private int roiIndex(final int dz, final int dy, final int dx) {
		return (Math.floorMod(dz, roi.nz) * roi.ny + Math.floorMod(dy, roi.ny)) * roi.nx + Math.floorMod(dx, roi.nx);
	}

	private void normaliseKernel() {
		final double[] sum = { 0 };
		window((i, dz, dy, dx) -> { if (!(kernel[i] > 0)) kernel[i] = 0; sum[0] += kernel[i]; });
		if (!(sum[0] > 0)) throw new CdiException("The partial-coherence kernel became zero: the data and the model have no intensity in common.");
		final float inv = (float) (1 / sum[0]);
		window((i, dz, dy, dx) -> kernel[i] *= inv);
	}

	/** K placed on the full grid, transformed. */
	private void transformKernel(final Transforms t) {
		java.util.Arrays.fill(kernelHat, 0f);
		window((i, dz, dy, dx) -> kernelHat[2 * g.index(Math.floorMod(dz, g.nz), Math.floorMod(dy, g.ny), Math.floorMod(dx, g.nx))] = kernel[i]);
		t.forward(kernelHat);
		kernelChanged = false;
	}

	/**
	 * The modulus projection under the partial-coherence model, in place on {@code f} = FFT(ρ) (unnormalised,
	 * FFT-unshifted): F ← F·M/√(|F|² ⊗ K) where measured, F elsewhere. With {@code refine}, K first takes
	 * {@link #LUCY_STEPS} Richardson–Lucy steps against the data around zero frequency (cohere fits its kernel on the
	 * central region too: that is where the intensity, and so the information on K, is).
	 *
	 * @param amp        the measured amplitude M (a negative value marks an unmeasured pixel)
	 * @param unmeasured the unmeasured pixels, or null
	 * @param t          the backend's full-grid transforms
	 * @return χ² = Σ(√(|F|² ⊗ K) − M)² / Σ M² over measured pixels
	 */
	public double project(final float[] f, final float[] amp, final boolean[] unmeasured, final boolean refine, final Transforms t) {
		blur(f, refine ? () -> refine(amp, unmeasured) : null, t);
		double num = 0, den = 0;
		for (int i = 0; i < n; i++) {
			final float mi = amp[i];
			if (mi < 0 || unmeasured != null && unmeasured[i]) continue;
			final double mod = Math.sqrt(Math.max(work[2 * i], 0.0));
			num += (mod - mi) * (mod - mi);
			den += (double) mi * mi;
			final float re = f[2 * i], im = f[2 * i + 1];
			if (mod > 0) {
				final double s = mi / mod;
				f[2 * i] = (float) (re * s);
				f[2 * i + 1] = (float) (im * s);
			} else {
				final double a = Math.hypot(re, im); // the blurred model is zero only by rounding: keep F's phase
				f[2 * i] = a > 0 ? (float) (mi * re / a) : mi;
				f[2 * i + 1] = a > 0 ? (float) (mi * im / a) : 0f;
			}
		}
		return den > 0 ? num / den : 0;
	}

	/**
	 * The modelled intensity |F|² ⊗ K of {@code f} = FFT(ρ) (unnormalised, FFT-unshifted), on the same layout; {@code f}
	 * is left as it is.
	 */
	public float[] modelIntensity(final float[] f, final Transforms t) {
		blur(f, null, t);
		final float[] out = new float[n];
		for (int i = 0; i < n; i++) out[i] = Math.max(work[2 * i], 0f);
		return out;
	}

	/** |F|² ⊗ K into the real parts of {@link #work}; {@code refineK}, when given, runs on |F|² before the blur. */
	private void blur(final float[] f, final Runnable refineK, final Transforms t) {
		for (int i = 0; i < n; i++) {
			final float re = f[2 * i], im = f[2 * i + 1];
			work[2 * i] = re * re + im * im;
			work[2 * i + 1] = 0f;
		}
		if (refineK != null) refineK.run();
		if (kernelChanged) transformKernel(t);
		t.forward(work);
		multiply(work, kernelHat, false);
		t.inverse(work);
	}

	/** Richardson–Lucy steps of K on the ROI, |F|² in the real parts of {@link #work}. */
	private void refine(final float[] amp, final boolean[] unmeasured) {
		java.util.Arrays.fill(modelHat, 0f);
		double total = 0;
		for (int z = 0; z < roi.nz; z++)
			for (int y = 0; y < roi.ny; y++)
				for (int x = 0; x < roi.nx; x++) {
					// signed offsets of ROI voxel (z, y, x) from zero frequency, and the full grid's voxel there
					final int dz = z < (roi.nz + 1) / 2 ? z : z - roi.nz, dy = y < (roi.ny + 1) / 2 ? y : y - roi.ny, dx = x < (roi.nx + 1) / 2 ? x : x - roi.nx;
					final int i = g.index(Math.floorMod(dz, g.nz), Math.floorMod(dy, g.ny), Math.floorMod(dx, g.nx)), j = roi.index(z, y, x);
					modelHat[2 * j] = work[2 * i];
					total += work[2 * i];
					observed[j] = amp[i] < 0 || unmeasured != null && unmeasured[i] ? -1f : amp[i] * amp[i];
				}
		if (!(total > 0)) return;
		Fft.forward(roi, modelHat, 1);
		final double inv = 1 / total;
		for (int step = 0; step < LUCY_STEPS; step++) {
			java.util.Arrays.fill(roiWork, 0f);
			window((i, dz, dy, dx) -> roiWork[2 * i] = kernel[i]);
			Fft.forward(roi, roiWork, 1);
			multiply(roiWork, modelHat, false);
			Fft.inverse(roi, roiWork, 1); // |F|² ⊗ K on the ROI
			for (int j = 0; j < nr; j++) {
				final double conv = roiWork[2 * j];
				roiWork[2 * j] = observed[j] < 0 || !(conv > 0) ? 1f : (float) (observed[j] / conv); // no information: neutral
				roiWork[2 * j + 1] = 0f;
			}
			Fft.forward(roi, roiWork, 1);
			multiply(roiWork, modelHat, true); // correlation with |F|²
			Fft.inverse(roi, roiWork, 1);
			window((i, dz, dy, dx) -> kernel[i] = (float) (kernel[i] * Math.max(roiWork[2 * i], 0.0) * inv));
			normaliseKernel();
		}
		// K as the axis-aligned Gaussian of the free-form kernel's second moments: the free-form Richardson–Lucy kernel
		// also fits the noise (coherent 2D data at 10⁶ photons: FWHM 1.5–2.4 px, and 0.03–0.05 of the correlation lost)
		final double[] sigma = sigmas();
		for (int a = 0; a < 3; a++) sigma[a] = Math.max(sigma[a], SIGMA_MIN);
		gaussian(sigma);
		// Occam: along each axis, K at 0.8 of its σ when the central data fit it within 0.2 % as well (a width the data
		// do not constrain, e.g. along a thin crystal's flat fringes, drifted wide and took the object with it: coherent
		// 3D data, FWHM 8.8 px along z, correlation 0.59 against 0.97; halving σ within 1 % held back real blur)
		{
			double misfit = misfit();
			for (int a = 0; a < 3; a++) {
				if (half[a] == 0 || sigma[a] <= SIGMA_MIN) continue;
				final double keep = sigma[a];
				sigma[a] = Math.max(SIGMA_MIN, SHRINK * keep);
				gaussian(sigma);
				final double narrower = misfit();
				if (narrower <= misfit * (1 + OCCAM)) misfit = Math.min(misfit, narrower);
				else { sigma[a] = keep; gaussian(sigma); }
			}
		}
		fwhm = fwhmOfMoments();
		kernelChanged = true;
		updates++;
	}

	/** a ← a·b (or a·conj(b)), interleaved complex. */
	private static void multiply(final float[] a, final float[] b, final boolean conjugate) {
		final float sign = conjugate ? -1f : 1f;
		for (int i = 0; i < a.length / 2; i++) {
			final float ar = a[2 * i], ai = a[2 * i + 1], br = b[2 * i], bi = sign * b[2 * i + 1];
			a[2 * i] = ar * br - ai * bi;
			a[2 * i + 1] = ar * bi + ai * br;
		}
	}

	/** Richardson–Lucy steps taken so far. */
	public int updates() { return updates; }

	/** K ← the normalised axis-aligned Gaussian of {@code sigma} (z, y, x) on the window. */
	private void gaussian(final double[] sigma) {
		window((i, dz, dy, dx) -> {
			final double[] d = { dz, dy, dx };
			double e = 0;
			for (int a = 0; a < 3; a++) if (half[a] > 0) e += d[a] * d[a] / (2 * sigma[a] * sigma[a]);
			kernel[i] = (float) Math.exp(-e);
		});
		normaliseKernel();
	}

	/** Σ(√(|F|² ⊗ K) − √I)² over the ROI's measured pixels, |F|²'s transform in {@link #modelHat}. */
	private double misfit() {
		java.util.Arrays.fill(roiWork, 0f);
		window((i, dz, dy, dx) -> roiWork[2 * i] = kernel[i]);
		Fft.forward(roi, roiWork, 1);
		multiply(roiWork, modelHat, false);
		Fft.inverse(roi, roiWork, 1);
		double m = 0;
		for (int j = 0; j < nr; j++) {
			if (observed[j] < 0) continue;
			final double d = Math.sqrt(Math.max(roiWork[2 * j], 0.0)) - Math.sqrt(observed[j]);
			m += d * d;
		}
		return m;
	}

	/**
	 * K's full width at half maximum along z, y, x in pixels of the phasing grid: the setting's until K is first
	 * refined, then that of the Gaussian K has become (2√(2 ln 2)·σ, {@link #sigmas}).
	 */
	public double[] fwhm() { return fwhm.clone(); }

	private double[] fwhmOfMoments() {
		final double[] sg = sigmas();
		for (int a = 0; a < 3; a++) sg[a] *= 2 * Math.sqrt(2 * Math.log(2));
		return sg;
	}

	/**
	 * Per axis, the σ of the Gaussian whose samples on K's window have K's variance along that axis (the variance of a
	 * sampled Gaussian falls below σ² once σ nears a pixel: taken as σ², a narrow K would shrink at every update).
	 * 0 along an axis K does not extend over (z of 2D data).
	 */
	double[] sigmas() {
		final double[] m = new double[4], s2 = new double[3];
		window((i, dz, dy, dx) -> {
			final double k = kernel[i];
			m[0] += k; m[1] += k * dz; m[2] += k * dy; m[3] += k * dx;
			s2[0] += k * dz * dz; s2[1] += k * dy * dy; s2[2] += k * dx * dx;
		});
		final double[] out = new double[3];
		for (int a = 0; a < 3; a++) {
			if (half[a] == 0) continue;
			final double mean = m[1 + a] / m[0], v = Math.max(0, s2[a] / m[0] - mean * mean);
			double lo = 0.01, hi = 4.0 * half[a];
			for (int it = 0; it < 60; it++) {
				final double mid = 0.5 * (lo + hi);
				if (sampledVariance(mid, half[a]) < v) lo = mid; else hi = mid;
			}
			out[a] = 0.5 * (lo + hi);
		}
		return out;
	}

	/** The variance of exp(−k²/2σ²) sampled at the integers |k| ≤ half. */
	static double sampledVariance(final double sigma, final int half) {
		double w = 0, w2 = 0;
		for (int k = -half; k <= half; k++) {
			final double g = Math.exp(-k * k / (2 * sigma * sigma));
			w += g;
			w2 += g * k * k;
		}
		return w2 / w;
	}
}
