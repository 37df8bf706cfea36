package sc.fiji.cdi.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.GaussianBlur;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Training samples drawn from {@link CrystalSimulator}. Each sample holds the network input (diffraction
 * amplitude √I, centred, normalised to max 1 — the AutoPhaseNN / 3D-CDI-NN convention), the same amplitude
 * ifftshifted for {@link PhysicsLoss}, and the ground-truth amplitude (normalised to max 1) and phase (radians,
 * 0 outside the support) for supervised losses.
 */
public final class TrainingData {

	/**
	 * How the crystals are drawn: per sample, the size fraction uniform in [sizeMin, sizeMax], the peak-to-peak
	 * phase uniform in [phaseMin, phaseMax] (radians), the photon count log-uniform in [photonsMin, photonsMax]
	 * (0 and 0 = noise-free); the rest from {@code base}. With {@code mixed}, also per sample: the shape (faceted
	 * 60 %, sphere 20 %, cube 20 %), the phase family (sines and Gaussians 50 %, a strain gradient 25 %, a
	 * dislocation vortex 25 %), the edge width σ uniform in 0.5–1.5 voxels (sharp to rounded), and in 30 % of the
	 * patterns a partial-coherence blur of the intensity (a Gaussian of σ 0.3–1 pixel: the measured intensity is the
	 * coherent one convolved with the Fourier transform of the mutual coherence function, Vartanyants &amp; Robinson 2001).
	 */
	public record Recipe(SimulationParameters base, double sizeMin, double sizeMax, double phaseMin, double phaseMax, double photonsMin, double photonsMax, boolean mixed) {

		public Recipe(final SimulationParameters base, final double sizeMin, final double sizeMax, final double phaseMin, final double phaseMax, final double photonsMin, final double photonsMax) {
			this(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, false);
		}

		/** The same with {@code mixed} families. */
		public Recipe mixed(final boolean m) { return new Recipe(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, m); }

		public Recipe {
			if (!(sizeMin > 0 && sizeMin <= sizeMax && sizeMax <= 0.5)) throw new CdiException("Training size fractions must satisfy 0 < min <= max <= 0.5 (the networks assume the object fills at most half the box), got " + sizeMin + ".." + sizeMax + ".");
			if (!(phaseMin >= 0 && phaseMin <= phaseMax)) throw new CdiException("Training phase range must satisfy 0 <= min <= max, got " + phaseMin + ".." + phaseMax + ".");
			if (!(photonsMin >= 0 && photonsMin <= photonsMax) || (photonsMin == 0 && photonsMax > 0)) throw new CdiException("Training photon counts must be 0..0 (noise-free) or 0 < min <= max, got " + photonsMin + ".." + photonsMax + ".");
		}

		/** Faceted crystals, size 0.3–0.45 of the box, sines-and-Gaussians phase 0–3 rad peak-to-peak, 10⁶–10⁹ photons. */
		public static Recipe defaults(final int rank) {
			final SimulationParameters p = SimulationParameters.defaults().withShape(rank == 2 ? SimulationParameters.Shape.POLYGON : SimulationParameters.Shape.POLYHEDRON);
			return new Recipe(p, 0.30, 0.45, 0.0, 3.0, 1e6, 1e9);
		}

		SimulationParameters draw(final SplittableRandom r) {
			final double size = sizeMin + (sizeMax - sizeMin) * r.nextDouble();
			final double phase = phaseMin + (phaseMax - phaseMin) * r.nextDouble();
			final double photons = photonsMax == 0 ? 0 : Math.exp(Math.log(photonsMin) + (Math.log(photonsMax) - Math.log(photonsMin)) * r.nextDouble());
			SimulationParameters p = base.withSizeFraction(size).withPhaseRange(phase).withPhotons(photons);
			if (!mixed) return p;
			final double u = r.nextDouble(), v = r.nextDouble();
			final SimulationParameters.Shape faceted = base.shape() == SimulationParameters.Shape.POLYGON ? SimulationParameters.Shape.POLYGON : SimulationParameters.Shape.POLYHEDRON;
			p = p.withShape(u < 0.6 ? faceted : u < 0.8 ? SimulationParameters.Shape.SPHERE : SimulationParameters.Shape.CUBE);
			p = p.withPhaseModel(v < 0.5 ? SimulationParameters.PhaseModel.SINES_GAUSSIANS : v < 0.75 ? SimulationParameters.PhaseModel.LINEAR_STRAIN : SimulationParameters.PhaseModel.VORTEX);
			return p.withEdgeSigma(0.5 + r.nextDouble());
		}

		/** The partial-coherence blur σ (pixels) of a mixed recipe's sample, 0 for none. */
		double coherenceBlur(final SplittableRandom r) {
			return mixed && r.nextDouble() < 0.3 ? 0.3 + 0.7 * r.nextDouble() : 0;
		}
	}

	/** One training pattern; arrays in (z, y, x) order of the network grid. */
	/**
	 * One training pattern: network input, ifftshifted target, ground truth (null for measured data), and which target
	 * pixels are measured (1/0, ifftshifted; null: all).
	 */
	public record Sample(float[] input, float[] targetUnshifted, float[] amplitude, float[] phase, long seed, float[] measuredUnshifted) {
		public Sample(final float[] input, final float[] targetUnshifted, final float[] amplitude, final float[] phase, final long seed) {
			this(input, targetUnshifted, amplitude, phase, seed, null);
		}
	}

