package sc.fiji.cdi.phasing;

import sc.fiji.cdi.fft.Fft;
import java.util.Locale;
import java.util.SplittableRandom;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;
import sc.fiji.cdi.util.Progress;

/**
 * Iterative phase retrieval (Fienup's ER/HIO, Luke's RAAR) with shrink-wrap: the {@link Recipe}'s operator chain
 * ({@link PhasingOperator}, PyNX's algebra) applied to a {@link PhasingState} on a {@link PhasingBackend}. With a
 * cohere recipe this is cohere's iteration: per iteration the modulus projection (which gives χ²), the recipe's
 * algorithm, twin removal (iteration 2 only), the shrink-wrap support update, and averaging of the last iterates.
 * <p>
 * Conventions: the diffraction data are centred (peak at n/2, as measured); they are ifftshifted once here. The
 * object is in natural order. The reconstruction is deterministic for a given seed and backend thread count.
 * <p>
 * Twin removal (after cohere's {@code twin_trigger = [2]} with halves [0, 0]): after the update of iteration 2
 * (0-based), the iterate is set to zero wherever y ≥ y_c or x ≥ x_c, with (y_c, x_c) the centre of mass of |ρ| —
 * i.e. only the quadrant below the centre of mass in y and x is kept, for every z. cohere first shifts the object
 * to its centre of mass and zeroes the upper halves of the array, which is the same cut. This breaks the
 * centro-symmetry between ρ(r) and its twin ρ*(−r) early so one of them wins.
 * <p>
 * The average of the last iterates is taken on the complex iterates directly (cohere, PyNX): consecutive iterates
 * share phase offset, position and twin. With a recipe ending in ER (cohere's default) they lie in the support.
 */
public final class Phaser {

	/** Relative threshold of the autocorrelation support: PyNX's {@code support_autocorrelation_threshold}, whose
	 * documented default is 0.1 (some wrappers use 0.04–0.11). */
	public static final double AUTOCORRELATION_THRESHOLD = 0.1;

	/** Iteration (0-based) after whose update cohere removes the twin. */
	public static final int TWIN_ITERATION = 2;

	private final PhasingBackend backend;

	public Phaser(final PhasingBackend backend) {
		if (backend == null) throw new IllegalArgumentException("backend is null");
		this.backend = backend;
	}

	/**
	 * Several random starts, the one with the lowest final χ² kept (PyNX's {@code nb_run} with {@code nb_run_keep=1},
	 * cohere's several reconstructions): HIO from a random start stagnates on some seeds, and a second start is the
	 * usual cure. Start k uses seed {@code p.seed() + k}; the result is deterministic.
	 */
	public PhasingResult runBest(final Diffraction data, final PhasingParameters p, final int starts, final Progress progressOrNull) {
		if (starts < 1) throw new CdiException("Number of random starts is " + starts + ": expected 1 or more.");
		PhasingResult best = null;
		for (int k = 0; k < starts; k++) {
			final PhasingResult r = run(data, p.withSeed(p.seed() + k), null, progressOrNull);
			if (best == null || r.finalChi2() < best.finalChi2()) best = r;
		}
		return best;
	}

