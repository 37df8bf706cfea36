package sc.fiji.cdi.djl;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

import ai.djl.Device;
import ai.djl.engine.Engine;
import sc.fiji.cdi.util.CdiException;

/**
 * One place that prepares the Deep Java Library (DJL) runtime for this plugin: offline mode, no usage tracking,
 * the folder where the PyTorch natives are unpacked, thread counts, and the device (CPU/GPU).
 * <p>
 * The natives come from the {@code ai.djl.pytorch:pytorch-native-cpu} jar on the class path (DJL 0.35.1, PyTorch
 * 2.7.1); DJL unpacks them once into its cache folder. That folder is the one given to {@link #init(Path)}, else
 * {@code ${scijava.app.directory}/djl} inside Fiji, else {@code ~/.djl.ai} — never the working directory
 * (JDLL's engine installer once wrote into {@code C:\windows\system32} that way). An explicit
 * {@code DJL_CACHE_DIR} / {@code ENGINE_CACHE_DIR} environment variable still wins, as DJL reads the environment
 * first.
 */
public final class DjlRuntime {

	/** DJL's name of the PyTorch engine. */
	public static final String PYTORCH = "PyTorch";

	private static boolean initialised;
	private static Path cacheDir;

	private DjlRuntime() {}

	/**
	 * Sets offline mode, opts out of tracking and fixes the native cache folder. Must run before the first DJL call
	 * (later calls only re-apply offline mode; the cache folder of an already loaded engine cannot change).
	 *
	 * @param cache folder for DJL's natives and caches, or {@code null} for the default described above
	 */
	public static synchronized void init(final Path cache) {
		// offline: never download natives or models (tests, air-gapped clusters)
		System.setProperty("offline", "true");
		System.setProperty("ai.djl.offline", "true");
		System.setProperty("OPT_OUT_TRACKING", "true");
		if (initialised && cache == null) return;
		final Path dir = resolveCacheDir(cache);
		if (!initialised || !dir.equals(cacheDir)) {
			System.setProperty("DJL_CACHE_DIR", dir.toString());
			System.setProperty("ENGINE_CACHE_DIR", dir.toString());
			cacheDir = dir;
		}
		initialised = true;
	}

	/** The cache folder in effect (after {@link #init}). */
	public static synchronized Path cacheDir() {
		if (!initialised) init(null);
		return cacheDir;
	}

	/** The given folder, else {@link #defaultCacheDir()}; always absolute. */
	static Path resolveCacheDir(final Path cache) {
		return (cache != null ? cache : defaultCacheDir()).toAbsolutePath();
	}

	/** {@code ${scijava.app.directory}/djl} when running inside Fiji, else {@code ~/.djl.ai}. */
	static Path defaultCacheDir() {
		final String app = System.getProperty("scijava.app.directory");
		if (app != null && !app.isBlank()) return Paths.get(app, "djl");
		return Paths.get(System.getProperty("user.home"), ".djl.ai");
	}

	/**
	 * Thread counts of PyTorch's CPU pools. Intra-op threads can change at any time; inter-op threads only before the
	 * engine first runs. Use the cores actually free: PyTorch's OpenMP pool slows down 20–30× when oversubscribed.
	 */
	public static synchronized void setThreads(final int intraOp, final int interOp) {
		if (intraOp < 1 || interOp < 1) throw new CdiException("Thread counts must be at least 1, got intra-op " + intraOp + " and inter-op " + interOp + ".");
		// capped at the processors: PyTorch's OpenMP pool creates every thread it is given (100 000 hung the JVM)
		final int intra = sc.fiji.cdi.util.Threads.resolve(intraOp), inter = sc.fiji.cdi.util.Threads.resolve(interOp);
		System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intra));
		System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(inter));
		if (engineLoaded) {
			try {
				ai.djl.pytorch.jni.JniUtils.setNumThreads(intra);
			} catch (final RuntimeException | LinkageError e) {
				// the property applies from the next engine start; nothing else to do
			}
		}
	}

	private static volatile boolean engineLoaded;

	/**
	 * The PyTorch engine, loaded on first use. Any failure to load the native library becomes one
	 * {@link CdiException} that says what to install, instead of a stack trace.
	 */
	public static synchronized Engine engine() {
		if (!initialised) init(null);
		if (System.getProperty("ai.djl.pytorch.num_threads") == null)
			setThreads(sc.fiji.cdi.util.Threads.max(), 1);
		try {
			final Engine e = Engine.getEngine(PYTORCH);
			if (e == null) throw new IllegalStateException("DJL returned no PyTorch engine");
			engineLoaded = true;
			return e;
		} catch (final CdiException e) {
			throw e;
		} catch (final Throwable t) { // UnsatisfiedLinkError, EngineException, ExceptionInInitializerError, …
			throw new CdiException(nativeHelp(t), t);
		}
	}

	static String nativeHelp(final Throwable t) {
		Throwable root = t;
		while (root.getCause() != null && root.getCause() != root) root = root.getCause();
		return "The PyTorch engine for the neural networks could not be loaded (" + root.getClass().getSimpleName() + ": " + root.getMessage() + "). "
			+ sc.fiji.cdi.util.NativePlatform.current().pytorchHelp() + " The natives are unpacked into " + cacheDir
			+ ", which must be writable (choose another folder in Edit > Options > CDI otherwise).";
	}

	/**
	 * The device for a user choice: "auto" (the first GPU when DJL's PyTorch sees one, else the CPU), "cpu", or
	 * "gpu" (an error when there is none). "gpu:N" picks GPU N.
	 */
	public static Device device(final String choice) {
		final String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
		final Engine e = engine();
		switch (c) {
			case "", "auto":
				return e.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
			case "cpu":
				return Device.cpu();
			default:
				if (c.equals("gpu") || c.startsWith("gpu:") || c.startsWith("cuda")) {
					int id = 0;
					final int colon = c.indexOf(':');
					if (colon >= 0) {
						try {
							id = Integer.parseInt(c.substring(colon + 1));
						} catch (final NumberFormatException x) {
							throw new CdiException("Device '" + choice + "' is not understood: expected auto, cpu, gpu or gpu:N.");
						}
					}
					final int n = e.getGpuCount();
					if (n == 0) throw new CdiException("Device 'gpu' was requested but the PyTorch engine sees no GPU (it runs with the CPU natives "
						+ "from pytorch-native-cpu). Choose 'cpu' or 'auto', or install DJL's CUDA natives (pytorch-native-cu128 via PYTORCH_LIBRARY_PATH).");
					if (id < 0 || id >= n) throw new CdiException("Device '" + choice + "' does not exist: the PyTorch engine sees " + n + " GPU(s), numbered 0 to " + (n - 1) + ".");
					return Device.gpu(id);
				}
				throw new CdiException("Device '" + choice + "' is not understood: expected auto, cpu, gpu or gpu:N.");
		}
	}
}
