package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.io.Fixtures.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;

class Hdf5ReaderTest {

	@TempDir
	Path dir;

	/** A fixture of this package's resources copied into the test folder. */
	private Path resource(final String name) throws IOException { return sc.fiji.cdi.testutil.Fixtures.copy(getClass(), name, dir); }

	private static float value(final int z, final int y, final int x) { return 1 + 100 * z + 10 * y + x + 0.5f; }

	private Path writeCxi(final String name) {
		final float[][][] a = new float[3][4][5];
		for (int z = 0; z < 3; z++) for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++) a[z][y][x] = value(z, y, x);
		final int[][] mask = new int[4][5];
		mask[1][2] = 1;
		final Path f = dir.resolve(name);
		try (WritableHdfFile h = HdfFile.write(f)) {
			final WritableGroup data1 = h.putGroup("entry_1").putGroup("data_1");
			data1.putDataset("data", a);
			data1.putDataset("mask", mask);
			h.putGroup("other").putDataset("line", new double[] { 1, 2, 3 });
			h.putGroup("other2").putDataset("cube4d", new int[2][2][2][2]);
		}
		return f;
	}

	@Test
	void jhdfWrittenCxiRoundTripWithMaskNextToTheData() throws IOException {
		final Path f = writeCxi("roundtrip.cxi");
		final String before = Fixtures.sha256(f);
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(new Grid(3, 4, 5), d.grid());
		for (int z = 0; z < 3; z++) for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++)
			if (!(y == 1 && x == 2)) assertEquals(value(z, y, x), d.values.get(z, y, x));
		assertNotNull(d.mask);
		for (int z = 0; z < 3; z++) {
			assertTrue(d.mask.isUnmeasured(d.grid().index(z, 1, 2)), "2D mask applies to every frame");
			assertEquals(0f, d.values.get(z, 1, 2));
		}
		assertEquals(3, countTrue(d.mask.toArray()));
		assertEquals("/entry_1/data_1/data", d.log.steps().get(0).parameters().get("dataset"));
		assertEquals("float32", d.log.steps().get(0).parameters().get("dtype"));
		assertEquals(before, Fixtures.sha256(f));
	}

	@Test
	void aDatasetNeverWrittenIsNamed() throws IOException {
		final Path f = resource("unwritten.h5");
		Fixtures.assertRejected(f, ImportOptions.defaults(), "no values written", "entry_1/data_1/data");
	}

	@Test
	void aLoopOfSoftLinksIsNamedNotAStackOverflow() throws IOException {
		final Path f = resource("softloop.h5");
		Fixtures.assertRejected(f, ImportOptions.defaults(), "soft links that lead back to themselves", "entry_1/data_1/data");
		// the file's real dataset still reads
		assertEquals(Grid.of2D(8, 8), DiffractionReader.read(f, ImportOptions.defaults().withHdf5DatasetPath("/real")).grid());
	}

	@Test
	void softLinkedChunkedUint16FixtureFromH5py() throws IOException {
		final Path f = resource("small_linked.cxi");
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(new Grid(4, 6, 5), d.grid());
		assertEquals(100 * 3 + 10 * 5 + 4 + 1, d.values.get(3, 5, 4));
		assertEquals(100 * 2 + 10 * 1 + 3 + 1, d.values.get(2, 1, 3));
		assertTrue(d.log.steps().get(0).parameters().get("dtype").toString().startsWith("uint16"));
		// mask next to the link target: (0,0) and (2,3) bad in all 4 frames
		assertEquals(8, countTrue(d.mask.toArray()));
		assertTrue(d.mask.isUnmeasured(d.grid().index(1, 2, 3)));
		// the same data by the target path
		final Diffraction t = DiffractionReader.read(f, ImportOptions.defaults().withHdf5DatasetPath("/entry_1/instrument_1/detector_1/data"));
		assertEquals(d.values.sum(), t.values.sum(), 1e-3);
	}

	@Test
	void badHdf5InputsNameTheFile() throws IOException {
		final Path f = writeCxi("paths.h5");
		final Exception e = assertRejected(f, ImportOptions.defaults().withHdf5DatasetPath("entry_1/data_2/data"), "entry_1/data_2/data", "does not exist", "entry_1/data_1/data [3, 4, 5]", "other/line");
		assertTrue(e.getMessage().contains("Datasets in the file"));
		assertRejected(f, ImportOptions.defaults().withHdf5DatasetPath("entry_1"), "is a group");
		assertRejected(f, ImportOptions.defaults().withHdf5DatasetPath("other/line"), "1D");
		assertRejected(f, ImportOptions.defaults().withHdf5DatasetPath("other2/cube4d"), "4D");

		final byte[] all = Files.readAllBytes(f);
		final Path cut = dir.resolve("cut.h5");
		Files.write(cut, Arrays.copyOf(all, all.length / 3));
		assertRejected(cut, null, "HDF5");

		final Path empty = Files.createFile(dir.resolve("empty.h5"));
		assertRejected(empty, null, "is empty (0 bytes)", "expected an HDF5 file");

		final Path garbage = dir.resolve("garbage.cxi");
		Files.writeString(garbage, "not an hdf5 file at all, just text ".repeat(20));
		assertRejected(garbage, null, "HDF5");
	}

	/** jHDF reads chunks never written as zeros (not even the fill value, 7 here): an interrupted acquisition imported as if complete. */
	@Test
	void chunksNeverWrittenAreNamedNotReadAsZeros() throws IOException {
		final Path f = resource("partial.h5");
		final Exception e = assertRejected(f, ImportOptions.defaults(), "entry_1/data_1/data", "only 2 of its 4 chunks [1, 8, 8] written", "frames 3, 4", "never written");
		assertTrue(!e.getMessage().contains("corrupt"), e.getMessage());
	}

	/** A copy cut inside the last chunk was read without complaint (the missing bytes as zeros). */
	@Test
	void aChunkCutOffByATruncatedCopyIsNamed() throws IOException {
		final byte[] all = Files.readAllBytes(resource("partial.h5"));
		final Path cut = dir.resolve("cut_chunk.h5");
		Files.write(cut, Arrays.copyOf(all, all.length - 100)); // the second chunk, 256 bytes at 6856, loses its last 100
		assertRejected(cut, ImportOptions.defaults(), "is truncated", "chunk at [1, 0, 0]", "should end at byte " + all.length, "has only " + (all.length - 100) + " bytes");
	}

	/** Storage and filters jHDF does not implement are said as such, not blamed on the file ("truncated, corrupt or not a HDF5 file"). */
	@Test
	void virtualExternalAndUnknownFilterDatasetsSayWhatIsUnsupported() throws IOException {
		for (final String[] c : new String[][] { { "vds.h5", "virtual dataset (HDF5 VDS)", "group '/entry_1/data_1/'" },
			{ "external.h5", "external raw files", "group '/entry_1/data_1/'" }, { "scaleoffset.h5", "filter", "scaleoffset" } }) {
			final Exception e = assertRejected(resource(c[0]), ImportOptions.defaults(), c[1], c[2], "jHDF");
			assertTrue(!e.getMessage().contains("corrupt"), e.getMessage());
		}
	}

	/** h5py writes a numpy bool mask as an enum FALSE/TRUE: it was refused ("has HDF5 type EnumDataType"). */
	@Test
	void aBooleanMaskIsRead() throws IOException {
		final Path f = resource("boolmask.cxi");
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(new Grid(2, 8, 8), d.grid());
		assertEquals(2, countTrue(d.mask.toArray()));
		assertTrue(d.mask.isUnmeasured(d.grid().index(1, 2, 3)));
		// the same file as a mask file: its /mask dataset
		final Diffraction m = DiffractionReader.read(f, ImportOptions.defaults().withMaskPath(f));
		assertTrue(m.mask.isUnmeasured(m.grid().index(0, 5, 6)) && m.mask.isUnmeasured(m.grid().index(1, 0, 0)));
		assertEquals(6, countTrue(m.mask.toArray()));
		// as the data it is refused by what it is
		assertRejected(f, ImportOptions.defaults().withHdf5DatasetPath("mask"), "boolean values", "not counts");
	}

	/** Eiger data files are bitshuffle-LZ4 compressed (HDF5 filter 32008): jHDF decodes them, the unshuffled tail of a block too. */
	@Test
	void bitshuffleLz4ChunksAreDecoded() throws IOException {
		final Diffraction d = DiffractionReader.read(resource("bitshuffle.h5"), ImportOptions.defaults());
		assertEquals(new Grid(2, 13, 11), d.grid());
		for (int z = 0; z < 2; z++) for (int y = 0; y < 13; y++) for (int x = 0; x < 11; x++) {
			final int i = (z * 13 + y) * 11 + x;
			assertEquals(z == 1 && y == 12 && x == 10 ? 65000f : i % 97 + 1, d.values.get(z, y, x), "at " + i);
		}
	}

	/** An external link whose data file is missing, not HDF5 or without the dataset: each said as such ("... which does not exist" was said of all three). */
	@Test
	void anExternalLinkSaysWhatIsWrongWithItsDataFile() throws IOException {
		final Path master = resource("extlink.h5");
		final Path data = dir.resolve("extlink_data.h5");
		assertRejected(master, ImportOptions.defaults(), "points to dataset '/entry/data/data' of the file extlink_data.h5", "which does not exist (looked for " + data.toAbsolutePath());
		Files.writeString(data, "an interrupted copy, not HDF5 ".repeat(40));
		assertRejected(master, ImportOptions.defaults(), "extlink_data.h5, which exists but it is not an HDF5 file");
		Files.delete(data);
		try (WritableHdfFile h = HdfFile.write(data)) {
			h.putGroup("entry").putGroup("data").putDataset("other", new float[][] { { 1, 2 }, { 3, 4 } });
		}
		assertRejected(master, ImportOptions.defaults(), "which exists but it has no '/entry/data/data'");
		Files.delete(data);
		try (WritableHdfFile h = HdfFile.write(data)) {
			h.putGroup("entry").putGroup("data").putDataset("data", new float[][] { { 1, 2 }, { 3, 4 } });
		}
		assertEquals(10f, DiffractionReader.read(master, ImportOptions.defaults()).values.sum(), 1e-6);
	}

	static int countTrue(final boolean[] m) {
		int n = 0;
		for (final boolean b : m) if (b) n++;
		return n;
	}
}