	public PhasingResult run(final Diffraction data, final PhasingParameters p, final InitialGuess guess, final Progress progressOrNull) {
		final Progress progress = progressOrNull == null ? Progress.NONE : progressOrNull;
		final Recipe recipe = p.parsedRecipe();
		final Grid g = data.grid();
		final int n = g.size();
		MemoryGuard.require(estimateBytes(g, backend) + (p.parsedPsf() == null ? 0 : PartialCoherence.bytes(g)), "phase retrieval of " + data.source + " on a " + g + " grid (" + backend.name() + ")",
			"bin or crop the diffraction data (binning, size)");
		final float[] amp = unshiftedAmplitude(data);
		final Mask unmeasured = unshiftedMask(data);

		boolean[] support;
		if (guess != null && guess.support() != null) {
			if (guess.support().length != n) throw new CdiException("Initial support has " + guess.support().length + " voxels but the data " + data.source + " are " + g + " (" + n + " voxels): expected the same grid.");
			support = guess.support().clone();
		} else support = switch (p.initialSupport()) {
			case BOX -> boxSupport(g, p.supportBoxFraction());
			case AUTOCORRELATION -> autocorrelationSupport(g, unmeasured == null ? amp : inpaint(g, amp, unmeasured), AUTOCORRELATION_THRESHOLD);
			case AUTOCORRELATION_BOX -> halfExtentBox(g, autocorrelationSupport(g, unmeasured == null ? amp : inpaint(g, amp, unmeasured), AUTOCORRELATION_THRESHOLD));
		};
		if (count(support) == 0) throw new CdiException("Initial support of the reconstruction of " + data.source + " is empty: expected at least one voxel.");

		final float[] object;
		if (guess != null && guess.object() != null) {
			if (!guess.object().grid.equals(g)) throw new CdiException("Initial object is " + guess.object().grid + " but the data " + data.source + " are " + g + ": expected the same grid.");
			object = guess.object().data.clone();
		} else object = scaleToData(g, randomObject(g, support, p.seed()), amp, unmeasured);

		final int total = recipe.totalIterations();
		final long t0 = System.nanoTime();
		try (PhasingBackend.Session s = backend.open(g, amp, unmeasured, object, support);
			PhasingState state = new PhasingState(s, p, recipe, data.source, progress, measuredSquares(amp, unmeasured), backend.threads(),
				guess == null ? null : guess.psf())) {
			recipe.operator().apply(state);
			final float[] result;
			if (s.accumulated() > 0 && !state.averagePolished()) {
				result = s.readAccumulated();
				final float inv = 1f / s.accumulated();
				for (int i = 0; i < result.length; i++) result[i] *= inv;
			} else result = s.readObject();
			final boolean[] finalSupport = s.readSupport();
			final double seconds = (System.nanoTime() - t0) * 1e-9;
			s.writeObject(result);
			final PartialCoherence pc = state.coherence();
			final double finalChi2 = pc == null ? s.projectModulus() : s.projectModulus(pc, false);
			final ComplexVolume obj = new ComplexVolume(g, result); // real-space voxel size is not known here
			return new PhasingResult(obj, finalSupport, state.chi2History(), state.outsideFractionHistory(), finalChi2, total, seconds, backend.name(), p,
				pc == null ? null : pc.kernel());
		}
	}

	/**
	 * Heap bytes a run on {@code grid} needs at its peak: the backend's session plus this class's own arrays (the
	 * amplitude and its unshifted copy, 2 floats; initial object and result, 4 floats; support and mask, 2 booleans).
	 */
	public static long estimateBytes(final Grid grid, final PhasingBackend backend) {
		return backend.sessionHeapBytes(grid) + grid.size() * (6L * Float.BYTES + 2L);
	}

	/** Measured amplitude M = √I (or the amplitude as given), ifftshifted (zero frequency at index 0). */
	public static float[] unshiftedAmplitude(final Diffraction data) {
		final float[] a = data.amplitude().data;
		double sum = 0;
		for (int i = 0; i < a.length; i++) {
			if (!Float.isFinite(a[i])) throw new CdiException("Diffraction data " + data.source + " contain a non-finite value at index " + i + ": expected finite " + data.quantity.name().toLowerCase(Locale.ROOT) + " values (mask bad pixels instead).");
			if (data.isMeasured(i)) sum += Math.max(0, a[i]);
		}
		if (!(sum > 0)) throw new CdiException("Diffraction data " + data.source + " are zero everywhere they are measured: expected a diffraction pattern.");
		final float[] shifted = FftShift.ifftshift(data.grid(), a, 1);
		for (int i = 0; i < shifted.length; i++) if (shifted[i] < 0) shifted[i] = 0; // amplitude ≥ 0
		return shifted;
	}

	/** The unmeasured pixels of the data, ifftshifted (the backends' order); null when every pixel is measured. */
	public static Mask unshiftedMask(final Diffraction data) {
		return data.mask == null ? null : FftShift.ifftshift(data.mask);
	}

