package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.io.Fixtures;
import sc.fiji.cdi.commands.CdiCommand;
import sc.fiji.cdi.commands.ImportDiffractionCommand;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.io.NpyIO;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.util.CdiException;

/**
 * A corpus of bad inputs, generated at test time in a temporary folder: truncated and corrupt files of every
 * format, wrong data types and dimensionalities, absurd header sizes, NaN, all-zero, single-voxel data, a mask of
 * the wrong size, bad command parameters. Each one goes to {@link DiffractionReader} and to the Reconstruct and
 * Import Diffraction commands; each must give a {@link CdiException} (exit code 1 from the command line) whose
 * message names the file and says what was wrong, change no input file (SHA-256 before/after), leave no output, and
 * never take the JVM down (no OutOfMemoryError from an absurd header: the test would die with it).
 */
class BadInputCorpusTest {

	/**
	 * One bad input: the file handed to the importer ({@code input}), extra command options, and a fragment the
	 * error message must contain. {@code readerRejects} is false where the file itself is fine and only the command's
	 * parameters are bad.
	 */
	record Case(String name, Path input, String options, ImportOptions importOptions, boolean readerRejects, String fragment) {}

	private static Path dir;
	private static final List<Case> CASES = new ArrayList<>();
	private static Map<String, String> checksums;
	private static Context context;

	// ---- small writers (bytes exactly as a broken instrument or a bad copy would leave them) ----

	private static Path write(final String name, final byte[] bytes) throws IOException {
		return Files.write(dir.resolve(name), bytes);
	}

	private static byte[] npy(final String dict, final byte[] data) {
		final StringBuilder h = new StringBuilder(dict);
		while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
		h.append('\n');
		final byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
		final ByteBuffer b = ByteBuffer.allocate(10 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
		b.put(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 }).putShort((short) hb.length).put(hb).put(data);
		return b.array();
	}

