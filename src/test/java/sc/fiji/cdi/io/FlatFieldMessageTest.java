package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.util.CdiException;

/** A flat field without counts is named (file and key), and NaN pixels are said to be NaN rather than shown as 0. */
class FlatFieldMessageTest {

	@Test
	void aFlatFieldWithoutCountsIsNamed(@TempDir final Path tmp) {
		final float[] counts = new float[64];
		for (int i = 0; i < counts.length; i++) counts[i] = 1 + i % 7;
		final Path data = Fixtures.floatTiff(tmp.resolve("data.tif"), 8, 8, counts);
		final float[] nan = new float[64];
		java.util.Arrays.fill(nan, Float.NaN);
		final Path white = Fixtures.floatTiff(tmp.resolve("white_nan.tif"), 8, 8, nan);
		final CdiException e = assertThrows(CdiException.class,
			() -> DiffractionReader.read(data, new ImportOptions(Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, white, null)));
		assertTrue(e.getMessage().contains("white_nan.tif") && e.getMessage().contains("white_field") && e.getMessage().contains("64 of them NaN or infinite"), e.getMessage());
	}

	@Test
	void aFlatFieldWithAnAbsurdPixelIsRefused(@TempDir final Path tmp) {
		final float[] counts = new float[64];
		for (int i = 0; i < counts.length; i++) counts[i] = 1 + i % 7;
		final Path data = Fixtures.floatTiff(tmp.resolve("data.tif"), 8, 8, counts);
		final float[] flat = new float[64];
		java.util.Arrays.fill(flat, 100);
		flat[9] = 1e30f;
		final Path white = Fixtures.floatTiff(tmp.resolve("white_hot.tif"), 8, 8, flat);
		final CdiException e = assertThrows(CdiException.class,
			() -> DiffractionReader.read(data, new ImportOptions(Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, white, null)));
		assertTrue(e.getMessage().contains("white_hot.tif") && e.getMessage().contains("times its median (100.0)"), e.getMessage());
		// a flat field of ordinary spread (2.7 times the median at most on scan 54) is used
		flat[9] = 300;
		Fixtures.floatTiff(tmp.resolve("white_ok.tif"), 8, 8, flat);
		DiffractionReader.read(data, new ImportOptions(Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, tmp.resolve("white_ok.tif"), null));
	}
}