	/** cohere's initial support: a box of {@code fraction} of each dimension, centred at n/2 (nz = 1 stays 1). */
	public static boolean[] boxSupport(final Grid g, final double fraction) {
		final int[] dims = g.zyx(), lo = new int[3], hi = new int[3];
		for (int d = 0; d < 3; d++) {
			final int w = dims[d] == 1 ? 1 : Math.max(1, (int) Math.round(fraction * dims[d]));
			lo[d] = dims[d] / 2 - w / 2;
			hi[d] = lo[d] + w;
		}
		final boolean[] s = new boolean[g.size()];
		for (int z = lo[0]; z < hi[0]; z++)
			for (int y = lo[1]; y < hi[1]; y++)
				for (int x = lo[2]; x < hi[2]; x++) s[g.index(z, y, x)] = true;
		return s;
	}

	/**
	 * PyNX's initial support: |IFFT(I)| (the autocorrelation ρ⋆ρ, centred at n/2) ≥ threshold · max. It is the
	 * support of the autocorrelation, about twice the object's extent; it is not halved, shrink-wrap tightens it.
	 *
	 * @param unshiftedAmplitude M with zero frequency at index 0
	 */
	public static boolean[] autocorrelationSupport(final Grid g, final float[] unshiftedAmplitude, final double threshold) {
		final int n = g.size();
		final float[] c = new float[2 * n];
		for (int i = 0; i < n; i++) c[2 * i] = unshiftedAmplitude[i] * unshiftedAmplitude[i];
		Fft.inverse(g, c);
		final float[] mod = FftShift.fftshift(g, Moments.modulus(c), 1);
		float max = 0;
		for (final float v : mod) max = Math.max(max, v);
		final boolean[] s = new boolean[n];
		final float level = (float) (threshold * max);
		for (int i = 0; i < n; i++) s[i] = mod[i] >= level && max > 0;
		return s;
	}

	/** A centred box of 1.1 × half the extent of {@code s} along each axis (nz = 1 stays 1; at least 1 voxel). */
	static boolean[] halfExtentBox(final Grid g, final boolean[] s) {
		final int[] dims = g.zyx();
		final int[][] bounds = g.bounds(s);
		final boolean[] box = new boolean[g.size()];
		if (bounds == null) return box;
		final int[] lo = bounds[0], hi = bounds[1];
		final int[] a = new int[3], b = new int[3];
		for (int d = 0; d < 3; d++) {
			final int w = dims[d] == 1 ? 1 : Math.max(1, Math.min(dims[d], (int) Math.round(1.1 * (hi[d] - lo[d] + 1) / 2.0)));
			a[d] = dims[d] / 2 - w / 2;
			b[d] = a[d] + w;
		}
		for (int z = a[0]; z < b[0]; z++)
			for (int y = a[1]; y < b[1]; y++)
				for (int x = a[2]; x < b[2]; x++) box[g.index(z, y, x)] = true;
		return box;
	}

	/**
	 * M with its unmeasured pixels filled from their measured neighbours (repeated passes: each unmeasured pixel next
	 * to known ones takes their mean), for the autocorrelation only. A beam stop leaves a hole at zero frequency;
	 * with zeros there the autocorrelation loses its positive central blob and its support covers the whole array.
	 * The DFT is periodic, so neighbours wrap around the array edges (zero frequency is at index 0 here).
	 */
	static float[] inpaint(final Grid g, final float[] unshiftedAmplitude, final Mask unshiftedMask) {
		final float[] a = unshiftedAmplitude.clone();
		final boolean[] known = new boolean[a.length];
		for (int i = 0; i < known.length; i++) known[i] = unshiftedMask.isMeasured(i);
		int[] unknown = new int[a.length];
		int count = 0;
		for (int i = 0; i < a.length; i++) if (!known[i]) unknown[count++] = i;
		final int[][] steps = { { 1, 0, 0 }, { -1, 0, 0 }, { 0, 1, 0 }, { 0, -1, 0 }, { 0, 0, 1 }, { 0, 0, -1 } };
		final float[] value = new float[count];
		final int[] filled = new int[count];
		while (count > 0) {
			int nf = 0, left = 0;
			for (int k = 0; k < count; k++) { // this pass reads only pixels known before it
				final int i = unknown[k], z = i / (g.ny * g.nx), y = (i / g.nx) % g.ny, x = i % g.nx;
				double sum = 0;
				int c = 0;
				for (final int[] d : steps) {
					if (d[0] != 0 && g.nz == 1) continue;
					final int j = g.index(Math.floorMod(z + d[0], g.nz), Math.floorMod(y + d[1], g.ny), Math.floorMod(x + d[2], g.nx));
					if (known[j]) { sum += a[j]; c++; }
				}
				if (c > 0) { value[nf] = (float) (sum / c); filled[nf++] = i; }
				else unknown[left++] = i;
			}
			if (nf == 0) break; // nothing measured at all
			for (int k = 0; k < nf; k++) { a[filled[k]] = value[k]; known[filled[k]] = true; }
			count = left;
		}
		return a;
	}

