package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.Grid;

/** Centres of mass of (z, y, x) arrays, in voxel coordinates (z, y, x); the array is not treated as periodic. */
public final class Moments {

	private Moments() {}

	/** Centre of mass of non-negative weights; the array centre (n/2 per axis) when all weights are 0. */
	public static double[] centreOfMass(final Grid g, final float[] w) {
		double s = 0, sz = 0, sy = 0, sx = 0;
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final double v = w[i];
					s += v; sz += v * z; sy += v * y; sx += v * x;
				}
		if (!(s > 0)) return new double[] { g.nz / 2, g.ny / 2, g.nx / 2 };
		return new double[] { sz / s, sy / s, sx / s };
	}

	/** Centre of mass of the voxels where {@code mask} is true. */
	public static double[] centreOfMass(final Grid g, final boolean[] mask) {
		final float[] w = new float[mask.length];
		for (int i = 0; i < w.length; i++) w[i] = mask[i] ? 1f : 0f;
		return centreOfMass(g, w);
	}

	/** |ρ| of an interleaved complex array. */
	public static float[] modulus(final float[] interleaved) {
		final float[] a = new float[interleaved.length / 2];
		for (int i = 0; i < a.length; i++) a[i] = (float) Math.hypot(interleaved[2 * i], interleaved[2 * i + 1]);
		return a;
	}
}
