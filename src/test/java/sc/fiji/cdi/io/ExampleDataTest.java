package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.testutil.SharedData;

/**
 * The 3D-CDI-NN example crop (hyiprc/3D-CDI-NN, example_run). Skipped when the shared data folder is absent.
 * Measured here: the .npy is the amplitude normalised to max 1; the .tif holds the unnormalised intensity
 * (max ≈ 6.38e6) with the axes in the opposite order (x, y, z), so √(tif/max) transposed equals the .npy.
 */
class ExampleDataTest {

	private static final Path DIR = SharedData.dir() == null ? Path.of("absent") : SharedData.dir().resolve("data/3d-cdi-nn-example");

	@Test
	void npyAndTiffDescribeTheSamePattern() throws IOException {
		final Path npy = DIR.resolve("ft_crop_64.npy"), tif = DIR.resolve("ft_crop_64.tif");
		assumeTrue(Files.exists(npy) && Files.exists(tif));
		final String npySum = Fixtures.sha256(npy), tifSum = Fixtures.sha256(tif);
		final Diffraction a = DiffractionReader.read(npy, ImportOptions.defaults().withQuantity(Quantity.AMPLITUDE));
		final Diffraction i = DiffractionReader.read(tif, ImportOptions.defaults());
		assertEquals(Grid.cube(64), a.grid());
		assertEquals(Grid.cube(64), i.grid());
		assertEquals(1.0, a.values.max(), 0);
		final double imax = i.values.max();
		assertEquals(6.377e6, imax, 1e3);
		double worst = 0;
		for (int z = 0; z < 64; z++) for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++)
			worst = Math.max(worst, Math.abs(a.values.get(z, y, x) - Math.sqrt(i.values.get(x, y, z) / imax)));
		assertEquals(0, worst, 1e-6);
		assertEquals(npySum, Fixtures.sha256(npy));
		assertEquals(tifSum, Fixtures.sha256(tif));
	}
}