	/** Random start (cohere, PyNX): amplitude uniform in [0, 1), phase uniform in [−π, π), inside the support. */
	public static float[] randomObject(final Grid g, final boolean[] support, final long seed) {
		final SplittableRandom r = new SplittableRandom(seed);
		final float[] o = new float[2 * g.size()];
		for (int i = 0; i < support.length; i++) {
			if (!support[i]) continue;
			final double a = r.nextDouble(), ph = Math.PI * (2 * r.nextDouble() - 1);
			o[2 * i] = (float) (a * Math.cos(ph));
			o[2 * i + 1] = (float) (a * Math.sin(ph));
		}
		return o;
	}

	/**
	 * ρ·s with s = Σ|F|·M / Σ|F|² over the measured pixels (F = DFT(ρ)): the object scaled to best match the measured
	 * amplitudes (PyNX's {@code ScaleObj(method='F')}, which its documentation notes matters only with a mask).
	 * The modulus projection sets every measured pixel to M anyway, but masked pixels keep F: a random start is
	 * about white, and on a 216×256×256 grid with the box support its |F| is ~10³ on every masked pixel where
	 * the data are ~1 — left unscaled, the masked pixels hold 10⁴ times the measured energy and HIO diverges
	 * (APS 34-ID-C scan 54 with its 15 padded rocking planes masked: χ² 98 during HIO, docs/phasing.md).
	 *
	 * @param unshiftedAmplitude M, zero frequency at index 0
	 * @param unshiftedMask      unmeasured pixels in the same order; null = none
	 */
	public static float[] scaleToData(final Grid g, final float[] object, final float[] unshiftedAmplitude, final Mask unshiftedMask) {
		final float[] f = Fft.forwardCopy(g, object);
		double fm = 0, ff = 0;
		for (int i = 0; i < unshiftedAmplitude.length; i++) {
			if (unshiftedMask != null && unshiftedMask.isUnmeasured(i)) continue;
			final double a = Math.hypot(f[2 * i], f[2 * i + 1]);
			fm += a * unshiftedAmplitude[i];
			ff += a * a;
		}
		if (!(ff > 0) || !(fm > 0)) return object;
		final float s = (float) (fm / ff);
		for (int i = 0; i < object.length; i++) object[i] *= s;
		return object;
	}

	/** Zeroes ρ where y ≥ y_c or x ≥ x_c, (y_c, x_c) = centre of mass of |ρ| (cohere's twin removal, see class doc). */
	public static void removeTwinHalves(final Grid g, final float[] rho) {
		final double[] com = Moments.centreOfMass(g, Moments.modulus(rho));
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++)
					if (y >= com[1] || x >= com[2]) { rho[2 * i] = 0f; rho[2 * i + 1] = 0f; }
	}

	/** Σ M² over the measured pixels (χ²'s denominator). */
	static double measuredSquares(final float[] amplitude, final Mask unmeasured) {
		double s = 0;
		for (int i = 0; i < amplitude.length; i++) if (unmeasured == null || unmeasured.isMeasured(i)) s += (double) amplitude[i] * amplitude[i];
		return s;
	}

	/** How many voxels of a support are inside. */
	public static long count(final boolean[] b) { long c = 0; for (final boolean v : b) if (v) c++; return c; }
}
