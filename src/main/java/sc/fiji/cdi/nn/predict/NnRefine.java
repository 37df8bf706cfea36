package sc.fiji.cdi.nn.predict;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.PhasingBackend;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * "NN + refine": the network's prediction seeds iterative phase retrieval (AutoPhaseNN, Yao et al. 2022: the
 * prediction as the starting guess of ER/HIO gives better quality than the network alone at a fraction of the
 * iterations of phase retrieval from a random start).
 * <p>
 * The predicted object lives on the network grid (the pattern was cropped/padded in reciprocal space); it is brought
 * back to the data grid by the inverse operation — its spectrum is zero-padded/cropped about the centre — which is
 * band-limited (Fourier) interpolation, then scaled so that Σ|FFT ρ|² matches Σ M² (Parseval).
 */
public final class NnRefine {

	/**
	 * The refinement ({@link Refinement}): ER settles the prediction into the data and one long HIO round escapes its
	 * errors (the trunk); three branches of 40 ER, each with its own 5 % of the pixels held out, are averaged and
	 * polished by a conjugate-gradient χ² minimisation ({@code CG}, PyNX's ML in spirit; one iteration is two modulus
	 * projections), the trunk's plain continuation ({@code 40*ER+100*CG}) too, and the lower χ² of the two is kept. 970
	 * iterations from one start, about 1/5 of what Reconstruct's default phasing spends on a grid of up to 7.5 M voxels
	 * (8 random starts of cohere's 620, {@link sc.fiji.cdi.pipeline.MultiStart#defaultStarts}). Measured on the
	 * independent held-out family ({@code sc.fiji.cdi.bench.HeldOutEvaluation --starts 1 --phasing-starts 8}, four
	 * seeds, 30 Nov – 1 Dec 2026) against that default: 2D 128², 192 crystals, 173 solved against 149, χ² not worse in
	 * 173 (90 %), 0.20–0.27 of its time; 3D 64³, 48 crystals, 44 solved against 45, not worse in 38 (79 %),
	 * 0.21–0.25. One trajectory ({@code 10*ER+600*HIO+40*ER+50*CG}, the default before) ended a few per cent above
	 * eight averaged starts on noisy 3D patterns; the averaged branches close part of that gap (not all: branches from
	 * one trunk are not independent solutions), while on noise-free patterns the plain continuation converges deeper.
	 * All recipes compared: {@code docs/models.md}.
	 */
	public static final String DEFAULT_REFINEMENT = "10*ER+600*HIO | 3x 40*ER | 100*CG";

	/** Support threshold on the resampled amplitude, relative to its maximum (CDI NN, AutoPhaseNN: 0.1). */
	public static final double SUPPORT_THRESHOLD = 0.1;

	private NnRefine() {}

	/** The refinement's parameters: the phasing ones without twin removal (the seed fixes the twin); the recipes are the {@link Refinement}'s. */
	public static PhasingParameters parameters(final PhasingParameters base) {
		return base.withTwinRemoval(false);
	}

	/**
	 * The prediction as a starting guess on the data grid: the object cut to the network's support, A·exp(iφ)·S
	 * (AutoPhaseNN), placed on the data grid ({@link #onDataGrid}), and the support [|ρ| ≥ 0.1·max] there. When the
	 * pattern was moved by s pixels to centre it ({@link Prediction#patternShiftZyx}), the seed carries the ramp
	 * exp(−2πi s·r/N) that moves its pattern back to where the data have it (a DFT shift).
	 */
	public static InitialGuess initialGuess(final Prediction p, final Diffraction data) {
		final Placed placed = place(p, cut(p.object(), p.support()), data);
		final int[] s = p.patternShiftZyx();
		if (s[0] == 0 && s[1] == 0 && s[2] == 0) return new InitialGuess(placed.object, placed.support);
		final int[] n = data.grid().zyx();
		final double[] k = new double[3];
		for (int a = 0; a < 3; a++) k[a] = -2 * Math.PI * s[a] / n[a];
		return new InitialGuess(Alignment.addPhaseRamp(placed.object, k), placed.support);
	}

	/**
	 * The whole predicted object (not cut to its support, {@link Prediction#object}) on the data grid: the inverse of
	 * the network preprocessing, Fourier resampling to the binned grid (undoes the crop/pad), then zero-padding about
	 * the centre to the data grid (the binned pattern saw 1/bin of the field of view), scaled so that
	 * Σ|FFT ρ|² = Σ M² over the measured pixels (Parseval). What Predict shows and writes.
	 */
	public static ComplexVolume onDataGrid(final Prediction p, final Diffraction data) {
		return place(p, p.object(), data).object;
	}

	/** A copy of the object with zero outside the support. */
	static ComplexVolume cut(final ComplexVolume object, final boolean[] support) {
		final ComplexVolume c = object.copy();
		for (int i = 0; i < support.length; i++) if (!support[i]) { c.data[2 * i] = 0; c.data[2 * i + 1] = 0; }
		return c;
	}

