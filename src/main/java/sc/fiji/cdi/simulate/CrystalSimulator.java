package sc.fiji.cdi.simulate;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.simulate.SimulationParameters.PhaseModel;
import sc.fiji.cdi.simulate.SimulationParameters.Shape;
import sc.fiji.cdi.util.CdiException;

/**
 * Simulated crystals for testing phase retrieval and training networks: a random convex particle ρ = A·exp(iφ)
 * and its far-field intensity I = |fftshift(FFT(ρ))|².
 * <p>
 * <b>Amplitude.</b> A = Φ(−d/σ) with d the signed distance to the particle surface in voxels (negative inside),
 * σ = {@code edgeSigma} and Φ the standard normal CDF: value 1 inside and the profile of a Gaussian-blurred edge
 * across every facet (CDI NN blurs its polygons by 1 pixel). For polyhedra d is the largest signed distance to the
 * facet planes (exact inside and on the facets, slightly smaller than the true distance beyond edges and corners).
 * The particle is scaled so that its support [A ≥ 0.1] spans at most {@code sizeFraction}·n − 1 voxels along every
 * axis (the "−1" keeps the voxel count of the support within sizeFraction·n), with its bounding box centred on
 * voxel n/2 per axis (the zero-frequency position of the centred diffraction pattern's inverse).
 * <p>
 * <b>Phase</b> (radians, (z, y, x) voxel coordinates r, c = (n_z/2, n_y/2, n_x/2)):
 * <ul>
 * <li>NONE: φ = 0.</li>
 * <li>SINES_GAUSSIANS (CDI NN, Cherukara et al. 2018): 1–3 sine gratings sin(k·(r − c) + ψ) with wavelengths
 * 0.6–2 particle sizes, plus 1–3 Gaussians of width 0.1–0.3 particle sizes and weights ±(0.5–1), then rescaled
 * so that the peak-to-peak inside the support is {@code phaseRange} and the mean inside the support is 0.</li>
 * <li>LINEAR_STRAIN: φ = κ·s²/2 − ⟨κ·s²/2⟩_support with s = z − c_z (s = y − c_y in 2D), κ chosen so that the
 * peak-to-peak inside the support is {@code phaseRange}: κ = 2·phaseRange / (max s² − min s²). With u = φ/|G| the
 * displacement along G ∥ that axis, the strain ε = ∂u/∂s = κ·s/|G| grows linearly along the axis; κ (rad/voxel²)
 * is logged as {@code phase_curvature} so a strain analysis can be checked: ∂φ/∂s = κ·s.</li>
 * <li>VORTEX: φ = atan2((r − c)·ê₂, (r − c)·ê₁) with ê₁, ê₂ ⊥ a random unit axis â through c (â = z in 2D):
 * the phase of a screw dislocation with unit Burgers-vector projection, winding by exactly 2π around the core
 * line. {@code phaseRange} is not used.</li>
 * </ul>
 * ρ = 0 wherever A = 0; {@link SimulatedCrystal#phase()} reports φ = 0 outside the support.
 * <p>
 * <b>Diffraction.</b> I = |fftshift(FFT(ρ))|² with the unnormalised DFT (ΣI = N·Σ|ρ|²), peak at n/2. With
 * {@code photons} > 0, I is scaled to sum to {@code photons} and replaced by Poisson draws ({@link PoissonNoise}).
 * <p>
 * Deterministic: the same grid, parameters and seed give bit-identical arrays (independent random streams for
 * shape, phase and noise are split from the seed, so changing the phase model or photons keeps the same shape).
 */
public final class CrystalSimulator {

	/** Support threshold relative to the maximum amplitude (CDI NN, AutoPhaseNN: 0.1). */
	public static final double SUPPORT_THRESHOLD = 0.1;
	/** Φ⁻¹(0.9): the support edge [A ≥ 0.1] lies this many σ outside the geometric surface. */
	private static final double THRESHOLD_DISTANCE = 1.2815515655446004;
	/** Beyond ±EDGE_BAND σ the soft edge is 0 or 1 to within 1e-9. */
	private static final double EDGE_BAND = 6;
	private static final int EDGE_TABLE_PER_SIGMA = 512;
	private static final float[] EDGE_TABLE = edgeTable();

