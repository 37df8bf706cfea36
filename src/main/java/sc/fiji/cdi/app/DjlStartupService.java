package sc.fiji.cdi.app;

import java.util.Map;

import org.scijava.Priority;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.prefs.PrefService;
import org.scijava.service.AbstractService;
import org.scijava.service.SciJavaService;
import org.scijava.service.Service;

/**
 * Runs when Fiji (any SciJava context) starts, before any Deep Java Library class is loaded: puts DJL into offline
 * mode (it must never download engines or models on a user's or an air-gapped cluster's machine), opts out of its
 * usage tracking, and points its native cache to the folder of {@link CdiSettings} — never the working directory.
 * Environment variables the user set ({@code DJL_CACHE_DIR}, {@code ENGINE_CACHE_DIR}) still win, as in DJL.
 * <p>
 * TODO(lead, after merging branch nn): replace the property block by
 * {@code sc.fiji.cdi.djl.DjlRuntime.init(settings.effectiveDjlCache())} and
 * {@code DjlRuntime.setThreads(settings.effectiveThreads(), 1)} so that there is one place that configures DJL.
 */
@Plugin(type = Service.class, priority = Priority.LOW)
public class DjlStartupService extends AbstractService implements SciJavaService {

	@Parameter(required = false)
	private PrefService prefs;

	@Override
	public void initialize() {
		apply(CdiSettings.load(prefs), System.getenv());
	}

	/** Sets DJL's system properties from {@code settings}; {@code env} decides whether the user overrode the cache. */
	static void apply(final CdiSettings settings, final Map<String, String> env) {
		System.setProperty("offline", "true");
		System.setProperty("ai.djl.offline", "true");
		System.setProperty("OPT_OUT_TRACKING", "true");
		final String cache = settings.effectiveDjlCache().toString();
		if (env.get("DJL_CACHE_DIR") == null) System.setProperty("DJL_CACHE_DIR", cache);
		if (env.get("ENGINE_CACHE_DIR") == null) System.setProperty("ENGINE_CACHE_DIR", cache);
		if (System.getProperty("ai.djl.pytorch.num_threads") == null)
			System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.effectiveThreads()));
	}
}