	private static byte[] floats(final int n, final float value) {
		final ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < n; i++) b.putFloat(value + (i % 7));
		return b.array();
	}

	/** A minimal little-endian baseline TIFF header declaring width × height 32-bit float pixels, with {@code dataBytes} of data. */
	private static byte[] tiffHeader(final long width, final long height, final int dataBytes) {
		final int entries = 8, ifd = 8, dataOffset = ifd + 2 + entries * 12 + 4;
		final ByteBuffer b = ByteBuffer.allocate(dataOffset + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd);
		b.putShort((short) entries);
		final int[][] tags = { { 256, 4, (int) width }, { 257, 4, (int) height }, { 258, 3, 32 }, { 259, 3, 1 }, { 262, 3, 1 },
			{ 273, 4, dataOffset }, { 279, 4, dataBytes }, { 339, 3, 3 } };
		for (final int[] t : tags) b.putShort((short) t[0]).putShort((short) t[1]).putInt(1).putInt(t[2]);
		b.putInt(0);
		return b.array();
	}

	private static RealVolume volume(final Grid g, final float base) {
		final float[] v = new float[g.size()];
		for (int i = 0; i < v.length; i++) v[i] = base + (i % 13);
		return new RealVolume(g, v);
	}

	private static void add(final String name, final Path input, final String fragment) {
		CASES.add(new Case(name, input, "", ImportOptions.defaults(), true, fragment));
	}

	@BeforeAll
	static void generate() throws Exception {
		dir = Files.createTempDirectory("cdi-bad-inputs");
		final Grid g = new Grid(8, 16, 16);
		final Path good = dir.resolve("good_8x16x16.tif");
		TiffWriter.write(good, volume(g, 1));
		final byte[] goodTiff = Files.readAllBytes(good);

		// TIFF
		add("truncated TIFF", write("truncated.tif", Arrays.copyOf(goodTiff, goodTiff.length / 2)), "truncated.tif");
		add("TIFF header only", write("header_only.tif", Arrays.copyOf(goodTiff, 8)), "header_only.tif");
		add("empty .tif", write("empty.tif", new byte[0]), "empty.tif");
		add("random bytes as .tif", write("noise.tif", floats(300, 0.5f)), "noise.tif");
		final Path rgb = dir.resolve("rgb.tif");
		new FileSaver(new ImagePlus("rgb", new ColorProcessor(16, 16))).saveAsTiff(rgb.toString());
		add("RGB TIFF (wrong type)", rgb, "rgb.tif");
		add("TIFF with absurd size", write("absurd_size.tif", tiffHeader(200000, 200000, 64)), "absurd_size.tif");
		add("TIFF with fewer pixels than its header", write("short_data.tif", tiffHeader(512, 512, 1024)), "short_data.tif");
		final float[] nan = volume(g, 1).data.clone();
		nan[100] = Float.NaN;
		final Path nanTif = dir.resolve("nan.tif");
		TiffWriter.write(nanTif, new RealVolume(g, nan));
		add("TIFF with NaN", nanTif, "nan.tif");
		final Path zeroTif = dir.resolve("all_zero.tif");
		TiffWriter.write(zeroTif, new RealVolume(g));
		add("all-zero TIFF", zeroTif, "all_zero.tif");
		final float[] neg = volume(g, 1).data.clone();
		neg[7] = -5;
		final Path negTif = dir.resolve("negative.tif");
		TiffWriter.write(negTif, new RealVolume(g, neg));
		add("negative intensities", negTif, "negative.tif");
		final Path one = dir.resolve("one_voxel.tif");
		TiffWriter.write(one, new RealVolume(new Grid(1, 1, 1), new float[] { 5 }));
		add("1×1×1 TIFF", one, "one_voxel.tif");

		// NPY
		add("truncated NPY", write("truncated.npy", Arrays.copyOf(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (8, 16, 16), }", floats(2048, 1)), 1200)), "truncated.npy");
		add("4D NPY", write("four_d.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 4, 4), }", floats(64, 1))), "four_d.npy");
		add("1D NPY", write("one_d.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (64,), }", floats(64, 1))), "one_d.npy");
		add("NPY with absurd shape", write("absurd_shape.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", floats(16, 1))), "absurd_shape.npy");
		add("NPY with negative shape", write("negative_shape.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 4, 4), }", floats(64, 1))), "negative_shape.npy");
		add("complex NPY (wrong dtype)", write("complex.npy", npy("{'descr': '<c16', 'fortran_order': False, 'shape': (4, 4, 4), }", new byte[64 * 16])), "complex.npy");
		add("object NPY (wrong dtype)", write("object.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (4, 4, 4), }", new byte[64 * 8])), "object.npy");
		add("NPY with bad magic", write("bad_magic.npy", "NUMPY? not really".getBytes(StandardCharsets.ISO_8859_1)), "bad_magic.npy");
		final byte[] hugeHeader = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4, 4), }", floats(64, 1));
		hugeHeader[8] = (byte) 0xff; hugeHeader[9] = (byte) 0xff; // header length 65535 in a 330-byte file
		add("NPY with absurd header length", write("absurd_header.npy", hugeHeader), "absurd_header.npy");
		add("NPY header not a dict", write("garbage_header.npy", npy("[1, 2, 3] garbage", floats(64, 1))), "garbage_header.npy");
		final Path nanNpy = dir.resolve("nan.npy");
		NpyIO.write(nanNpy, new RealVolume(g, nan));
		add("NPY with NaN", nanNpy, "nan.npy");
		final Path zeroNpy = dir.resolve("all_zero.npy");
		NpyIO.write(zeroNpy, new RealVolume(g));
		add("all-zero NPY", zeroNpy, "all_zero.npy");

		// HDF5 / CXI
		final Path goodH5 = dir.resolve("good.h5");
		final float[][][] cube = new float[8][16][16];
		for (final float[][] p : cube) for (final float[] r : p) Arrays.fill(r, 3f);
		try (WritableHdfFile f = HdfFile.write(goodH5)) { f.putGroup("entry_1").putGroup("data_1").putDataset("data", cube); }
		final byte[] h5 = Files.readAllBytes(goodH5);
		Files.delete(goodH5);
		add("truncated HDF5", write("truncated.h5", Arrays.copyOf(h5, h5.length / 3)), "truncated.h5");
		add("text file named .h5", write("not_hdf5.h5", "this is not HDF5\n".getBytes(StandardCharsets.US_ASCII)), "not_hdf5.h5");
		final Path missing = dir.resolve("missing_dataset.cxi");
		try (WritableHdfFile f = HdfFile.write(missing)) { f.putGroup("entry_1").putDataset("other", cube); }
		add("HDF5 without the dataset", missing, "missing_dataset.cxi");
		final Path fourD = dir.resolve("four_d.h5");
		try (WritableHdfFile f = HdfFile.write(fourD)) { f.putGroup("entry_1").putGroup("data_1").putDataset("data", new float[2][2][4][4]); }
		add("4D HDF5", fourD, "four_d.h5");
		final Path h5Zero = dir.resolve("all_zero.h5");
		try (WritableHdfFile f = HdfFile.write(h5Zero)) { f.putGroup("entry_1").putGroup("data_1").putDataset("data", new float[4][8][8]); }
		add("all-zero HDF5", h5Zero, "all_zero.h5");

		// EDF
		final String hdr = "HeaderID = EH:000001:000000:000000 ;\nByteOrder = LowByteFirst ;\nDataType = FloatValue ;\n";
		add("truncated EDF", write("truncated.edf", Fixtures.edf(hdr + "Dim_1 = 16 ;\nDim_2 = 16 ;\nSize = 1024 ;\n", floats(100, 1))), "truncated.edf");
		add("EDF with absurd size", write("absurd_size.edf", Fixtures.edf(hdr + "Dim_1 = 1000000000 ;\nDim_2 = 1000000000 ;\n", floats(16, 1))), "absurd_size.edf");
		add("EDF without dimensions", write("no_dims.edf", Fixtures.edf(hdr, floats(16, 1))), "no_dims.edf");
		add("EDF with unknown data type", write("bad_type.edf", Fixtures.edf("ByteOrder = LowByteFirst ;\nDataType = Quaternion ;\nDim_1 = 4 ;\nDim_2 = 4 ;\n", floats(16, 1))), "bad_type.edf");
		add("EDF without header end", write("open_header.edf", "{\nDim_1 = 4 ;\nDim_2 = 4 ;\n".getBytes(StandardCharsets.ISO_8859_1)), "open_header.edf");

		// folders, masks, extensions
		final Path emptyFolder = Files.createDirectories(dir.resolve("empty_folder"));
		add("empty frame folder", emptyFolder, "empty_folder");
		final Path mixed = Files.createDirectories(dir.resolve("mixed_frames"));
		TiffWriter.write(mixed.resolve("frame_001.tif"), volume(Grid.of2D(16, 16), 1));
		TiffWriter.write(mixed.resolve("frame_002.tif"), volume(Grid.of2D(16, 12), 1));
		add("frames of different sizes", mixed, "frame_002.tif");
		add("unknown extension", write("scan.dat", floats(64, 1)), "scan.dat");
		final Path smallMask = dir.resolve("mask_8x8.tif");
		TiffWriter.write(smallMask, new RealVolume(Grid.of2D(8, 8)));
		CASES.add(new Case("mask of the wrong size", good, ",mask_file=\"" + smallMask + "\"",
			new ImportOptions(sc.fiji.cdi.data.Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, null, smallMask), true, "mask_8x8.tif"));
		final Path smallDark = dir.resolve("dark_4x4.tif");
		TiffWriter.write(smallDark, new RealVolume(Grid.of2D(4, 4)));
		CASES.add(new Case("dark field of the wrong size", good, ",dark_field=\"" + smallDark + "\"",
			new ImportOptions(sc.fiji.cdi.data.Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, smallDark, null, null), true, "dark_4x4.tif"));

		// good file, bad command parameters (the reader accepts the file; the command must refuse before any work)
		CASES.add(new Case("bad recipe", good, ",recipe=\"3*(20*ER+HIOX)\"", ImportOptions.defaults(), false, "HIOX"));
		CASES.add(new Case("bad size", good, ",size=\"64,abc,2\"", ImportOptions.defaults(), false, "size='64,abc,2'"));
		CASES.add(new Case("bad binning", good, ",binning=\"0\"", ImportOptions.defaults(), false, "binning='0'"));
		CASES.add(new Case("unknown backend", good, ",backend=\"cuda9\"", ImportOptions.defaults(), false, "cuda9"));
		CASES.add(new Case("missing input file", dir.resolve("no_such_scan.tif"), "", ImportOptions.defaults(), true, "no_such_scan.tif"));
		// neural-network model folders that cannot be read (Reconstruct with mode nn+refine)
		final Path emptyModel = Files.createDirectories(dir.resolve("model_empty"));
		CASES.add(new Case("model folder without model.json", good, ",mode=\"nn+refine\",model=\"" + emptyModel + "\"", ImportOptions.defaults(), false, "model_empty"));
		final Path badModel = Files.createDirectories(dir.resolve("model_garbage"));
		Files.writeString(badModel.resolve("model.json"), "{ this is not json");
		Files.write(badModel.resolve("weights.params"), new byte[] { 1, 2, 3 });
		CASES.add(new Case("model folder with a corrupt card", good, ",mode=\"nn+refine\",model=\"" + badModel + "\"", ImportOptions.defaults(), false, "model_garbage"));

		checksums = checksums();
		context = new Context();
	}

	/** After every reader and command ran on every input: no input file changed, then the corpus is deleted. */
	@AfterAll
	static void inputsUnchangedThenCleanUp() throws Exception {
		try {
			assertEquals(checksums, checksums(), "an input file changed");
		} finally {
			cleanUp();
		}
	}

	private static void cleanUp() throws IOException {
		if (context != null) context.dispose();
		try (Stream<Path> walk = Files.walk(dir)) {
			walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
	}

	private static Map<String, String> checksums() throws Exception {
		final Map<String, String> sums = new TreeMap<>();
		try (Stream<Path> walk = Files.walk(dir)) {
			for (final Path p : (Iterable<Path>) walk::iterator) {
				if (!Files.isRegularFile(p) || p.startsWith(dir.resolve("outputs"))) continue;
				sums.put(dir.relativize(p).toString(), Fixtures.sha256(p));
			}
		}
		return sums;
	}

	@Test
	void theCorpusHasAtLeastThirtyBadInputs() {
		assertTrue(CASES.size() >= 30, "corpus size " + CASES.size());
		System.out.println("BadInputCorpusTest: " + CASES.size() + " bad inputs");
	}

	@TestFactory
	Stream<DynamicTest> theReaderRejectsEachWithASpecificMessage() {
		return CASES.stream().filter(Case::readerRejects).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
			final CdiException e = assertThrows(CdiException.class, () -> DiffractionReader.read(c.input(), c.importOptions()));
			assertTrue(e.getMessage().contains(c.fragment()), c.name() + ": message should name " + c.fragment() + ": " + e.getMessage());
			assertTrue(e.getMessage().length() > 40, c.name() + ": message too short to say what was expected: " + e.getMessage());
		}));
	}

	@TestFactory
	Stream<DynamicTest> reconstructExitsWithCodeOneAndLeavesNoOutput() {
		return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
			final Path out = dir.resolve("outputs").resolve(c.name().replaceAll("[^A-Za-z0-9]+", "_"));
			final PrintStream old = System.err;
			final ByteArrayOutputStream buf = new ByteArrayOutputStream();
			final int code;
			System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
			try {
				code = Main.run("--headless", "--run", "Reconstruct", "input=\"" + c.input() + "\",output_dir=\"" + out + "\",recipe=\"5*ER\"" + c.options());
			} finally {
				System.setErr(old);
			}
			final String err = buf.toString(StandardCharsets.UTF_8);
			assertEquals(1, code, c.name() + ": " + err);
			assertTrue(err.contains("Reconstruct failed: "), c.name() + ": " + err);
			assertTrue(err.contains(c.fragment()), c.name() + ": stderr should contain " + c.fragment() + ": " + err);
			if (Files.exists(out)) try (Stream<Path> s = Files.list(out)) { assertEquals(List.of(), s.toList(), c.name() + ": output left"); }
		}));
	}

	@TestFactory
	Stream<DynamicTest> importDiffractionFailsWithTheSameMessage() {
		final CommandService commands = context.service(CommandService.class);
		return CASES.stream().filter(Case::readerRejects).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
			final Map<String, Object> in = new HashMap<>();
			in.put("input", c.input().toFile());
			if (c.importOptions().maskPath() != null) in.put("mask_file", c.importOptions().maskPath().toFile());
			if (c.importOptions().darkField() != null) in.put("dark_field", c.importOptions().darkField().toFile());
			final CommandModule m = commands.run(ImportDiffractionCommand.class, true, in).get();
			final String failure = ((CdiCommand) m.getCommand()).failure();
			assertNotNull(failure, c.name() + ": import succeeded");
			assertTrue(failure.contains(c.fragment()), c.name() + ": " + failure);
		}));
	}

	@Test
	void inputsAreUnchangedAfterEverything() throws Exception {
		// order-independent: read every input with the reader again, then compare all checksums with the originals
		for (final Case c : CASES) {
			try { DiffractionReader.read(c.input(), c.importOptions()); } catch (final CdiException expected) { /* rejected */ }
		}
		assertEquals(checksums, checksums(), "an input file changed");
	}
}
