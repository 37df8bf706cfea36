package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.io.Fixtures.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;

class FrameFolderTest {

	@TempDir
	Path dir;

	/** Frame k (1-based, as in the file name) holds 10·k in every pixel, plus the pixel index. */
	private Path frames(final int n, final int nx, final int ny) throws IOException {
		final Path folder = Files.createDirectory(dir.resolve("scan_54"));
		for (int k = 1; k <= n; k++) {
			final float[] p = new float[nx * ny];
			for (int i = 0; i < p.length; i++) p[i] = 10 * k + i;
			Fixtures.floatTiff(folder.resolve("scan_54_" + k + ".tif"), nx, ny, p);
		}
		return folder;
	}

	@Test
	void framesAreStackedInNaturalNumericOrder() throws IOException {
		final Path folder = frames(12, 4, 3);
		final List<Path> order = FrameFolderReader.frames(folder, Set.of());
		assertEquals("scan_54_9.tif", order.get(8).getFileName().toString());
		assertEquals("scan_54_10.tif", order.get(9).getFileName().toString());
		final Diffraction d = DiffractionReader.read(folder, ImportOptions.defaults());
		assertEquals(new Grid(12, 3, 4), d.grid());
		for (int z = 0; z < 12; z++) assertEquals(10 * (z + 1) + 5, d.values.get(z, 1, 1), "frame of z=" + z);
		assertEquals("TIFF frames", d.log.steps().get(0).parameters().get("format"));
		assertTrue(FrameFolderReader.naturalCompare("a007b", "a7c") < 0);
		assertTrue(FrameFolderReader.naturalCompare("f2", "f10") < 0);
	}

	@Test
	void darkFieldMasksHotPixelsAndFlatFieldIsDividedOut() throws IOException {
		final Path folder = frames(3, 4, 3);
		final float[] dark = new float[12];
		dark[5] = 3; // hot pixel (y=1, x=1)
		dark[7] = 1; // exactly 1 is still good
		final Path darkFile = Fixtures.floatTiff(folder.resolve("dark.tif"), 4, 3, dark); // inside the folder: must not become a frame
		final float[] flat = new float[12];
		Arrays.fill(flat, 2f);
		flat[0] = 4f; // twice as sensitive: data halved relative to others
		flat[11] = 0f; // dead pixel
		final Path flatFile = Fixtures.floatTiff(dir.resolve("flat.tif"), 4, 3, flat);
		final String darkSum = Fixtures.sha256(darkFile), flatSum = Fixtures.sha256(flatFile);
		final Diffraction d = DiffractionReader.read(folder, ImportOptions.defaults().withDarkField(darkFile).withWhiteField(flatFile));
		assertEquals(new Grid(3, 3, 4), d.grid());
		assertNotNull(d.mask);
		final double mean = (4 + 2 * 10 + 0) / 12.0; // mean over all 12 flat pixels, the dead one included (cohere's rule)
		for (int z = 0; z < 3; z++) {
			final int k = z + 1;
			assertTrue(d.mask.isUnmeasured(d.grid().index(z, 1, 1)), "hot pixel masked");
			assertTrue(d.mask.isUnmeasured(d.grid().index(z, 2, 3)), "flat <= 0 masked");
			assertFalse(d.mask.isUnmeasured(d.grid().index(z, 1, 3)), "dark value 1 is good");
			assertEquals(0f, d.values.get(z, 1, 1));
			assertEquals((10 * k + 0) * mean / 4, d.values.get(z, 0, 0), 1e-4);
			assertEquals((10 * k + 6) * mean / 2, d.values.get(z, 1, 2), 1e-4);
		}
		int bad = 0;
		bad += d.mask.unmeasuredCount();
		assertEquals(6, bad);
		assertEquals(darkSum, Fixtures.sha256(darkFile));
		assertEquals(flatSum, Fixtures.sha256(flatFile));
	}

	@Test
	void inconsistentFramesAndCorrectionFilesAreRejected() throws IOException {
		final Path folder = frames(4, 4, 3);
		Fixtures.floatTiff(folder.resolve("scan_54_3.tif"), 5, 3, new float[15]);
		final Exception e = assertRejected(folder, null, "scan_54_3.tif", "3x5", "scan_54_1.tif", "3x4");
		assertFalse(e.getMessage().contains("scan_54_2.tif"));

		final Path ok = Files.createDirectory(dir.resolve("ok"));
		Fixtures.floatTiff(ok.resolve("f1.tif"), 4, 3, new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
		final Path smallDark = Fixtures.floatTiff(dir.resolve("dark_small.tif"), 2, 2, new float[4]);
		final Exception e2 = assertRejected(ok, ImportOptions.defaults().withDarkField(smallDark), "dark_small.tif", "2x2", "3x4");
		assertTrue(e2.getMessage().contains("ok"));
		final Path bigFlat = Fixtures.floatTiff(dir.resolve("flat_big.tif"), 8, 8, new float[64]);
		assertRejected(ok, ImportOptions.defaults().withWhiteField(bigFlat), "flat_big.tif", "8x8", "3x4");

		final Path emptyFolder = Files.createDirectory(dir.resolve("nothing_here"));
		assertRejected(emptyFolder, null, "no .tif");
	}

	/** A point saved in another format (scan_54_2.edf, scan_54_3.tif.gz) was skipped: a 3-frame stack from 5 points, said nowhere. */
	@Test
	void aFrameInAnotherFormatIsNamedNotSkipped() throws IOException {
		final Path folder = Files.createDirectory(dir.resolve("mixed"));
		for (final int k : new int[] { 1, 4, 5 }) Fixtures.floatTiff(folder.resolve("scan_54_" + k + ".tif"), 4, 3, new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
		Files.write(folder.resolve("scan_54_2.edf"), Fixtures.edf("DataType = FloatValue ;\nDim_1 = 4 ;\nDim_2 = 3 ;\n", new byte[48]));
		Files.write(folder.resolve("scan_54_3.tif.gz"), new byte[] { 0x1f, (byte) 0x8b, 8, 0 });
		Files.writeString(folder.resolve("notes.txt"), "not a frame"); // other files are not frames
		Files.writeString(folder.resolve("scan_54.spec.edf"), "x"); // ... nor one whose name is no frame's
		Fixtures.assertRejected(folder, ImportOptions.defaults(), "3 TIFF frames and 2 files named like frames in another format", "scan_54_2.edf", "scan_54_3.tif.gz",
			"left out of the stack");
	}

	/** An unreadable folder was "Cannot list folder /x: /x." (the exception's message is only the path); as root the test cannot make one. */
	@Test
	void anUnreadableFolderIsSaidToBeUnreadable() {
		final Path folder = Path.of("/data/scan_54");
		final String m = FrameFolderReader.listFailure(folder, new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException(folder.toString()))).getMessage();
		org.junit.jupiter.api.Assertions.assertEquals("Folder " + folder + " cannot be read: permission denied; expected a readable folder of TIFF frames (check its permissions).", m);
		final String other = FrameFolderReader.listFailure(folder, new java.nio.file.NotDirectoryException(folder.toString())).getMessage();
		org.junit.jupiter.api.Assertions.assertTrue(other.contains("NotDirectoryException"), other);
	}
}
