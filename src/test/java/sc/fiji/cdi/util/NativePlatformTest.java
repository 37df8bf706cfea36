package sc.fiji.cdi.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Java's os.name/os.arch → Fiji's jars/ folder (imagej-updater Platforms) and what Maven Central has there. */
class NativePlatformTest {

	@Test
	void javaPropertiesMapToFijiFolders() {
		assertEquals("linux64", NativePlatform.of("Linux", "amd64").fijiFolder);
		assertEquals("linux-arm64", NativePlatform.of("Linux", "aarch64").fijiFolder);
		assertEquals("macos64", NativePlatform.of("Mac OS X", "x86_64").fijiFolder);
		assertEquals("macos-arm64", NativePlatform.of("Mac OS X", "aarch64").fijiFolder);
		assertEquals("win64", NativePlatform.of("Windows 11", "amd64").fijiFolder);
		assertEquals("win-arm64", NativePlatform.of("Windows 11", "aarch64").fijiFolder);
		assertEquals(NativePlatform.OTHER, NativePlatform.of("SunOS", "sparcv9"));
	}

	@Test
	void helpNamesTheJarAndFolderOrSaysThereIsNone() {
		final String linux = NativePlatform.LINUX64.pytorchHelp();
		assertTrue(linux.contains("pytorch-native-cpu:2.7.1:linux-x86_64") && linux.contains("Fiji.app/jars/linux64/") && linux.contains("Help > Update"), linux);
		assertNull(NativePlatform.MACOS64.pytorchClassifier);
		assertTrue(NativePlatform.MACOS64.pytorchHelp().contains("mode=phasing"), NativePlatform.MACOS64.pytorchHelp());
		assertTrue(NativePlatform.MACOS_ARM64.fftwHelp().contains("backend=jtransforms"));
		assertTrue(NativePlatform.WIN64.fftwHelp().contains("fftw:3.3.10-1.5.10:windows-x86_64") && NativePlatform.WIN64.fftwHelp().contains("jars/win64/"));
	}
}
