package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;

/** fftshift/ifftshift of (z, y, x) arrays, as numpy defines them (they differ for odd sizes). */
public final class FftShift {

	private FftShift() {}

	/** Moves zero frequency from index 0 to index n/2 along each axis. */
	public static float[] fftshift(final Grid g, final float[] in, final int components) {
		return roll(g, in, components, g.nz / 2, g.ny / 2, g.nx / 2);
	}

	/** Inverse of {@link #fftshift}: moves index n/2 to index 0. */
	public static float[] ifftshift(final Grid g, final float[] in, final int components) {
		return roll(g, in, components, -(g.nz / 2), -(g.ny / 2), -(g.nx / 2));
	}

	public static boolean[] fftshift(final Grid g, final boolean[] in) {
		return roll(g, in, g.nz / 2, g.ny / 2, g.nx / 2);
	}

	public static boolean[] ifftshift(final Grid g, final boolean[] in) {
		return roll(g, in, -(g.nz / 2), -(g.ny / 2), -(g.nx / 2));
	}

	/** The mask in the FFT-unshifted order of the phasing backends (same grid, one new array). */
	public static Mask ifftshift(final Mask m) {
		return Mask.fromUnmeasured(m.grid, ifftshift(m.grid, m.unmeasuredArray()));
	}

	/** out[(i + s) mod n] = in[i] per axis; {@code components} values per voxel (1 real, 2 complex). */
	public static float[] roll(final Grid g, final float[] in, final int components, final int sz, final int sy, final int sx) {
		final float[] out = new float[in.length];
		for (int z = 0; z < g.nz; z++) {
			final int zo = Math.floorMod(z + sz, g.nz);
			for (int y = 0; y < g.ny; y++) {
				final int yo = Math.floorMod(y + sy, g.ny);
				final int rowIn = (z * g.ny + y) * g.nx, rowOut = (zo * g.ny + yo) * g.nx;
				for (int x = 0; x < g.nx; x++) {
					final int xo = Math.floorMod(x + sx, g.nx);
					for (int c = 0; c < components; c++)
						out[(rowOut + xo) * components + c] = in[(rowIn + x) * components + c];
				}
			}
		}
		return out;
	}

	public static boolean[] roll(final Grid g, final boolean[] in, final int sz, final int sy, final int sx) {
		final boolean[] out = new boolean[in.length];
		for (int z = 0; z < g.nz; z++) {
			final int zo = Math.floorMod(z + sz, g.nz);
			for (int y = 0; y < g.ny; y++) {
				final int yo = Math.floorMod(y + sy, g.ny);
				final int rowIn = (z * g.ny + y) * g.nx, rowOut = (zo * g.ny + yo) * g.nx;
				for (int x = 0; x < g.nx; x++) out[rowOut + Math.floorMod(x + sx, g.nx)] = in[rowIn + x];
			}
		}
		return out;
	}
}
