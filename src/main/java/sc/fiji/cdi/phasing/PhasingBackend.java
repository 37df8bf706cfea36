package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;

/**
 * The array-operations seam of iterative phase retrieval. The recipe logic ({@link Recipe}, shrink-wrap, metrics,
 * averaging) is written once against this interface; a backend only knows how to keep arrays on its device
 * (Java heap, DJL/PyTorch on CPU or GPU) and apply the elementary operations to them.
 * <p>
 * Conventions: real-space arrays (object ρ, support S) are in natural order (object near the array centre);
 * the measured amplitude M and its {@link Mask} of unmeasured pixels are stored <em>FFT-unshifted</em> (zero frequency at index 0), i.e.
 * {@link FftShift#ifftshift} of the detector view, so no shift is needed per iteration. All arrays are (z, y, x),
 * x fastest, complex ones interleaved (re, im).
 */
public interface PhasingBackend {

	/** Short name for reports and benchmarks ("jtransforms", "djl-cpu", "djl-gpu", …). */
	String name();

	/** Threads for the host-side loops a run adds to the session's own work (e.g. {@link ConjugateGradient}'s). */
	default int threads() { return 1; }

	/**
	 * Starts a reconstruction with its own device buffers. The session only reads {@code amplitude} and
	 * {@code unmeasured} and may keep them without a copy (a mask never changes; the caller must not change the
	 * amplitude while the session is open). {@code object} and {@code support} are copied.
	 *
	 * @param amplitude  measured amplitude |F| (not intensity), FFT-unshifted, length {@code grid.size()}
	 * @param unmeasured the pixels where M is not measured (left free by the modulus projection), FFT-unshifted,
	 *                   on {@code grid}; {@code null} = every pixel measured
	 * @param object    initial object ρ₀, interleaved complex, natural order
	 * @param support   initial support, natural order
	 */
	Session open(Grid grid, float[] amplitude, Mask unmeasured, float[] object, boolean[] support);

	/**
	 * Java-heap bytes a session on {@code grid} allocates (for {@link sc.fiji.cdi.util.MemoryGuard}). The default is
	 * the working set of a backend that keeps every array on the heap: float amplitude (1), object ρ (2), projection
	 * (2), work (1), running average (2, allocated at the first accumulation) = 8 floats, plus the measured and
	 * support masks (2 booleans) per voxel, and one float per voxel for the blur's per-thread plane scratch (at most
	 * 9 planes a thread: small against the volume). Backends keeping their arrays off-heap (native FFTW, DJL) can
	 * return less.
	 */
	default long sessionHeapBytes(final Grid grid) {
		return grid.size() * (9L * Float.BYTES + 2L);
	}

	/**
	 * Checks the lengths of {@link #open}'s arrays against the grid (a programming error, not a user one) and the
	 * mask's grid (a {@link sc.fiji.cdi.util.CdiException} naming both shapes).
	 */
	static void checkBuffers(final Grid grid, final float[] amplitude, final Mask unmeasured, final float[] object, final boolean[] support) {
		final int n = grid.size();
		if (amplitude.length != n) throw new IllegalArgumentException("amplitude has " + amplitude.length + " values, grid " + grid + " needs " + n);
		if (unmeasured != null) unmeasured.requireGrid(grid, "The mask of unmeasured pixels given to the phasing");
		if (object.length != 2 * n) throw new IllegalArgumentException("object has " + object.length + " floats, grid " + grid + " needs " + 2 * n);
		if (support.length != n) throw new IllegalArgumentException("support has " + support.length + " values, grid " + grid + " needs " + n);
	}

	/** One reconstruction's device state: the iterate ρ, its projection ρ' = P_M(ρ), the support, an average. */
	interface Session extends AutoCloseable {

		Grid grid();

		/**
		 * ρ' = IFFT(M·F/|F|) where measured, F elsewhere, with F = FFT(ρ). Returns cohere's error of the current
		 * iterate, {@code Σ(|F| − M)² / Σ M²} over measured pixels (REFERENCE §3), with F scaled so that the
		 * FFT is unitary-free: F is the plain forward DFT of ρ.
		 */
		double projectModulus();

		/**
		 * The modulus projection under a partial-coherence model ({@link PartialCoherence}): ρ' = IFFT(F·M/√(|F|² ⊗ K))
		 * where measured, F elsewhere; with {@code refine}, K takes one Richardson–Lucy step. Returns χ² of the blurred
		 * model against M. Backends that cannot run it say so.
		 */
		default double projectModulus(final PartialCoherence coherence, final boolean refine) {
			throw new sc.fiji.cdi.util.CdiException("Partial coherence (psf) runs on the fftw and jtransforms phasing backends, not on DJL: give backend=fftw or backend=jtransforms.");
		}

		/**
		 * The one support-side kernel of every projection algorithm: ρ ← ρ' on γ and ρ ← a·ρ + c·ρ' off γ, where γ is
		 * the support S. With {@code positivity} (a real, non-negative object) γ is the voxels of S where Re ρ' &gt; 0
		 * (PyNX's positivity restraint) and the imaginary part, a violation everywhere, is fed back everywhere:
		 * Im ρ ← a·Im ρ + c·Im ρ' (Fienup 1982's input–output rule applied per component; 0 for ER).
		 * The algorithms are coefficient pairs ({@link Recipe.Algorithm}): ER (0, 0), HIO (1, −β), RAAR (β, 1 − 2β).
		 * Requires a preceding {@link #projectModulus()}.
		 */
		void update(double a, double c, boolean positivity);

		/** Error reduction: ρ ← ρ' in S, 0 outside. Requires a preceding {@link #projectModulus()}. */
		default void er() { Recipe.Algorithm.ER.apply(this, 0, false); }

		/** Hybrid input–output (Fienup 1982): ρ ← ρ' in S, ρ − β·ρ' outside. */
		default void hio(final double beta) { Recipe.Algorithm.HIO.apply(this, beta, false); }

		/**
		 * RAAR (Luke 2005): ρ ← ρ' in S; outside S, ρ ← β·ρ + (1 − 2β)·ρ'. This is the pointwise form of
		 * ½β(R_S R_M + I)ρ + (1 − β)P_M ρ for a support projection.
		 */
		default void raar(final double beta) { Recipe.Algorithm.RAAR.apply(this, beta, false); }

		/** |ρ| blurred with a Gaussian of σ voxels (σ ≤ 0: no blur), kept on the device as the work buffer. */
		void blurModulus(double sigma);

		/** Maximum of the work buffer. */
		double workMax();

		/** S ← [work ≥ level]; returns the number of voxels in S. */
		long supportFromWork(double level);

		/** {Σ work², number of voxels} over the support S (for a threshold relative to the rms inside S, PyNX). */
		double[] workSquaresInSupport();

		/** Σ|ρ|² outside S divided by Σ|ρ|² (0 when ρ = 0). */
		double fractionOutsideSupport();

		/** avg ← avg + ρ (used to average the last iterates). */
		void accumulate();

		/** Number of {@link #accumulate()} calls so far. */
		int accumulated();

		/** The current iterate ρ (a host copy, interleaved complex). */
		float[] readObject();

		/** The current iterate ρ copied into {@code into} (2·grid size floats), without allocating a new array. */
		default void readObject(final float[] into) {
			final float[] o = readObject();
			System.arraycopy(o, 0, into, 0, o.length);
		}

		/** The running sum of accumulated iterates (a host copy), or null if none. */
		float[] readAccumulated();

		boolean[] readSupport();

		void writeObject(float[] interleaved);

		void writeSupport(boolean[] support);

		/** Frees the device buffers. */
		@Override
		void close();
	}
}
