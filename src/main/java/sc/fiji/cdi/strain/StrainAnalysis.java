package sc.fiji.cdi.strain;


import org.jtransforms.fft.FloatFFT_2D;
import org.jtransforms.fft.FloatFFT_3D;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Orthogonalizer;
import sc.fiji.cdi.util.Progress;
import sc.fiji.cdi.util.CdiException;

/**
 * From a reconstructed Bragg object ρ = A·exp(iφ) to displacement and strain along G, as PyNX, cdiutils and bcdi
 * do it (REFERENCE §4):
 * <ol>
 * <li>support: given, or [A ≥ 0.1·max A] (the threshold of cohere and AutoPhaseNN);</li>
 * <li>phase ramp: {@link RampRemoval};</li>
 * <li>offset: the circular mean of exp(iφ) inside the support is rotated to 0;</li>
 * <li>unwrapping inside the support with {@link PhaseUnwrapper} (quality-guided, tolerant of vortices);</li>
 * <li>u = phaseSign·φ/|G| (nm), see {@link StrainParameters} for the sign convention;</li>
 * <li>ε = phaseSign·(Ĝ·∇φ)/|G|, where each ∂φ/∂r_a is computed from <em>wrapped</em> nearest-neighbour differences
 * wrap(φ(r+e_a) − φ(r)), averaged forward/backward (central) where both neighbours are in the support and one-sided
 * at the support surface. Wrapped differences make ε independent of 2π jumps and branch cuts; for a phase that
 * is linear or quadratic along each axis (homogeneous strain, linearly varying strain) the central difference is
 * exact, so ε is exact to float precision.</li>
 * </ol>
 * Values outside the support are NaN. The input is never modified.
 */
public final class StrainAnalysis {

	/** Relative amplitude threshold of the default support (cohere, AutoPhaseNN: 0.1). */
	public static final double DEFAULT_SUPPORT_THRESHOLD = 0.1;

	private StrainAnalysis() {}

	/** Strain from a complex object; {@code support} may be null (then [A ≥ 0.1·max]). */
	public static StrainResult analyse(final ComplexVolume object, final boolean[] support, final StrainParameters p) {
		if (object == null) throw new CdiException("No object given to the strain analysis.");
		requireFinite(object);
		return run(object.grid, object.data, support, p, object.voxelSize, object.unit);
	}

	/** Strain from separate amplitude and phase (radians) volumes of the same grid; {@code support} may be null. */
	public static StrainResult analyse(final RealVolume amplitude, final RealVolume phase, final boolean[] support, final StrainParameters p) {
		if (amplitude == null || phase == null) throw new CdiException("Strain analysis needs both an amplitude and a phase image.");
		if (!amplitude.grid.equals(phase.grid)) throw new CdiException("The amplitude (" + amplitude.grid + ") and phase (" + phase.grid + ") images differ in size; expected the same size.");
		return analyse(ComplexVolume.fromAmplitudePhase(amplitude, phase), support, p);
	}

