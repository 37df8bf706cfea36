package sc.fiji.cdi.fiji;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

import org.scijava.prefs.PrefService;

import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Threads;

/**
 * The suite's user settings ({@code Edit > Options > CDI...}): compute device for the neural-network and DJL code,
 * worker threads, and the folder where the Deep Java Library (DJL) unpacks its native PyTorch libraries. Stored with
 * SciJava's {@link PrefService} (Fiji's preferences), read by commands and by the DJL start-up.
 * <p>
 * The DJL cache is never the working directory: an empty setting means {@code ${scijava.app.directory}/djl} inside
 * Fiji (the launcher sets that property to the Fiji.app folder), else {@code ~/.djl.ai} (DJL's own default); a set
 * folder must be absolute. The same default as {@code sc.fiji.cdi.djl.DjlRuntime}.
 *
 * @param device   where DJL computes: AUTO (GPU when one is usable), CPU or GPU
 * @param threads  worker threads for phasing and DJL; 0 = all cores
 * @param djlCache DJL's native cache folder, or null for the default above
 */
public record CdiSettings(Device device, int threads, Path djlCache) {

	public enum Device {
		AUTO, CPU, GPU;

		public static Device parse(final String s) {
			if (s == null || s.isBlank()) return AUTO;
			try {
				return valueOf(s.trim().toUpperCase(Locale.ROOT));
			} catch (final IllegalArgumentException e) {
				throw new CdiException("Device '" + s + "' is not known: expected auto, cpu or gpu.");
			}
		}
	}

	private static final String DEVICE = "device", THREADS = "threads", DJL_CACHE = "djl_cache";

	public CdiSettings {
		if (device == null) device = Device.AUTO;
		if (threads < 0) throw new CdiException("Threads must be 0 (all cores) or more, got " + threads + ".");
		if (djlCache != null && djlCache.toString().isBlank()) djlCache = null;
		if (djlCache != null && !djlCache.isAbsolute())
			throw new CdiException("DJL cache folder '" + djlCache + "' is relative: give an absolute folder (a relative one would land in whatever the working directory happens to be), or leave it empty for " + defaultDjlCache() + ".");
	}

	public static CdiSettings defaults() { return new CdiSettings(Device.AUTO, 0, null); }

	/** The stored settings, or the defaults when {@code prefs} is null (plain Java, tests) or nothing is stored. */
	public static CdiSettings load(final PrefService prefs) {
		if (prefs == null) return defaults();
		final String cache = prefs.get(CdiSettings.class, DJL_CACHE, "");
		try {
			return new CdiSettings(Device.parse(prefs.get(CdiSettings.class, DEVICE, "auto")), Math.max(0, prefs.getInt(CdiSettings.class, THREADS, 0)),
				cache.isBlank() ? null : Paths.get(cache));
		} catch (final CdiException e) {
			return defaults(); // a hand-edited or outdated preference must not break every command
		}
	}

	public void save(final PrefService prefs) {
		if (prefs == null) throw new CdiException("No preference service: the CDI options can only be saved inside a SciJava context (Fiji).");
		prefs.put(CdiSettings.class, DEVICE, device.name().toLowerCase(Locale.ROOT));
		prefs.put(CdiSettings.class, THREADS, threads);
		prefs.put(CdiSettings.class, DJL_CACHE, djlCache == null ? "" : djlCache.toString());
	}

	/**
	 * Threads to use: the setting, or all available cores when it is 0; never more than the cores
	 * ({@link Threads#resolve}: a stored value from another machine or a hand-edited preference is capped at use).
	 */
	public int effectiveThreads() { return Threads.resolve(threads); }

	/**
	 * Checks that {@code cache} (absolute) is a folder, creating it when it does not exist yet (DJL unpacks its
	 * natives there); a {@link CdiException} naming {@code djl_cache} when it is a file or cannot be created.
	 */
	public static void requireCacheFolder(final Path cache) {
		if (java.nio.file.Files.isDirectory(cache)) return;
		if (java.nio.file.Files.exists(cache))
			throw new CdiException("djl_cache '" + cache + "' is a file, not a folder: give a folder for DJL's native libraries, or leave it empty for " + defaultDjlCache() + ".");
		try {
			java.nio.file.Files.createDirectories(cache);
		} catch (final java.io.IOException | SecurityException e) {
			throw new CdiException("djl_cache '" + cache + "' is not a folder and cannot be created (" + why(e) + "): give a folder you can write to, or leave it empty for "
				+ defaultDjlCache() + ".");
		}
	}

	private static String why(final Exception e) {
		if (e instanceof java.nio.file.FileAlreadyExistsException f) return f.getFile() + " is a file";
		if (e instanceof java.nio.file.AccessDeniedException a) return "no permission to write " + a.getFile();
		if (e instanceof java.nio.file.NoSuchFileException n) return "no folder can be made there";
		return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
	}

	/** The DJL native cache folder in effect (absolute). */
	public Path effectiveDjlCache() { return djlCache != null ? djlCache : defaultDjlCache(); }

	/** {@code ${scijava.app.directory}/djl} when running in an app folder (Fiji), else {@code ~/.djl.ai}; absolute. */
	public static Path defaultDjlCache() {
		final String app = System.getProperty("scijava.app.directory");
		if (app != null && !app.isBlank()) return Paths.get(app, "djl").toAbsolutePath();
		return Paths.get(System.getProperty("user.home"), ".djl.ai").toAbsolutePath();
	}
}
