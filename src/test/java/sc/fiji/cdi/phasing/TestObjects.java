package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;

/** Locally built test crystals (independent of the simulator): soft-edged ellipsoids/boxes with smooth phases. */
public final class TestObjects {

	private TestObjects() {}

	/** A test object with its support [A ≥ 0.1·max] and its noise-free centred diffraction intensity. */
	public record Sample(ComplexVolume object, boolean[] support, Diffraction diffraction) {}

	/**
	 * A soft-edged ellipsoid (ellipse in 2D) centred at n/2 with semi-axes {@code semi} (z, y, x) voxels and a smooth
	 * phase of {@code phasePP} radians peak-to-peak inside (a sum of a slow sine and a Gaussian bump). The amplitude
	 * falls from 1 to 0.1 over about 2 voxels and is 0 beyond, so the object is compact.
	 */
	public static Sample ellipsoid(final Grid g, final double[] semi, final double phasePP) {
		final int n = g.size();
		final float[] amp = new float[n], ph = new float[n];
		double pmin = Double.POSITIVE_INFINITY, pmax = Double.NEGATIVE_INFINITY;
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++) {
					final double dz = g.nz == 1 ? 0 : (z - g.nz / 2) / semi[0], dy = (y - g.ny / 2) / semi[1], dx = (x - g.nx / 2) / semi[2];
					final double r = Math.sqrt(dz * dz + dy * dy + dx * dx);
					final double rad = Math.min(semi[1], semi[2]);
					final double a = 0.5 * (1 - Math.tanh((r - 1) * rad / 0.8)); // ~1 voxel edge
					final int i = g.index(z, y, x);
					amp[i] = (float) (a < 0.1 ? 0 : a); // compact: the support [A ≥ 0.1] is exact
					final double p = Math.sin(0.9 * dx + 0.5 * dy + 0.3 * dz) + 0.8 * Math.exp(-((dx - 0.3) * (dx - 0.3) + (dy + 0.2) * (dy + 0.2) + dz * dz) / 0.2);
					ph[i] = (float) p;
					if (amp[i] >= 0.1) { pmin = Math.min(pmin, p); pmax = Math.max(pmax, p); }
				}
		final double scale = phasePP / (pmax - pmin), mid = 0.5 * (pmax + pmin);
		for (int i = 0; i < n; i++) ph[i] = (float) ((ph[i] - mid) * scale);
		return sample(ComplexVolume.fromAmplitudePhase(new RealVolume(g, amp), new RealVolume(g, ph)));
	}

	/** A box of edge {@code edge} (z, y, x) voxels, amplitude 1, with the linear phase ramp φ = Σ k_d·(r_d − n_d/2). */
	public static Sample rampBox(final Grid g, final int[] edge, final double[] k) {
		final int n = g.size();
		final float[] amp = new float[n], ph = new float[n];
		final int[] dims = g.zyx();
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++) {
					final int[] r = { z, y, x };
					boolean in = true;
					double p = 0;
					for (int d = 0; d < 3; d++) {
						final int lo = dims[d] / 2 - edge[d] / 2;
						in &= r[d] >= lo && r[d] < lo + edge[d];
						p += k[d] * (r[d] - dims[d] / 2);
					}
					final int i = g.index(z, y, x);
					amp[i] = in ? 1 : 0;
					ph[i] = in ? (float) p : 0;
				}
		return sample(ComplexVolume.fromAmplitudePhase(new RealVolume(g, amp), new RealVolume(g, ph)));
	}

	public static Sample sample(final ComplexVolume obj) {
		final Grid g = obj.grid;
		final float[] amp = obj.amplitude().data;
		float max = 0;
		for (final float v : amp) max = Math.max(max, v);
		final boolean[] s = new boolean[g.size()];
		for (int i = 0; i < s.length; i++) s[i] = amp[i] >= 0.1f * max;
		return new Sample(obj, s, diffraction(obj));
	}

	/** Noise-free I = |DFT(ρ)|², centred (fftshifted). */
	public static Diffraction diffraction(final ComplexVolume obj) {
		final Grid g = obj.grid;
		final float[] f = Fft.forwardCopy(g, obj.data);
		final float[] in = new float[g.size()];
		for (int i = 0; i < in.length; i++) in[i] = f[2 * i] * f[2 * i] + f[2 * i + 1] * f[2 * i + 1];
		return new Diffraction(new RealVolume(g, FftShift.fftshift(g, in, 1)), Quantity.INTENSITY, null, new ProcessingLog(), "test object");
	}
}
