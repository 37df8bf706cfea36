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

	/** An n×n pattern of a few counts per pixel. */
	private static Path pattern(final Path tmp, final int n) {
		final float[] counts = new float[n * n];
		for (int i = 0; i < counts.length; i++) counts[i] = 1 + i % 7;
		return Fixtures.floatTiff(tmp.resolve("data.tif"), n, n, counts);
	}

	/** The pattern read with {@code white} as its flat field. */
	private static sc.fiji.cdi.data.Diffraction withFlat(final Path data, final Path white) {
		return DiffractionReader.read(data, new ImportOptions(Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, white, null));
	}

	@Test
	void aFlatFieldWithoutCountsIsNamed(@TempDir final Path tmp) {
		final Path data = pattern(tmp, 8);
		final float[] nan = new float[64];
		java.util.Arrays.fill(nan, Float.NaN);
		final Path white = Fixtures.floatTiff(tmp.resolve("white_nan.tif"), 8, 8, nan);
		final CdiException e = assertThrows(CdiException.class,
			() -> withFlat(data, white));
		assertTrue(e.getMessage().contains("white_nan.tif") && e.getMessage().contains("white_field") && e.getMessage().contains("64 of them NaN or infinite"), e.getMessage());
	}

	@Test
	void anAbsurdFlatFieldPixelIsMaskedAndManyAreRefused(@TempDir final Path tmp) {
		final Path data = pattern(tmp, 16);
		final float[] flat = new float[256];
		java.util.Arrays.fill(flat, 100);
		final Path plain = Fixtures.floatTiff(tmp.resolve("white_plain.tif"), 16, 16, flat);
		flat[9] = 1e30f; // a hot pixel, or a detector's marker value
		final Path hot = Fixtures.floatTiff(tmp.resolve("white_hot.tif"), 16, 16, flat);
		final sc.fiji.cdi.data.Diffraction a = withFlat(data, plain);
		final sc.fiji.cdi.data.Diffraction b = withFlat(data, hot);
		assertTrue(b.mask != null && b.mask.isUnmeasured(9), "the hot flat pixel is a bad pixel");
		for (int i = 0; i < 256; i++) if (i != 9) org.junit.jupiter.api.Assertions.assertEquals(a.values.data[i], b.values.data[i], 0.005f * a.values.data[i], "the data are not rescaled (the zeroed pixel counts in the mean, as bad flat pixels do)");
		// more than 1 % of such pixels (4 of 256) is a corrupt flat field
		for (int i = 0; i < 3; i++) flat[20 + i] = 1e30f;
		final Path many = Fixtures.floatTiff(tmp.resolve("white_many.tif"), 16, 16, flat);
		final CdiException e = assertThrows(CdiException.class,
			() -> withFlat(data, many));
		assertTrue(e.getMessage().contains("white_many.tif") && e.getMessage().contains("4 pixels"), e.getMessage());
	}
}
