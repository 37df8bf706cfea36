package sc.fiji.cdi.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.util.Utils;
import sc.fiji.cdi.util.CdiException;

class DjlRuntimeTest {

	@Test
	void cacheFolderIsGivenFolderElseFijiElseHomeNeverWorkingDirectory() {
		final Path given = Paths.get("/tmp/some/djl-cache");
		assertEquals(given, DjlRuntime.resolveCacheDir(given));
		final String old = System.getProperty("scijava.app.directory");
		try {
			System.setProperty("scijava.app.directory", "/opt/Fiji.app");
			assertEquals(Paths.get("/opt/Fiji.app/djl"), DjlRuntime.resolveCacheDir(null));
			System.clearProperty("scijava.app.directory");
			assertEquals(Paths.get(System.getProperty("user.home"), ".djl.ai"), DjlRuntime.resolveCacheDir(null));
			assertTrue(DjlRuntime.resolveCacheDir(Paths.get("relative")).isAbsolute());
		} finally {
			if (old != null) System.setProperty("scijava.app.directory", old);
		}
	}

	@Test
	void initSetsOfflineModeAndCacheFolder() {
		DjlRuntime.init(null);
		assertTrue(Utils.isOfflineMode());
		assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
		final Path cache = DjlRuntime.cacheDir();
		assertTrue(cache.isAbsolute());
		assertTrue(!cache.equals(Paths.get("").toAbsolutePath()), "cache must not be the working directory");
	}

	@Test
	void engineLoadsOfflineAndComputesOnCpu() {
		DjlRuntime.init(null);
		assertEquals("PyTorch", DjlRuntime.engine().getEngineName());
		assertEquals(Device.cpu(), DjlRuntime.device("cpu"));
		final Device auto = DjlRuntime.device("auto");
		assertEquals(DjlRuntime.engine().getGpuCount() > 0 ? Device.gpu() : Device.cpu(), auto);
		try (NDManager m = DjlRuntime.engine().newBaseManager(Device.cpu())) {
			final NDArray a = m.create(new float[] { 1, 2, 3 });
			assertEquals(14f, a.mul(a).sum().getFloat(), 1e-6f);
		}
	}

	@Test
	void unknownOrMissingDeviceGivesClearError() {
		DjlRuntime.init(null);
		final CdiException e = assertThrows(CdiException.class, () -> DjlRuntime.device("tpu"));
		assertTrue(e.getMessage().contains("auto, cpu, gpu"), e.getMessage());
		if (DjlRuntime.engine().getGpuCount() == 0) {
			final CdiException g = assertThrows(CdiException.class, () -> DjlRuntime.device("gpu"));
			assertTrue(g.getMessage().contains("no GPU"), g.getMessage());
		}
		assertThrows(CdiException.class, () -> DjlRuntime.setThreads(0, 1));
	}

	@Test
	void nativeLoadingFailureNamesWhatToInstall() {
		final String msg = DjlRuntime.nativeHelp(new RuntimeException("wrapper", new UnsatisfiedLinkError("libtorch.so: cannot open")));
		assertTrue(msg.contains("pytorch-native-cpu"), msg);
		assertTrue(msg.contains("PYTORCH_LIBRARY_PATH"), msg);
		assertTrue(msg.contains("UnsatisfiedLinkError"), msg);
	}
}
