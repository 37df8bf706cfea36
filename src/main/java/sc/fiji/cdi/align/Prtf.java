package sc.fiji.cdi.align;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.phasing.FftShift;

/**
 * The phase-retrieval transfer function (Chapman et al., J. Opt. Soc. Am. A 23, 1179, 2006; PyNX, cohere):
 * PRTF(q) = |⟨F_k(q)⟩| / √I(q), ⟨F_k⟩ the mean over independent reconstructions aligned to each other (by
 * linearity, the DFT of their average), in shells of |q|. Where the starts agree on the phase it is 1; where their
 * phases are random it falls. The resolution is read where it first falls below 1/e.
 * <p>
 * Frequencies are in cycles per voxel, f = √Σ((k_d − n_d/2)/n_d)² (0.5 = Nyquist along an axis), shells of width
 * 1/max(n_d) up to f = 0.5 (the corners of the box beyond it are not complete shells); a shell's value is Σ|⟨F⟩| / Σ√I over its measured pixels with I &gt; 0 (a ratio of sums, so that the
 * many low-count pixels at high q do not dominate). Resolution in voxels as a half period, 1/(2 f).
 */
public final class Prtf {

	/** Threshold of the resolution estimate. */
	public static final double THRESHOLD = 1 / Math.E;

	/**
	 * @param frequency          shell centres (cycles per voxel)
	 * @param prtf               PRTF per shell (NaN where a shell has no measured intensity)
	 * @param resolutionFrequency first shell frequency (after the first) where the PRTF is below 1/e; the highest
	 *                           shell with data when it never is (then the resolution is at least that good)
	 * @param resolutionVoxels   half-period resolution 1/(2 f) in voxels
	 * @param reachedThreshold   whether the PRTF fell below 1/e within the data
	 * @param reconstructions    how many aligned reconstructions were averaged
	 */
	public record Result(double[] frequency, double[] prtf, double resolutionFrequency, double resolutionVoxels,
		boolean reachedThreshold, int reconstructions) {}

	private Prtf() {}

	/**
	 * @param average          the average of the aligned reconstructions, on the data's grid, not re-centred (the
	 *                         modulus of its DFT does not depend on the shift)
	 * @param data             the diffraction data the reconstructions were fitted to (centred)
	 * @param reconstructions  how many reconstructions went into {@code average}, for the report
	 */
	public static Result compute(final ComplexVolume average, final Diffraction data, final int reconstructions) {
		final Grid g = data.grid();
		if (!average.grid.equals(g)) throw new IllegalArgumentException("average " + average.grid + " and data " + g + " differ in size");
		final float[] f = FftShift.fftshift(g, Fft.forwardCopy(g, average.data), 2);
		final float[] m = data.amplitude().data;
		final int[] dims = g.zyx();
		int maxDim = 0;
		for (final int d : dims) maxDim = Math.max(maxDim, d);
		final double width = 1.0 / maxDim;
		final int shells = (int) Math.floor(0.5 / width) + 1; // complete shells only: f ≤ 0.5 (Nyquist), not the corners
		final double[] num = new double[shells], den = new double[shells];
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					if (!data.isMeasured(i) || !(m[i] > 0)) continue;
					final double qz = g.nz == 1 ? 0 : (double) (z - g.nz / 2) / g.nz, qy = (double) (y - g.ny / 2) / g.ny, qx = (double) (x - g.nx / 2) / g.nx;
					final int s = (int) Math.round(Math.sqrt(qz * qz + qy * qy + qx * qx) / width);
					if (s >= shells) continue;
					num[s] += Math.hypot(f[2 * i], f[2 * i + 1]);
					den[s] += m[i];
				}
		int last = 0;
		for (int s = 0; s < shells; s++) if (den[s] > 0) last = s;
		final double[] freq = new double[last + 1], prtf = new double[last + 1];
		for (int s = 0; s <= last; s++) {
			freq[s] = s * width;
			prtf[s] = den[s] > 0 ? num[s] / den[s] : Double.NaN;
		}
		int cut = -1;
		for (int s = 1; s <= last; s++) if (prtf[s] < THRESHOLD) { cut = s; break; }
		final double fc = cut > 0 ? freq[cut] : Math.max(freq[last], width);
		return new Result(freq, prtf, fc, 1 / (2 * fc), cut > 0, reconstructions);
	}
}
