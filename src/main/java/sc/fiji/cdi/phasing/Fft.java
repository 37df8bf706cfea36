package sc.fiji.cdi.phasing;

import org.jtransforms.fft.FloatFFT_2D;
import org.jtransforms.fft.FloatFFT_3D;

import sc.fiji.cdi.data.Grid;

/**
 * In-place complex FFT of an interleaved (re, im) (z, y, x) array with JTransforms 3.1: a 2D transform when
 * {@code nz == 1}, else 3D. Forward is the plain DFT F(q) = Σ ρ(r)·exp(−2πi q·r/n) (numpy's {@code fftn}
 * convention, no scaling); {@link #inverse} divides by the number of voxels, so inverse(forward(ρ)) = ρ.
 * Zero frequency is at index 0 (not shifted). A plan is made once per instance and reused; JTransforms reads its
 * thread count from the global {@code pl.edu.icm.jlargearrays.ConcurrencyUtils.getNumberOfThreads()}.
 */
public final class Fft {

	private final Grid grid;
	private final FloatFFT_2D fft2;
	private final FloatFFT_3D fft3;

	public Fft(final Grid grid) {
		this.grid = grid;
		if (grid.is2D()) { fft2 = new FloatFFT_2D(grid.ny, grid.nx); fft3 = null; }
		else { fft2 = null; fft3 = new FloatFFT_3D(grid.nz, grid.ny, grid.nx); }
	}

	public Grid grid() { return grid; }

	/** F = DFT(a), in place; {@code a} has 2·grid.size() values. */
	public void forward(final float[] a) {
		check(a);
		if (fft2 != null) fft2.complexForward(a); else fft3.complexForward(a);
	}

	/** a = IDFT(a)/N, in place (normalised, so that it inverts {@link #forward}). */
	public void inverse(final float[] a) {
		check(a);
		if (fft2 != null) fft2.complexInverse(a, true); else fft3.complexInverse(a, true);
	}

	private void check(final float[] a) {
		if (a.length != 2 * grid.size()) throw new IllegalArgumentException("FFT buffer has " + a.length + " floats, grid " + grid + " needs " + 2 * grid.size());
	}

	/** Convenience: a forward-transformed copy. */
	public static float[] forwardCopy(final Grid g, final float[] interleaved) {
		final float[] a = interleaved.clone();
		new Fft(g).forward(a);
		return a;
	}

	/** Convenience: an inverse-transformed (normalised) copy. */
	public static float[] inverseCopy(final Grid g, final float[] interleaved) {
		final float[] a = interleaved.clone();
		new Fft(g).inverse(a);
		return a;
	}
}
