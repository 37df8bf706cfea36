package sc.fiji.cdi.nn.predict;

import sc.fiji.cdi.data.Grid;

/**
 * The two symmetries of a diffraction pattern that the networks' outputs are checked against, on the network grid
 * (object centred at index n/2): the <b>twin</b> ρ*(−r), which has the same diffraction amplitude as ρ (so a
 * supervised loss or a correlation takes the better of truth and twin), and a <b>mirror</b> along one axis, whose
 * pattern is the mirrored pattern ({@link PredictionTrust}).
 */
public final class Symmetry {

	private Symmetry() {}

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

	/** v mirrored along one axis (0 = z, 1 = y, 2 = x) about index n/2: i → (n − i) mod n (the centre stays). */
	public static float[] mirror(final Grid g, final float[] v, final int axis) {
		final float[] out = new float[v.length];
		final int[] d = g.zyx();
		for (int z = 0, i = 0; z < d[0]; z++)
			for (int y = 0; y < d[1]; y++)
				for (int x = 0; x < d[2]; x++, i++) {
					final int zz = axis == 0 ? (d[0] - z) % d[0] : z, yy = axis == 1 ? (d[1] - y) % d[1] : y, xx = axis == 2 ? (d[2] - x) % d[2] : x;
					out[g.index(zz, yy, xx)] = v[i];
				}
		return out;
	}

	/** The Pearson correlation of an amplitude with another, the better of it and its twin (which has the same pattern). */
	public static double twinInvariantCorrelation(final Grid g, final float[] amplitude, final float[] other) {
		return Math.max(pearson(amplitude, other), pearson(amplitude, twin(g, other, false)));
	}

	/** Pearson correlation of two arrays. */
	static double pearson(final float[] a, final float[] b) {
		double ma = 0, mb = 0;
		for (int i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
		ma /= a.length; mb /= b.length;
		double sab = 0, saa = 0, sbb = 0;
		for (int i = 0; i < a.length; i++) {
			final double da = a[i] - ma, db = b[i] - mb;
			sab += da * db; saa += da * da; sbb += db * db;
		}
		return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
	}
}