	/**
	 * Strain of a reconstruction in the detector frame of a Bragg rocking scan: the complex object and its support
	 * are first resampled onto an orthogonal lab-frame grid with {@code voxelNm} voxels that holds the support plus
	 * 2 voxels ({@link Orthogonalizer#ofSupport}, complex trilinear interpolation after demodulating the mean phase
	 * gradient, which is put back exactly), then analysed with G along the geometry's Bragg vector
	 * ({@link BraggGeometry#braggDirectionLab()}). The voxel size and G direction of {@code p} are replaced; |G|,
	 * phase sign and ramp removal are kept. All outputs are on the lab grid, axes (z downstream, y up, x outboard).
	 */
	public static StrainResult analyseInLabFrame(final ComplexVolume detectorFrameObject, final boolean[] support, final BraggGeometry geometry,
		final double voxelNm, final StrainParameters p, final Progress progress)
	{
		if (detectorFrameObject == null) throw new CdiException("No object given to the strain analysis.");
		requireFinite(detectorFrameObject);
		final Grid g = detectorFrameObject.grid;
		final boolean[] s = support != null ? support : defaultSupport(detectorFrameObject);
		final Orthogonalizer o = Orthogonalizer.ofSupport(geometry, g, s, voxelNm, 2);
		// Interpolating exp(iφ) linearly between voxels bends a steep phase; demodulate the mean phase gradient
		// first (exactly known) and put it back analytically at each output position.
		final float[] rho = detectorFrameObject.data;
		final float[] psi = new float[g.size()];
		for (int i = 0; i < psi.length; i++) psi[i] = (float) Math.atan2(rho[2 * i + 1], rho[2 * i]);
		final double[] b = meanWrappedGradient(g, psi, s);
		final float[] demod = new float[rho.length];
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final int i = g.index(z, y, x);
			final double ph = -(b[0] * (z - g.nz / 2) + b[1] * (y - g.ny / 2) + b[2] * (x - g.nx / 2));
			final double cs = Math.cos(ph), sn = Math.sin(ph);
			demod[2 * i] = (float) (rho[2 * i] * cs - rho[2 * i + 1] * sn);
			demod[2 * i + 1] = (float) (rho[2 * i] * sn + rho[2 * i + 1] * cs);
		}
		final ComplexVolume lab = o.resample(new ComplexVolume(g, demod, detectorFrameObject.voxelSize, detectorFrameObject.unit), progress);
		final Grid lg = o.outputGrid();
		for (int z = 0; z < lg.nz; z++) for (int y = 0; y < lg.ny; y++) for (int x = 0; x < lg.nx; x++) {
			final int i = lg.index(z, y, x);
			final double[] idx = o.inputIndex(z, y, x);
			final double ph = b[0] * (idx[0] - g.nz / 2) + b[1] * (idx[1] - g.ny / 2) + b[2] * (idx[2] - g.nx / 2);
			final double cs = Math.cos(ph), sn = Math.sin(ph), re = lab.data[2 * i], im = lab.data[2 * i + 1];
			lab.data[2 * i] = (float) (re * cs - im * sn);
			lab.data[2 * i + 1] = (float) (re * sn + im * cs);
		}
		final boolean[] labSupport = o.resample(s);
		return analyse(lab, labSupport, p.withVoxelSize(voxelNm, voxelNm, voxelNm).withGDirection(geometry.braggDirectionLab()));
	}

	/** NaN/Inf anywhere would make the support threshold NaN (an empty support, a misleading error): named here instead. */
	private static void requireFinite(final ComplexVolume object) {
		int count = 0, first = -1;
		for (int i = 0; i < object.data.length; i++) if (!Float.isFinite(object.data[i]) && count++ == 0) first = i / 2;
		if (count > 0) throw new CdiException("The object contains non-finite (NaN or infinite) values in " + count + " real/imaginary components, the first at "
			+ object.grid.position(first) + "; expected finite amplitude and phase everywhere (0 amplitude outside the crystal).");
	}

	/** [A ≥ 0.1·max A]. */
	public static boolean[] defaultSupport(final ComplexVolume object) {
		final int n = object.grid.size();
		double max = 0;
		for (int i = 0; i < n; i++) max = Math.max(max, Math.hypot(object.data[2 * i], object.data[2 * i + 1]));
		final boolean[] s = new boolean[n];
		for (int i = 0; i < n; i++) s[i] = max > 0 && Math.hypot(object.data[2 * i], object.data[2 * i + 1]) >= DEFAULT_SUPPORT_THRESHOLD * max;
		return s;
	}

	private static StrainResult run(final Grid g, final float[] rho, final boolean[] supportIn, final StrainParameters p0, final double[] vs, final String unit) {
		final int n = g.size();
		if (supportIn != null && supportIn.length != n) throw new CdiException("The support has " + supportIn.length + " voxels but the object " + g + " has " + n + "; expected the same size.");
		double[] voxel = p0.voxelSizeNm();
		if (voxel == null) {
			if (!"nm".equals(unit)) throw new CdiException("The voxel size is unknown: the object is calibrated in '" + unit + "', not nm. Give the voxel size (z, y, x) in nm.");
			voxel = vs.clone();
		}
		final StrainParameters p = p0.withVoxelSize(voxel);
		final float[] amp = new float[n];
		for (int i = 0; i < n; i++) amp[i] = (float) Math.hypot(rho[2 * i], rho[2 * i + 1]);
		final boolean[] support = supportIn != null ? supportIn.clone() : defaultSupport(new ComplexVolume(g, rho));
		int count = 0;
		for (final boolean b : support) if (b) count++;
		if (count == 0) throw new CdiException("The support is empty: no voxel to compute the strain in. Check the support threshold or the reconstruction.");

		final float[] psi = new float[n];
		for (int i = 0; i < n; i++) psi[i] = (float) Math.atan2(rho[2 * i + 1], rho[2 * i]);

		final double[] ramp = new double[3];
		if (p.rampRemoval() == RampRemoval.FOURIER_COM) {
			final double[] f = fourierCentreOfMass(g, rho, support);
			for (int a = 0; a < 3; a++) ramp[a] = 2 * Math.PI * f[a];
		} else if (p.rampRemoval() == RampRemoval.PLANE_FIT) {
			final double[] m = meanWrappedGradient(g, psi, support);
			System.arraycopy(m, 0, ramp, 0, 3);
		}
		if (ramp[0] != 0 || ramp[1] != 0 || ramp[2] != 0) subtractRamp(g, psi, ramp);

		// offset: circular mean inside the support
		double sc = 0, ss = 0;
		for (int i = 0; i < n; i++) if (support[i]) { sc += Math.cos(psi[i]); ss += Math.sin(psi[i]); }
		final double offset = Math.atan2(ss, sc);
		for (int i = 0; i < n; i++) psi[i] = (float) PhaseUnwrapper.wrap(psi[i] - offset);

		final float[] phase = PhaseUnwrapper.unwrap(g, psi, support);
		double mean = 0;
		for (int i = 0; i < n; i++) if (support[i]) mean += phase[i];
		mean /= count;
		for (int i = 0; i < n; i++) if (support[i]) phase[i] -= (float) mean;

		final double gNorm = p.gNorm(), sign = p.phaseSign();
		final float[] u = new float[n];
		for (int i = 0; i < n; i++) u[i] = support[i] ? (float) (sign * phase[i] / gNorm) : Float.NaN;

		final float[] eps = strainAlongG(g, psi, support, p.gDirectionZyx(), voxel, sign / gNorm);

		final float[] ampOut = amp.clone();
		for (int i = 0; i < n; i++) if (!support[i]) ampOut[i] = Float.NaN;
		return new StrainResult(new RealVolume(g, ampOut, voxel, "nm"), new RealVolume(g, phase, voxel, "nm"), new RealVolume(g, u, voxel, "nm"),
			new RealVolume(g, eps, voxel, "nm"), support, ramp, offset, p);
	}

	/**
	 * (scale)·Ĝ·∇φ per voxel from wrapped differences (central inside, one-sided at the support surface), NaN outside
	 * the support. {@code scale} = phaseSign/|G| turns it into strain.
	 */
	public static float[] strainAlongG(final Grid g, final float[] phase, final boolean[] support, final double[] gHatZyx, final double[] voxelNmZyx, final double scale) {
		final int n = g.size();
		final float[] out = new float[n];
		final int[] strides = { g.nx * g.ny, g.nx, 1 };
		final int[] dims = { g.nz, g.ny, g.nx };
		final int[] pos = new int[3];
		for (int i = 0; i < n; i++) {
			if (!support[i]) { out[i] = Float.NaN; continue; }
			pos[2] = i % g.nx; pos[1] = (i / g.nx) % g.ny; pos[0] = i / (g.nx * g.ny);
			double d = 0;
			boolean defined = true;
			for (int a = 0; a < 3 && defined; a++) {
				if (gHatZyx[a] == 0 || dims[a] == 1) continue; // a 2D map has no gradient along its missing axis
				final boolean hasPrev = pos[a] > 0 && support[i - strides[a]];
				final boolean hasNext = pos[a] < dims[a] - 1 && support[i + strides[a]];
				final double grad;
				if (hasPrev && hasNext) grad = 0.5 * (PhaseUnwrapper.wrap(phase[i + strides[a]] - phase[i]) + PhaseUnwrapper.wrap(phase[i] - phase[i - strides[a]]));
				else if (hasNext) grad = PhaseUnwrapper.wrap(phase[i + strides[a]] - phase[i]);
				else if (hasPrev) grad = PhaseUnwrapper.wrap(phase[i] - phase[i - strides[a]]);
				else { defined = false; continue; }
				d += gHatZyx[a] * grad / voxelNmZyx[a];
			}
			out[i] = defined ? (float) (scale * d) : Float.NaN;
		}
		return out;
	}

	/** Mean over the support of the wrapped forward difference along each axis (z, y, x), radians per voxel. */
	static double[] meanWrappedGradient(final Grid g, final float[] phase, final boolean[] support) {
		final int[] strides = { g.nx * g.ny, g.nx, 1 };
		final double[] sum = new double[3];
		final long[] cnt = new long[3];
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++) {
					final int i = g.index(z, y, x);
					if (!support[i]) continue;
					final boolean[] inside = { z + 1 < g.nz, y + 1 < g.ny, x + 1 < g.nx };
					for (int a = 0; a < 3; a++)
						if (inside[a] && support[i + strides[a]]) { sum[a] += PhaseUnwrapper.wrap(phase[i + strides[a]] - phase[i]); cnt[a]++; }
				}
		final double[] m = new double[3];
		for (int a = 0; a < 3; a++) m[a] = cnt[a] > 0 ? sum[a] / cnt[a] : 0;
		return m;
	}

	/**
	 * Centre of mass of |FFT(ρ·S)|², in cycles per voxel (z, y, x), with frequencies taken in (−½, ½]. With our
	 * forward FFT exp(−2πi k·r), ρ·exp(2πi f·r) moves the peak to +f, so the ramp to remove is exp(−2πi f·r).
	 */
	public static double[] fourierCentreOfMass(final Grid g, final float[] rho, final boolean[] support) {
		final float[] c = new float[2 * g.size()];
		for (int i = 0; i < g.size(); i++) if (support == null || support[i]) { c[2 * i] = rho[2 * i]; c[2 * i + 1] = rho[2 * i + 1]; }
		if (g.is2D()) new FloatFFT_2D(g.ny, g.nx).complexForward(c);
		else new FloatFFT_3D(g.nz, g.ny, g.nx).complexForward(c);
		// the centre of mass of a peak near zero frequency; frequencies wrap, so use the signed frequency
		double w = 0, fz = 0, fy = 0, fx = 0;
		for (int z = 0; z < g.nz; z++) {
			final double kz = signedFrequency(z, g.nz);
			for (int y = 0; y < g.ny; y++) {
				final double ky = signedFrequency(y, g.ny);
				for (int x = 0; x < g.nx; x++) {
					final int i = g.index(z, y, x);
					final double I = (double) c[2 * i] * c[2 * i] + (double) c[2 * i + 1] * c[2 * i + 1];
					w += I; fz += I * kz; fy += I * ky; fx += I * signedFrequency(x, g.nx);
				}
			}
		}
		if (!(w > 0)) return new double[3];
		return new double[] { fz / w, fy / w, fx / w };
	}

	private static double signedFrequency(final int k, final int n) {
		if (n == 1) return 0;
		return (k <= n / 2 ? k : k - n) / (double) n;
	}

	/** φ ← wrap(φ − ramp·(r − c)) with c the array centre n/2 (radians per voxel along z, y, x). */
	static void subtractRamp(final Grid g, final float[] phase, final double[] rampZyx) {
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++) {
					final int i = g.index(z, y, x);
					final double r = rampZyx[0] * (z - g.nz / 2) + rampZyx[1] * (y - g.ny / 2) + rampZyx[2] * (x - g.nx / 2);
					phase[i] = (float) PhaseUnwrapper.wrap(phase[i] - r);
				}
	}

	/** Root-mean-square of the finite values of {@code a − b} where {@code mask} is true (helper for quality checks). */
	public static double rmsDifference(final float[] a, final float[] b, final boolean[] mask) {
		double s = 0;
		long k = 0;
		for (int i = 0; i < a.length; i++) {
			if (!mask[i] || Float.isNaN(a[i]) || Float.isNaN(b[i])) continue;
			final double d = a[i] - b[i];
			s += d * d; k++;
		}
		if (k == 0) throw new CdiException("No voxel to compare: the mask is empty or all values are NaN.");
		return Math.sqrt(s / k);
	}

	/** Support eroded by {@code skin} voxels (6-connected erosion repeated), e.g. to exclude the surface when judging strain. */
	public static boolean[] erode(final Grid g, final boolean[] support, final int skin) {
		boolean[] s = support.clone();
		final int[] nb = new int[6];
		for (int it = 0; it < skin; it++) {
			final boolean[] t = s.clone();
			for (int i = 0; i < s.length; i++) {
				if (!s[i]) continue;
				final int k = PhaseUnwrapper.neighbours(g, i, nb);
				int inside = 0;
				for (int j = 0; j < k; j++) if (s[nb[j]]) inside++;
				final int expected = (g.nx > 1 ? 2 : 0) + (g.ny > 1 ? 2 : 0) + (g.nz > 1 ? 2 : 0);
				if (inside < expected) t[i] = false;
			}
			s = t;
		}
		return s;
	}

}
