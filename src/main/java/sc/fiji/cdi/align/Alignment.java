package sc.fiji.cdi.align;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.Moments;

/**
 * Removes the ambiguities of phase retrieval (REFERENCE §1): translation, global phase offset, linear phase ramp and
 * the twin ρ*(−r). All methods return new volumes and leave their inputs unchanged. Translations are circular and
 * by whole voxels (a phase-retrieval solution is only ambiguous up to integer shifts on the grid). Phases in radians.
 */
public final class Alignment {

	private Alignment() {}

	/** An object shifted so that its support's centre of mass is at the array centre (n/2 per axis). */
	public record Centred(ComplexVolume object, boolean[] support, int[] shiftZyx) {}

	/** The integer (z, y, x) shift that brings the support's centre of mass to n/2 (rounded). */
	public static int[] centringShift(final Grid g, final boolean[] support) {
		final double[] com = Moments.centreOfMass(g, support);
		final int[] dims = g.zyx(), s = new int[3];
		for (int d = 0; d < 3; d++) s[d] = (int) Math.round(dims[d] / 2 - com[d]);
		return s;
	}

	/** Centres object and support on the support's centre of mass (circular shift by whole voxels). */
	public static Centred centreOnSupport(final ComplexVolume obj, final boolean[] support) {
		checkSupport(obj.grid, support);
		final int[] s = centringShift(obj.grid, support);
		return new Centred(shift(obj, s), FftShift.roll(obj.grid, support, s[0], s[1], s[2]), s);
	}

	/** ρ'(r) = ρ(r − s), circular, s in whole voxels (z, y, x). */
	public static ComplexVolume shift(final ComplexVolume obj, final int[] shiftZyx) {
		return new ComplexVolume(obj.grid, FftShift.roll(obj.grid, obj.data, 2, shiftZyx[0], shiftZyx[1], shiftZyx[2]), obj.voxelSize, obj.unit);
	}

	/** The phase of Σ ρ over the support (the amplitude-weighted mean phase), radians; support null = everywhere. */
	public static double meanPhase(final ComplexVolume obj, final boolean[] support) {
		double re = 0, im = 0;
		for (int i = 0; i < obj.grid.size(); i++) {
			if (support != null && !support[i]) continue;
			re += obj.data[2 * i];
			im += obj.data[2 * i + 1];
		}
		return Math.atan2(im, re);
	}

	/** ρ·exp(iθ). */
	public static ComplexVolume rotatePhase(final ComplexVolume obj, final double theta) {
		final float c = (float) Math.cos(theta), s = (float) Math.sin(theta);
		final float[] d = obj.data, o = new float[d.length];
		for (int i = 0; i < d.length; i += 2) {
			o[i] = c * d[i] - s * d[i + 1];
			o[i + 1] = s * d[i] + c * d[i + 1];
		}
		return new ComplexVolume(obj.grid, o, obj.voxelSize, obj.unit);
	}

	/** Subtracts the global phase offset arg Σ_S ρ (the amplitude-weighted mean phase in the support). */
	public static ComplexVolume removePhaseOffset(final ComplexVolume obj, final boolean[] support) {
		if (support != null) checkSupport(obj.grid, support);
		return rotatePhase(obj, -meanPhase(obj, support));
	}

