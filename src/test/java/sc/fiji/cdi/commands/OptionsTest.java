package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.prefs.PrefService;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.fiji.CdiSettings;
import sc.fiji.cdi.util.CdiException;

/** Edit › Options › CDI...: stored in SciJava's preferences, partial updates from macros, DJL start-up properties. */
class OptionsTest {

	private Map<String, String> saved;

	private static PrefService prefs(final Context c) { return c.service(PrefService.class); }

	@BeforeEach
	void save() {
		try (Context c = new Context(PrefService.class)) { saved = prefs(c).getMap(CdiSettings.class); }
	}

	@AfterEach
	void restore() {
		try (Context c = new Context(PrefService.class)) {
			prefs(c).clear(CdiSettings.class);
			if (saved != null && !saved.isEmpty()) prefs(c).putMap(CdiSettings.class, saved);
		}
	}

	private static int main(final String... args) {
		final PrintStream old = System.err;
		System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
		try { return Main.run(args); } finally { System.setErr(old); }
	}

	@Test
	void optionsAreStoredAndAMacroChangesOnlyWhatItNames(@TempDir final Path tmp) {
		assertEquals(0, main("--headless", "--run", "CDI...", "device=\"cpu\",threads=3,djl_cache=\"" + tmp + "\""));
		try (Context c = new Context(PrefService.class)) {
			assertEquals(new CdiSettings(CdiSettings.Device.CPU, 3, tmp), CdiSettings.load(prefs(c)));
		}
		assertEquals(0, main("--headless", "--run", "sc.fiji.cdi.commands.OptionsCommand", "threads=5"));
		try (Context c = new Context(PrefService.class)) {
			final CdiSettings s = CdiSettings.load(prefs(c));
			assertEquals(CdiSettings.Device.CPU, s.device(), "device kept");
			assertEquals(5, s.threads());
			assertEquals(tmp, s.effectiveDjlCache(), "cache kept");
		}
	}

	@Test
	void aRelativeCacheFolderIsRefused() {
		assertEquals(1, main("--headless", "--run", "CDI", "djl_cache=\"djl\""));
		final CdiException e = assertThrows(CdiException.class, () -> new CdiSettings(CdiSettings.Device.AUTO, 0, Path.of("cache")));
		assertTrue(e.getMessage().contains("relative"), e.getMessage());
		assertThrows(CdiException.class, () -> CdiSettings.Device.parse("tpu"));
	}

	@Test
	void theDjlCacheIsNeverTheWorkingDirectory() {
		final String before = System.getProperty("scijava.app.directory");
		try {
			System.setProperty("scijava.app.directory", "/opt/Fiji.app");
			assertEquals(Path.of("/opt/Fiji.app/djl"), CdiSettings.defaults().effectiveDjlCache());
			System.clearProperty("scijava.app.directory");
			assertEquals(Path.of(System.getProperty("user.home"), ".djl.ai"), CdiSettings.defaults().effectiveDjlCache());
		} finally {
			if (before == null) System.clearProperty("scijava.app.directory"); else System.setProperty("scijava.app.directory", before);
		}
	}

	@Test
	void aSciJavaContextPutsDjlOfflineWithoutTracking(@TempDir final Path tmp) {
		try (Context c = new Context(PrefService.class)) {
			new CdiSettings(CdiSettings.Device.CPU, 2, tmp).save(prefs(c));
		}
		try (Context c = new Context()) { // all services, as Fiji starts
			assertEquals("true", System.getProperty("offline"));
			assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
			if (System.getenv("DJL_CACHE_DIR") == null) assertEquals(tmp.toString(), System.getProperty("DJL_CACHE_DIR"));
			if (System.getenv("ENGINE_CACHE_DIR") == null) assertEquals(tmp.toString(), System.getProperty("ENGINE_CACHE_DIR"));
		}
	}
}
