package sc.fiji.cdi.phasing.fftw;

import static org.bytedeco.fftw.global.fftw3.*;

import java.util.HashMap;
import java.util.Map;

import org.bytedeco.fftw.global.fftw3;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/**
 * Single-precision FFTW 3.3.10 through the JavaCPP presets ({@code org.bytedeco:fftw}): loading of the natives,
 * and a process-wide cache of complex-to-complex plans. FFTW's planner is not thread-safe and
 * {@code fftwf_plan_with_nthreads} is global state, so every planner call goes through one lock; executing a plan
 * ({@code fftwf_execute_dft}) is thread-safe and needs no lock.
 */
public final class Fftw {

	/**
	 * How hard FFTW's planner searches. ESTIMATE plans instantly; MEASURE times candidate algorithms (seconds at
	 * 256³, once per size and thread count per process) and is what the C reference uses.
	 */
	public enum Rigour {
		ESTIMATE, MEASURE;

		int flag() { return this == ESTIMATE ? FFTW_ESTIMATE : FFTW_MEASURE; }
	}

	/** A forward and a backward plan for one grid: forward out-of-place (ρ → F), backward in place. */
	public record Plans(fftw3.fftwf_plan forward, fftw3.fftwf_plan backward) {}

	private record Key(Grid grid, int threads, Rigour rigour) {}

	private static final Object PLANNER = new Object();
	private static final Map<Key, Plans> CACHE = new HashMap<>();
	private static volatile Throwable loadError;
	private static volatile boolean loaded;

	private Fftw() {}

	/** Loads the natives once; returns null when they are usable, else the reason they are not. */
	public static Throwable loadError() {
		if (loaded) return null;
		synchronized (PLANNER) {
			if (loaded) return null;
			if (loadError != null) return loadError;
			try {
				Loader.load(fftw3.class);
				if (fftwf_init_threads() == 0) throw new IllegalStateException("fftwf_init_threads() failed");
				loaded = true;
				return null;
			}
			catch (final Throwable t) {
				loadError = t;
				return t;
			}
		}
	}

	/** True when the FFTW natives for this platform load. */
	public static boolean available() { return loadError() == null; }

	/** Throws a CdiException explaining why FFTW cannot be used. */
	public static void require() {
		final Throwable t = loadError();
		if (t != null) throw new CdiException("The FFTW phasing backend cannot load its native library for " + Loader.getPlatform() +
			" (" + t + "). Expected the org.bytedeco:fftw jar with the classifier of this platform on the class path; choose backend 'jtransforms' instead.");
	}

	/**
	 * Plans for {@code grid} with {@code threads} FFTW threads, created on first use. {@code in} and {@code out}
	 * (each 2·grid.size() floats from {@link #allocComplex}) are overwritten when a MEASURE plan is created, so call
	 * this before filling them. Executing the plans on other arrays from {@link #allocComplex} is allowed because
	 * fftwf_malloc gives every array the same SIMD alignment.
	 */
	public static Plans plans(final Grid grid, final int threads, final Rigour rigour, final FloatPointer in, final FloatPointer out) {
		require();
		synchronized (PLANNER) {
			return CACHE.computeIfAbsent(new Key(grid, threads, rigour), k -> {
				fftwf_plan_with_nthreads(threads);
				final fftw3.fftwf_plan fwd, bwd;
				if (grid.is2D()) {
					fwd = fftwf_plan_dft_2d(grid.ny, grid.nx, in, out, FFTW_FORWARD, rigour.flag());
					bwd = fftwf_plan_dft_2d(grid.ny, grid.nx, out, out, FFTW_BACKWARD, rigour.flag());
				}
				else {
					fwd = fftwf_plan_dft_3d(grid.nz, grid.ny, grid.nx, in, out, FFTW_FORWARD, rigour.flag());
					bwd = fftwf_plan_dft_3d(grid.nz, grid.ny, grid.nx, out, out, FFTW_BACKWARD, rigour.flag());
				}
				if (fwd == null || fwd.isNull() || bwd == null || bwd.isNull()) throw new CdiException("FFTW could not create a plan for a " + grid + " grid with " + threads + " threads.");
				return new Plans(fwd, bwd);
			});
		}
	}

	/** 2·n floats of FFTW-aligned native memory; free with {@link #free}. */
	public static FloatPointer allocComplex(final long n) {
		require();
		final FloatPointer p = fftwf_alloc_complex(n);
		if (p == null || p.isNull()) throw new CdiException("Out of native memory: could not allocate " + (8 * n >> 20) + " MiB for an FFTW buffer.");
		p.capacity(2 * n);
		return p;
	}

	public static void free(final FloatPointer p) {
		if (p != null && !p.isNull()) fftwf_free(p);
	}
}
