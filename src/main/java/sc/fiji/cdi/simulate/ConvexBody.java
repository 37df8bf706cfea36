package sc.fiji.cdi.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import sc.fiji.cdi.simulate.SimulationParameters.Shape;

/**
 * A random convex particle in normalised units: either an intersection of half-spaces n·r ≤ d (unit normals in
 * (z, y, x) order, n_z = 0 in 2D) or the unit sphere. Its bounding box comes from the vertices (every feasible
 * intersection of 3 planes, 2 lines in 2D).
 */
final class ConvexBody {

	final int dim;
	final boolean sphere;
	final double[][] normals;
	final double[] offsets;
	/** Bounding box (z, y, x) in normalised units; z is [0, 0] in 2D. */
	final double[] lo = new double[3], hi = new double[3];

	private ConvexBody(final int dim, final boolean sphere, final List<double[]> normals, final List<Double> offsets) {
		this.dim = dim; this.sphere = sphere;
		this.normals = normals.toArray(new double[0][]);
		this.offsets = offsets.stream().mapToDouble(Double::doubleValue).toArray();
		final double[][] b = bounds(0);
		System.arraycopy(b[0], 0, lo, 0, 3);
		System.arraycopy(b[1], 0, hi, 0, 3);
	}

	static ConvexBody random(final Shape shape, final int dim, final SplittableRandom rng) { return random(shape, dim, rng, 1); }