	private CrystalSimulator() {}

	public static SimulatedCrystal simulate(final Grid grid, final SimulationParameters p, final long seed) {
		Objects.requireNonNull(grid, "grid");
		Objects.requireNonNull(p, "parameters");
		final int dim = grid.rank();
		if (p.shape() == Shape.POLYGON && dim == 3) throw new CdiException("Shape POLYGON is two-dimensional but the grid " + grid + " is 3D: use POLYHEDRON (or SPHERE, CUBE) for a 3D grid, or a grid with nz = 1.");
		final SplittableRandom root = new SplittableRandom(seed);
		final SplittableRandom shapeRng = root.split(), phaseRng = root.split();
		final long noiseSeed = root.nextLong();

		final ConvexBody body = ConvexBody.random(p.shape(), dim, shapeRng, p.aspect());
		final Placement place = place(grid, body, p);
		final float[] rho = new float[2 * grid.size()];
		final PhaseField field = PhaseField.create(p.phaseModel(), grid, place, phaseRng);
		rasterise(grid, body, place, p.edgeSigma(), field, rho);

		final boolean[] support = new boolean[grid.size()];
		final ProcessingLog log = new ProcessingLog();
		final double[] extent = finish(grid, p, field, rho, support);
		final ComplexVolume object = new ComplexVolume(grid, rho);

		final RealVolume clean = Fft.diffractionIntensity(object);
		final RealVolume intensity = p.photons() > 0 ? clean.with(PoissonNoise.apply(clean.data, p.photons(), noiseSeed)) : clean;
		log.add("simulate", logParameters(grid, p, seed, extent, field));
		return new SimulatedCrystal(object, support, new Diffraction(intensity, Quantity.INTENSITY, null, log, "simulated"));
	}

	private static Object[] logParameters(final Grid grid, final SimulationParameters p, final long seed, final double[] extent, final PhaseField field) {
		final java.util.List<Object> kv = new java.util.ArrayList<>(java.util.List.of(
			"grid", grid.toString(), "shape", p.shape().name(), "size_fraction", p.sizeFraction(),
			"phase_model", p.phaseModel().name(), "phase_range_rad", p.phaseRange(), "photons", p.photons(),
			"edge_sigma_voxels", p.edgeSigma(), "aspect", p.aspect(), "seed", seed,
			"support_extent_zyx_voxels", (int) extent[0] + "," + (int) extent[1] + "," + (int) extent[2]));
		field.describe(kv);
		return kv.toArray();
	}

	/** Normalised-to-voxel mapping r_voxel = origin + scale·r_normalised. */
	record Placement(double scale, double[] origin, double[] centre, double size) {}

