package sc.fiji.cdi.bench;

import java.util.Locale;
import java.util.SplittableRandom;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.simulate.SimulatedCrystal;

/**
 * The evaluation family kept out of training, written independently of {@code simulate.CrystalSimulator} (shape,
 * edge, phase and noise are all drawn differently): a convex polyhedron (a polygon in 2D) cut by 8–20 planes with
 * random normals and distances 1 ± 0.25, stretched along a random direction by 1–1.8 in 40 % of the crystals, scaled
 * so that its largest extent is 0.2–0.45 of the box and centred on n/2; a linear 1-voxel edge (A = clamp(½ − d)); the
 * phase a sum of a small ramp (≤ 0.06 rad/voxel, a shift of the pattern of at most n·0.06/2π pixels), 1–3 Gaussian
 * bumps of ±(0.4–1.5) rad and width 0.15–0.35 of the crystal, and a quadratic term of 0.3–2 rad across the
 * crystal along a random direction; the intensity |FFT ρ|², centred, and in half of the crystals Poisson noise at
 * 10⁶–10⁸ photons (Knuth's product method below λ = 30, a rounded normal approximation above).
 */
public final class HeldOutCrystals {

	private HeldOutCrystals() {}

	/**
	 * The family's ranges, widened for stress tests of what the evaluation family itself does not reach (strong strain
	 * that wraps the phase several times, small crystals at high oversampling, few photons); {@link #FAMILY} is the
	 * family as described above, and draws the same crystals for every variant's seed (only the scales change).
	 *
	 * @param phaseScale   factor on the whole phase field (ramp, bumps, quadratic term)
	 * @param sizeMin      smallest largest extent, fraction of the box
	 * @param sizeMax      largest
	 * @param log10PhotonsMin photons of a noisy pattern, from 10^min …
	 * @param log10PhotonsMax … to 10^max
	 */
	public record Variant(double phaseScale, double sizeMin, double sizeMax, double log10PhotonsMin, double log10PhotonsMax) {
		public static final Variant FAMILY = new Variant(1, 0.2, 0.45, 6, 8);

		/** "phase=3,size=0.1-0.2,photons=4-5" (any subset; the rest as {@link #FAMILY}); blank = the family. */
		public static Variant parse(final String text) {
			Variant v = FAMILY;
			if (text == null || text.isBlank()) return v;
			for (final String part : text.split(",")) {
				final String[] kv = part.split("=");
				final String[] range = kv.length == 2 ? kv[1].split("-") : new String[0];
				if (kv.length != 2 || !kv[0].trim().equals("phase") && range.length != 2)
					throw new IllegalArgumentException("--variant: '" + part + "' is not phase=F, size=A-B or photons=A-B (log10)");
				switch (kv[0].trim()) {
					case "phase" -> v = new Variant(Double.parseDouble(kv[1]), v.sizeMin, v.sizeMax, v.log10PhotonsMin, v.log10PhotonsMax);
					case "size" -> v = new Variant(v.phaseScale, Double.parseDouble(range[0]), Double.parseDouble(range[1]), v.log10PhotonsMin, v.log10PhotonsMax);
					case "photons" -> v = new Variant(v.phaseScale, v.sizeMin, v.sizeMax, Double.parseDouble(range[0]), Double.parseDouble(range[1]));
					default -> throw new IllegalArgumentException("--variant: unknown part '" + part + "'; expected phase=F, size=A-B, photons=A-B (log10)");
				}
			}
			return v;
		}

		/** A tag for file names; empty for the family itself. */
		public String tag() {
			return equals(FAMILY) ? "" : String.format(Locale.ROOT, "-ph%.3g-s%.3g-%.3g-p%.3g-%.3g", phaseScale, sizeMin, sizeMax, log10PhotonsMin, log10PhotonsMax);
		}
	}

	/** Crystal {@code index} of the family with this seed, on {@code grid}. */
	public static SimulatedCrystal crystal(final Grid g, final long seed, final int index) { return crystal(g, seed, index, Variant.FAMILY); }

