package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static sc.fiji.cdi.io.Fixtures.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;

/**
 * Synchrotron HDF5 files that are not CXI, read without dataset=: the NeXus default chain (root @default → NXentry
 * @default → NXdata @signal; signal=1 on the field before 2014) and Dectris Eiger master files whose
 * /entry/data/data_NNNNNN links to data files are stacked in number order. Files with links come from
 * tools/make_hdf5_nexus_fixtures.py (jHDF writes no links); the rest are written here with jHDF.
 */
class Hdf5NexusTest {

	@TempDir
	Path dir;

	/** A fixture of this package's resources copied into the test folder. */
	private Path resource(final String name) throws IOException { return sc.fiji.cdi.testutil.Fixtures.copy(getClass(), name, dir); }

	private static String dataset(final Diffraction d) { return d.log.steps().get(0).parameters().get("dataset").toString(); }

	/** Frames z0 .. z0 + nz - 1 of 4 x 5 pixels; frame z holds 1000 z + 10 y + x + 1. */
	private static int[][][] frames(final int z0, final int nz) {
		final int[][][] a = new int[nz][4][5];
		for (int z = 0; z < nz; z++) for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++) a[z][y][x] = 1000 * (z0 + z) + 10 * y + x + 1;
		return a;
	}

	private static float[][][] cube(final float v) {
		final float[][][] a = new float[2][3][3];
		for (final float[][] p : a) for (final float[] r : p) java.util.Arrays.fill(r, v);
		a[1][1][1] = v + 1; // not constant
		return a;
	}

	/** An Eiger data file: the frames at /entry/data/data. */
	private Path eigerData(final int number, final Object frames) {
		final Path f = dir.resolve(String.format("eiger_data_%06d.h5", number));
		try (WritableHdfFile h = HdfFile.write(f)) {
			h.putGroup("entry").putGroup("data").putDataset("data", frames);
		}
		return f;
	}

	/** The chain of NeXus 2014: root @default → NXentry @default → NXdata @signal, past a decoy NXdata and /entry/data/data. */
	private Path nexusChain(final String name) {
		final Path f = dir.resolve(name);
		try (WritableHdfFile h = HdfFile.write(f)) {
			h.putAttribute("default", "scan_3");
			final WritableGroup decoyEntry = h.putGroup("entry");
			decoyEntry.putAttribute("NX_class", "NXentry");
			decoyEntry.putGroup("data").putDataset("data", cube(5));
			final WritableGroup entry = h.putGroup("scan_3");
			entry.putAttribute("NX_class", "NXentry");
			entry.putAttribute("default", "results");
			final WritableGroup counters = entry.putGroup("counters");
			counters.putAttribute("NX_class", "NXdata");
			counters.putAttribute("signal", "diode");
			counters.putDataset("diode", new double[] { 1, 2, 3 });
			final WritableGroup results = entry.putGroup("results");
			results.putAttribute("NX_class", "NXdata");
			results.putAttribute("signal", "intensity");
			results.putDataset("intensity", frames(0, 3));
			results.putDataset("angle", new double[] { 0.1, 0.2, 0.3 });
		}
		return f;
	}

	private static void assertFrames(final Diffraction d, final int nz) {
		assertEquals(new Grid(nz, 4, 5), d.grid());
		for (int z = 0; z < nz; z++) for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++)
			assertEquals(1000 * z + 10 * y + x + 1, d.values.get(z, y, x), "at z " + z + ", y " + y + ", x " + x);
	}

	@Test
	void theNexusDefaultChainLeadsToTheSignal() throws IOException {
		final Diffraction d = DiffractionReader.read(nexusChain("chain.nxs"), ImportOptions.defaults());
		assertFrames(d, 3);
		assertEquals("/scan_3/results/intensity (NeXus default: @default=scan_3, scan_3@default=results, scan_3/results@signal=intensity)", dataset(d));
		assertEquals("int32", d.log.steps().get(0).parameters().get("dtype"));
	}

	@Test
	void aDatasetGivenIsNeverReplaced() throws IOException {
		final Path f = nexusChain("given.nxs");
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults().withHdf5DatasetPath("/entry/data/data"));
		assertEquals(new Grid(2, 3, 3), d.grid());
		assertEquals(5f, d.values.get(0, 0, 0));
		assertEquals("/entry/data/data", dataset(d));
		assertRejected(f, ImportOptions.defaults().withHdf5DatasetPath("/scan_3/results/missing"), "'/scan_3/results/missing' does not exist", "Datasets in the file");
	}

	@Test
	void cxiComesBeforeNexus() throws IOException {
		final Path f = dir.resolve("both.cxi");
		try (WritableHdfFile h = HdfFile.write(f)) {
			h.putAttribute("default", "entry");
			final WritableGroup entry = h.putGroup("entry");
			entry.putAttribute("default", "data");
			final WritableGroup data = entry.putGroup("data");
			data.putAttribute("NX_class", "NXdata");
			data.putAttribute("signal", "data");
			data.putDataset("data", cube(5));
			h.putGroup("entry_1").putGroup("data_1").putDataset("data", frames(0, 2));
		}
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertFrames(d, 2);
		assertEquals("/entry_1/data_1/data", dataset(d));
	}

	/** Before NeXus 2014: no default attributes, the only NXentry's only NXdata group marks its data with signal=1. */
	@Test
	void signalOneOnTheFieldInOlderFiles() throws IOException {
		final Path f = dir.resolve("old.nxs");
		try (WritableHdfFile h = HdfFile.write(f)) {
			final WritableGroup entry = h.putGroup("entry1");
			entry.putAttribute("NX_class", "NXentry");
			entry.putGroup("instrument").putDataset("frames", cube(7));
			final WritableGroup data = entry.putGroup("data");
			data.putAttribute("NX_class", "NXdata");
			data.putDataset("two_theta", new double[] { 1, 2 }).putAttribute("axis", 1);
			data.putDataset("counts", frames(0, 2)).putAttribute("signal", 1);
		}
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertFrames(d, 2);
		assertEquals("/entry1/data/counts (NeXus default: entry1/data/counts@signal=1)", dataset(d));
	}

	/** Attributes as h5py writes them (variable-length str, fixed-length bytes); the signal a hard link to the detector's frames. */
	@Test
	void h5pyAttributesAndALinkedSignal() throws IOException {
		final Diffraction d = DiffractionReader.read(resource("nexus_h5py.nxs"), ImportOptions.defaults());
		assertEquals(new Grid(2, 4, 5), d.grid());
		for (int i = 0; i < 40; i++) assertEquals(3 * i + 1, d.values.get(i / 20, i / 5 % 4, i % 5));
		assertEquals("/scan/plot/frames (NeXus default: @default=scan, scan@default=plot, scan/plot@signal=frames)", dataset(d));
	}

	/** The NeXus default chain root @default=entry, entry @default=plot, plot an NXdata whose signal is {@code signal}. */
	private record DefaultPlot(WritableGroup entry, WritableGroup plot) {}

	private static DefaultPlot defaultPlot(final WritableHdfFile h, final String signal) {
		h.putAttribute("default", "entry");
		final WritableGroup entry = h.putGroup("entry");
		entry.putAttribute("default", "plot");
		final WritableGroup plot = entry.putGroup("plot");
		plot.putAttribute("NX_class", "NXdata");
		plot.putAttribute("signal", signal);
		return new DefaultPlot(entry, plot);
	}

	/** A default plot of a counter (1D) is no detector data: passed over for /entry/data/data. */
	@Test
	void aOneDimensionalSignalIsPassedOver() throws IOException {
		final Path f = dir.resolve("counter.nxs");
		try (WritableHdfFile h = HdfFile.write(f)) {
			final DefaultPlot c = defaultPlot(h, "diode");
			final WritableGroup entry = c.entry(), plot = c.plot();
			plot.putDataset("diode", new double[] { 1, 2, 3 });
			entry.putGroup("data").putDataset("data", frames(0, 2));
		}
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertFrames(d, 2);
		assertEquals("/entry/data/data (Eiger/NeXus layout /entry/data/data)", dataset(d));
	}

	@Test
	void aBrokenDefaultChainIsNamedWithTheListing() throws IOException {
		final Path f = dir.resolve("broken.nxs");
		try (WritableHdfFile h = HdfFile.write(f)) {
			final WritableGroup plot = defaultPlot(h, "image").plot();
			plot.putDataset("counts", frames(0, 2));
		}
		assertRejected(f, ImportOptions.defaults(), "'entry_1/data_1/data' does not exist", "the 'signal' attribute of /entry/plot names 'image', which is not in that group",
			"Datasets in the file: entry/plot/counts [2, 4, 5]");
	}

	@Test
	void noRuleAppliesKeepsTheListingError() throws IOException {
		final Path f = dir.resolve("plain.h5");
		try (WritableHdfFile h = HdfFile.write(f)) {
			h.putGroup("measurement").putDataset("frames", frames(0, 2));
		}
		assertRejected(f, ImportOptions.defaults(), "HDF5 path 'entry_1/data_1/data' does not exist", "expected the diffraction data", "Datasets in the file: measurement/frames [2, 4, 5]");
	}

	/** {@code master} read without dataset= beside data files 1, 2, 3 of 2, 1 and 3 frames (written last first): 6 frames. */
	private Diffraction readWithThreeDataFiles(final Path master) {
		eigerData(3, frames(3, 3));
		eigerData(1, frames(0, 2));
		eigerData(2, frames(2, 1));
		final Diffraction d = DiffractionReader.read(master, ImportOptions.defaults());
		assertFrames(d, 6);
		return d;
	}

	/** An Eiger master: the frames of data_000001, data_000002, data_000003 (2, 1 and 3 frames) in number order. */
	@Test
	void eigerMasterStacksItsDataFilesInNumberOrder() throws IOException {
		final Path master = resource("eiger_master.h5");
		final Diffraction d = readWithThreeDataFiles(master);
		assertEquals("/entry/data/data_000001 … /entry/data/data_000003 (Eiger master: links to 3 data files, eiger_data_000001.h5 … eiger_data_000003.h5)", dataset(d));
		assertEquals("int32", d.log.steps().get(0).parameters().get("dtype"));
		assertEquals("[6, 4, 5]", d.log.steps().get(0).parameters().get("shape"));
		assertEquals(master + " (6 frames in 3 files, eiger_data_000001.h5 … eiger_data_000003.h5)", d.log.steps().get(0).parameters().get("file"));
		// one part asked for by name: that part only
		final Diffraction one = DiffractionReader.read(master, ImportOptions.defaults().withHdf5DatasetPath("/entry/data/data_000002"));
		assertEquals(new Grid(1, 4, 5), one.grid());
		assertEquals(2000 + 1, one.values.get(0, 0, 0));
	}

	/**
	 * A master whose NeXus default chain ends at a signal naming one part (data_000001): the whole acquisition is read,
	 * all three parts in number order, as without the chain; dataset= still reads the one part.
	 */
	@Test
	void aNexusSignalNamingOneEigerPartReadsTheWholeStack() throws IOException {
		final Path master = resource("eiger_signal_master.h5");
		final Diffraction d = readWithThreeDataFiles(master);
		assertEquals("/entry/data/data_000001 … /entry/data/data_000003 (NeXus default: @default=entry, entry@default=data, entry/data@signal=data_000001,"
			+ " one of the Eiger master: links to 3 data files, eiger_data_000001.h5 … eiger_data_000003.h5)", dataset(d));
		assertEquals(new Grid(2, 4, 5), DiffractionReader.read(master, ImportOptions.defaults().withHdf5DatasetPath("/entry/data/data_000001")).grid());
	}

	@Test
	void aMissingOrBrokenEigerDataFileIsNamedWithItsLink() throws IOException {
		final Path master = resource("eiger_master.h5");
		eigerData(1, frames(0, 2));
		eigerData(3, frames(3, 3));
		final Path second = dir.resolve("eiger_data_000002.h5");
		final Exception missing = assertRejected(master, ImportOptions.defaults(), "link '/entry/data/data_000002'", "the file eiger_data_000002.h5", "which does not exist (looked for "
			+ second.toAbsolutePath());
		assertFalse(missing.getMessage().contains("Exception"), missing.getMessage());
		Files.writeString(second, "an interrupted copy, not HDF5 ".repeat(40));
		assertRejected(master, ImportOptions.defaults(), "link '/entry/data/data_000002'", "eiger_data_000002.h5, which exists but it is not an HDF5 file");
		Files.delete(second);
		eigerData(2, new int[1][3][5]);
		assertRejected(master, ImportOptions.defaults(), "link '/entry/data/data_000002' (data file eiger_data_000002.h5)", "are 3x5 pixels but those in link '/entry/data/data_000001'",
			"are 4x5; expected one detector's frames in every file");
		// a truncated data file: named with its part
		Files.delete(second);
		final Path full = eigerData(2, frames(2, 1));
		final byte[] all = Files.readAllBytes(full);
		Files.write(full, java.util.Arrays.copyOf(all, all.length - 40));
		assertRejected(master, ImportOptions.defaults(), "Part 2 of 3, link '/entry/data/data_000002' (data file eiger_data_000002.h5)", "eiger_data_000002.h5 is truncated");
	}

	/** Dectris data files say which frames they hold (image_nr_low, image_nr_high): a file with fewer is refused, not stacked short. */
	@Test
	void anEigerDataFileWithFewerFramesThanItsNumbersIsRefused() throws IOException {
		final Path master = resource("eiger_master.h5");
		numbered(1, frames(0, 2), 1, 2);
		numbered(2, frames(2, 1), 3, 3);
		numbered(3, frames(3, 3), 4, 6);
		assertFrames(DiffractionReader.read(master, ImportOptions.defaults()), 6);
		numbered(2, frames(2, 1), 3, 4);
		assertRejected(master, ImportOptions.defaults(), "Eiger data file eiger_data_000002.h5 (link /entry/data/data_000002", "holds 1 frames but says it holds frames 3 to 4");
		numbered(2, frames(2, 1), 4, 4);
		assertRejected(master, ImportOptions.defaults(), "eiger_data_000002.h5", "starts at frame 4 but the data file before it ends at frame 2");
	}

	private void numbered(final int number, final int[][][] frames, final int low, final int high) throws IOException {
		final Path f = dir.resolve(String.format("eiger_data_%06d.h5", number));
		Files.deleteIfExists(f);
		try (WritableHdfFile h = HdfFile.write(f)) {
			final io.jhdf.api.WritableDataset d = h.putGroup("entry").putGroup("data").putDataset("data", frames);
			d.putAttribute("image_nr_low", low);
			d.putAttribute("image_nr_high", high);
		}
	}

	@Test
	void aGapInTheEigerNumberingIsRefusedNamingTheMissingPart() throws IOException {
		final Path master = resource("eiger_gap_master.h5");
		eigerData(1, frames(0, 2));
		eigerData(2, frames(2, 1));
		eigerData(3, frames(3, 3));
		assertRejected(master, ImportOptions.defaults(), "Eiger master file", "up to /entry/data/data_000003 but has no data_000002", "without a gap");
	}

	/** An Eiger data file alone, or a master that holds its frames: /entry/data/data. */
	@Test
	void plainEntryDataData() throws IOException {
		final Diffraction d = DiffractionReader.read(eigerData(7, frames(0, 2)), ImportOptions.defaults());
		assertFrames(d, 2);
		assertEquals("/entry/data/data (Eiger/NeXus layout /entry/data/data)", dataset(d));
	}

	/** Parts that each fit in one array but not stacked (an Eiger 4M with 300 frames) are refused by name, not by an internal error. */
	@Test
	void aStackLargerThanOneArrayIsRefusedNamingThePartsAndTheFix() {
		final Path master = dir.resolve("big_master.h5");
		assertEquals(new Grid(240, 512, 512), DiffractionReader.stackedGrid(240, Grid.of2D(512, 512), master, 3));
		final sc.fiji.cdi.util.CdiException e = org.junit.jupiter.api.Assertions.assertThrows(sc.fiji.cdi.util.CdiException.class,
			() -> DiffractionReader.stackedGrid(300, Grid.of2D(2162, 2068), master, 3));
		for (final String s : new String[] { "big_master.h5", "its 3 files", "300x2162x2068", "dataset=" })
			org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(s), e.getMessage());
	}
}
