package sc.fiji.cdi.nn.predict;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;

/**
 * Gives a prediction the linear phase ramp the data demand. The Patterson function one voxel along an axis,
 * P(e) = Σ_q I(q)·exp(2πi q·e/n) = n·Σ_r ρ*(r)·ρ(r + e), has as its argument the |ρ|²-weighted (circular) mean phase
 * step per voxel along that axis, i.e. the object's mean phase gradient; a network sees it only as a sub-pixel
 * shift of the pattern (lost after binning). So the prediction's ramp is replaced by the one the measured pattern
 * gives: ρ·exp(i Δg·(r − n/2)), Δg the data's gradient minus the prediction's (exact in one step: a ramp adds its
 * slope to the argument). Not {@link Alignment#phaseRamp}'s centre of mass of |DFT ρ|²: on the periodic grid the
 * far tails of a sharp-edged crystal's pattern wrap around and bias it (measured: 0.46 instead of 0.51 pixels for
 * an ellipse with a 0.05 rad/voxel ramp), while the argument of P(e) is exact for a pure ramp. The data's sum uses the pixels measured together with their Friedel mates (q and −q),
 * so that an asymmetric mask or gap does not bias it.
 */
final class RampMatching {

	private RampMatching() {}

	/**
	 * The mean phase gradient (radians per voxel, z, y, x; z = 0 in 2D) of the object behind a centred intensity,
	 * from the pixels where {@code use} is true (null: all).
	 *
	 * @param centreZyx the (fractional) index of zero frequency per axis; null: n/2. A pattern binned by b in blocks
	 *                  that start at its centre pixel has its zero frequency (b − 1)/2b of a binned pixel below the
	 *                  block's index ({@link InputFitting.Fitted#centreZyx}); read as n/2 that would be a false
	 *                  ramp of π(b − 1)/(b·n) rad per voxel.
	 */
	static double[] gradient(final Grid g, final float[] intensity, final boolean[] use, final double[] centreZyx) {
		final double[] re = new double[3], im = new double[3];
		final int[] n = g.zyx();
		final double[] c = centreZyx != null ? centreZyx : new double[] { g.nz / 2, g.ny / 2, g.nx / 2 };
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					if (use != null && !use[i]) continue;
					final double[] q = { z - c[0], y - c[1], x - c[2] };
					for (int a = 0; a < 3; a++) {
						final double t = 2 * Math.PI * q[a] / n[a];
						re[a] += intensity[i] * Math.cos(t);
						im[a] += intensity[i] * Math.sin(t);
					}
				}
		return arguments(g, re, im);
	}

	/** The mean phase gradient of an object (radians per voxel, z, y, x), arg Σ ρ*(r)·ρ(r + e) per axis (periodic). */
	static double[] gradient(final ComplexVolume rho) {
		final Grid g = rho.grid;
		final float[] d = rho.data;
		final double[] re = new double[3], im = new double[3];
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final int[] next = { g.index((z + 1) % g.nz, y, x), g.index(z, (y + 1) % g.ny, x), g.index(z, y, (x + 1) % g.nx) };
					for (int a = 0; a < 3; a++) {
						final int j = next[a];
						// conj(ρ_i)·ρ_j
						re[a] += (double) d[2 * i] * d[2 * j] + (double) d[2 * i + 1] * d[2 * j + 1];
						im[a] += (double) d[2 * i] * d[2 * j + 1] - (double) d[2 * i + 1] * d[2 * j];
					}
				}
		return arguments(g, re, im);
	}

	private static double[] arguments(final Grid g, final double[] re, final double[] im) {
		final double[] out = new double[3];
		for (int a = g.is2D() ? 1 : 0; a < 3; a++) out[a] = re[a] == 0 && im[a] == 0 ? 0 : Math.atan2(im[a], re[a]);
		return out;
	}

	/**
	 * The pixels to use for the data's gradient: measured and with a measured Friedel mate (index i → (n − i) mod n
	 * per axis, the mirror about n/2 for even n; after binning the true centre is up to half a pixel lower, so the
	 * pairing is then approximate). Null when nothing is unmeasured.
	 */
	static boolean[] friedelMeasured(final Grid g, final Mask unmeasured) {
		if (unmeasured == null || unmeasured.isEmpty()) return null;
		final float[] measured = new float[g.size()];
		for (int i = 0; i < measured.length; i++) measured[i] = unmeasured.isMeasured(i) ? 1 : 0;
		final float[] mate = Symmetry.twin(g, measured, false);
		final boolean[] use = new boolean[g.size()];
		for (int i = 0; i < use.length; i++) use[i] = measured[i] > 0 && mate[i] > 0;
		return use;
	}

	/** The object (not modified) multiplied by the ramp that gives it the mean phase gradient {@code target}. */
	static ComplexVolume match(final ComplexVolume object, final double[] target) {
		return Alignment.addPhaseRamp(object, missingRamp(object, target));
	}

	/** The phase ramp (radians per voxel, z y x) that {@link #match} would multiply {@code object} by. */
	static double[] missingRamp(final ComplexVolume object, final double[] target) {
		final double[] now = gradient(object);
		return new double[] { target[0] - now[0], target[1] - now[1], target[2] - now[2] };
	}
}