	/** Crystal {@code index} of the family with this seed, on {@code grid}, with the ranges of {@code variant}. */
	public static SimulatedCrystal crystal(final Grid g, final long seed, final int index, final Variant variant) {
		final SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index * 7919L + 17);
		final int dim = g.rank();
		// facets: unit normals (uniform on the sphere / circle), distances 1 ± 0.25; redraw until bounded in [-3, 3]
		double[][] normals;
		double[] dist;
		double[] stretch;
		for (;;) {
			final int facets = 8 + r.nextInt(13);
			normals = new double[facets][];
			dist = new double[facets];
			for (int k = 0; k < facets; k++) {
				normals[k] = randomUnit(r, dim);
				dist[k] = 1 + 0.25 * (2 * r.nextDouble() - 1);
			}
			stretch = new double[] { 0, 0, 1 };
			if (r.nextDouble() < 0.4) {
				final double[] u = randomUnit(r, dim);
				final double s = 1 + 0.8 * r.nextDouble();
				stretch = new double[] { u[0], u[1], dim == 3 ? u[2] : 0, s };
			}
			if (bounded(normals, dist, dim)) break;
		}
		final double[] st = stretch;
		// extent of the body (after stretching) from a fine sampling of the cube [-3, 3]^dim
		final double[] lo = { 1e9, 1e9, 1e9 }, hi = { -1e9, -1e9, -1e9 };
		final int m = 60;
		for (int a = 0; a < (dim == 3 ? m : 1); a++)
			for (int b = 0; b < m; b++)
				for (int c = 0; c < m; c++) {
					final double[] p = { dim == 3 ? -3 + 6.0 * a / (m - 1) : 0, -3 + 6.0 * b / (m - 1), -3 + 6.0 * c / (m - 1) };
					if (distance(normals, dist, unstretch(p, st, dim), dim) > 0) continue;
					for (int q = 0; q < 3; q++) { lo[q] = Math.min(lo[q], p[q]); hi[q] = Math.max(hi[q], p[q]); }
				}
		double extent = 0;
		for (int q = 3 - dim; q < 3; q++) extent = Math.max(extent, hi[q] - lo[q]);
		final double size = variant.sizeMin() + (variant.sizeMax() - variant.sizeMin()) * r.nextDouble();
		final int n = Math.min(g.nx, Math.min(g.ny, dim == 3 ? g.nz : g.nx));
		final double scale = size * n / extent; // voxels per body unit
		final double[] centre = { (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2 };
		// phase: ramp + Gaussian bumps + quadratic term (coordinates in voxels about the box centre)
		final double[] ramp = randomUnit(r, dim);
		final double rampSlope = 0.06 * r.nextDouble() * variant.phaseScale();
		final int bumps = 1 + r.nextInt(3);
		final double[][] bumpCentre = new double[bumps][3];
		final double[] bumpHeight = new double[bumps], bumpWidth = new double[bumps];
		final double half = size * n / 2;
		for (int k = 0; k < bumps; k++) {
			for (int q = 3 - dim; q < 3; q++) bumpCentre[k][q] = half * 0.7 * (2 * r.nextDouble() - 1);
			bumpHeight[k] = (r.nextBoolean() ? 1 : -1) * (0.4 + 1.1 * r.nextDouble()) * variant.phaseScale();
			bumpWidth[k] = size * n * (0.15 + 0.2 * r.nextDouble());
		}
		final double[] quadAxis = randomUnit(r, dim);
		final double quad = (0.3 + 1.7 * r.nextDouble()) / (half * half) * variant.phaseScale();
		final float[] rho = new float[2 * g.size()];
		final boolean[] support = new boolean[g.size()];
		final int[] dims = g.zyx();
		for (int z = 0, i = 0; z < dims[0]; z++)
			for (int y = 0; y < dims[1]; y++)
				for (int x = 0; x < dims[2]; x++, i++) {
					final double[] v = { dim == 3 ? z - dims[0] / 2 : 0, y - dims[1] / 2, x - dims[2] / 2 }; // voxels from the centre
					final double[] p = { centre[0] + v[0] / scale, centre[1] + v[1] / scale, centre[2] + v[2] / scale };
					final double d = distance(normals, dist, unstretch(p, st, dim), dim) * scale; // ≈ voxels outside
					final double amp = Math.max(0, Math.min(1, 0.5 - d));
					if (amp <= 0) continue;
					double phi = rampSlope * dot(ramp, v) + quad * Math.pow(dot(quadAxis, v), 2);
					for (int k = 0; k < bumps; k++) {
						double s2 = 0;
						for (int q = 0; q < 3; q++) s2 += (v[q] - bumpCentre[k][q]) * (v[q] - bumpCentre[k][q]);
						phi += bumpHeight[k] * Math.exp(-s2 / (2 * bumpWidth[k] * bumpWidth[k]));
					}
					rho[2 * i] = (float) (amp * Math.cos(phi));
					rho[2 * i + 1] = (float) (amp * Math.sin(phi));
					support[i] = amp >= 0.1;
				}
		final ComplexVolume object = new ComplexVolume(g, rho);
		// far field: |FFT(ρ)|² with zero frequency moved to n/2
		final float[] f = rho.clone();
		Fft.forward(g, f);
		final float[] intensity = new float[g.size()];
		for (int z = 0, i = 0; z < dims[0]; z++)
			for (int y = 0; y < dims[1]; y++)
				for (int x = 0; x < dims[2]; x++, i++) {
					final int j = g.index((z + dims[0] / 2) % dims[0], (y + dims[1] / 2) % dims[1], (x + dims[2] / 2) % dims[2]);
					intensity[j] = f[2 * i] * f[2 * i] + f[2 * i + 1] * f[2 * i + 1];
				}
		final boolean noisy = r.nextBoolean();
		final double photons = noisy ? Math.pow(10, variant.log10PhotonsMin() + (variant.log10PhotonsMax() - variant.log10PhotonsMin()) * r.nextDouble()) : 0;
		if (noisy) {
			double sum = 0;
			for (final float v : intensity) sum += v;
			for (int i = 0; i < intensity.length; i++) intensity[i] = poisson(r, intensity[i] * photons / sum);
		}
		final ProcessingLog log = new ProcessingLog().add("held_out_crystal", "family", "independent convex polyhedra", "seed", seed, "index", index,
			"facets", normals.length, "size_fraction", size, "stretch", st.length > 3 ? st[3] : 1.0, "photons", photons);
		return new SimulatedCrystal(object, support, new Diffraction(new RealVolume(g, intensity), Quantity.INTENSITY, null, log, "held-out crystal " + index));
	}