	private record Placed(ComplexVolume object, boolean[] support) {}

	/** A network-grid object on the data grid, scaled, with the support [|ρ| ≥ 0.1·max] (before scaling). */
	private static Placed place(final Prediction p, final ComplexVolume onNetwork, final Diffraction data) {
		final Grid dg = data.grid();
		if (!dg.equals(p.dataGrid())) throw new CdiException("The network prediction was made for a " + p.dataGrid() + " pattern but the data " + data.source + " are " + dg + ": predict on the same data it seeds.");
		final int[] bin = p.binZyx();
		final Grid binned = new Grid(dg.nz / bin[0], dg.ny / bin[1], dg.nx / bin[2]);
		final ComplexVolume onBinned = resample(onNetwork, binned);
		final ComplexVolume obj = binned.equals(dg) ? onBinned : new ComplexVolume(dg, centredCopy(binned, onBinned.data, dg));
		double sumM2 = 0;
		final float[] m = data.amplitude().data;
		for (int i = 0; i < m.length; i++) if (data.isMeasured(i)) sumM2 += (double) m[i] * m[i];
		double sumR2 = 0, max = 0;
		for (int i = 0; i < dg.size(); i++) {
			final double a2 = (double) obj.data[2 * i] * obj.data[2 * i] + (double) obj.data[2 * i + 1] * obj.data[2 * i + 1];
			sumR2 += a2;
			max = Math.max(max, a2);
		}
		if (!(sumR2 > 0)) throw new CdiException("The network prediction for " + data.source + " is zero everywhere: it cannot seed phase retrieval.");
		final float scale = (float) Math.sqrt(sumM2 / (dg.size() * sumR2));
		final boolean[] support = new boolean[dg.size()];
		final double thr2 = SUPPORT_THRESHOLD * SUPPORT_THRESHOLD * max;
		for (int i = 0; i < dg.size(); i++) {
			final double a2 = (double) obj.data[2 * i] * obj.data[2 * i] + (double) obj.data[2 * i + 1] * obj.data[2 * i + 1];
			support[i] = a2 >= thr2;
			obj.data[2 * i] *= scale;
			obj.data[2 * i + 1] *= scale;
		}
		return new Placed(obj, support);
	}

	/** Runs the default refinement ({@link #DEFAULT_REFINEMENT}) from the prediction. */
	public static PhasingResult refine(final Diffraction data, final Prediction p, final PhasingParameters params, final PhasingBackend backend, final Progress progress) {
		return refine(data, p, params, Refinement.parse(DEFAULT_REFINEMENT), backend, progress);
	}

	/** Runs {@code refinement} from the prediction. */
	public static PhasingResult refine(final Diffraction data, final Prediction p, final PhasingParameters params, final Refinement refinement, final PhasingBackend backend,
		final Progress progress) {
		return refinement.run(backend, data, params, initialGuess(p, data), progress);
	}

	/**
	 * Band-limited resampling of a centred object to another grid: FFT, centred crop/zero-pad of the spectrum, IFFT.
	 * For even sizes the object stays centred at n/2 (the spectrum's (−1)^k factor maps to the new centre).
	 */
	public static ComplexVolume resample(final ComplexVolume obj, final Grid to) {
		final Grid from = obj.grid;
		if (from.equals(to)) return obj.copy();
		if (from.rank() != to.rank()) throw new CdiException("Cannot resample a " + from.rank() + "D object (" + from + ") to the " + to.rank() + "D grid " + to + ".");
		final float[] f = obj.data.clone();
		Fft.forward(from, f);
		final float[] gc = centredCopy(from, FftShift.fftshift(from, f, 2), to);
		final float[] g = FftShift.ifftshift(to, gc, 2);
		Fft.inverse(to, g);
		return new ComplexVolume(to, g);
	}

	/** Interleaved complex values copied so that index n/2 of each axis goes to n'/2 (centred crop or zero-pad). */
	static float[] centredCopy(final Grid from, final float[] src, final Grid to) {
		final float[] out = new float[2 * to.size()];
		final int[] a = from.zyx(), b = to.zyx();
		for (int z = 0; z < b[0]; z++) {
			final int sz = z - b[0] / 2 + a[0] / 2;
			if (sz < 0 || sz >= a[0]) continue;
			for (int y = 0; y < b[1]; y++) {
				final int sy = y - b[1] / 2 + a[1] / 2;
				if (sy < 0 || sy >= a[1]) continue;
				for (int x = 0; x < b[2]; x++) {
					final int sx = x - b[2] / 2 + a[2] / 2;
					if (sx < 0 || sx >= a[2]) continue;
					final int si = from.index(sz, sy, sx), di = to.index(z, y, x);
					out[2 * di] = src[2 * si];
					out[2 * di + 1] = src[2 * si + 1];
				}
			}
		}
		return out;
	}
}
