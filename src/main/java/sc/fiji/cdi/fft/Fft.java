package sc.fiji.cdi.fft;

import java.util.HashMap;
import java.util.Map;

import org.jtransforms.fft.FloatFFT_1D;
import org.jtransforms.fft.FloatFFT_2D;
import org.jtransforms.fft.FloatFFT_3D;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CancelledException;
import pl.edu.icm.jlargearrays.ConcurrencyUtils;

/**
 * In-place complex FFTs of 2D/3D arrays in (z, y, x) order, x fastest, real and imaginary parts interleaved
 * ({@code data[2i]} = re, {@code data[2i+1]} = im), computed with JTransforms (multithreaded by JTransforms itself
 * above its size threshold; the thread count is JTransforms' global {@code ConcurrencyUtils} setting).
 * <p>
 * Conventions (numpy's): {@link #forward} is the unnormalised DFT F(k) = Σ ρ(r)·exp(−2πi k·r/N), {@link #inverse}
 * divides by N, so {@code inverse(forward(ρ)) = ρ} and Parseval reads Σ|F|² = N·Σ|ρ|². Neither shifts: zero
 * frequency stays at index 0. Any sizes work (JTransforms uses mixed radix / Bluestein for non powers of two).
 * <p>
 * Concurrency: a JTransforms plan is <b>not</b> thread-safe (a {@code FloatFFT_3D} call rewrites its own fields and
 * scratch buffer, whose size follows the thread count), and JTransforms reads its JVM-global thread count
 * ({@code ConcurrencyUtils}) while it transforms. So plans are cached per calling thread, and a transform with
 * {@code threads} runs only while no transform with a different count runs (same counts overlap freely): two
 * reconstructions in one JVM can neither corrupt nor resize each other's FFTs. The result does not depend on the
 * thread count (JTransforms splits whole lines between threads; each line is computed the same way).
 */
public final class Fft {

	private static final ThreadLocal<Map<Grid, Plan>> PLANS = ThreadLocal.withInitial(HashMap::new);

	/** Guards JTransforms' global thread count: {@link #active} transforms are running with {@link #gateThreads}. */
	private static final Object GATE = new Object();
	private static int gateThreads, active;
	/** Set while a transform with another thread count waits: newcomers then wait too, so it is not starved. */
	private static boolean drain;

	private Fft() {}

	/** Forward DFT of an interleaved complex array, in place, unnormalised. */
	public static void forward(final Grid grid, final float[] interleaved) {
		forward(grid, interleaved, ConcurrencyUtils.getNumberOfThreads());
	}

	/** Forward DFT with {@code threads} JTransforms threads, in place, unnormalised. */
	public static void forward(final Grid grid, final float[] interleaved, final int threads) {
		transform(grid, interleaved, true, threads);
	}

	/** Inverse DFT with {@code threads} JTransforms threads, in place, scaled by 1/N. */
	public static void inverse(final Grid grid, final float[] interleaved, final int threads) {
		transform(grid, interleaved, false, threads);
	}

	private static void transform(final Grid grid, final float[] a, final boolean forward, final int threads) {
		checkLength(grid, a);
		if (threads < 1) throw new IllegalArgumentException("FFT thread count must be >= 1, got " + threads);
		enter(threads);
		try {
			plan(grid).transform(a, forward);
		} finally {
			exit();
		}
	}

	private static void enter(final int threads) {
		synchronized (GATE) {
			while (active > 0 && (gateThreads != threads || drain)) {
				if (gateThreads != threads) drain = true;
				try {
					GATE.wait();
				} catch (final InterruptedException e) {
					Thread.currentThread().interrupt();
					throw new CancelledException();
				}
			}
			if (active == 0) {
				drain = false;
				gateThreads = threads;
				if (ConcurrencyUtils.getNumberOfThreads() != threads) ConcurrencyUtils.setNumberOfThreads(threads);
			}
			active++;
		}
	}

	private static void exit() {
		synchronized (GATE) {
			if (--active == 0) GATE.notifyAll();
		}
	}

	/** Inverse DFT of an interleaved complex array, in place, scaled by 1/N. */
	public static void inverse(final Grid grid, final float[] interleaved) {
		inverse(grid, interleaved, ConcurrencyUtils.getNumberOfThreads());
	}

	/** A forward-transformed copy of an interleaved array. */
	public static float[] forwardCopy(final Grid grid, final float[] interleaved) {
		final float[] a = interleaved.clone();
		forward(grid, a);
		return a;
	}

	/** An inverse-transformed (1/N-scaled) copy of an interleaved array. */
	public static float[] inverseCopy(final Grid grid, final float[] interleaved) {
		final float[] a = interleaved.clone();
		inverse(grid, a);
		return a;
	}

