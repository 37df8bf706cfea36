package sc.fiji.cdi.nn.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.phasing.GaussianBlur;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.PoissonNoise;
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
 * <p>
 * Two further options, drawn after everything else (so a recipe without them draws the same crystals as before):
 * {@code domains}, in 25 % of the crystals two domains, the phase of one side of a random plane through the crystal
 * (within ±0.3 of its extent from the centre) shifted by 0.5–π rad (a twin or stacking boundary, a multi-domain
 * crystal), with the pattern computed again (noise included); {@code gaps}, in 30 % of the patterns one or two
 * detector gaps, 1–4 pixels wide, 3–n/4 pixels from the peak, along a detector axis (y or x; in 3D a plane through
 * the rocking axis z), read as 0 and unmeasured — the network learns to ignore them and the physics loss leaves them
 * out.
 */
public record CrystalRecipe(SimulationParameters base, double sizeMin, double sizeMax, double phaseMin, double phaseMax, double photonsMin, double photonsMax, boolean mixed,
	boolean fixedPhase, boolean domains, boolean gaps) {

	public CrystalRecipe(final SimulationParameters base, final double sizeMin, final double sizeMax, final double phaseMin, final double phaseMax, final double photonsMin, final double photonsMax) {
		this(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, false, false);
	}

	public CrystalRecipe(final SimulationParameters base, final double sizeMin, final double sizeMax, final double phaseMin, final double phaseMax, final double photonsMin, final double photonsMax,
		final boolean mixed) {
		this(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, mixed, false);
	}

	public CrystalRecipe(final SimulationParameters base, final double sizeMin, final double sizeMax, final double phaseMin, final double phaseMax, final double photonsMin, final double photonsMax,
		final boolean mixed, final boolean fixedPhase) {
		this(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, mixed, fixedPhase, false, false);
	}

	/** The same with {@code mixed} families. */
	public CrystalRecipe mixed(final boolean m) { return new CrystalRecipe(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, m, fixedPhase, domains, gaps); }

	/** The same with the base's phase model kept in a mixed recipe (shapes, edges, stretch and blur still mixed). */
	public CrystalRecipe fixedPhase(final boolean f) { return new CrystalRecipe(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, mixed, f, domains, gaps); }

	/** The same with two-domain crystals (see the class comment). */
	public CrystalRecipe domains(final boolean d) { return new CrystalRecipe(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, mixed, fixedPhase, d, gaps); }

	/** The same with detector gaps (see the class comment). */
	public CrystalRecipe gaps(final boolean g) { return new CrystalRecipe(base, sizeMin, sizeMax, phaseMin, phaseMax, photonsMin, photonsMax, mixed, fixedPhase, domains, g); }

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
		// the two domains change the pattern, so the coherence blur (drawn first, as before the option) comes after
		if (domains && r.nextDouble() < 0.25) c = twoDomains(c, p.photons(), r);
		if (blur > 0) c = partiallyCoherent(c, blur);
		if (gaps && r.nextDouble() < 0.3) c = withGaps(c, r);
		return c;
	}

	/**
	 * The crystal split into two domains by a random plane through it (offset within ±0.3 of its extent from its
	 * centre), the phase of one side shifted by 0.5–π rad; the pattern computed again (with Poisson noise at the same
	 * photon count when there was noise).
	 */
	static SimulatedCrystal twoDomains(final SimulatedCrystal c, final double photons, final SplittableRandom r) {
		final Grid g = c.object().grid;
		final boolean[] s = c.support();
		final int[][] box = g.bounds(s);
		if (box == null) return c;
		final int[] lo = box[0], hi = box[1];
		final double[] n = new double[3];
		double norm = 0;
		for (int a = g.is2D() ? 1 : 0; a < 3; a++) { n[a] = r.nextGaussian(); norm += n[a] * n[a]; }
		norm = Math.sqrt(norm);
		double extent = 0;
		for (int a = 0; a < 3; a++) { n[a] /= norm; extent = Math.max(extent, hi[a] - lo[a]); }
		final double offset = 0.3 * extent * (2 * r.nextDouble() - 1), step = 0.5 + (Math.PI - 0.5) * r.nextDouble();
		final float cs = (float) Math.cos(step), sn = (float) Math.sin(step);
		final float[] rho = c.object().data.clone();
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final double d = n[0] * (z - (lo[0] + hi[0]) / 2.0) + n[1] * (y - (lo[1] + hi[1]) / 2.0) + n[2] * (x - (lo[2] + hi[2]) / 2.0);
					if (d <= offset) continue;
					final float re = rho[2 * i], im = rho[2 * i + 1];
					rho[2 * i] = re * cs - im * sn;
					rho[2 * i + 1] = re * sn + im * cs;
				}
		final ComplexVolume object = new ComplexVolume(g, rho);
		final RealVolume clean = Fft.diffractionIntensity(object);
		final RealVolume intensity = photons > 0 ? clean.with(PoissonNoise.apply(clean.data, photons, r.nextLong())) : clean;
		final Diffraction d = c.diffraction();
		return new SimulatedCrystal(object, s, d.withValues(intensity, d.quantity, d.mask, "two_domains", "plane_normal_zyx", n, "offset_voxels", offset, "phase_step_rad", step));
	}

	/** The pattern with one or two detector gaps (see the class comment): zero and unmeasured. */
	static SimulatedCrystal withGaps(final SimulatedCrystal c, final SplittableRandom r) {
		final Diffraction d = c.diffraction();
		final Grid g = d.grid();
		final boolean[] gap = new boolean[g.size()];
		final int count = 1 + r.nextInt(2);
		final List<String> where = new ArrayList<>();
		for (int k = 0; k < count; k++) {
			final int axis = r.nextBoolean() ? 1 : 2, n = axis == 1 ? g.ny : g.nx;
			final int width = 1 + r.nextInt(4), off = 3 + r.nextInt(Math.max(1, n / 4 - 2));
			final int from = r.nextBoolean() ? n / 2 + off : n / 2 - off - width + 1; // the gap's nearest pixel is off from the peak
			where.add("zyx".charAt(axis) + " " + from + ".." + (from + width - 1));
			for (int z = 0, i = 0; z < g.nz; z++)
				for (int y = 0; y < g.ny; y++)
					for (int x = 0; x < g.nx; x++, i++) {
						final int q = axis == 1 ? y : x;
						if (q >= from && q < from + width) gap[i] = true;
					}
		}
		final float[] v = d.values.data.clone();
		for (int i = 0; i < v.length; i++) if (gap[i]) v[i] = 0;
		final Mask m = d.mask == null ? Mask.fromUnmeasured(g, gap) : Mask.union(d.mask, Mask.fromUnmeasured(g, gap));
		return new SimulatedCrystal(c.object(), c.support(), d.withValues(d.values.with(v), d.quantity, m, "detector_gaps", "pixels", String.join(", ", where)));
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
