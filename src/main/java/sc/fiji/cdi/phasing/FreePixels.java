package sc.fiji.cdi.phasing;

import java.util.SplittableRandom;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.util.CdiException;

/**
 * Free pixels and the free log-likelihood (PyNX, Favre-Nicolin et al., J. Appl. Cryst. 53, 2020): about 5 % of the
 * measured pixels, in small spherical islands (radius 3 pixels, so that the finite object size does not correlate a
 * free pixel with its measured neighbours), outside a small central zone, are held out of the modulus projection
 * (added to the mask for the run). The Poisson log-likelihood of the reconstruction on them is an unbiased error: a
 * loose support or a start that fits noise can reach a lower χ² on the pixels it was fitted to, but not on pixels it
 * never saw.
 * <p>
 * Conventions as {@link Diffraction}: centred data (peak at n/2), axis order (z, y, x).
 */
public final class FreePixels {

	/** PyNX's {@code init_free_pixels} defaults: ratio 5 %, island radius 3, central zone 5 % of each axis. */
	public static final double RATIO = 0.05;
	public static final int ISLAND_RADIUS = 3;
	public static final double CENTRAL_ZONE = 0.05;

	private FreePixels() {}

	/**
	 * The free pixels of {@code data} as a {@link Mask} on the data's grid, centred like the data: the pixels the
	 * starts do not see (unmeasured for them, {@link #holdOut}), measured in {@code data}. Random island centres, a fraction
	 * {@link #RATIO} of all pixels in islands of radius {@link #ISLAND_RADIUS} (disks in 2D), none whose centre lies in
	 * the ellipsoid of semi-axes {@link #CENTRAL_ZONE}·n around the centre, masked pixels never free. Deterministic
	 * for a seed.
	 */
	public static Mask select(final Diffraction data, final long seed) {
		final Grid g = data.grid();
		final boolean twoD = g.nz == 1;
		final int r = ISLAND_RADIUS;
		final double islandVolume = twoD ? Math.PI * r * r : 4.0 / 3 * Math.PI * r * r * r;
		final int islands = (int) (g.size() * RATIO / islandVolume);
		final boolean[] free = new boolean[g.size()];
		final SplittableRandom rng = new SplittableRandom(seed);
		final int[] dims = g.zyx();
		for (final int d : twoD ? new int[] { 1, 2 } : new int[] { 0, 1, 2 })
			if (dims[d] <= 2 * r + 1) return Mask.fromUnmeasured(g, free); // too small for islands: no free pixels
		for (int k = 0; k < islands; k++) {
			final int[] c = new int[3];
			double e = 0;
			for (int d = 0; d < 3; d++) {
				if (dims[d] == 1) continue;
				c[d] = r + rng.nextInt(dims[d] - 2 * r);
				final double u = (c[d] - dims[d] / 2) / (dims[d] * CENTRAL_ZONE);
				e += u * u;
			}
			if (e <= 1) continue;
			final int rz = twoD ? 0 : r;
			for (int dz = -rz; dz <= rz; dz++)
				for (int dy = -r; dy <= r; dy++)
					for (int dx = -r; dx <= r; dx++) {
						if (dz * dz + dy * dy + dx * dx > r * r) continue;
						final int i = g.index(c[0] + dz, c[1] + dy, c[2] + dx);
						if (data.isMeasured(i)) free[i] = true;
					}
		}
		return Mask.fromUnmeasured(g, free);
	}

	/**
	 * The data with the free pixels added to its mask (the union; values kept), for the runs that must not see them.
	 *
	 * @throws CdiException naming both shapes when {@code free} is not on the data's grid
	 */
	public static Diffraction holdOut(final Diffraction data, final Mask free) {
		free.requireGrid(data.grid(), "The free pixels");
		final Mask m = Mask.union(data.mask, free);
		final int n = m.unmeasuredCount() - data.unmeasuredCount();
		return data.withValues(data.values, data.quantity, m, "freePixels", "heldOut", n, "ratio", RATIO, "islandRadius", ISLAND_RADIUS);
	}

	/**
	 * PyNX's Poisson log-likelihood per pixel, Σ (calc − obs + obs·ln(obs/calc)) / N over the pixels {@code where}
	 * (obs = 0: the term is calc), with calc = |DFT(ρ)|² (the unscaled DFT whose modulus the phasing matched to
	 * √I) and obs the measured intensity. 0 for a perfect fit of noise-free data; about 0.5 per pixel for a perfect
	 * fit of Poisson counts. Pixels where calc is 0 but obs is not are counted at calc = 1e-12·max (a large penalty).
	 *
	 * @param heldOut the free pixels ({@link #select}: the pixels the fit did not see), centred like the data; the
	 *                sum runs over them; null = over all measured pixels
	 */
	public static double poissonLlk(final ComplexVolume object, final Diffraction data, final Mask heldOut) {
		return poissonLlk(object, data, heldOut, null);
	}

	/**
	 * As {@link #poissonLlk(ComplexVolume, Diffraction, Mask)}, with the modelled intensity |F|² ⊗ K of the
	 * partial-coherence kernel a run fitted ({@link PhasingResult#psf}; coherent when null).
	 */
	public static double poissonLlk(final ComplexVolume object, final Diffraction data, final Mask heldOut, final PartialCoherence.Kernel psf) {
		final Grid g = data.grid();
		if (!object.grid.equals(g)) throw new CdiException("Object is " + object.grid + " but the data " + data.source + " are " + g + ": expected the same grid for the log-likelihood.");
		final float[] unshifted = Fft.forwardCopy(g, object.data);
		final float[] f;
		if (psf == null) f = FftShift.fftshift(g, unshifted, 2);
		else {
			// the model's intensity in the real parts, so the sum below reads it as |F|²'s: √I as a real F
			final float[] model = PartialCoherence.of(g, psf).modelIntensity(unshifted, PartialCoherence.Transforms.jtransforms(g, 1));
			final float[] asAmplitude = new float[2 * model.length];
			for (int i = 0; i < model.length; i++) asAmplitude[2 * i] = (float) Math.sqrt(model[i]);
			f = FftShift.fftshift(g, asAmplitude, 2);
		}
		final float[] obs = data.intensity().data;
		double max = 0;
		for (final float v : obs) max = Math.max(max, v);
		final double floor = 1e-12 * Math.max(max, 1e-30);
		double sum = 0;
		long n = 0;
		for (int i = 0; i < obs.length; i++) {
			if (heldOut != null ? !heldOut.isUnmeasured(i) : !data.isMeasured(i)) continue;
			final double calc = Math.max(floor, (double) f[2 * i] * f[2 * i] + (double) f[2 * i + 1] * f[2 * i + 1]);
			final double o = Math.max(0, obs[i]);
			sum += o > 0 ? calc - o + o * Math.log(o / calc) : calc;
			n++;
		}
		return n == 0 ? Double.NaN : sum / n;
	}
}
