package sc.fiji.cdi.preprocess;

import java.util.ArrayDeque;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.fft.Fft;

/**
 * Steps for forward (small-angle, transmission) CDI patterns, where a beam stop hides the centre and the pattern is
 * centro-symmetric (Friedel's law, I(q) = I(−q), for an object without absorption edges).
 * <ul>
 * <li>{@link #maskBeamStop}: the contiguous zero/near-zero region at the centre of the pattern is the beam stop's
 * shadow: unmeasured, not zero intensity. Left as measured zeros it forces the low frequencies of the object to zero
 * and phasing gives a speckled blob. It is masked (plus one pixel of its edge, half-shadowed) and logged.</li>
 * <li>{@link #friedelCentre}: the centre of symmetry, the shift s maximising Σ_q w(q)·w(s − q) (the
 * auto-convolution of w = √I over measured pixels, computed by FFT on a zero-padded grid), at s = 2c. The brightest
 * pixel (cohere's centring) is a speckle beside the beam stop, not the centre.</li>
 * </ul>
 */
public final class ForwardCdi {

	/** Pixels below this fraction of the 99.9th-percentile intensity count as "near zero" in the beam-stop search. */
	public static final double NEAR_ZERO_FRACTION = 1e-4;

	/** The beam stop's shadow must reach within this fraction of each axis (at least 2 pixels) of the pattern's
	 * intensity-weighted centre: it blocks the direct beam. */
	public static final double SEARCH_RADIUS_FRACTION = 0.02;

	/**
	 * A plane whose intensity-weighted centre is at least this fraction of the plane's maximum has its direct beam
	 * measured, so it has no beam stop: the dark pixels near its centre are a fringe minimum (the first zero of a
	 * large object's pattern lies a few pixels from the centre: a 60-pixel disc in a 200² box, about 4), not a shadow.
	 * A beam stop sits on the direct beam, so the centre of a blocked pattern is dark or masked.
	 */
	public static final double BRIGHT_CENTRE_FRACTION = 0.1;

	/** The shadow found is dilated by this many pixels (the edge of a beam stop is half-shadowed). */
	public static final int EDGE_PIXELS = 1;

	private ForwardCdi() {}

	/**
	 * Masks the beam-stop shadow of each z plane: the 4-connected region of near-zero or already masked pixels that
	 * reaches the intensity-weighted centre of the pattern (the near-zero pixel closest to it, within
	 * {@value #SEARCH_RADIUS_FRACTION} of each axis or 2 pixels), dilated by {@value #EDGE_PIXELS} pixel; none in a
	 * plane whose centre is bright ({@link #BRIGHT_CENTRE_FRACTION}). A region over a quarter
	 * of the plane is not a beam stop (e.g. a dark, empty pattern) and is left alone. Returns {@code d} itself when
	 * nothing is found.
	 */
	public static Diffraction maskBeamStop(final Diffraction d) {
		final Shadow sh = shadow(d);
		if (sh == null) return d;
		final Grid g = d.grid();
		final boolean[] add = new boolean[g.size()];
		int added = 0;
		for (int i = 0; i < add.length; i++) if (sh.pixels[i] && d.isMeasured(i)) { add[i] = true; added++; }
		if (added == 0) return d;
		final Diffraction r = Preprocessor.applyMask(d, Mask.fromUnmeasured(g, add));
		return r.withValues(r.values, r.quantity, r.mask, "beamStop", "maskedPixels", added, "largestRegionPixels", sh.largest,
			"seedYx", sh.seedY + "," + sh.seedX, "nearZeroLevel", sh.level, "edgePixels", EDGE_PIXELS);
	}

	/** Whether the pattern has a beam-stop shadow at its centre (near-zero or already masked; see {@link #maskBeamStop}). */
	public static boolean hasBeamStop(final Diffraction d) { return shadow(d) != null; }

	/** The dilated shadow of every plane, the largest region's size and seed, the near-zero level; null if none. */
	private record Shadow(boolean[] pixels, int largest, int seedY, int seedX, float level) {}

	private static Shadow shadow(final Diffraction d) {
		final Grid g = d.grid();
		final int plane = g.ny * g.nx;
		final float[] v = d.values.data;
		final float level = (float) (NEAR_ZERO_FRACTION * percentile(v, d.mask, 0.999));
		final boolean[] all = new boolean[g.size()];
		int largest = 0, cy = -1, cx = -1;
		for (int z = 0; z < g.nz; z++) {
			final int off = z * plane;
			final boolean[] dark = new boolean[plane];
			for (int i = 0; i < plane; i++) dark[i] = !d.isMeasured(off + i) || v[off + i] <= level;
			final int[] c = centre(g, v, d.mask, off);
			final int ci = off + c[0] * g.nx + c[1];
			if (d.isMeasured(ci) && v[ci] >= BRIGHT_CENTRE_FRACTION * planeMax(v, d.mask, off, plane)) continue;
			final int seed = nearestDark(g, dark, c[0], c[1]);
			if (seed < 0) continue;
			final boolean[] region = flood(g, dark, seed);
			int size = 0;
			for (final boolean b : region) if (b) size++;
			if (size > plane / 4) continue;
			final boolean[] grown = dilate(g, region, EDGE_PIXELS);
			for (int i = 0; i < plane; i++) if (grown[i]) all[off + i] = true;
			if (size > largest) { largest = size; cy = seed / g.nx; cx = seed % g.nx; }
		}
		return largest == 0 ? null : new Shadow(all, largest, cy, cx, level);
	}

