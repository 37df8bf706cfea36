package sc.fiji.cdi.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The suite's version, as Maven built it; written into every report and model card. */
public final class Version {

	private static final String VERSION = load();

	private Version() {}

	public static String get() { return VERSION; }

	private static String load() {
		try (InputStream in = Version.class.getResourceAsStream("/sc/fiji/cdi/version.properties")) {
			if (in == null) return "unknown";
			final Properties p = new Properties();
			p.load(in);
			return p.getProperty("version", "unknown");
		} catch (final IOException e) {
			return "unknown";
		}
	}
}