	/**
	 * Scale and position: the support {d ≤ margin} (margin = Φ⁻¹(0.9)·σ beyond the surface; for polyhedra the
	 * body with every facet pushed out by the margin) must span at most sizeFraction·n − 1 voxels per axis. The
	 * scale is the fixed point of s = min_a room_a / extent_a(margin / s), which converges in a few steps.
	 */
	private static Placement place(final Grid grid, final ConvexBody body, final SimulationParameters p) {
		final int[] n = grid.zyx();
		final double margin = p.edgeSigma() * THRESHOLD_DISTANCE;
		final double[] room = new double[3];
		double scale = Double.POSITIVE_INFINITY;
		for (int a = 3 - body.dim; a < 3; a++) {
			room[a] = p.sizeFraction() * n[a] - 1;
			if (room[a] - 2 * margin < 1) throw new CdiException("Grid " + grid + " is too small for a simulated particle with size fraction " + p.sizeFraction() + " and edge sigma " + p.edgeSigma()
				+ ": an axis of " + n[a] + " voxels leaves " + String.format(java.util.Locale.ROOT, "%.2f", room[a] - 2 * margin) + " voxels for the particle; use a larger grid, a larger size fraction or a smaller edge sigma.");
			scale = Math.min(scale, room[a] / (body.hi[a] - body.lo[a]));
		}
		double[][] grown = body.bounds(0);
		final double extent0 = body.hi[0] - body.lo[0] + body.hi[1] - body.lo[1] + body.hi[2] - body.lo[2];
		for (int it = 0; it < 100; it++) {
			// a body with acute edges (a stretched cube) grows faster than 2·margin per axis when its facets move out:
			// then no scale fits its soft edge into the room and the iteration shrinks towards 0
			if (!(scale * extent0 >= 1))
				throw new CdiException("Grid " + grid + " is too small for a simulated " + p.shape().name().toLowerCase(java.util.Locale.ROOT) + " of aspect " + p.aspect() + " with size fraction " + p.sizeFraction()
					+ " and edge sigma " + p.edgeSigma() + ": its soft edge does not fit; use a larger grid or size fraction, or a smaller edge sigma or aspect.");
			grown = body.bounds(margin / scale);
			double next = Double.POSITIVE_INFINITY;
			for (int a = 3 - body.dim; a < 3; a++) next = Math.min(next, room[a] / (grown[1][a] - grown[0][a]));
			final boolean converged = Math.abs(next - scale) < 1e-9 * scale;
			scale = next;
			if (converged) break;
		}
		scale *= 1 - 1e-9;
		final double[] origin = new double[3], centre = new double[3];
		double size = 0;
		for (int a = 0; a < 3; a++) {
			centre[a] = n[a] / 2;
			origin[a] = centre[a] - scale * 0.5 * (grown[0][a] + grown[1][a]);
			size = Math.max(size, scale * (body.hi[a] - body.lo[a]));
		}
		return new Placement(scale, origin, centre, size);
	}

	/** Rows per parallel task (each voxel is computed independently, so the result does not depend on threads). */
	private static final int ROWS_PER_TASK = 32;