	/**
	 * The centre of Friedel symmetry (z, y, x) of a 2D pattern, to the nearest pixel (z = 0); for 3D data the array
	 * centre (Bragg patterns are not centro-symmetric).
	 */
	public static int[] friedelCentre(final Diffraction d) {
		final Grid g = d.grid();
		if (!g.is2D()) return new int[] { g.nz / 2, g.ny / 2, g.nx / 2 };
		final int py = 2 * g.ny, px = 2 * g.nx;
		final Grid pg = Grid.of2D(py, px);
		final float[] w = new float[2 * pg.size()];
		for (int y = 0; y < g.ny; y++)
			for (int x = 0; x < g.nx; x++) {
				final int i = y * g.nx + x;
				if (!d.isMeasured(i)) continue;
				w[2 * (y * px + x)] = (float) Math.sqrt(Math.max(0, d.values.data[i]));
			}
		Fft.forward(pg, w);
		for (int i = 0; i < pg.size(); i++) { // square: the DFT of the auto-convolution
			final float re = w[2 * i], im = w[2 * i + 1];
			w[2 * i] = re * re - im * im;
			w[2 * i + 1] = 2 * re * im;
		}
		Fft.inverse(pg, w);
		int best = 0;
		for (int i = 1; i < pg.size(); i++) if (w[2 * i] > w[2 * best]) best = i;
		// the auto-convolution peaks at s = 2c; an odd s is a half-pixel centre, rounded up
		return new int[] { 0, (best / px + 1) / 2, (best % px + 1) / 2 };
	}

	/** The largest measured value of one plane. */
	private static float planeMax(final float[] v, final Mask mask, final int off, final int plane) {
		float max = 0;
		for (int i = off; i < off + plane; i++) if (mask == null || !mask.isUnmeasured(i)) max = Math.max(max, v[i]);
		return max;
	}

	/** Intensity-weighted centre (y, x) of the measured pixels of one plane; the plane centre when empty. */
	private static int[] centre(final Grid g, final float[] v, final Mask mask, final int off) {
		double s = 0, sy = 0, sx = 0;
		for (int y = 0; y < g.ny; y++)
			for (int x = 0; x < g.nx; x++) {
				final int i = off + y * g.nx + x;
				if (mask != null && mask.isUnmeasured(i)) continue;
				final double w = Math.max(0, v[i]);
				s += w; sy += w * y; sx += w * x;
			}
		return s > 0 ? new int[] { (int) Math.round(sy / s), (int) Math.round(sx / s) } : new int[] { g.ny / 2, g.nx / 2 };
	}

	/** The dark pixel closest to (cy, cx) within the search radius, or −1. */
	private static int nearestDark(final Grid g, final boolean[] dark, final int cy, final int cx) {
		final int ry = Math.max(2, (int) (SEARCH_RADIUS_FRACTION * g.ny)), rx = Math.max(2, (int) (SEARCH_RADIUS_FRACTION * g.nx));
		int best = -1;
		double bestD = Double.MAX_VALUE;
		for (int y = Math.max(0, cy - ry); y <= Math.min(g.ny - 1, cy + ry); y++)
			for (int x = Math.max(0, cx - rx); x <= Math.min(g.nx - 1, cx + rx); x++) {
				final int i = y * g.nx + x;
				if (!dark[i]) continue;
				final double dd = (double) (y - cy) * (y - cy) + (double) (x - cx) * (x - cx);
				if (dd < bestD) { bestD = dd; best = i; }
			}
		return best;
	}

	private static boolean[] flood(final Grid g, final boolean[] dark, final int seed) {
		final boolean[] in = new boolean[dark.length];
		final ArrayDeque<Integer> queue = new ArrayDeque<>();
		in[seed] = true;
		queue.add(seed);
		while (!queue.isEmpty()) {
			final int i = queue.poll(), y = i / g.nx, x = i % g.nx;
			final int[] nb = { y > 0 ? i - g.nx : -1, y < g.ny - 1 ? i + g.nx : -1, x > 0 ? i - 1 : -1, x < g.nx - 1 ? i + 1 : -1 };
			for (final int j : nb) if (j >= 0 && dark[j] && !in[j]) { in[j] = true; queue.add(j); }
		}
		return in;
	}

	private static boolean[] dilate(final Grid g, final boolean[] region, final int r) {
		final boolean[] out = new boolean[region.length];
		for (int y = 0; y < g.ny; y++)
			for (int x = 0; x < g.nx; x++) {
				if (!region[y * g.nx + x]) continue;
				for (int yy = Math.max(0, y - r); yy <= Math.min(g.ny - 1, y + r); yy++)
					for (int xx = Math.max(0, x - r); xx <= Math.min(g.nx - 1, x + r); xx++) out[yy * g.nx + xx] = true;
			}
		return out;
	}

	/** The q-quantile of the measured values (a sample of at most 100,000 values). */
	private static double percentile(final float[] v, final Mask mask, final double q) {
		final int step = Math.max(1, v.length / 100_000);
		final float[] s = new float[(v.length + step - 1) / step];
		int k = 0;
		for (int i = 0; i < v.length; i += step) if (mask == null || mask.isMeasured(i)) s[k++] = v[i];
		if (k == 0) return 0;
		final float[] t = java.util.Arrays.copyOf(s, k);
		java.util.Arrays.sort(t);
		return t[Math.min(k - 1, (int) (q * k))];
	}
}
