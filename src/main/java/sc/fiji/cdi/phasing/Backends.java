package sc.fiji.cdi.phasing;

import java.util.Locale;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.djl.DjlBackend;
import sc.fiji.cdi.phasing.fftw.Fftw;
import sc.fiji.cdi.phasing.fftw.FftwBackend;
import sc.fiji.cdi.util.CdiException;

/**
 * Chooses the {@link PhasingBackend} for a reconstruction. Choices (the {@code backend} parameter of commands and
 * macros):
 * <ul>
 * <li>{@code auto} — DJL/PyTorch on the GPU when its engine loads and sees a GPU (cuFFT); otherwise FFTW when its
 * natives load; otherwise JTransforms. On the CPU this is a fixed rule, not a per-run measurement: FFTW was the
 * fastest CPU backend at every size measured (64³ to 256³, 1–2 threads; {@code docs/benchmarks.md}), 3–5× faster
 * per iteration than JTransforms and faster than PyTorch's CPU FFT.</li>
 * <li>{@code fftw}, {@code jtransforms}, {@code djl} (= DJL on the CPU), {@code djl-gpu} — exactly that backend, or a
 * {@link CdiException} saying why it cannot load.</li>
 * </ul>
 */
public final class Backends {

	/** The accepted values of the {@code backend} parameter. */
	public static final String[] CHOICES = { "auto", "fftw", "jtransforms", "djl", "djl-gpu" };

	private Backends() {}

	/**
	 * @param choice  one of {@link #CHOICES} (case-insensitive; null or blank = auto)
	 * @param grid    the reconstruction's grid (checked; every backend handles 2D and 3D)
	 * @param requestedThreads CPU threads for FFTs and elementwise loops (≥ 1; capped at the available processors by
	 *                {@link sc.fiji.cdi.util.Threads#resolve}, so no pool is sized from an unchecked number)
	 */
	public static PhasingBackend select(final String choice, final Grid grid, final int requestedThreads) {
		return select(choice, grid, requestedThreads, false);
	}

	/**
	 * As {@link #select(String, Grid, int)}; with {@code partialCoherence} (a {@code psf} is set), {@code auto} stays on
	 * the CPU backends, which model it, and an explicit DJL choice is refused.
	 */
	public static PhasingBackend select(final String choice, final Grid grid, final int requestedThreads, final boolean partialCoherence) {
		if (requestedThreads < 1) throw new CdiException("Phasing needs at least 1 thread, got " + requestedThreads + ".");
		final int threads = sc.fiji.cdi.util.Threads.resolve(requestedThreads);
		if (grid == null) throw new CdiException("Phasing backend selection needs the grid of the data.");
		final String c = choice == null || choice.isBlank() ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
		switch (c) {
			case "auto":
				final PhasingBackend gpu = partialCoherence ? null : gpuIfPresent(threads);
				if (gpu != null) return gpu;
				return Fftw.available() ? new FftwBackend(threads) : new JTransformsBackend(threads);
			case "fftw":
				Fftw.require();
				return new FftwBackend(threads);
			case "jtransforms":
				return new JTransformsBackend(threads);
			case "djl", "djl-cpu", "djl-gpu":
				if (partialCoherence) throw new CdiException("Partial coherence (psf) runs on the fftw and jtransforms phasing backends, not on " + c + ": give backend=auto, fftw or jtransforms, or psf=none.");
				return new DjlBackend(c.equals("djl-gpu") ? "gpu" : "cpu", threads);
			default:
				throw new CdiException("Phasing backend '" + choice + "' is not known: expected one of " + String.join(", ", CHOICES) + ".");
		}
	}

	/**
	 * DJL on a GPU when the PyTorch engine loads and reports one; null otherwise (no DJL natives, CPU-only natives,
	 * no GPU). Set the system property {@code cdi.phasing.gpu=false} to skip the probe (it loads PyTorch, ~1–2 s).
	 */
	static PhasingBackend gpuIfPresent(final int threads) {
		if ("false".equalsIgnoreCase(System.getProperty("cdi.phasing.gpu"))) return null;
		try {
			if (sc.fiji.cdi.djl.DjlRuntime.engine().getGpuCount() == 0) return null;
			return new DjlBackend("gpu", threads);
		}
		catch (final CdiException | LinkageError e) {
			return null;
		}
	}
}