	/** Writes A into the real slots, and the raw phase φ into the imaginary slots where A > 0. */
	private static void rasterise(final Grid g, final ConvexBody body, final Placement pl, final double sigma, final PhaseField field, final float[] rho) {
		final int rows = g.nz * g.ny;
		IntStream.range(0, (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK).parallel().forEach(task -> {
			final double[] base = new double[body.normals.length];
			for (int r = task * ROWS_PER_TASK, end = Math.min(rows, r + ROWS_PER_TASK); r < end; r++)
				rasteriseRow(g, body, pl, sigma, field, rho, r / g.ny, r % g.ny, base);
		});
	}

	private static void rasteriseRow(final Grid g, final ConvexBody body, final Placement pl, final double sigma, final PhaseField field, final float[] rho, final int z, final int y, final double[] base) {
		final double band = sigma > 0 ? EDGE_BAND * sigma : 0;
		final double[] o = pl.origin();
		final int m = body.normals.length;
		final double radius = pl.scale();
		// x range of this row where the signed distance d ≤ band (each plane's d is linear in x)
		double xlo = 0, xhi = g.nx - 1;
		final double dz = z - o[0], dy = y - o[1];
		if (body.sphere) {
			final double r2 = (radius + band) * (radius + band) - dz * dz - dy * dy;
			if (r2 < 0) return;
			final double h = Math.sqrt(r2);
			xlo = Math.max(xlo, o[2] - h); xhi = Math.min(xhi, o[2] + h);
		}
		else {
			for (int i = 0; i < m; i++) {
				final double[] nn = body.normals[i];
				base[i] = nn[0] * dz + nn[1] * dy - nn[2] * o[2] - pl.scale() * body.offsets[i];
				final double slope = nn[2];
				// base + slope·x ≤ band
				if (Math.abs(slope) < 1e-12) { if (base[i] > band) return; }
				else if (slope > 0) xhi = Math.min(xhi, (band - base[i]) / slope);
				else xlo = Math.max(xlo, (band - base[i]) / slope);
			}
		}
		final int x0 = (int) Math.ceil(xlo), x1 = (int) Math.floor(xhi);
		if (x0 > x1) return;
		final int row = (z * g.ny + y) * g.nx;
		for (int x = x0; x <= x1; x++) {
			double d;
			if (body.sphere) {
				final double dx = x - o[2];
				d = Math.sqrt(dz * dz + dy * dy + dx * dx) - radius;
			}
			else {
				d = Double.NEGATIVE_INFINITY;
				for (int i = 0; i < m; i++) d = Math.max(d, base[i] + body.normals[i][2] * x);
			}
			rho[2 * (row + x)] = edge(d, sigma);
		}
		field.row(z, y, x0, x1, rho, row);
	}

	/** Φ(−d/σ): 1 deep inside, 0.5 on the surface, 0 far outside. */
	static float edge(final double d, final double sigma) {
		if (sigma <= 0) return d <= 0 ? 1f : 0f;
		final double t = d / sigma;
		if (t <= -EDGE_BAND) return 1f;
		if (t >= EDGE_BAND) return 0f;
		final double u = (t + EDGE_BAND) * EDGE_TABLE_PER_SIGMA;
		final int i = (int) u;
		final double f = u - i;
		return (float) (EDGE_TABLE[i] + f * (EDGE_TABLE[i + 1] - EDGE_TABLE[i]));
	}

	private static float[] edgeTable() {
		final int n = (int) (2 * EDGE_BAND * EDGE_TABLE_PER_SIGMA) + 2;
		final float[] t = new float[n];
		for (int i = 0; i < n; i++) t[i] = (float) (0.5 * erfc((i / (double) EDGE_TABLE_PER_SIGMA - EDGE_BAND) / Math.sqrt(2)));
		return t;
	}

	/** Complementary error function (Numerical Recipes' Chebyshev fit, fractional error &lt; 1.2e-7). */
	static double erfc(final double x) {
		final double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
		final double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
			+ t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
		return x >= 0 ? r : 2 - r;
	}

	/**
	 * Support, phase rescaling (peak-to-peak and mean inside the support), then ρ = A·exp(iφ) in place.
	 * Returns the support's bounding-box extent in voxels (z, y, x).
	 */
	private static double[] finish(final Grid g, final SimulationParameters p, final PhaseField field, final float[] rho, final boolean[] support) {
		final int n = g.size();
		float aMax = 0;
		for (int i = 0; i < n; i++) aMax = Math.max(aMax, rho[2 * i]);
		final float level = (float) (SUPPORT_THRESHOLD * aMax);
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, sum = 0;
		long count = 0;
		final int[] bbLo = { Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE }, bbHi = { -1, -1, -1 };
		for (int z = 0, i = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++, i++) {
			if (aMax > 0 && rho[2 * i] >= level) {
				support[i] = true;
				final double ph = rho[2 * i + 1];
				lo = Math.min(lo, ph); hi = Math.max(hi, ph); sum += ph; count++;
				bbLo[0] = Math.min(bbLo[0], z); bbHi[0] = Math.max(bbHi[0], z);
				bbLo[1] = Math.min(bbLo[1], y); bbHi[1] = Math.max(bbHi[1], y);
				bbLo[2] = Math.min(bbLo[2], x); bbHi[2] = Math.max(bbHi[2], x);
			}
		}
		double offset = 0, factor = 1;
		if (field.rescaled() && count > 0) {
			offset = sum / count;
			factor = hi - lo > 1e-12 ? p.phaseRange() / (hi - lo) : 0;
		}
		field.rescaledBy(factor);
		final double off = offset, fac = factor;
		final int chunk = 16384;
		IntStream.range(0, (n + chunk - 1) / chunk).parallel().forEach(t -> {
			for (int i = t * chunk, end = Math.min(n, i + chunk); i < end; i++) {
				final float a = rho[2 * i];
				if (a <= 0) { rho[2 * i + 1] = 0; continue; }
				final double ph = (rho[2 * i + 1] - off) * fac;
				rho[2 * i] = (float) (a * Math.cos(ph));
				rho[2 * i + 1] = (float) (a * Math.sin(ph));
			}
		});
		final double[] extent = new double[3];
		for (int a = 0; a < 3; a++) extent[a] = bbHi[a] >= 0 ? bbHi[a] - bbLo[a] + 1 : 0;
		return extent;
	}
}