	private TrainingData() {}

	/** The simulated crystal for sample {@code index} of a data set with this seed (reproducible). */
	public static SimulatedCrystal crystal(final Grid grid, final Recipe recipe, final long seed, final int index) {
		final long s = new SplittableRandom(seed).split().nextLong() ^ (0x9E3779B97F4A7C15L * (index + 1));
		final SplittableRandom r = new SplittableRandom(s);
		final SimulatedCrystal c = CrystalSimulator.simulate(grid, recipe.draw(r), r.nextLong());
		final double blur = recipe.coherenceBlur(r);
		return blur > 0 ? partiallyCoherent(c, blur) : c;
	}

	/** The crystal with its intensity convolved with a Gaussian of σ pixels (partial coherence), logged. */
	static SimulatedCrystal partiallyCoherent(final SimulatedCrystal c, final double sigma) {
		final Diffraction d = c.diffraction();
		final Diffraction b = d.withValues(d.values.with(blur(d.grid(), d.values.data, sigma)), d.quantity, d.mask, "partial_coherence_blur", "sigma_pixels", sigma);
		return new SimulatedCrystal(c.object(), c.support(), b);
	}

	/** Separable Gaussian blur ({@link GaussianBlur#kernel}) with zeros beyond the array; axes of length 1 untouched. */
	static float[] blur(final Grid g, final float[] v, final double sigma) {
		final float[] k = GaussianBlur.kernel(sigma);
		final int r = k.length / 2;
		final int[] dims = g.zyx(), strides = { g.ny * g.nx, g.nx, 1 };
		float[] cur = v.clone();
		for (int a = 0; a < 3; a++) {
			if (dims[a] == 1) continue;
			final float[] next = new float[cur.length];
			for (int i = 0; i < cur.length; i++) {
				final int pos = (i / strides[a]) % dims[a];
				double sum = 0;
				for (int j = -r; j <= r; j++) {
					final int q = pos + j;
					if (q >= 0 && q < dims[a]) sum += k[j + r] * cur[i + j * strides[a]];
				}
				next[i] = (float) sum;
			}
			cur = next;
		}
		return cur;
	}

	/**
	 * Generates samples {@code from … from+count−1}. Sequential: the simulator's cached JTransforms plans are not
	 * safe for concurrent use (an ArrayIndexOutOfBoundsException inside FloatFFT_1D was observed with 2 threads).
	 */
	public static List<Sample> generate(final Grid grid, final Recipe recipe, final long seed, final int from, final int count, final int threads, final Progress progress) {
		final Sample[] out = new Sample[count];
		final AtomicInteger done = new AtomicInteger();
		final java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(1);
		try {
			pool.submit(() -> IntStream.range(0, count).parallel().forEach(i -> {
				if (progress.isCancelled()) return;
				out[i] = sample(crystal(grid, recipe, seed, from + i), from + i);
				final int d = done.incrementAndGet();
				if (d % 50 == 0) progress.status("Simulating crystals " + d + "/" + count);
			})).get();
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new CdiException("Interrupted while simulating training data.", e);
		} catch (final java.util.concurrent.ExecutionException e) {
			if (e.getCause() instanceof RuntimeException re) throw re;
			throw new CdiException("Simulating training data failed: " + e.getCause(), e.getCause());
		} finally {
			pool.shutdown();
		}
		progress.checkCancelled();
		return new ArrayList<>(List.of(out));
	}

	/** The network sample of a simulated crystal. */
	public static Sample sample(final SimulatedCrystal c, final long seed) {
		final Grid g = c.object().grid;
		final float[] in = normalisedAmplitude(c.diffraction().amplitude());
		final RealVolume a = c.amplitude();
		final float[] amp = a.data;
		final float max = (float) a.max();
		if (max > 0) for (int i = 0; i < amp.length; i++) amp[i] /= max;
		return new Sample(in, unshiftedTarget(g, in), amp, c.phase().data, seed);
	}

	/** √I (or |F|) divided by its maximum; a copy. */
	public static float[] normalisedAmplitude(final RealVolume amplitude) {
		final float[] a = amplitude.data.clone();
		float max = 0;
		for (final float v : a) if (v > max) max = v;
		if (!(max > 0)) throw new CdiException("The diffraction pattern is zero everywhere: nothing to normalise.");
		for (int i = 0; i < a.length; i++) a[i] = Math.max(0f, a[i]) / max;
		return a;
	}

	/** The centred amplitude moved so that zero frequency is at index 0 (see {@link PhysicsLoss}). */
	public static float[] unshiftedTarget(final Grid g, final float[] centred) {
		return FftShift.ifftshift(g, centred, 1);
	}

	/**
	 * The twin ρ*(−r) of a real amplitude/phase pair about the box centre n/2: index i → (n − i) mod n per axis,
	 * phase negated. It has the same diffraction amplitude, so supervised losses take the better of the two.
	 */
	public static float[] twin(final Grid g, final float[] v, final boolean negate) {
		final float[] out = new float[v.length];
		for (int z = 0; z < g.nz; z++) {
			final int zt = (g.nz - z) % g.nz;
			for (int y = 0; y < g.ny; y++) {
				final int yt = (g.ny - y) % g.ny;
				for (int x = 0; x < g.nx; x++) {
					final float val = v[g.index(z, y, x)];
					out[g.index(zt, yt, (g.nx - x) % g.nx)] = negate ? -val : val;
				}
			}
		}
		return out;
	}
}