	/** A new volume holding FFT(ρ) (unshifted, unnormalised); the input is not modified. */
	public static ComplexVolume forward(final ComplexVolume rho) {
		final float[] f = rho.data.clone();
		forward(rho.grid, f);
		return new ComplexVolume(rho.grid, f);
	}

	/** A new volume holding IFFT(F) (scaled by 1/N); the input is not modified. */
	public static ComplexVolume inverse(final ComplexVolume f) {
		final float[] r = f.data.clone();
		inverse(f.grid, r);
		return new ComplexVolume(f.grid, r, f.voxelSize, f.unit);
	}

	/**
	 * The far-field intensity of an object as a detector sees it: I = |fftshift(FFT(ρ))|², zero frequency at index
	 * n/2 along each axis (numpy's fftshift), unnormalised DFT (so ΣI = N·Σ|ρ|²). Reciprocal-space voxels: unit
	 * "pixel". The input is not modified.
	 */
	public static RealVolume diffractionIntensity(final ComplexVolume rho) {
		final Grid g = rho.grid;
		final float[] f = rho.data.clone();
		forward(g, f);
		final float[] out = new float[g.size()];
		final int hz = g.nz / 2, hy = g.ny / 2, hx = g.nx / 2;
		for (int z = 0; z < g.nz; z++) {
			final int zo = (z + hz) % g.nz;
			for (int y = 0; y < g.ny; y++) {
				final int yo = (y + hy) % g.ny;
				final int in = (z * g.ny + y) * g.nx, o = (zo * g.ny + yo) * g.nx;
				for (int x = 0; x < g.nx; x++) {
					final float re = f[2 * (in + x)], im = f[2 * (in + x) + 1];
					out[o + (x + hx) % g.nx] = re * re + im * im;
				}
			}
		}
		return new RealVolume(g, out);
	}

	private static void checkLength(final Grid grid, final float[] a) {
		if (a.length != 2 * grid.size()) throw new IllegalArgumentException("interleaved complex array of length " + a.length + " does not match grid " + grid + " (expected " + 2L * grid.size() + ")");
	}

	private static Plan plan(final Grid g) { return PLANS.get().computeIfAbsent(g, Plan::new); }

	/** JTransforms plan for one grid: a 3D or 2D plan when every used axis is longer than 1, else per-axis 1D. */
	private static final class Plan {

		private final Grid g;
		private final FloatFFT_3D fft3;
		private final FloatFFT_2D fft2;
		private final FloatFFT_1D[] axes; // (z, y, x), null where the axis has length 1

		Plan(final Grid g) {
			this.g = g;
			if (g.nz > 1 && g.ny > 1 && g.nx > 1) { fft3 = new FloatFFT_3D(g.nz, g.ny, g.nx); fft2 = null; axes = null; }
			else if (g.nz == 1 && g.ny > 1 && g.nx > 1) { fft3 = null; fft2 = new FloatFFT_2D(g.ny, g.nx); axes = null; }
			else {
				fft3 = null; fft2 = null;
				final int[] n = g.zyx();
				axes = new FloatFFT_1D[3];
				for (int a = 0; a < 3; a++) axes[a] = n[a] > 1 ? new FloatFFT_1D(n[a]) : null;
			}
		}

		void transform(final float[] a, final boolean forward) {
			if (fft3 != null) { if (forward) fft3.complexForward(a); else fft3.complexInverse(a, true); }
			else if (fft2 != null) { if (forward) fft2.complexForward(a); else fft2.complexInverse(a, true); }
			else for (int axis = 0; axis < 3; axis++) if (axes[axis] != null) alongAxis(a, axis, forward);
		}

		/** Degenerate grids (an axis of length 1 but another one longer): 1D transforms along one axis. */
		private void alongAxis(final float[] a, final int axis, final boolean forward) {
			final int[] n = g.zyx();
			final int len = n[axis];
			final int stride = axis == 0 ? g.ny * g.nx : axis == 1 ? g.nx : 1;
			final float[] line = new float[2 * len];
			for (int base = 0; base < g.size(); base++) {
				// a line starts at every voxel whose coordinate along 'axis' is 0
				if ((base / stride) % len != 0) continue;
				for (int i = 0; i < len; i++) { line[2 * i] = a[2 * (base + i * stride)]; line[2 * i + 1] = a[2 * (base + i * stride) + 1]; }
				if (forward) axes[axis].complexForward(line); else axes[axis].complexInverse(line, true);
				for (int i = 0; i < len; i++) { a[2 * (base + i * stride)] = line[2 * i]; a[2 * (base + i * stride) + 1] = line[2 * i + 1]; }
			}
		}
	}
}
