package sc.fiji.cdi.align;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.Moments;

/**
 * Quality of a reconstruction against a known truth (simulations), after removing the trivial ambiguities
 * (translation, twin, global phase; REFERENCE §3).
 */
public final class Quality {

	/** Voxels by which the truth support is dilated for the amplitude correlation. */
	public static final int AMPLITUDE_DILATION = 2;

	private Quality() {}

	/**
	 * @param amplitudeCorrelation Pearson correlation of |ρ| and |truth| over the truth support dilated by
	 *                             {@value #AMPLITUDE_DILATION} voxels (a box neighbourhood), so that the many empty
	 *                             voxels far from the crystal do not inflate it but spill-over at the edge counts
	 * @param phaseRmsError        RMS of the wrapped phase difference (radians, in (−π, π]) inside the truth support,
	 *                             after subtracting the best constant offset (the circular mean of the difference)
	 * @param twin                 whether the twin of the reconstruction matched
	 * @param shiftZyx             translation applied to the reconstruction (voxels)
	 * @param complexCorrelation   |Σ ρ*·truth| / √(Σ|ρ|² Σ|truth|²) after alignment
	 * @param aligned              the aligned reconstruction
	 */
	public record Comparison(double amplitudeCorrelation, double phaseRmsError, boolean twin, int[] shiftZyx,
		double complexCorrelation, ComplexVolume aligned) {}

	public static Comparison compare(final ComplexVolume reconstruction, final ComplexVolume truth, final boolean[] truthSupport) {
		if (!reconstruction.grid.equals(truth.grid)) throw new IllegalArgumentException("reconstruction " + reconstruction.grid + " and truth " + truth.grid + " differ in size");
		if (truthSupport.length != truth.grid.size()) throw new IllegalArgumentException("truth support has " + truthSupport.length + " voxels, grid " + truth.grid + " has " + truth.grid.size());
		final Alignment.Match m = Alignment.match(reconstruction, truth);
		final float[] ar = Moments.modulus(m.object().data), at = Moments.modulus(truth.data);
		final double corr = pearson(ar, at, dilate(truth.grid, truthSupport, AMPLITUDE_DILATION));
		return new Comparison(corr, phaseRms(m.object(), truth, truthSupport), m.twin(), m.shiftZyx(), m.correlation(), m.object());
	}

	/** RMS of wrap(φ_a − φ_b − c) inside the support, c = arg Σ exp(i(φ_a − φ_b)) (radians). */
	public static double phaseRms(final ComplexVolume a, final ComplexVolume b, final boolean[] support) {
		double sr = 0, si = 0;
		int count = 0;
		final int n = a.grid.size();
		final double[] diff = new double[n];
		for (int i = 0; i < n; i++) {
			if (!support[i]) continue;
			final double d = Math.atan2(a.data[2 * i + 1], a.data[2 * i]) - Math.atan2(b.data[2 * i + 1], b.data[2 * i]);
			diff[i] = d;
			sr += Math.cos(d);
			si += Math.sin(d);
			count++;
		}
		if (count == 0) return Double.NaN;
		final double c = Math.atan2(si, sr);
		double ss = 0;
		for (int i = 0; i < n; i++) if (support[i]) { final double w = wrapPi(diff[i] - c); ss += w * w; }
		return Math.sqrt(ss / count);
	}

	/** An angle wrapped into (−π, π]. */
	public static double wrapPi(final double a) {
		double w = a - 2 * Math.PI * Math.floor(a / (2 * Math.PI)); // [0, 2π)
		if (w > Math.PI) w -= 2 * Math.PI;
		return w;
	}

	/** Pearson correlation of a and b over the voxels in mask. */
	public static double pearson(final float[] a, final float[] b, final boolean[] mask) {
		double sa = 0, sb = 0;
		long n = 0;
		for (int i = 0; i < a.length; i++) if (mask[i]) { sa += a[i]; sb += b[i]; n++; }
		if (n < 2) return Double.NaN;
		final double ma = sa / n, mb = sb / n;
		double cab = 0, caa = 0, cbb = 0;
		for (int i = 0; i < a.length; i++) if (mask[i]) {
			final double da = a[i] - ma, db = b[i] - mb;
			cab += da * db; caa += da * da; cbb += db * db;
		}
		return caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : 0;
	}

	/** Box dilation by r voxels along each axis of extent > 1 (not periodic). */
	public static boolean[] dilate(final Grid g, final boolean[] mask, final int r) {
		boolean[] cur = mask.clone();
		final int[] dims = g.zyx();
		final int[] strides = { g.ny * g.nx, g.nx, 1 };
		for (int d = 0; d < 3; d++) {
			if (dims[d] == 1) continue;
			final boolean[] next = new boolean[cur.length];
			for (int i = 0; i < cur.length; i++) {
				if (!cur[i]) continue;
				final int pos = (i / strides[d]) % dims[d];
				for (int k = Math.max(0, pos - r); k <= Math.min(dims[d] - 1, pos + r); k++) next[i + (k - pos) * strides[d]] = true;
			}
			cur = next;
		}
		return cur;
	}
}