	/**
	 * A random body stretched by {@code aspect} along a random direction u: the map S = I + (aspect − 1)·u·uᵀ takes
	 * the half-space n·r ≤ d to (S⁻¹n)·r ≤ d, renormalised. The direction is drawn only when aspect ≠ 1, so unstretched
	 * bodies are the same as before for a given seed.
	 */
	static ConvexBody random(final Shape shape, final int dim, final SplittableRandom rng, final double aspect) {
		final ConvexBody b = unstretched(shape, dim, rng);
		if (aspect == 1 || b.sphere) return b;
		final double[] u = dim == 3 ? randomUnit3D(rng) : randomRotation2D(rng)[1];
		final double inv = 1 / aspect - 1; // S⁻¹ = I + (1/aspect − 1)·u·uᵀ
		final List<double[]> n = new ArrayList<>();
		final List<Double> d = new ArrayList<>();
		for (int i = 0; i < b.normals.length; i++) {
			final double[] v = b.normals[i];
			final double dot = v[0] * u[0] + v[1] * u[1] + v[2] * u[2];
			final double[] m = { v[0] + inv * dot * u[0], v[1] + inv * dot * u[1], v[2] + inv * dot * u[2] };
			final double len = Math.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]);
			n.add(new double[] { m[0] / len, m[1] / len, m[2] / len });
			d.add(b.offsets[i] / len);
		}
		return new ConvexBody(dim, false, n, d);
	}

	private static ConvexBody unstretched(final Shape shape, final int dim, final SplittableRandom rng) {
		final List<double[]> n = new ArrayList<>();
		final List<Double> d = new ArrayList<>();
		switch (shape) {
			case SPHERE -> { return new ConvexBody(dim, true, n, d); }
			case CUBE -> {
				for (int a = 3 - dim; a < 3; a++)
					for (int s = -1; s <= 1; s += 2) { final double[] v = new double[3]; v[a] = s; n.add(v); d.add(1.0); }
			}
			case POLYGON -> polygon(rng, n, d);
			case POLYHEDRON -> {
				if (dim == 2) polygon(rng, n, d);
				else crystal(rng, n, d);
			}
		}
		final double[][] r = dim == 3 ? randomRotation3D(rng) : randomRotation2D(rng);
		final List<double[]> rotated = new ArrayList<>();
		for (final double[] v : n) rotated.add(mul(r, v));
		return new ConvexBody(dim, false, rotated, d);
	}

	/**
	 * A faceted crystal, the equilibrium-shape family of fcc nanocrystals: an octahedron ({111} facets, distances
	 * jittered ±10 %) truncated by a cube ({100}, at 1.05–1.6 so from strongly to barely truncated), cut by 0–5
	 * random extra facets.
	 */
	private static void crystal(final SplittableRandom rng, final List<double[]> n, final List<Double> d) {
		final double s3 = 1 / Math.sqrt(3);
		for (int sz = -1; sz <= 1; sz += 2) for (int sy = -1; sy <= 1; sy += 2) for (int sx = -1; sx <= 1; sx += 2) {
			n.add(new double[] { sz * s3, sy * s3, sx * s3 });
			d.add(rng.nextDouble(0.9, 1.1));
		}
		final double truncation = rng.nextDouble(1.05, 1.6);
		for (int a = 0; a < 3; a++) for (int s = -1; s <= 1; s += 2) {
			final double[] v = new double[3]; v[a] = s; n.add(v);
			d.add(truncation * rng.nextDouble(0.95, 1.05));
		}
		final int extra = rng.nextInt(6);
		for (int k = 0; k < extra; k++) { n.add(randomUnit3D(rng)); d.add(rng.nextDouble(0.85, 1.0)); }
	}

	/** CDI NN's particle: the convex hull of 5–12 random points in the unit disc (redrawn until its area ≥ 0.4·π). */
	private static void polygon(final SplittableRandom rng, final List<double[]> n, final List<Double> d) {
		while (true) {
			final int m = 5 + rng.nextInt(8);
			final double[][] p = new double[m][];
			for (int i = 0; i < m; i++) {
				final double r = Math.sqrt(rng.nextDouble()), t = rng.nextDouble(2 * Math.PI);
				p[i] = new double[] { r * Math.cos(t), r * Math.sin(t) }; // (y, x)
			}
			final double[][] hull = hull(p);
			double area = 0, cy = 0, cx = 0;
			for (int i = 0; i < hull.length; i++) {
				final double[] a = hull[i], b = hull[(i + 1) % hull.length];
				area += a[0] * b[1] - b[0] * a[1];
				cy += a[0] / hull.length; cx += a[1] / hull.length;
			}
			if (hull.length < 3 || Math.abs(area) / 2 < 0.4 * Math.PI) continue;
			for (int i = 0; i < hull.length; i++) {
				final double[] a = hull[i], b = hull[(i + 1) % hull.length];
				final double ey = b[0] - a[0], ex = b[1] - a[1], len = Math.hypot(ey, ex);
				double ny = ex / len, nx = -ey / len;
				if (ny * (cy - a[0]) + nx * (cx - a[1]) > 0) { ny = -ny; nx = -nx; } // point away from the centroid
				n.add(new double[] { 0, ny, nx });
				d.add(ny * a[0] + nx * a[1]);
			}
			return;
		}
	}

	/** Convex hull of 2D points (Andrew's monotone chain), counter-clockwise, collinear points dropped. */
	static double[][] hull(final double[][] pts) {
		final double[][] p = pts.clone();
		java.util.Arrays.sort(p, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
		final double[][] h = new double[2 * p.length][];
		int k = 0;
		for (int i = 0; i < p.length; i++) {
			while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) k--;
			h[k++] = p[i];
		}
		for (int i = p.length - 2, t = k + 1; i >= 0; i--) {
			while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0) k--;
			h[k++] = p[i];
		}
		return java.util.Arrays.copyOf(h, Math.max(0, k - 1));
	}

	private static double cross(final double[] o, final double[] a, final double[] b) {
		return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
	}

	/**
	 * Bounding box {lo, hi} (z, y, x) of the body grown by {@code t}: every plane offset by t (n·r ≤ d + t), the
	 * sphere's radius 1 + t. From the vertices: the feasible intersections of 3 planes (2 lines in 2D).
	 */
	double[][] bounds(final double t) {
		final double[] l = new double[3], h = new double[3];
		if (sphere) {
			for (int a = 3 - dim; a < 3; a++) { l[a] = -1 - t; h[a] = 1 + t; }
			return new double[][] { l, h };
		}
		for (int a = 3 - dim; a < 3; a++) { l[a] = Double.POSITIVE_INFINITY; h[a] = Double.NEGATIVE_INFINITY; }
		final int m = normals.length;
		final double[] d = new double[m];
		for (int i = 0; i < m; i++) d[i] = offsets[i] + t;
		int found = 0;
		for (int i = 0; i < m; i++) for (int j = i + 1; j < m; j++) {
			if (dim == 2) { found += vertex(new int[] { i, j }, d, l, h); continue; }
			for (int k = j + 1; k < m; k++) found += vertex(new int[] { i, j, k }, d, l, h);
		}
		if (found == 0) throw new IllegalStateException("degenerate random particle (no vertices)");
		return new double[][] { l, h };
	}

	private int vertex(final int[] planes, final double[] d, final double[] l, final double[] h) {
		final double[] v = dim == 3 ? solve3(planes, d) : solve2(planes, d);
		if (v == null) return 0;
		for (int q = 0; q < normals.length; q++) if (dot(normals[q], v) > d[q] + 1e-9) return 0;
		for (int a = 3 - dim; a < 3; a++) { l[a] = Math.min(l[a], v[a]); h[a] = Math.max(h[a], v[a]); }
		return 1;
	}

	private double[] solve3(final int[] p, final double[] offsets) {
		final double[] a = normals[p[0]], b = normals[p[1]], c = normals[p[2]];
		final double[] bc = crossV(b, c), ca = crossV(c, a), ab = crossV(a, b);
		final double det = dot(a, bc);
		if (Math.abs(det) < 1e-9) return null;
		final double[] v = new double[3];
		for (int i = 0; i < 3; i++) v[i] = (offsets[p[0]] * bc[i] + offsets[p[1]] * ca[i] + offsets[p[2]] * ab[i]) / det;
		return v;
	}

	private double[] solve2(final int[] p, final double[] offsets) {
		final double[] a = normals[p[0]], b = normals[p[1]];
		final double det = a[1] * b[2] - a[2] * b[1];
		if (Math.abs(det) < 1e-9) return null;
		return new double[] { 0, (offsets[p[0]] * b[2] - offsets[p[1]] * a[2]) / det, (a[1] * offsets[p[1]] - b[1] * offsets[p[0]]) / det };
	}

	static double dot(final double[] a, final double[] b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

	static double[] crossV(final double[] a, final double[] b) {
		return new double[] { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
	}

	private static double[] mul(final double[][] r, final double[] v) {
		return new double[] { dot(r[0], v), dot(r[1], v), dot(r[2], v) };
	}

	static double[] randomUnit3D(final SplittableRandom rng) {
		while (true) {
			final double[] v = { rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian() };
			final double l = Math.sqrt(dot(v, v));
			if (l > 1e-6) { for (int i = 0; i < 3; i++) v[i] /= l; return v; }
		}
	}

	/** Uniformly distributed rotation (normalised Gaussian quaternion), as a matrix acting on (z, y, x) vectors. */
	private static double[][] randomRotation3D(final SplittableRandom rng) {
		double w, x, y, z, l;
		do { w = rng.nextGaussian(); x = rng.nextGaussian(); y = rng.nextGaussian(); z = rng.nextGaussian(); l = Math.sqrt(w * w + x * x + y * y + z * z); } while (l < 1e-6);
		w /= l; x /= l; y /= l; z /= l;
		return new double[][] {
			{ 1 - 2 * (x * x + y * y), 2 * (y * z - w * x), 2 * (x * z + w * y) },
			{ 2 * (y * z + w * x), 1 - 2 * (x * x + z * z), 2 * (x * y - w * z) },
			{ 2 * (x * z - w * y), 2 * (x * y + w * z), 1 - 2 * (y * y + z * z) } };
	}

	private static double[][] randomRotation2D(final SplittableRandom rng) {
		final double t = rng.nextDouble(2 * Math.PI), c = Math.cos(t), s = Math.sin(t);
		return new double[][] { { 1, 0, 0 }, { 0, c, -s }, { 0, s, c } };
	}
}
