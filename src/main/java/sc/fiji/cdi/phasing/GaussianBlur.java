package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.Grid;

/**
 * The Gaussian blur of shrink-wrap (cohere blurs |ρ| with scipy.ndimage.gaussian_filter, σ ≈ 1 voxel), one
 * definition for every backend: the kernel is truncated at max(1, ⌈3σ⌉), normalised to sum 1 and applied
 * separably with <em>periodic</em> boundaries. The CPU backends convolve directly ({@link SeparableBlur}); the
 * DJL backend multiplies the half spectrum of |ρ| (r2c FFT) by the DFT of the same kernel
 * ({@link #halfSpectrumTransfer}): one fused multiply between two FFTs on a GPU.
 */
public final class GaussianBlur {

	private GaussianBlur() {}

	/** Kernel radius max(1, ⌈3σ⌉) voxels, the same for every backend so that all shrink-wrap alike. */
	public static int radius(final double sigma) { return Math.max(1, (int) Math.ceil(3 * sigma)); }

	/** Normalised Gaussian kernel of radius {@link #radius}; weights k[j], j = 0..2r, centred at r. */
	public static float[] kernel(final double sigma) {
		final int r = radius(sigma);
		final float[] k = new float[2 * r + 1];
		double s = 0;
		for (int i = -r; i <= r; i++) s += Math.exp(-0.5 * i * i / (sigma * sigma));
		for (int i = -r; i <= r; i++) k[i + r] = (float) (Math.exp(-0.5 * i * i / (sigma * sigma)) / s);
		return k;
	}

	/** DFT of the kernel wrapped onto a periodic axis of length n (real, as the kernel is symmetric); [1] for n = 1. */
	public static double[] axisTransfer(final float[] k, final int n) {
		if (n == 1) return new double[] { 1 };
		final int r = k.length / 2;
		final double[] out = new double[n];
		for (int f = 0; f < n; f++) {
			double s = 0;
			for (int j = -r; j <= r; j++) s += k[j + r] * Math.cos(2 * Math.PI * f * (double) j / n);
			out[f] = s;
		}
		return out;
	}

	/**
	 * The transfer function on the r2c half spectrum, shape (nz, ny, nx/2 + 1), x fastest, multiplied by
	 * {@code scale} (e.g. 1/N to fold in FFTW's unnormalised inverse). Axes of length 1 are not blurred.
	 */
	public static float[] halfSpectrumTransfer(final Grid g, final double sigma, final double scale) {
		final float[] k = kernel(sigma);
		final double[] kz = axisTransfer(k, g.nz), ky = axisTransfer(k, g.ny), kx = axisTransfer(k, g.nx);
		final int hx = g.nx / 2 + 1;
		final float[] t = new float[g.nz * g.ny * hx];
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < hx; x++) t[(z * g.ny + y) * hx + x] = (float) (scale * kz[z] * ky[y] * kx[x]);
		return t;
	}
}
