package sc.fiji.cdi.preprocess;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.preprocess.PreprocessOptions.Centring;
import sc.fiji.cdi.preprocess.PreprocessOptions.Outside;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Preparation of a measured pattern for phasing. Every step returns a new {@link Diffraction} (the input is not
 * changed) with the step and its parameters appended to the processing log. Axis order (z, y, x); the peak is at
 * index n/2 of each axis after centring (not FFT-shifted). Pixels that enter the array from outside the detector
 * (padding, shifting) are zero counts by default, constrained like measured pixels (cohere's zero-padding); with
 * {@link Outside#UNMEASURED} they are masked instead, i.e. left free by the modulus projection. Free pixels at the
 * edge of the rocking range break HIO on real data (APS 34-ID-C scan 54: χ² 0.50 and a blob instead of the crystal,
 * docs/phasing.md), so zeros are the default.
 */
public final class Preprocessor {

	private Preprocessor() {}

	/** All steps of {@code o} in order: threshold, centre, bin, crop/pad. */
	public static Diffraction apply(final Diffraction d, final PreprocessOptions o) { return apply(d, o, Progress.NONE); }

	public static Diffraction apply(final Diffraction d, final PreprocessOptions o, final Progress progress) {
		final Progress p = progress == null ? Progress.NONE : progress;
		Diffraction r = d;
		p.status("Preprocessing: threshold");
		if (o.threshold() > 0) r = threshold(r, o.threshold());
		p.progress(1, 4);
		p.checkCancelled();
		p.status("Preprocessing: centring");
		if (o.centre() != Centring.NONE) r = centreOnPeak(r, o.centre(), o.outside());
		p.progress(2, 4);
		p.checkCancelled();
		p.status("Preprocessing: binning");
		if (o.binZ() > 1 || o.binY() > 1 || o.binX() > 1) r = bin(r, r.grid().is2D() ? 1 : o.binZ(), o.binY(), o.binX());
		p.progress(3, 4);
		p.checkCancelled();
		p.status("Preprocessing: crop/pad");
		final Grid g = r.grid();
		final Grid target = targetGrid(g, o);
		if (!target.equals(g)) r = cropOrPad(r, target, o.outside());
		p.progress(4, 4);
		return r;
	}

	/**
	 * The grid that {@link #apply} makes of data on grid {@code g} (the array that is phased), without the work:
	 * binned as {@link #apply} bins (2D data along y and x only; a binning larger than the data refused as
	 * {@link #bin} refuses it), then the target size, or the FFT-friendly size of each axis.
	 *
	 * @param source the data in words, for the refusal
	 */
	public static Grid outputGrid(final Grid g, final PreprocessOptions o, final String source) {
		final int fz = g.is2D() ? 1 : o.binZ();
		requireBinning(g, fz, o.binY(), o.binX(), source);
		return targetGrid(new Grid(g.nz / fz, g.ny / o.binY(), g.nx / o.binX()), o);
	}

	/** The crop/pad target of binned data on grid {@code binned}: the target size, or the FFT-friendly size of each axis. */
	private static Grid targetGrid(final Grid binned, final PreprocessOptions o) {
		return o.targetSize() != null ? o.targetSize() : new Grid(fftFriendlySize(binned.nz), fftFriendlySize(binned.ny), fftFriendlySize(binned.nx));
	}

	/** Refuses binning factors below 1 or larger than the data. */
	private static void requireBinning(final Grid g, final int fz, final int fy, final int fx, final String source) {
		if (fz < 1 || fy < 1 || fx < 1) throw new CdiException("Binning factors must be >= 1, got " + fz + "x" + fy + "x" + fx + " (z, y, x).");
		if (fz > g.nz || fy > g.ny || fx > g.nx) throw new CdiException("Binning " + fz + "x" + fy + "x" + fx + " (z, y, x) is larger than the data " + g + " from " + source + ".");
	}

	/**
	 * Values at or below {@code level} (in the data's quantity: counts or amplitude) become 0: the detector's noise
	 * floor (cohere's {@code intensity_threshold}: {@code data[data <= threshold] = 0}).
	 */
	public static Diffraction threshold(final Diffraction d, final double level) {
		final float[] in = d.values.data, out = new float[in.length];
		int zeroed = 0, kept = 0;
		float max = 0;
		for (int i = 0; i < in.length; i++) {
			if (d.isMeasured(i)) max = Math.max(max, in[i]);
			if (in[i] <= level) { if (in[i] != 0) zeroed++; } else { out[i] = in[i]; if (d.isMeasured(i)) kept++; }
		}
		if (kept == 0 && max > 0)
			throw new CdiException("The data threshold " + level + " (data_threshold) sets every measured pixel of " + d.source + " to 0: its brightest pixel is " + max + " (" + d.quantity.name().toLowerCase(java.util.Locale.ROOT)
				+ "). Expected a threshold below the counts, at the detector's noise floor (e.g. 1 or 2 counts).");
		return d.withValues(d.values.with(out), d.quantity, d.mask, "threshold", "level", level,
				"quantity", d.quantity.name().toLowerCase(), "zeroedPixels", zeroed);
	}

	/**
	 * Adds the unmeasured pixels of {@code mask} to the data's mask (the union); their values are set to 0.
	 *
	 * @throws CdiException naming both shapes when {@code mask} is not on the data's grid
	 */
	public static Diffraction applyMask(final Diffraction d, final Mask mask) {
		mask.requireGrid(d.grid(), "The mask added to " + d.source);
		final boolean[] m = d.mask == null ? new boolean[mask.grid.size()] : d.mask.toArray();
		final float[] v = d.values.data.clone();
		int added = 0, total = 0;
		for (int i = 0; i < m.length; i++) {
			if (mask.isUnmeasured(i) && !m[i]) { m[i] = true; added++; }
			if (m[i]) { v[i] = 0; total++; }
		}
		return d.withValues(d.values.with(v), d.quantity, total == 0 ? null : Mask.fromUnmeasured(d.grid(), m), "applyMask", "addedBadPixels", added, "badPixels", total);
	}

	/** {@link #centreOnPeak(Diffraction, Centring, Outside)} with the pixels that come in masked (unmeasured). */
	public static Diffraction centreOnPeak(final Diffraction d, final Centring mode) { return centreOnPeak(d, mode, Outside.UNMEASURED); }

	/**
	 * Moves the peak to index n/2 of each axis by a shift without wrap-around: data moved past the edge are
	 * dropped, the pixels that come in are zeros, measured or masked as {@code outside} says. The mask moves with
	 * the data.
	 */
	public static Diffraction centreOnPeak(final Diffraction d, final Centring mode, final Outside outside) {
		final Grid g = d.grid();
		requirePeakNotInCorner(d);
		final int[] peak = switch (mode) {
			case MAX -> maxPosition(d);
			case CENTRE_OF_MASS -> centreOfMass(d);
			case SYMMETRY -> ForwardCdi.friedelCentre(d);
			case NONE -> new int[] { g.nz / 2, g.ny / 2, g.nx / 2 };
		};
		final int sz = g.nz / 2 - peak[0], sy = g.ny / 2 - peak[1], sx = g.nx / 2 - peak[2];
		final Diffraction r = shift(d, sz, sy, sx, new Grid(g.nz, g.ny, g.nx), outside);
		return d.withValues(r.values, d.quantity, r.mask, "centreOnPeak", "mode", mode.name(),
				"peakZyx", peak[0] + "," + peak[1] + "," + peak[2], "shiftZyx", sz + "," + sy + "," + sx, "uncoveredPixels", outsideName(outside));
	}

	/** {@link #cropOrPad(Diffraction, Grid, Outside)} with padded pixels masked (unmeasured). */
	public static Diffraction cropOrPad(final Diffraction d, final Grid target) { return cropOrPad(d, target, Outside.UNMEASURED); }

	/**
	 * Crops or pads each axis to {@code target}, keeping the centre pixel n/2 at the new centre n'/2. Padded pixels
	 * lie outside the detector: their value is 0, measured or masked as {@code outside} says.
	 */
	public static Diffraction cropOrPad(final Diffraction d, final Grid target, final Outside outside) {
		final Grid g = d.grid();
		final Diffraction r = shift(d, target.nz / 2 - g.nz / 2, target.ny / 2 - g.ny / 2, target.nx / 2 - g.nx / 2, target, outside);
		return d.withValues(r.values, d.quantity, r.mask, "cropOrPad", "from", g.toString(), "to", target.toString(), "paddedPixels", outsideName(outside));
	}

	private static String outsideName(final Outside o) {
		return o == Outside.ZERO ? "zero (measured)" : "masked (unmeasured)";
	}

	/**
	 * Copies d into a new grid with voxel (z,y,x) going to (z+sz, y+sy, x+sx); uncovered voxels are zeros, masked
	 * when {@code outside} is {@link Outside#UNMEASURED}. The mask moves with the values; when nothing moves it is
	 * shared, not copied.
	 */
	private static Diffraction shift(final Diffraction d, final int sz, final int sy, final int sx, final Grid t, final Outside outside) {
		final Grid g = d.grid();
		final float[] in = d.values.data, out = new float[t.size()];
		final boolean still = sz == 0 && sy == 0 && sx == 0 && t.equals(g);
		final boolean[] mask = still ? null : new boolean[t.size()], inMask = d.mask == null ? null : d.mask.unmeasuredArray();
		if (mask != null && outside == Outside.UNMEASURED) java.util.Arrays.fill(mask, true);
		final int x0 = Math.max(0, -sx), x1 = Math.min(g.nx, t.nx - sx);
		for (int z = Math.max(0, -sz); z < Math.min(g.nz, t.nz - sz); z++)
			for (int y = Math.max(0, -sy); y < Math.min(g.ny, t.ny - sy); y++) {
				if (x1 <= x0) continue;
				final int src = g.index(z, y, x0), dst = t.index(z + sz, y + sy, x0 + sx);
				System.arraycopy(in, src, out, dst, x1 - x0);
				if (mask == null) continue;
				if (inMask != null) System.arraycopy(inMask, src, mask, dst, x1 - x0);
				else java.util.Arrays.fill(mask, dst, dst + x1 - x0, false);
			}
		final Mask moved;
		if (still) moved = d.mask == null || d.mask.isEmpty() ? null : d.mask;
		else {
			boolean any = false;
			for (final boolean b : mask) if (b) { any = true; break; }
			moved = any ? Mask.fromUnmeasured(t, mask) : null;
		}
		return new Diffraction(new RealVolume(t, out, d.values.voxelSize, d.values.unit), d.quantity, moved, d.log, d.source);
	}

	/**
	 * Sums blocks of fz×fy×fx pixels: intensities add; amplitudes add in quadrature (√Σ|F|²), so the binned amplitude
	 * is the square root of the binned intensity. Bad pixels are left out and the sum of the good ones is scaled
	 * by (block size / good pixels); a binned pixel is bad only if all of its pixels are. A remainder that does
	 * not fill a block is cropped, half on each side, so the centre stays at n/2.
	 */
	public static Diffraction bin(final Diffraction d, final int fz, final int fy, final int fx) {
		final Grid g = d.grid();
		requireBinning(g, fz, fy, fx, d.source);
		final Grid t = new Grid(g.nz / fz, g.ny / fy, g.nx / fx);
		final int oz = (g.nz % fz) / 2, oy = (g.ny % fy) / 2, ox = (g.nx % fx) / 2;
		final boolean amplitude = d.quantity == Quantity.AMPLITUDE;
		final float[] in = d.values.data, out = new float[t.size()];
		final boolean[] mask = d.mask == null ? null : new boolean[t.size()];
		final int block = fz * fy * fx;
		boolean anyBad = false;
		for (int z = 0; z < t.nz; z++) for (int y = 0; y < t.ny; y++) for (int x = 0; x < t.nx; x++) {
			double s = 0;
			int good = 0;
			for (int dz = 0; dz < fz; dz++) for (int dy = 0; dy < fy; dy++) for (int dx = 0; dx < fx; dx++) {
				final int i = g.index(oz + z * fz + dz, oy + y * fy + dy, ox + x * fx + dx);
				if (d.mask != null && d.mask.isUnmeasured(i)) continue;
				s += amplitude ? (double) in[i] * in[i] : in[i];
				good++;
			}
			final int o = t.index(z, y, x);
			if (good == 0) { mask[o] = true; anyBad = true; continue; }
			if (good < block) s *= (double) block / good;
			out[o] = (float) (amplitude ? Math.sqrt(s) : s);
		}
		return d.withValues(new RealVolume(t, out, new double[] { d.values.voxelSize[0] * fz, d.values.voxelSize[1] * fy, d.values.voxelSize[2] * fx }, d.values.unit),
				d.quantity, anyBad ? Mask.fromUnmeasured(t, mask) : null, "bin", "factorsZyx", fz + "," + fy + "," + fx, "from", g.toString(), "to", t.toString(),
				"rule", amplitude ? "sqrt(sum of squares)" : "sum");
	}

	/** The smallest n' ≥ n of the form 2^a·3^b·5^c, sizes for which FFTs (JTransforms, FFTW, cuFFT) are fast. */
	public static int fftFriendlySize(final int n) {
		if (n < 1) throw new IllegalArgumentException("size must be >= 1, got " + n);
		for (int m = n; ; m++) {
			int r = m;
			for (final int p : new int[] { 2, 3, 5 }) while (r % p == 0) r /= p;
			if (r == 1) return m;
		}
	}

	/**
	 * Refuses a pattern whose brightest measured pixel lies in a corner of the array, at least 3/8 of the axis from
	 * its centre along every axis: an FFT-shifted pattern (zero frequency at index 0, as {@code numpy.fft.fftn}
	 * returns it). Centring it would roll it across the array with zeros filled in, keeping a corner of the data; a
	 * Bragg peak near the edge of the detector or of the rocking scan is off-centre along one or two axes, not all.
	 *
	 * @throws CdiException naming the data, the peak and the fix
	 */
	public static void requirePeakNotInCorner(final Diffraction d) {
		final Grid g = d.grid();
		final int[] peak = maxPosition(d), dims = g.zyx();
		if (!(d.values.data[g.index(peak[0], peak[1], peak[2])] > 0)) return; // no counts: no peak to place (refused where the counts are checked)
		for (int a = 3 - g.rank(); a < 3; a++)
			if (8 * Math.abs(peak[a] - dims[a] / 2) < 3 * dims[a]) return;
		// one bright pixel (a zinger, a hot pixel) is not the pattern: an FFT-shifted one has its counts in the corners,
		// the opposite corner mirroring the peak's; a Bragg peak near a corner of the frames and the scan has one corner only
		if (!countsInCorners(d, peak)) return;
		final String at = g.is2D() ? "(y, x) = (" + peak[1] + ", " + peak[2] + ")" : "(z, y, x) = (" + peak[0] + ", " + peak[1] + ", " + peak[2] + ")";
		throw new CdiException("The brightest pixel of " + d.source + " is at " + at + ", in a corner of its " + g + " array: the pattern looks FFT-shifted"
			+ " (zero frequency at index 0, as numpy.fft.fftn returns it). Expected the diffraction peak near the array centre: apply numpy.fft.fftshift to the data before importing them.");
	}

	/**
	 * Whether the measured counts lie more in the corners of the array (at least n/4 from the centre along every axis)
	 * than in its middle (less than n/4 from it along every axis), and the corner opposite the {@code peak}'s along
	 * every axis holds at least half as many as the peak's, as in an FFT-shifted pattern: I(q) = I(−q) puts index k
	 * and n − k, the two ends of the array, in mirror corners (index 0, its own mirror, is left out of both). A Bragg peak in a corner of the detector region at the
	 * start or end of the rocking scan fills its own corner only.
	 */
	private static boolean countsInCorners(final Diffraction d, final int[] peak) {
		final Grid g = d.grid();
		final int[] dims = g.zyx();
		// each pixel counts at most the 99th percentile: a few zingers do not outweigh the pattern
		final float[] sorted = new float[g.size()];
		int n = 0;
		for (int i = 0; i < g.size(); i++) if (d.isMeasured(i)) sorted[n++] = d.values.data[i];
		java.util.Arrays.sort(sorted, 0, n);
		final float cap = n == 0 ? 0 : sorted[(int) Math.min(n - 1, Math.floor(0.99 * n))];
		double corners = 0, middle = 0, own = 0, opposite = 0;
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final int i = g.index(z, y, x);
			if (!d.isMeasured(i)) continue;
			final int[] p = { z, y, x };
			boolean far = true, near = true, sameSide = true, otherSide = true, selfMirrored = false;
			for (int a = 3 - g.rank(); a < 3; a++) {
				final int off = Math.abs(p[a] - dims[a] / 2);
				far &= 4 * off >= dims[a];
				near &= 4 * off < dims[a];
				final boolean low = p[a] < dims[a] / 2, peakLow = peak[a] < dims[a] / 2;
				sameSide &= low == peakLow;
				otherSide &= low != peakLow;
				selfMirrored |= p[a] == 0; // index 0 mirrors onto itself: [1, n/4] and [3n/4, n) are the mirror pair
			}
			final float v = Math.max(0, Math.min(cap, d.values.data[i]));
			if (far) {
				corners += v;
				if (selfMirrored) continue;
				if (sameSide) own += v;
				else if (otherSide) opposite += v;
			} else if (near) middle += v;
		}
		return corners > middle && opposite >= 0.5 * own;
	}

	/** (z, y, x) of the first brightest measured pixel that is not a lone spike ({@link #maxPosition}). */
	public static int[] peak(final Diffraction d) { return maxPosition(d); }

	/**
	 * Where the centre voxel n/2 of {@code preprocessed} came from: its (z, y, x) position in the array that
	 * {@link #apply} was given, undoing the logged steps that move pixels ({@link #centreOnPeak}'s shift,
	 * {@link #bin}'s blocks, {@link #cropOrPad}); the centre of a binned pixel is the middle of its block, so it can
	 * be a half pixel.
	 */
	public static double[] sourceOfCentre(final Diffraction preprocessed) {
		final Grid g = preprocessed.grid();
		final double[] c = { g.nz / 2, g.ny / 2, g.nx / 2 };
		final var steps = preprocessed.log.steps();
		for (int k = steps.size() - 1; k >= 0; k--) {
			final var s = steps.get(k);
			final java.util.Map<String, Object> p = s.parameters();
			switch (s.name()) {
				case "cropOrPad" -> {
					final int[] from = gridZyx(p.get("from")), to = gridZyx(p.get("to"));
					for (int i = 0; i < 3; i++) c[i] -= to[i] / 2 - from[i] / 2;
				}
				case "bin" -> {
					final int[] f = ints(p.get("factorsZyx")), from = gridZyx(p.get("from"));
					for (int i = 0; i < 3; i++) c[i] = (from[i] % f[i]) / 2 + c[i] * f[i] + (f[i] - 1) / 2.0;
				}
				case "centreOnPeak" -> {
					final int[] shift = ints(p.get("shiftZyx"));
					for (int i = 0; i < 3; i++) c[i] -= shift[i];
				}
				default -> { /* the other steps leave the pixels where they are */ }
			}
		}
		return c;
	}

	/** "a,b,c" as written in the log. */
	private static int[] ints(final Object logged) {
		final String[] p = String.valueOf(logged).split(",");
		final int[] v = new int[p.length];
		for (int i = 0; i < p.length; i++) v[i] = Integer.parseInt(p[i].trim());
		return v;
	}

	/** A grid as the log writes it ({@link Grid#toString()}: "nz x ny x nx", or "ny x nx" in 2D) as (nz, ny, nx). */
	private static int[] gridZyx(final Object logged) {
		final String[] p = String.valueOf(logged).split("x");
		final int[] v = new int[3];
		v[0] = 1;
		for (int i = 0; i < p.length; i++) v[3 - p.length + i] = Integer.parseInt(p[i].trim());
		return v;
	}

	/** (z, y, x) of the intensity-weighted centre of mass of the measured pixels, rounded. */
	public static int[] centroid(final Diffraction d) { return centreOfMass(d); }

	/** Whether the data were already centred by {@link #centreOnPeak} (its step is in their log). */
	public static boolean centred(final Diffraction d) {
		return d.log.steps().stream().anyMatch(s -> s.name().equals("centreOnPeak"));
	}

	/**
	 * A measured pixel whose measured neighbours in its detector frame all hold less than this fraction of its value is
	 * a spike (a hot pixel the dark field did not flag, a zinger), not a diffraction peak: a sampled peak's neighbours
	 * hold a sizeable fraction of it (scan 54: 49 % to 93 %).
	 */
	static final double SPIKE_NEIGHBOUR_FRACTION = 0.01;

	/**
	 * (z, y, x) of the first brightest measured pixel that is not a lone spike ({@link #SPIKE_NEIGHBOUR_FRACTION});
	 * the brightest of all when every positive pixel is one.
	 */
	static int[] maxPosition(final Diffraction d) {
		final float[] v = d.values.data;
		final Grid g = d.grid();
		int best = -1, any = -1;
		for (int i = 0; i < v.length; i++) {
			if (!d.isMeasured(i)) continue;
			if (any < 0 || v[i] > v[any]) any = i;
			if (v[i] > 0 && (best < 0 || v[i] > v[best]) && !spike(d, g, i)) best = i;
		}
		if (any < 0) throw new CdiException("All pixels of " + d.source + " are masked; cannot find the peak.");
		if (best < 0) best = any;
		return new int[] { best / (g.ny * g.nx), (best / g.nx) % g.ny, best % g.nx };
	}

	/** Whether pixel i is positive and its measured in-frame neighbours (at least one) all hold less than {@link #SPIKE_NEIGHBOUR_FRACTION} of it. */
	private static boolean spike(final Diffraction d, final Grid g, final int i) {
		final float[] v = d.values.data;
		if (!(v[i] > 0)) return false;
		final int x = i % g.nx, y = (i / g.nx) % g.ny;
		final double level = SPIKE_NEIGHBOUR_FRACTION * v[i];
		int neighbours = 0;
		for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) {
			if (dy == 0 && dx == 0 || y + dy < 0 || y + dy >= g.ny || x + dx < 0 || x + dx >= g.nx) continue;
			final int j = i + dy * g.nx + dx;
			if (!d.isMeasured(j)) continue;
			if (v[j] >= level) return false;
			neighbours++;
		}
		return neighbours > 0;
	}

	/** (z, y, x) of the intensity-weighted centre of mass of the measured pixels, rounded. */
	static int[] centreOfMass(final Diffraction d) {
		final Grid g = d.grid();
		final float[] v = d.values.data;
		final boolean amplitude = d.quantity == Quantity.AMPLITUDE;
		double s = 0, cz = 0, cy = 0, cx = 0;
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final int i = g.index(z, y, x);
			if (!d.isMeasured(i)) continue;
			final double w = amplitude ? (double) v[i] * v[i] : Math.max(0, v[i]);
			s += w; cz += w * z; cy += w * y; cx += w * x;
		}
		if (!(s > 0)) throw new CdiException("The data " + d.source + " have no positive measured value; cannot compute the centre of mass.");
		return new int[] { (int) Math.round(cz / s), (int) Math.round(cy / s), (int) Math.round(cx / s) };
	}
}
