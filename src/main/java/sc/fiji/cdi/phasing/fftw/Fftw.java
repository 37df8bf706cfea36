package sc.fiji.cdi.phasing.fftw;

import static org.bytedeco.fftw.global.fftw3.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
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
 * <p>
 * MEASURE plans take FFTW seconds to find at 256³ (they time candidate algorithms), so the planner's findings
 * ("wisdom") are saved to {@link #wisdomFile()} and reloaded by the next process: the cost is paid once per machine,
 * size and thread count. The planner is also capped at {@link #PLANNER_TIME_LIMIT_S} seconds per plan.
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

	/** A forward and a backward complex plan for one grid: forward out of place (ρ → F), backward in place. */
	public record Plans(fftw3.fftwf_plan forward, fftw3.fftwf_plan backward) {}

	private record Key(Grid grid, int threads, Rigour rigour) {}

	/** Upper bound of FFTW's search for one MEASURE plan (fftwf_set_timelimit), seconds. */
	public static final double PLANNER_TIME_LIMIT_S = 20;

	private static final Object PLANNER = new Object();
	private static boolean wisdomLoaded;
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
			" (" + t + "). " + sc.fiji.cdi.util.NativePlatform.current().fftwHelp());
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
				if (rigour == Rigour.MEASURE) loadWisdom();
				fftwf_plan_with_nthreads(threads);
				fftwf_set_timelimit(PLANNER_TIME_LIMIT_S);
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
				if (rigour == Rigour.MEASURE) saveWisdom();
				return new Plans(fwd, bwd);
			});
		}
	}

	/**
	 * Where FFTW's wisdom is kept: the system property {@code cdi.fftw.wisdom} if set (empty = do not keep any), else
	 * {@code ${scijava.app.directory}/cache/fftwf-wisdom.txt} inside Fiji, else {@code ~/.cache/cdi-fiji/fftwf-wisdom.txt}.
	 */
	public static Path wisdomFile() {
		final String explicit = System.getProperty("cdi.fftw.wisdom");
		if (explicit != null) return explicit.isBlank() ? null : Paths.get(explicit);
		final String app = System.getProperty("scijava.app.directory");
		if (app != null && !app.isBlank()) return Paths.get(app, "cache", "fftwf-wisdom.txt");
		return Paths.get(System.getProperty("user.home"), ".cache", "cdi-fiji", "fftwf-wisdom.txt");
	}

	/** Imports saved wisdom once per process (a missing or unreadable file only means slower planning). */
	private static void loadWisdom() {
		if (wisdomLoaded) return;
		wisdomLoaded = true;
		final Path f = wisdomFile();
		if (f != null && Files.isReadable(f)) fftwf_import_wisdom_from_filename(f.toString());
	}

	/** Exports all wisdom, written to a temporary file then moved into place (never a half-written file). */
	private static void saveWisdom() {
		final Path f = wisdomFile();
		if (f == null) return;
		try {
			Files.createDirectories(f.toAbsolutePath().getParent());
			final Path tmp = Files.createTempFile(f.toAbsolutePath().getParent(), "fftwf-wisdom", ".tmp");
			if (fftwf_export_wisdom_to_filename(tmp.toString()) != 0) Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			else Files.deleteIfExists(tmp);
		}
		catch (final IOException | UnsupportedOperationException e) {
			// wisdom is a cache: failing to keep it costs planning time next run, nothing else
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