	/**
	 * The linear phase ramp of ρ, as a gradient in radians per voxel (z, y, x), from the centre of mass of |DFT(ρ)|²
	 * (the Fourier-space method of PyNX/bcdi): a ramp exp(i k·r) moves the diffraction peak from q = 0 to
	 * q = k·n/2π. The centre of mass is taken around the brightest frequency, in a window of ±n/2 (periodic).
	 */
	public static double[] phaseRamp(final ComplexVolume obj) {
		final Grid g = obj.grid;
		final float[] f = Fft.forwardCopy(g, obj.data);
		final int[] dims = g.zyx();
		int best = 0;
		double bestI = -1;
		for (int i = 0; i < g.size(); i++) {
			final double v = (double) f[2 * i] * f[2 * i] + (double) f[2 * i + 1] * f[2 * i + 1];
			if (v > bestI) { bestI = v; best = i; }
		}
		final int[] k0 = { best / (g.ny * g.nx), (best / g.nx) % g.ny, best % g.nx };
		final double[] sum = new double[3];
		double total = 0;
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final double v = (double) f[2 * i] * f[2 * i] + (double) f[2 * i + 1] * f[2 * i + 1];
					final int[] r = { z, y, x };
					for (int d = 0; d < 3; d++) sum[d] += v * wrap(r[d] - k0[d], dims[d]);
					total += v;
				}
		final double[] grad = new double[3];
		for (int d = 0; d < 3; d++) {
			final double q = wrap(k0[d], dims[d]) + (total > 0 ? sum[d] / total : 0);
			grad[d] = dims[d] == 1 ? 0 : 2 * Math.PI * q / dims[d];
		}
		return grad;
	}

	/** Signed index in [−n/2, n/2). */
	private static int wrap(final int k, final int n) {
		final int m = Math.floorMod(k, n);
		return m >= (n + 1) / 2 ? m - n : m;
	}

	/**
	 * Removes the linear phase ramp found by {@link #phaseRamp} (ρ·exp(−i k·(r − n/2))), so the diffraction centre of
	 * mass moves to zero frequency; the phase at the array centre is unchanged.
	 */
	public static ComplexVolume removePhaseRamp(final ComplexVolume obj) {
		final double[] k = phaseRamp(obj);
		return addPhaseRamp(obj, new double[] { -k[0], -k[1], -k[2] });
	}

	/**
	 * ρ·exp(i k·(r − n/2)): the object (not modified) with the linear phase ramp k (radians per voxel, z, y, x) added;
	 * the phase at the array centre is unchanged.
	 */
	public static ComplexVolume addPhaseRamp(final ComplexVolume obj, final double[] k) {
		final Grid g = obj.grid;
		final float[] o = new float[obj.data.length];
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final double p = k[0] * (z - g.nz / 2) + k[1] * (y - g.ny / 2) + k[2] * (x - g.nx / 2);
					final double c = Math.cos(p), s = Math.sin(p), re = obj.data[2 * i], im = obj.data[2 * i + 1];
					o[2 * i] = (float) (c * re - s * im);
					o[2 * i + 1] = (float) (s * re + c * im);
				}
		return new ComplexVolume(g, o, obj.voxelSize, obj.unit);
	}

	/** The twin ρ*(−r) (index −r taken modulo n, so an object centred at n/2 stays there for even n). */
	public static ComplexVolume twin(final ComplexVolume obj) {
		final Grid g = obj.grid;
		final float[] o = new float[obj.data.length];
		for (int z = 0; z < g.nz; z++) {
			final int zm = Math.floorMod(-z, g.nz);
			for (int y = 0; y < g.ny; y++) {
				final int ym = Math.floorMod(-y, g.ny);
				for (int x = 0; x < g.nx; x++) {
					final int i = g.index(z, y, x), j = g.index(zm, ym, Math.floorMod(-x, g.nx));
					o[2 * i] = obj.data[2 * j];
					o[2 * i + 1] = -obj.data[2 * j + 1];
				}
			}
		}
		return new ComplexVolume(g, o, obj.voxelSize, obj.unit);
	}

	/**
	 * The candidate or its twin, aligned to the reference.
	 *
	 * @param object      aligned candidate: shifted by {@code shiftZyx} and multiplied by exp(i·{@code phaseOffset})
	 * @param twin        whether the twin ρ*(−r) matched better
	 * @param correlation |Σ ρ*·ref| / √(Σ|ρ|² Σ|ref|²) after alignment (1 = identical up to a scale)
	 */
	public record Match(ComplexVolume object, boolean twin, int[] shiftZyx, double phaseOffset, double correlation) {}

	/** {@link #match} returning only the aligned object. */
	public static ComplexVolume matchTwin(final ComplexVolume candidate, final ComplexVolume reference) {
		return match(candidate, reference).object();
	}

	/**
	 * For each of {candidate, twin(candidate)}: the integer translation maximising the cross-correlation of the
	 * amplitudes (by FFT), then the global phase arg Σ ρ*·ref; returns the one with the higher complex correlation.
	 */
	public static Match match(final ComplexVolume candidate, final ComplexVolume reference) {
		if (!candidate.grid.equals(reference.grid)) throw new IllegalArgumentException("candidate " + candidate.grid + " and reference " + reference.grid + " differ in size");
		final Match direct = alignTo(candidate, reference, false);
		final Match twin = alignTo(twin(candidate), reference, true);
		return twin.correlation > direct.correlation ? twin : direct;
	}

	private static Match alignTo(final ComplexVolume cand, final ComplexVolume ref, final boolean isTwin) {
		final Grid g = ref.grid;
		final int n = g.size();
		final float[] a = amplitudeCrossCorrelation(cand, ref);
		int best = 0;
		for (int i = 1; i < n; i++) if (a[2 * i] > a[2 * best]) best = i;
		final int[] s = { best / (g.ny * g.nx), (best / g.nx) % g.ny, best % g.nx };
		final ComplexVolume shifted = shift(cand, s);
		double re = 0, im = 0, ec = 0, er = 0;
		for (int i = 0; i < n; i++) {
			final double cr = shifted.data[2 * i], ci = shifted.data[2 * i + 1], rr = ref.data[2 * i], ri = ref.data[2 * i + 1];
			re += cr * rr + ci * ri; // conj(c)·r
			im += cr * ri - ci * rr;
			ec += cr * cr + ci * ci;
			er += rr * rr + ri * ri;
		}
		final double offset = Math.atan2(im, re);
		final double corr = ec > 0 && er > 0 ? Math.hypot(re, im) / Math.sqrt(ec * er) : 0;
		final int[] signed = new int[3];
		final int[] dims = g.zyx();
		for (int d = 0; d < 3; d++) signed[d] = wrap(s[d], dims[d]);
		return new Match(rotatePhase(shifted, offset), isTwin, signed, offset, corr);
	}

	/**
	 * The centre of a support on the periodic grid: per axis the circular mean of the positions (the angle of
	 * Σ exp(2πi·x/n)), so an object split by the box edge (half at x = 0, half at x = n − 1) has its centre at the
	 * edge, not at n/2 as the plain centre of mass would say.
	 */
	public static double[] circularCentre(final Grid g, final boolean[] support) {
		checkSupport(g, support);
		final int[] dims = g.zyx();
		final double[] c = new double[3], s = new double[3];
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					if (!support[i]) continue;
					final int[] r = { z, y, x };
					for (int d = 0; d < 3; d++) {
						final double a = 2 * Math.PI * r[d] / dims[d];
						c[d] += Math.cos(a);
						s[d] += Math.sin(a);
					}
				}
		final double[] centre = new double[3];
		for (int d = 0; d < 3; d++) {
			if (dims[d] == 1) continue;
			final double a = Math.atan2(s[d], c[d]);
			centre[d] = (a < 0 ? a + 2 * Math.PI : a) * dims[d] / (2 * Math.PI);
		}
		return centre;
	}

	/**
	 * Object and support rolled (with wrap-around) so that the support's {@link #circularCentre} is at n/2: a compact
	 * object smaller than the box then never lies across the box edge.
	 */
	public static Centred centreInBox(final ComplexVolume obj, final boolean[] support) {
		final double[] c = circularCentre(obj.grid, support);
		final int[] dims = obj.grid.zyx(), s = new int[3];
		for (int d = 0; d < 3; d++) s[d] = dims[d] == 1 ? 0 : (int) Math.round(dims[d] / 2 - c[d]);
		return new Centred(shift(obj, s), FftShift.roll(obj.grid, support, s[0], s[1], s[2]), s);
	}

	/**
	 * The result as a user wants to see it: centred in the box ({@link #centreInBox}), the linear phase ramp removed
	 * ({@link #removePhaseRamp}) and the phase zero at the crystal's centre (the amplitude-weighted mean phase within
	 * 2 voxels of n/2 inside the support, or over the whole support when that ball misses it).
	 */
	public static Centred present(final ComplexVolume obj, final boolean[] support) {
		final Centred c = centreInBox(obj, support);
		final ComplexVolume flat = removePhaseRamp(c.object());
		final Grid g = obj.grid;
		final boolean[] ball = new boolean[g.size()];
		boolean any = false;
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final int dz = z - g.nz / 2, dy = y - g.ny / 2, dx = x - g.nx / 2;
					if (c.support()[i] && dz * dz + dy * dy + dx * dx <= 4) { ball[i] = true; any = true; }
				}
		return new Centred(rotatePhase(flat, -meanPhase(flat, any ? ball : c.support())), c.support(), c.shiftZyx());
	}

	/**
	 * The sub-voxel shift (z, y, x) that best moves {@code candidate} onto {@code reference} when they are already
	 * aligned to the nearest voxel: a parabola through the amplitude cross-correlation at −1, 0, +1 along each axis
	 * (each component in [−0.5, 0.5]).
	 */
	public static double[] subVoxelShift(final ComplexVolume candidate, final ComplexVolume reference) {
		final Grid g = reference.grid;
		final int n = g.size();
		final float[] a = amplitudeCrossCorrelation(candidate, reference);
		final int[] dims = g.zyx();
		final double[] s = new double[3];
		final double c0 = a[0];
		for (int d = 0; d < 3; d++) {
			if (dims[d] < 3) continue;
			final int[] plus = new int[3], minus = new int[3];
			plus[d] = 1;
			minus[d] = dims[d] - 1;
			final double cp = a[2 * g.index(plus[0], plus[1], plus[2])], cm = a[2 * g.index(minus[0], minus[1], minus[2])];
			final double den = cp - 2 * c0 + cm;
			s[d] = den < 0 ? Math.max(-0.5, Math.min(0.5, 0.5 * (cm - cp) / den)) : 0;
		}
		return s;
	}

	/** ρ'(r) = ρ(r − s) for a fractional shift s (voxels), by the Fourier shift theorem (periodic, band-limited). */
	public static ComplexVolume shiftFourier(final ComplexVolume obj, final double[] shiftZyx) {
		final Grid g = obj.grid;
		final float[] f = Fft.forwardCopy(g, obj.data);
		final int[] dims = g.zyx();
		for (int z = 0, i = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++, i++) {
					final int[] k = { wrap(z, g.nz), wrap(y, g.ny), wrap(x, g.nx) };
					double p = 0;
					for (int d = 0; d < 3; d++) p -= 2 * Math.PI * k[d] * shiftZyx[d] / dims[d];
					final double c = Math.cos(p), sn = Math.sin(p), re = f[2 * i], im = f[2 * i + 1];
					f[2 * i] = (float) (c * re - sn * im);
					f[2 * i + 1] = (float) (sn * re + c * im);
				}
		Fft.inverse(g, f);
		return new ComplexVolume(g, f, obj.voxelSize, obj.unit);
	}

	/**
	 * {@link #match}, then the sub-voxel shift ({@link #subVoxelShift}, applied by {@link #shiftFourier}) and the
	 * global phase offset again: the candidate aligned on the reference to a fraction of a voxel.
	 */
	public static Match matchSubVoxel(final ComplexVolume candidate, final ComplexVolume reference) {
		final Match m = match(candidate, reference);
		final double[] frac = subVoxelShift(m.object(), reference);
		ComplexVolume moved = frac[0] == 0 && frac[1] == 0 && frac[2] == 0 ? m.object() : shiftFourier(m.object(), frac);
		double re = 0, im = 0, ec = 0, er = 0;
		for (int i = 0; i < reference.grid.size(); i++) {
			final double cr = moved.data[2 * i], ci = moved.data[2 * i + 1], rr = reference.data[2 * i], ri = reference.data[2 * i + 1];
			re += cr * rr + ci * ri;
			im += cr * ri - ci * rr;
			ec += cr * cr + ci * ci;
			er += rr * rr + ri * ri;
		}
		final double offset = Math.atan2(im, re);
		moved = rotatePhase(moved, offset);
		final double corr = ec > 0 && er > 0 ? Math.hypot(re, im) / Math.sqrt(ec * er) : 0;
		return new Match(moved, m.twin(), m.shiftZyx(), m.phaseOffset() + offset, corr);
	}

	private static void checkSupport(final Grid g, final boolean[] support) {
		if (support.length != g.size()) throw new IllegalArgumentException("support has " + support.length + " voxels, grid " + g + " has " + g.size());
	}

	/**
	 * The circular cross-correlation of the amplitudes, C(s) = Σ_r |ref|(r)·|cand|(r − s), as interleaved complex
	 * values (natural order, s = 0 at index 0), computed as DFT⁻¹(DFT(|ref|)·conj(DFT(|cand|))).
	 */
	private static float[] amplitudeCrossCorrelation(final ComplexVolume cand, final ComplexVolume ref) {
		final Grid g = ref.grid;
		final int n = g.size();
		final float[] a = new float[2 * n], b = new float[2 * n];
		final float[] ma = Moments.modulus(ref.data), mb = Moments.modulus(cand.data);
		for (int i = 0; i < n; i++) { a[2 * i] = ma[i]; b[2 * i] = mb[i]; }
		Fft.forward(g, a);
		Fft.forward(g, b);
		for (int i = 0; i < n; i++) {
			final float ar = a[2 * i], ai = a[2 * i + 1], br = b[2 * i], bi = -b[2 * i + 1];
			a[2 * i] = ar * br - ai * bi;
			a[2 * i + 1] = ar * bi + ai * br;
		}
		Fft.inverse(g, a);
		return a;
	}
}
