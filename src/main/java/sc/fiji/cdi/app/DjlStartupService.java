package sc.fiji.cdi.app;

import java.util.Map;

import org.scijava.Priority;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.prefs.PrefService;
import org.scijava.service.AbstractService;
import org.scijava.service.SciJavaService;
import org.scijava.service.Service;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.fiji.CdiSettings;

/**
 * Runs when Fiji (any SciJava context) starts, before any Deep Java Library class is loaded: puts DJL into offline
 * mode (it must never download engines or models on a user's or an air-gapped cluster's machine), opts out of its
 * usage tracking, and points its native cache to the folder of {@link CdiSettings} — never the working directory.
 * Environment variables the user set ({@code DJL_CACHE_DIR}, {@code ENGINE_CACHE_DIR}) still win, as in DJL.
 */
@Plugin(type = Service.class, priority = Priority.LOW)
public class DjlStartupService extends AbstractService implements SciJavaService {

	@Parameter(required = false)
	private PrefService prefs;

	@Override
	public void initialize() {
		try {
			apply(CdiSettings.load(prefs), System.getenv());
		} catch (final LinkageError e) {
			// DJL jars not installed: the NN commands will say so when used; the rest of the suite works without them
		}
	}

	/**
	 * Configures DJL through {@link DjlRuntime} (offline, no tracking, cache folder, PyTorch threads) from
	 * {@code settings}; a {@code DJL_CACHE_DIR} / {@code ENGINE_CACHE_DIR} the user set in {@code env} still wins.
	 */
	static void apply(final CdiSettings settings, final Map<String, String> env) {
		final boolean userCache = env.get("DJL_CACHE_DIR") != null || env.get("ENGINE_CACHE_DIR") != null;
		DjlRuntime.init(userCache ? null : settings.effectiveDjlCache());
		if (userCache) { // DJL reads the environment first; keep the properties out of its way
			if (env.get("DJL_CACHE_DIR") != null) System.setProperty("DJL_CACHE_DIR", env.get("DJL_CACHE_DIR"));
			if (env.get("ENGINE_CACHE_DIR") != null) System.setProperty("ENGINE_CACHE_DIR", env.get("ENGINE_CACHE_DIR"));
		}
		if (System.getProperty("ai.djl.pytorch.num_threads") == null) DjlRuntime.setThreads(settings.effectiveThreads(), 1);
	}
}
