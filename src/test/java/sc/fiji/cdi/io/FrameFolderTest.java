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

	private static final float[] PLANE = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	/** scan_00003.tif missing: the stack was 4 frames, every point after 2 one angle early; now refused naming 3. */
	@Test
	void aGapInTheFrameNumbersIsRefusedNamingTheMissingNumber() throws IOException {
		final Path folder = Files.createDirectory(dir.resolve("gap"));
		for (final int k : new int[] { 0, 1, 2, 4 }) Fixtures.floatTiff(folder.resolve(String.format("scan_%05d.tif", k)), 4, 3, PLANE);
		final Exception e = assertRejected(folder, null, "no frame number 3", "scan_00002.tif is followed by scan_00004.tif", "numbered 0 to 4");
		final Path many = Files.createDirectory(dir.resolve("gaps"));
		for (final int k : new int[] { 1, 2, 5, 9 }) Fixtures.floatTiff(many.resolve("f_" + k + ".tif"), 4, 3, PLANE);
		assertRejected(many, null, "no frame number 3, 4, 6, 7, 8", "f_2.tif is followed by f_5.tif");
		assertTrue(e.getMessage().contains("shift every later frame"), e.getMessage());
		// the same number twice (scan_1 and scan_01) is not two points
		final Path twice = Files.createDirectory(dir.resolve("twice"));
		for (final String n : new String[] { "s_0.tif", "s_1.tif", "s_01.tif", "s_2.tif" }) Fixtures.floatTiff(twice.resolve(n), 4, 3, PLANE);
		assertRejected(twice, null, "same frame number 1", "s_1.tif", "s_01.tif");
	}

	/** scan_-0001.tif was taken for frame 1 by its digits; it is frame −1, stacked before frame 0, and no frame 1 is a gap. */
	@Test
	void aNegativeFrameNumberIsNegative() throws IOException {
		assertEquals(List.of(-1L), FrameFolderReader.parse("scan_-0001.tif").numbers());
		assertEquals("scan_#.tif", FrameFolderReader.parse("scan_-0001.TIFF").pattern());
		assertEquals(List.of(1L), FrameFolderReader.parse("scan-0001.tif").numbers(), "a dash after a letter is a separator");
		assertEquals(List.of(54L, 1L), FrameFolderReader.parse("S54-0001.tif").numbers(), "... and after a digit");
		final Path folder = Files.createDirectory(dir.resolve("neg"));
		for (final int k : new int[] { -2, -1, 0, 1 }) {
			final float[] p = PLANE.clone();
			p[0] = 100 + k;
			Fixtures.floatTiff(folder.resolve(k < 0 ? String.format("scan_-%04d.tif", -k) : String.format("scan_%05d.tif", k)), 4, 3, p);
		}
		final List<Path> order = FrameFolderReader.frames(folder, Set.of());
		assertEquals(List.of("scan_-0002.tif", "scan_-0001.tif", "scan_00000.tif", "scan_00001.tif"), order.stream().map(p -> p.getFileName().toString()).toList());
		final Diffraction d = DiffractionReader.read(folder, ImportOptions.defaults());
		for (int z = 0; z < 4; z++) assertEquals(98 + z, d.values.get(z, 0, 0), "frame of z=" + z);
		// -0001 and 00002: frames 0 and 1 are missing, not "frames 1 and 2"
		final Path gap = Files.createDirectory(dir.resolve("neg_gap"));
		Fixtures.floatTiff(gap.resolve("scan_-0001.tif"), 4, 3, PLANE);
		Fixtures.floatTiff(gap.resolve("scan_00002.tif"), 4, 3, PLANE);
		assertRejected(gap, null, "no frame number 0, 1", "numbered -1 to 2");
	}

	/** notes.tif and preview.tif beside the frames were stacked as frames (or failed a count); now left out and named. */
	@Test
	void aStrayTiffIsLeftOutAndNamed() throws IOException {
		final Path folder = frames(4, 4, 3);
		Fixtures.floatTiff(folder.resolve("notes.tif"), 4, 3, PLANE);
		Fixtures.floatTiff(folder.resolve("preview.tif"), 8, 8, new float[64]);
		Fixtures.floatTiff(folder.resolve("scan_54_sum.tif"), 4, 3, PLANE);
		final FrameFolderReader.Listing l = FrameFolderReader.list(folder, Set.of());
		assertEquals(List.of("scan_54_1.tif", "scan_54_2.tif", "scan_54_3.tif", "scan_54_4.tif"), l.frames().stream().map(p -> p.getFileName().toString()).toList());
		assertEquals(List.of("notes.tif", "preview.tif", "scan_54_sum.tif"), l.ignored().stream().map(p -> p.getFileName().toString()).toList());
		final Diffraction d = DiffractionReader.read(folder, ImportOptions.defaults());
		assertEquals(new Grid(4, 3, 4), d.grid());
		for (int z = 0; z < 4; z++) assertEquals(10 * (z + 1) + 5, d.values.get(z, 1, 1), "frame of z=" + z);
		final String note = (String) d.log.steps().get(0).parameters().get(DiffractionReader.IGNORED_FILES);
		assertEquals("notes.tif, preview.tif, scan_54_sum.tif (not named like the frames, scan_#_#.tif with # the frame number)", note);
		// without strays the report has no such entry
		assertFalse(DiffractionReader.read(frames2(), ImportOptions.defaults()).log.steps().get(0).parameters().containsKey(DiffractionReader.IGNORED_FILES));
		// two patterns with as many files: which are the frames cannot be told
		final Path two = Files.createDirectory(dir.resolve("two"));
		for (final String n : new String[] { "a_1.tif", "a_2.tif", "b_1.tif", "b_2.tif" }) Fixtures.floatTiff(two.resolve(n), 4, 3, PLANE);
		assertRejected(two, null, "a_#.tif and b_#.tif", "cannot be told");
		// two scans' frames in one folder: the names differ in two numbers
		final Path scans = Files.createDirectory(dir.resolve("scans"));
		for (final String n : new String[] { "scan54_1.tif", "scan54_2.tif", "scan55_1.tif", "scan55_2.tif" }) Fixtures.floatTiff(scans.resolve(n), 4, 3, PLANE);
		assertRejected(scans, null, "differ in more than one number", "scan54_1.tif", "scan55_1.tif");
	}

	/** The left-out TIFFs are said in the command's log, not only in the report. */
	@Test
	void aStrayTiffIsSaidInTheImportLog() throws IOException {
		final Path folder = frames(3, 4, 3);
		Fixtures.floatTiff(folder.resolve("preview.tif"), 4, 3, PLANE);
		final sc.fiji.cdi.testutil.HeadlessRun r = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + folder + "\",output_dir=\"" + dir.resolve("out") + "\"");
		assertEquals(0, r.code, r.err);
		final String said = r.out + r.err;
		assertTrue(said.contains("left out of the stack, not frames: preview.tif (not named like the frames, scan_#_#.tif"), said);
	}

	private Path frames2() throws IOException {
		final Path folder = Files.createDirectory(dir.resolve("plain"));
		for (int k = 0; k < 3; k++) Fixtures.floatTiff(folder.resolve("f_" + k + ".tif"), 4, 3, PLANE);
		return folder;
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
