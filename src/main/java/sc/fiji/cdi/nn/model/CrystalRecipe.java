package sc.fiji.cdi.nn.model;

import java.util.SplittableRandom;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.GaussianBlur;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.CdiException;

/**
 * How a model's training crystals are drawn from {@link CrystalSimulator}, recorded in its card
 * ({@link ModelCard.Training#dataRecipe}) so that prediction can compare measured data with what the network saw.
 * Per sample: the size fraction uniform in [sizeMin, sizeMax], the peak-to-peak phase uniform in [phaseMin, phaseMax]
 * (radians), the photon count log-uniform in [photonsMin, photonsMax] (0 and 0 = noise-free); the rest from
 * {@code base}. With {@code mixed}, also per sample: the shape (faceted
 * 60 %, sphere 20 %, cube 20 %), the phase family (sines and Gaussians 50 %, a strain gradient 25 %, a
 * dislocation vortex 25 %; with {@code fixedPhase} the base's model for all), the edge width σ uniform in 0.5–1.5 voxels (sharp to rounded), 35 % of the faceted
 * shapes stretched 1.2–2× along a random direction (rods, platelets), and in 30 % of the
 * patterns a partial-coherence blur of the intensity (a Gaussian of σ 0.3–1 pixel: the measured intensity is the
 * coherent one convolved with the Fourier transform of the mutual coherence function, Vartanyants &amp; Robinson 2001).
 */
public record CrystalRecipe(SimulationParameters base, double sizeMin, double sizeMax, double phaseMin, double phaseMax, double photonsMin, double photonsMax, boolean mixed,
	boolean fixedPhase) {

	public CrystalRecipe(final SimulationParameters base, final double sizeMin, final double sizeMax, final double phaseMin, final double phaseMax, final double photonsMin, final double photonsMax) {
		this(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, false, false);
	}

	public CrystalRecipe(final SimulationParameters base, final double sizeMin, final double sizeMax, final double phaseMin, final double phaseMax, final double photonsMin, final double photonsMax,
		final boolean mixed) {
		this(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, mixed, false);
	}

	/** The same with {@code mixed} families. */
	public CrystalRecipe mixed(final boolean m) { return new CrystalRecipe(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, m, fixedPhase); }

	/** The same with the base's phase model kept in a mixed recipe (shapes, edges, stretch and blur still mixed). */
	public CrystalRecipe fixedPhase(final boolean f) { return new CrystalRecipe(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, mixed, f); }

	public CrystalRecipe {
		if (!(sizeMin > 0 && sizeMin <= sizeMax && sizeMax <= 0.5)) throw new CdiException("Training size fractions must satisfy 0 < min <= max <= 0.5 (the networks assume the object fills at most half the box), got " + sizeMin + ".." + sizeMax + ".");
		if (!(phaseMin >= 0 && phaseMin <= phaseMax)) throw new CdiException("Training phase range must satisfy 0 <= min <= max, got " + phaseMin + ".." + phaseMax + ".");
		if (!(photonsMin >= 0 && photonsMin <= photonsMax) || (photonsMin == 0 && photonsMax > 0)) throw new CdiException("Training photon counts must be 0..0 (noise-free) or 0 < min <= max, got " + photonsMin + ".." + photonsMax + ".");
	}

	/** Faceted crystals, size 0.3–0.45 of the box, sines-and-Gaussians phase 0–3 rad peak-to-peak, 10⁶–10⁹ photons. */
	public static CrystalRecipe defaults(final int rank) {
		final SimulationParameters p = SimulationParameters.defaults().withShape(rank == 2 ? SimulationParameters.Shape.POLYGON : SimulationParameters.Shape.POLYHEDRON);
		return new CrystalRecipe(p, 0.30, 0.45, 0.0, 3.0, 1e6, 1e9);
	}

	private SimulationParameters draw(final SplittableRandom r) {
		final double size = sizeMin + (sizeMax - sizeMin) * r.nextDouble();
		final double phase = phaseMin + (phaseMax - phaseMin) * r.nextDouble();
		final double photons = photonsMax == 0 ? 0 : Math.exp(Math.log(photonsMin) + (Math.log(photonsMax) - Math.log(photonsMin)) * r.nextDouble());
		SimulationParameters p = base.withSizeFraction(size).withPhaseRange(phase).withPhotons(photons);
		if (!mixed) return p;
		final double u = r.nextDouble(), v = r.nextDouble();
		final SimulationParameters.Shape faceted = base.shape() == SimulationParameters.Shape.POLYGON ? SimulationParameters.Shape.POLYGON : SimulationParameters.Shape.POLYHEDRON;
		p = p.withShape(u < 0.6 ? faceted : u < 0.8 ? SimulationParameters.Shape.SPHERE : SimulationParameters.Shape.CUBE);
		if (!fixedPhase) p = p.withPhaseModel(v < 0.5 ? SimulationParameters.PhaseModel.SINES_GAUSSIANS : v < 0.75 ? SimulationParameters.PhaseModel.LINEAR_STRAIN : SimulationParameters.PhaseModel.VORTEX);
		p = p.withEdgeSigma(0.5 + r.nextDouble());
		return p.shape() != SimulationParameters.Shape.SPHERE && r.nextDouble() < 0.35 ? p.withAspect(1.2 + 0.8 * r.nextDouble()) : p;
	}

	/** The partial-coherence blur σ (pixels) of a mixed recipe's sample, 0 for none. */
	private double coherenceBlur(final SplittableRandom r) {
		return mixed && r.nextDouble() < 0.3 ? 0.3 + 0.7 * r.nextDouble() : 0;
	}

	/** The simulated crystal for sample {@code index} of a data set with this seed (reproducible). */
	public SimulatedCrystal crystal(final Grid grid, final long seed, final int index) {
		final long s = new SplittableRandom(seed).split().nextLong() ^ (0x9E3779B97F4A7C15L * (index + 1));
		final SplittableRandom r = new SplittableRandom(s);
		final SimulationParameters p = draw(r);
		final long simulationSeed = r.nextLong();
		// a small particle with a wide soft edge may not fit its box (rotated cubes grow by √3·margin per axis):
		// it is drawn unstretched, then with a sharper edge, rather than failing the data set
		final SimulationParameters[] tries = { p, p.withAspect(1), p.withAspect(1).withEdgeSigma(Math.min(0.5, p.edgeSigma())) };
		SimulatedCrystal c = null;
		for (int t = 0; c == null; t++) {
			try {
				c = CrystalSimulator.simulate(grid, tries[t], simulationSeed);
			} catch (final CdiException e) {
				if (t == tries.length - 1) throw e;
			}
		}
		final double blur = coherenceBlur(r);
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
}