	private static double[] randomUnit(final SplittableRandom r, final int dim) {
		for (;;) {
			final double[] u = { dim == 3 ? r.nextGaussian() : 0, r.nextGaussian(), r.nextGaussian() };
			final double l = Math.sqrt(dot(u, u));
			if (l > 1e-6) return new double[] { u[0] / l, u[1] / l, u[2] / l };
		}
	}

	private static double dot(final double[] a, final double[] b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

	/** Largest signed distance to the facet planes (≤ 0 inside), in body units. */
	private static double distance(final double[][] normals, final double[] dist, final double[] p, final int dim) {
		double d = -1e9;
		for (int k = 0; k < normals.length; k++) d = Math.max(d, dot(normals[k], p) - dist[k]);
		return d;
	}

	/** The body point that the stretch (factor st[3] along unit st[0..2]) maps onto p. */
	private static double[] unstretch(final double[] p, final double[] st, final int dim) {
		if (st.length < 4) return p;
		final double along = dot(p, st) * (1 / st[3] - 1);
		return new double[] { p[0] + along * st[0], p[1] + along * st[1], p[2] + along * st[2] };
	}

	/** Bounded within [-3, 3] along every axis direction: every ±axis point at 3 lies outside. */
	private static boolean bounded(final double[][] normals, final double[] dist, final int dim) {
		for (int q = 3 - dim; q < 3; q++)
			for (final double s : new double[] { -3, 3 }) {
				final double[] p = new double[3];
				p[q] = s;
				if (distance(normals, dist, p, dim) <= 0.3) return false;
			}
		// and diagonals
		for (int k = 0; k < 64; k++) {
			final double a = 2 * Math.PI * k / 64;
			final double[] p = dim == 3 ? new double[] { 2.5 * Math.cos(a), 2.5 * Math.sin(a) * Math.cos(3 * a), 2.5 * Math.sin(a) * Math.sin(3 * a) } : new double[] { 0, 2.5 * Math.cos(a), 2.5 * Math.sin(a) };
			if (distance(normals, dist, p, dim) <= 0.3) return false;
		}
		return true;
	}

	/** A Poisson draw: Knuth's product of uniforms below λ = 30, else a rounded normal N(λ, λ) clipped at 0. */
	private static float poisson(final SplittableRandom r, final double lambda) {
		if (lambda <= 0) return 0;
		if (lambda < 30) {
			final double limit = Math.exp(-lambda);
			int k = 0;
			double p = r.nextDouble();
			while (p > limit) { k++; p *= r.nextDouble(); }
			return k;
		}
		return (float) Math.max(0, Math.rint(lambda + Math.sqrt(lambda) * r.nextGaussian()));
	}
}
