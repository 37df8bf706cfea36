package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.prefs.PrefService;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.fiji.CdiSettings;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Threads;

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
		assertEquals(0, main("--headless", "--run", "CDI...", "device=\"cpu\",threads=1,djl_cache=\"" + tmp + "\""));
		try (Context c = new Context(PrefService.class)) {
			assertEquals(new CdiSettings(CdiSettings.Device.CPU, 1, tmp), CdiSettings.load(prefs(c)));
		}
		assertEquals(0, main("--headless", "--run", "sc.fiji.cdi.commands.OptionsCommand", "threads=0"));
		try (Context c = new Context(PrefService.class)) {
			final CdiSettings s = CdiSettings.load(prefs(c));
			assertEquals(CdiSettings.Device.CPU, s.device(), "device kept");
			assertEquals(0, s.threads());
			assertEquals(tmp, s.effectiveDjlCache(), "cache kept");
		}
	}

	@Test
	void keysNotGivenKeepTheirStoredValues(@TempDir final Path tmp) {
		assertEquals(0, main("--headless", "--run", "CDI...", "device=\"cpu\",threads=1,djl_cache=\"" + tmp + "\""));
		// only device=: threads was reset to 0 (scijava-common filled the missing number with its minimum)
		assertEquals(0, main("--headless", "--run", "CDI...", "device=\"auto\""));
		assertStored(new CdiSettings(CdiSettings.Device.AUTO, 1, tmp));
		final Path other = tmp.resolve("other");
		assertEquals(0, main("--headless", "--run", "CDI...", "djl_cache=\"" + other + "\""));
		assertStored(new CdiSettings(CdiSettings.Device.AUTO, 1, other));
		assertTrue(Files.isDirectory(other), "a cache folder that does not exist yet is created");
	}

	@Test
	void aCacheThatIsNoFolderIsRefusedNamingTheKey(@TempDir final Path tmp) throws Exception {
		assertEquals(0, main("--headless", "--run", "CDI...", "device=\"cpu\",threads=1,djl_cache=\"" + tmp + "\""));
		final Path file = Files.writeString(tmp.resolve("good.npy"), "x");
		for (final Path bad : new Path[] { file, file.resolve("sub"), Path.of("/proc/cdi-no-such-folder") }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "CDI...", "djl_cache=\"" + bad + "\"");
			assertEquals(1, r.code, bad + ": " + r.err);
			assertTrue(r.err.contains("djl_cache '" + bad + "'") && r.err.contains("folder"), r.err);
			assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
		}
		assertStored(new CdiSettings(CdiSettings.Device.CPU, 1, tmp));
	}

	@Test
	void threadsAboveTheProcessorsAreStoredAsGivenAndCappedWhenUsed() {
		final PrintStream old = System.out;
		final ByteArrayOutputStream log = new ByteArrayOutputStream();
		System.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
		final HeadlessRun r;
		try { r = HeadlessRun.of("--headless", "--run", "CDI...", "threads=100000"); } finally { System.setOut(old); }
		assertEquals(0, r.code, r.err);
		final String said = log.toString(StandardCharsets.UTF_8) + r.out + r.err; // HeadlessRun keeps stdout in r.out
		assertTrue(said.contains("threads=100000 is more than the " + Threads.max() + " available processors"), said);
		try (Context c = new Context(PrefService.class)) {
			// preferences may be shared by machines of other sizes: the request is kept, each machine caps it
			assertEquals(100000, CdiSettings.load(prefs(c)).threads());
			assertEquals(Threads.max(), CdiSettings.load(prefs(c)).effectiveThreads());
		}
	}

	/**
	 * A stored count above the processors (hand-edited, or stored by an older version) is capped wherever it is used:
	 * the PyTorch thread setting made at start-up (100 000 there hung Reconstruct's backend probe creating threads)
	 * and the report of a Reconstruct with its default threads=0.
	 */
	@Test
	void aStoredOversizedThreadCountIsCappedWhereverItIsUsed(@TempDir final Path tmp) throws Exception {
		try (Context c = new Context(PrefService.class)) {
			new CdiSettings(CdiSettings.Device.CPU, 100000, null).save(prefs(c));
		}
		final String intra = System.getProperty("ai.djl.pytorch.num_threads");
		try {
			System.clearProperty("ai.djl.pytorch.num_threads");
			try (Context c = new Context()) {
				assertEquals(Integer.toString(Threads.max()), System.getProperty("ai.djl.pytorch.num_threads"));
				assertEquals(Threads.max(), CdiSettings.load(prefs(c)).effectiveThreads());
			}
		} finally {
			if (intra == null) System.clearProperty("ai.djl.pytorch.num_threads"); else System.setProperty("ai.djl.pytorch.num_threads", intra);
		}
		final Path in = tmp.resolve("p3.tif"), out = tmp.resolve("o");
		TiffWriter.write(in, CrystalSimulator.simulate(Grid.cube(16), SimulationParameters.defaults(), 5).diffraction().values);
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + in + "\",recipe=\"5*ER\",random_starts=1,backend=\"jtransforms\",output_dir=\"" + out + "\"");
		assertEquals(0, r.code, r.err);
		final JsonObject rep = JsonParser.parseString(Files.readString(out.resolve("p3_report.json"))).getAsJsonObject();
		assertEquals(Threads.max(), rep.get("threads").getAsInt(), "the count used");
	}

	private static void assertStored(final CdiSettings expected) {
		try (Context c = new Context(PrefService.class)) {
			assertEquals(expected, CdiSettings.load(prefs(c)));
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
