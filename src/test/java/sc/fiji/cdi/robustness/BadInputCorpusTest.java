package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import sc.fiji.cdi.testutil.HeadlessRun;
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
	record Case(String name, Path input, String options, ImportOptions importOptions, boolean readerRejects, String fragment, int exit, Path out) {
		Case(final String name, final Path input, final String options, final ImportOptions importOptions, final boolean readerRejects, final String fragment) {
			this(name, input, options, importOptions, readerRejects, fragment, Main.FAILED, null);
		}
	}

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

	private static Path cut(final String name, final byte[] bytes, final double fraction) throws IOException {
		return write(name, Arrays.copyOf(bytes, (int) (bytes.length * fraction)));
	}

	private static void param(final String name, final Path good, final String options, final String fragment) {
		CASES.add(new Case("parameter: " + name, good, options, ImportOptions.defaults(), false, fragment, Main.BAD_COMMAND_LINE, null));
	}

	private static void folder(final String name, final Path input, final String options, final String fragment, final int exit, final Path out) {
		CASES.add(new Case("folder: " + name, input, options, ImportOptions.defaults(), false, fragment, exit, out));
	}

	/**
	 * The corpus of issue 13: incomplete files of every format (a multi-page TIFF cut short read as its first page was
	 * a silent wrong answer), odd paths, frame folders with broken links, output folders that cannot be used, and bad
	 * parameters, each with the exit code docs/cluster.md documents.
	 */
	private static void generateMore(final Path good) throws Exception {
		// --- TIFF: pages, strips and tiles that are not all there ---
		final byte[] floats5 = TiffBytes.write(TiffBytes.Spec.floats(5, 16, 16));
		add("5-page float TIFF cut at 50 %", cut("pages5_cut50.tif", floats5, 0.5), "pages5_cut50.tif");
		final byte[] shorts10 = TiffBytes.write(TiffBytes.Spec.shorts(10, 32, 32));
		add("16-bit 10-page TIFF cut at 90 %", cut("u16_pages10_cut90.tif", shorts10, 0.9), "u16_pages10_cut90.tif");
		final int pageBytes = (shorts10.length - 8) / 10;
		add("16-bit TIFF cut exactly after page 3", write("u16_cut_at_page.tif", Arrays.copyOf(shorts10, 8 + 3 * pageBytes)), "3 complete pages");
		add("big-endian 6-page TIFF cut at 70 %", cut("big_endian_cut70.tif", TiffBytes.write(TiffBytes.Spec.floats(6, 16, 16).bigEndian()), 0.7), "big_endian_cut70.tif");
		add("BigTIFF 4-page cut at 60 %", cut("bigtiff_cut60.tif", TiffBytes.write(TiffBytes.Spec.shorts(4, 16, 16).bigTiff()), 0.6), "bigtiff_cut60.tif");
		final byte[] shaped = TiffBytes.write(TiffBytes.Spec.shorts(3, 16, 16).described("{\"shape\": [5, 16, 16]}"));
		add("TIFF whose description declares 5 pages, 3 present", write("shape_5_has_3.tif", shaped), "2 pages are missing");
		add("TIFF whose pages loop", write("ifd_loop.tif", TiffBytes.write(TiffBytes.Spec.floats(3, 8, 8).looped())), "loop");
		add("4-strip TIFF, last strip cut", cut("strips_cut.tif", TiffBytes.write(TiffBytes.Spec.shorts(1, 64, 64).strips(4)), 0.95), "strips_cut.tif");
		final byte[] tiled = TiffBytes.write(TiffBytes.Spec.shorts(2, 16, 16).tiles(8));
		add("tiled TIFF cut at 80 %", cut("tiles_cut80.tif", tiled, 0.8), "tiles_cut80.tif");
		final byte[] shortCounts = TiffBytes.write(TiffBytes.Spec.shorts(1, 16, 16));
		ByteBuffer.wrap(shortCounts).order(ByteOrder.LITTLE_ENDIAN).putInt(8 + 2 + 8 * 12 + 8, 100); // StripByteCounts (entry 9) → 100 of 512 bytes
		add("TIFF strips hold fewer bytes than the image", write("short_counts.tif", shortCounts), "bytes missing");
		final ImageStack st = new ImageStack(32, 32);
		for (int k = 0; k < 10; k++) { final short[] px = new short[32 * 32]; Arrays.fill(px, (short) (100 + k)); st.addSlice(new ij.process.ShortProcessor(32, 32, px, null)); }
		final Path ij16 = dir.resolve("imagej_u16_full.tif");
		new FileSaver(new ImagePlus("s", st)).saveAsTiffStack(ij16.toString());
		final byte[] ij16b = Files.readAllBytes(ij16);
		Files.delete(ij16);
		add("ImageJ 16-bit stack cut at 90 %", cut("imagej_u16_cut90.tif", ij16b, 0.9), "imagej_u16_cut90.tif");
		add("BigTIFF header only", write("bigtiff_header.tif", Arrays.copyOf(TiffBytes.write(TiffBytes.Spec.shorts(1, 8, 8).bigTiff()), 12)), "bigtiff_header.tif");
		final byte[] farIfd = Arrays.copyOf(goodTiff(good), 64);
		ByteBuffer.wrap(farIfd).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1 << 30);
		add("TIFF first page directory beyond the end", write("ifd_beyond_end.tif", farIfd), "ifd_beyond_end.tif");
		add("zero-length .TIF (upper case)", write("EMPTY.TIF", new byte[0]), "EMPTY.TIF");
		add("PNG bytes named .tif", write("png_named.tif", new byte[] { (byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13 }), "png_named.tif");
		final ij.process.ByteProcessor indexed = new ij.process.ByteProcessor(16, 16);
		for (int i = 0; i < 256; i++) indexed.set(i, 1 + i % 200);
		final byte[] red = new byte[256], gr = new byte[256], bl = new byte[256];
		for (int i = 0; i < 256; i++) { red[i] = (byte) i; gr[i] = (byte) (255 - i); bl[i] = (byte) (7 * i); }
		indexed.setLut(new ij.process.LUT(red, gr, bl));
		final Path palette = dir.resolve("palette_colour.tif");
		new FileSaver(new ImagePlus("palette", indexed)).saveAsTiff(palette.toString());
		add("indexed-colour (palette) TIFF, read as its indices before", palette, "palette_colour.tif is an indexed-colour (palette) TIFF");
		final float[] inf = volume(new Grid(4, 8, 8), 1).data.clone();
		inf[3] = Float.POSITIVE_INFINITY;
		final Path infTif = dir.resolve("inf.tif");
		TiffWriter.write(infTif, new RealVolume(new Grid(4, 8, 8), inf));
		add("TIFF with +Inf", infTif, "inf.tif");
		final Path column = dir.resolve("one_column.tif");
		TiffWriter.write(column, volume(Grid.of2D(64, 1), 1));
		add("64×1 TIFF (one column)", column, "one_column.tif");
		// odd paths: non-ASCII, spaces, brackets, a comma (quoted on the command line)
		final Path odd = Files.createDirectories(dir.resolve("données é [scan 54] (copie)"));
		final Path oddFile = Files.write(odd.resolve("scan ü [1].tif"), Arrays.copyOf(floats5, floats5.length / 2));
		add("truncated TIFF in a non-ASCII folder with spaces and brackets", oddFile, "scan ü [1].tif");
		add("truncated TIFF with a comma in its name", cut("scan,54.tif", floats5, 0.4), "scan,54.tif");

		// --- NPY, EDF, HDF5: declared sizes ---
		add("float64 NPY cut at 90 %", cut("f8_cut90.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 16, 16), }", new byte[8 * 1024]), 0.9), "f8_cut90.npy");
		add("big-endian NPY cut", cut("big_endian_cut.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (4, 16, 16), }", floats(1024, 1)), 0.8), "big_endian_cut.npy");
		add("Fortran-order NPY cut", cut("fortran_cut.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 16, 16), }", floats(1024, 1)), 0.75), "fortran_cut.npy");
		add("0-dimensional NPY", write("zero_dim.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats(1, 1))), "zero_dim.npy");
		add("NPY with an empty axis", write("empty_axis.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 16, 16), }", new byte[0])), "empty_axis.npy");
		add("half-float NPY", write("half.npy", npy("{'descr': '<f2', 'fortran_order': False, 'shape': (4, 4), }", new byte[32])), "half.npy");
		final ByteBuffer infNpy = ByteBuffer.wrap(floats(64, 1)).order(ByteOrder.LITTLE_ENDIAN);
		infNpy.putFloat(20, Float.NEGATIVE_INFINITY);
		add("NPY with -Inf", write("neg_inf.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (8, 8), }", infNpy.array())), "neg_inf.npy");
		add("NPY with more data than its header's shape (edited by hand)", write("npy_longer.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 16, 15), }", floats(1024, 1))),
			"npy_longer.npy has 256 bytes more than its header declares");
		add("NPY header only", write("npy_header_only.npy", Arrays.copyOf(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (8, 8), }", floats(64, 1)), 10)), "npy_header_only.npy");
		final String edfHdr = "HeaderID = EH:000001:000000:000000 ;\nByteOrder = LowByteFirst ;\nDataType = FloatValue ;\nDim_1 = 8 ;\nDim_2 = 8 ;\nSize = 256 ;\n";
		final byte[] frame = Fixtures.edf(edfHdr, floats(64, 1));
		final byte[] twoFrames = new byte[2 * frame.length];
		System.arraycopy(frame, 0, twoFrames, 0, frame.length);
		System.arraycopy(frame, 0, twoFrames, frame.length, frame.length);
		add("2-frame EDF, second frame cut", cut("edf_two_frames_cut.edf", twoFrames, 0.85), "edf_two_frames_cut.edf");
		add("EDF with a negative dimension", write("edf_negative.edf", Fixtures.edf("ByteOrder = LowByteFirst ;\nDataType = FloatValue ;\nDim_1 = -8 ;\nDim_2 = 8 ;\n", floats(64, 1))), "edf_negative.edf");
		add("EDF with an unknown byte order", write("edf_byteorder.edf", Fixtures.edf("ByteOrder = Sideways ;\nDataType = FloatValue ;\nDim_1 = 8 ;\nDim_2 = 8 ;\n", floats(64, 1))), "edf_byteorder.edf");
		final Path h5 = dir.resolve("full.h5");
		final float[][][] cube = new float[8][16][16];
		for (final float[][] p : cube) for (final float[] r : p) Arrays.fill(r, 2f);
		try (WritableHdfFile f = HdfFile.write(h5)) { f.putGroup("entry_1").putGroup("data_1").putDataset("data", cube); }
		final byte[] h5b = Files.readAllBytes(h5);
		Files.delete(h5);
		add("HDF5 cut at 90 %", cut("h5_cut90.h5", h5b, 0.9), "h5_cut90.h5");
		final Path oneD = dir.resolve("one_d.h5");
		try (WritableHdfFile f = HdfFile.write(oneD)) { f.putGroup("entry_1").putGroup("data_1").putDataset("data", new float[] { 1, 2, 3, 4 }); }
		add("1D HDF5 dataset", oneD, "one_d.h5");
		final Path group = dir.resolve("group_not_dataset.h5");
		try (WritableHdfFile f = HdfFile.write(group)) { f.putGroup("entry_1").putGroup("data_1").putGroup("data"); }
		add("HDF5 path is a group", group, "group_not_dataset.h5");

		// --- frame folders ---
		final Path dangling = frames("frames_dangling", 3);
		Files.createSymbolicLink(dangling.resolve("f_004.tif"), dangling.resolve("gone.tif"));
		add("frame folder with a dangling link", dangling, "f_004.tif");
		final Path selfLink = frames("frames_self_link", 3);
		Files.createSymbolicLink(selfLink.resolve("f_004.tif"), Path.of("f_004.tif"));
		add("frame folder with a self-referencing link", selfLink, "f_004.tif");
		final Path subfolder = frames("frames_subfolder", 3);
		Files.createDirectories(subfolder.resolve("f_004.tif"));
		add("frame folder with a folder named like a frame", subfolder, "f_004.tif");
		final Path cutFrame = frames("frames_cut_frame", 3);
		final byte[] f2 = Files.readAllBytes(cutFrame.resolve("f_002.tif"));
		Files.write(cutFrame.resolve("f_002.tif"), Arrays.copyOf(f2, f2.length * 2 / 3));
		add("frame folder with a truncated frame", cutFrame, "f_002.tif");
		final Path emptyFrame = frames("frames_empty_frame", 3);
		Files.write(emptyFrame.resolve("f_003.tif"), new byte[0]);
		add("frame folder with a zero-length frame", emptyFrame, "f_003.tif");
		final Path stackFrame = frames("frames_with_stack", 2);
		TiffWriter.write(stackFrame.resolve("f_003.tif"), volume(new Grid(2, 16, 16), 1));
		add("frame folder with a stack among the frames", stackFrame, "f_003.tif");
		final Path darkCut = dir.resolve("dark_cut.tif");
		Files.write(darkCut, Arrays.copyOf(Files.readAllBytes(dangling.resolve("f_001.tif")), 100));
		CASES.add(new Case("truncated dark field", frames("frames_for_dark", 2), ",dark_field=\"" + darkCut + "\"",
			new ImportOptions(sc.fiji.cdi.data.Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, darkCut, null, null), true, "dark_cut.tif"));
		final Path selfFlat = frames("frames_for_self_flat", 1).resolve("f_001.tif");
		CASES.add(new Case("white field is the input itself", selfFlat, ",white_field=\"" + selfFlat + "\"",
			new ImportOptions(sc.fiji.cdi.data.Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, selfFlat, null), true,
			"Parameter 'white_field': " + selfFlat + " is the input itself"));
		final Path maskDir = Files.createDirectories(dir.resolve("mask_is_a_folder.tif"));
		CASES.add(new Case("mask file is a folder", good, ",mask_file=\"" + maskDir + "\"",
			new ImportOptions(sc.fiji.cdi.data.Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, null, maskDir), true, "mask_is_a_folder.tif"));
		final Path dir2 = Files.createDirectories(dir.resolve("links"));
		final Path danglingInput = Files.createSymbolicLink(dir2.resolve("scan_link.tif"), dir2.resolve("moved_away.tif"));
		add("input is a dangling link", danglingInput, "scan_link.tif");
		final Path okFrames = frames("frames_ok", 3);
		folder("output_dir is the input frame folder", okFrames, "", "output_dir", Main.FAILED, okFrames);
		folder("output_dir inside the input frame folder", okFrames, "", "output_dir", Main.FAILED, okFrames.resolve("recon"));
		final Path aFile = Files.writeString(dir.resolve("i_am_a_file.txt"), "not a folder");
		folder("output_dir is a file", good, "", "i_am_a_file.txt", Main.FAILED, aFile);
		folder("output_dir under a file", good, "", "i_am_a_file.txt", Main.FAILED, aFile.resolve("sub"));
		folder("output_dir cannot be created (/proc)", good, "", "/proc/cdi-results", Main.FAILED, Path.of("/proc/cdi-results"));
		// a rerun into the folder of the earlier results, given one of them: the run would replace its own input
		final Path rerun = Files.createDirectories(dir.resolve("rerun_same_folder"));
		TiffWriter.write(rerun.resolve("scan.tif"), volume(new Grid(8, 16, 16), 1));
		final float[] box = new float[8 * 16 * 16];
		for (int z = 2; z < 6; z++) for (int y = 4; y < 12; y++) for (int x = 4; x < 12; x++) box[(z * 16 + y) * 16 + x] = 1;
		TiffWriter.write(rerun.resolve("scan_support.tif"), new RealVolume(new Grid(8, 16, 16), box));
		folder("support_file is the support the run writes (a previous run's, same output_dir)", rerun.resolve("scan.tif"),
			",support_file=\"" + rerun.resolve("scan_support.tif") + "\"", "Parameter 'support_file': " + rerun.resolve("scan_support.tif") + " is a file of the result 'scan'",
			Main.FAILED, rerun);
		TiffWriter.write(rerun.resolve("scan_amplitude.tif"), volume(Grid.of2D(16, 16), 0));
		folder("mask_file is a file the run writes", rerun.resolve("scan.tif"), ",mask_file=\"" + rerun.resolve("scan_amplitude.tif") + "\"",
			"would be replaced by this run's scan_amplitude.tif", Main.FAILED, rerun);
		// a reconstruction's amplitude given as the pattern: its result set's manifest lists it
		CASES.add(new Case("a reconstruction's amplitude (listed in its manifest) as input", resultSetAmplitude(), "", ImportOptions.defaults(), false,
			"is not a diffraction pattern: it is a result the plugin wrote (listed in scan_manifest.json", Main.FAILED, null));
		final Path hiddenCut = cut(".hidden_scan.tif", floats5, 0.5);
		add("truncated hidden file", hiddenCut, ".hidden_scan.tif");
		final Path fifo = dir.resolve("pipe_scan.npy");
		if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) add("a named pipe as input (must not block)", fifo, "pipe_scan.npy");
		folder("input is an empty path", Path.of(""), "", "input", Main.FAILED, null); // Reconstruct may take an open image instead

		// --- parameters: key, value and what is allowed; exit code 2 before any work ---
		param("seed=abc (unquoted)", good, ",seed=abc", "seed");
		param("seed=\"abc\"", good, ",seed=\"abc\"", "'seed': 'abc' is not a whole number");
		param("seed=1.5", good, ",seed=1.5", "'seed': 1.5 is not a whole number");
		param("random_starts=-1", good, ",random_starts=-1", "'random_starts'");
		param("random_starts=-5", good, ",random_starts=-5", "out of range");
		param("threads=-4", good, ",threads=-4", "'threads'");
		param("threads=1e12", good, ",threads=1e12", "'threads'");
		param("fine_tune_steps=-3", good, ",fine_tune_steps=-3", "'fine_tune_steps'");
		param("centring=middle", good, ",centring=\"middle\"", "max, centre_of_mass");
		param("quantity=counts", good, ",quantity=\"counts\"", "intensity, amplitude");
		param("mode=nnrefine", good, ",mode=\"nnrefine\"", "phasing, nn+refine");
		param("device=tpu", good, ",device=\"tpu\"", "auto, cpu, gpu");
		param("initial_support=sphere", good, ",initial_support=\"sphere\"", "box, autocorrelation");
		param("hio_beta=5", good, ",hio_beta=5", "from 0.01 to 1.5");
		param("shrink_wrap_threshold=0", good, ",shrink_wrap_threshold=0", "'shrink_wrap_threshold'");
		param("data_threshold=-1", good, ",data_threshold=-1", "'data_threshold'");
		param("twin_removal=maybe", good, ",twin_removal=\"maybe\"", "twin_removal=true or twin_removal=false");
		param("unknown key", good, ",randm_starts=2", "did you mean 'random_starts'");
		param("unterminated quote", good, ",recipe=\"5*ER", "quote is not closed");
		param("text where a number goes", good, ",seed=\"\"", "'seed'");
		param("size=0", good, ",size=\"0\"", "size='0'");
		param("size with 4 numbers", good, ",size=\"8,8,8,8\"", "size='8,8,8,8'");
		param("binning with 2 numbers", good, ",binning=\"1,2\"", "binning='1,2'");
		param("empty recipe", good, ",recipe=\"\"", "'recipe'");
		param("a list value", good, ",size=[64,64]", "'size'");
		param("NaN as a number", good, ",hio_beta=NaN", "NaN");
		CASES.add(new Case("parameter: size=4096 (2^30-voxel limit)", good, ",size=\"4096\"", ImportOptions.defaults(), false, "2^30", Main.FAILED, null));
		CASES.add(new Case("parameter: output_dir missing", good, "", ImportOptions.defaults(), false, "'output_dir' is missing", Main.BAD_COMMAND_LINE, NO_OUTPUT));
	}

	/** {@code result_set/scan_amplitude.tif}, committed with its manifest as Reconstruct writes it. */
	private static Path resultSetAmplitude() throws IOException {
		final Path res = Files.createDirectories(dir.resolve("result_set"));
		try (sc.fiji.cdi.util.AtomicOutput.ResultSet set = sc.fiji.cdi.util.AtomicOutput.ResultSet.open(res, "scan")) {
			TiffWriter.write(set.file("scan_amplitude.tif"), volume(new Grid(8, 16, 16), 1));
			set.commit();
		}
		return res.resolve("scan_amplitude.tif");
	}

	/**
	 * Import Diffraction and Predict refuse a reconstruction's amplitude as Reconstruct does; the same file outside its
	 * result set (raw amplitude data may be named x_amplitude.tif) is read.
	 */
	@Test
	void aResultOfThePluginIsNoPatternButTheSameNameElsewhereIs() throws Exception {
		final Path amp = dir.resolve("result_set").resolve("scan_amplitude.tif");
		for (final String command : new String[] { "Import Diffraction", "Predict (NN)" }) {
			final Path out = dir.resolve("outputs").resolve("own_result_" + command.charAt(0));
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", command, "input=\"" + amp + "\",output_dir=\"" + out + "\"");
			assertEquals(Main.FAILED, r.code, command + ": " + r.err);
			assertTrue(r.err.contains("Parameter 'input': " + amp + " is not a diffraction pattern") && r.err.contains("scan_manifest.json"), command + ": " + r.err);
			SignalTest.assertNoStackTrace(r.err);
			assertEquals(null, listing(out), command + ": no output folder");
		}
		final Path elsewhere = Files.createDirectories(dir.resolve("outputs").resolve("raw_amplitude"));
		final Path copy = Files.copy(amp, elsewhere.resolve("scan_amplitude.tif"));
		final HeadlessRun ok = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + copy + "\",quantity=\"amplitude\",output_dir=\"" + elsewhere.resolve("out") + "\"");
		assertEquals(Main.OK, ok.code, ok.err);
	}

	/** Marks a case run without output_dir. */
	private static final Path NO_OUTPUT = Path.of("-no-output-");

	private static byte[] goodTiff(final Path good) throws IOException { return Files.readAllBytes(good); }

	/** A folder of {@code n} good 16×16 float frames f_001.tif …. */
	private static Path frames(final String name, final int n) throws IOException {
		final Path f = Files.createDirectories(dir.resolve(name));
		for (int i = 1; i <= n; i++) TiffWriter.write(f.resolve(String.format("f_%03d.tif", i)), volume(Grid.of2D(16, 16), i));
		return f;
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
		CASES.add(new Case("direct_beam with a plain file (no geometry to place)", good, ",direct_beam=\"256,256\"", ImportOptions.defaults(), false,
			"direct_beam=256,256 places the lab-frame geometry of a beamline scan"));
		CASES.add(new Case("bad recipe", good, ",recipe=\"3*(20*ER+HIOX)\"", ImportOptions.defaults(), false, "HIOX", Main.BAD_COMMAND_LINE, null));
		CASES.add(new Case("bad size", good, ",size=\"64,abc,2\"", ImportOptions.defaults(), false, "size='64,abc,2'", Main.BAD_COMMAND_LINE, null));
		CASES.add(new Case("bad binning", good, ",binning=\"0\"", ImportOptions.defaults(), false, "binning='0'", Main.BAD_COMMAND_LINE, null));
		CASES.add(new Case("unknown backend", good, ",backend=\"cuda9\"", ImportOptions.defaults(), false, "cuda9", Main.BAD_COMMAND_LINE, null));
		CASES.add(new Case("missing input file", dir.resolve("no_such_scan.tif"), "", ImportOptions.defaults(), true, "no_such_scan.tif"));
		// neural-network model folders that cannot be read (Reconstruct with mode nn+refine)
		final Path emptyModel = Files.createDirectories(dir.resolve("model_empty"));
		CASES.add(new Case("model folder without model.json", good, ",mode=\"nn+refine\",model=\"" + emptyModel + "\"", ImportOptions.defaults(), false, "model_empty"));
		final Path badModel = Files.createDirectories(dir.resolve("model_garbage"));
		Files.writeString(badModel.resolve("model.json"), "{ this is not json");
		Files.write(badModel.resolve("weights.params"), new byte[] { 1, 2, 3 });
		CASES.add(new Case("model folder with a corrupt card", good, ",mode=\"nn+refine\",model=\"" + badModel + "\"", ImportOptions.defaults(), false, "model_garbage"));
		final Path fooModel = Files.createDirectories(dir.resolve("model_unknown_kind"));
		Files.writeString(fooModel.resolve("model.json"), "{\"format\": \"" + sc.fiji.cdi.nn.model.ModelCard.FORMAT
			+ "\", \"architecture\": {\"kind\": \"FOO\", \"rank\": 2, \"inputSize\": 32, \"baseChannels\": 8, \"depth\": 2}}");
		CASES.add(new Case("model card of an unknown architecture kind", good, ",mode=\"nn+refine\",model=\"" + fooModel + "\"", ImportOptions.defaults(), false,
			"model_unknown_kind/model.json gives architecture.kind 'FOO'"));

		generateMore(good);
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
	void theCorpusHasAtLeastOneHundredBadInputs() {
		assertTrue(CASES.size() >= 100, "corpus size " + CASES.size());
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

	/**
	 * The rule for every case: the exit code docs/cluster.md documents (1 the command failed, 2 a bad command line),
	 * one clear message naming the file or key, no stack trace, no output and no new (empty) output folder.
	 */
	@TestFactory
	Stream<DynamicTest> reconstructExitsAsDocumentedAndLeavesNoOutput() {
		return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
			final Path out = c.out() != null ? c.out() : dir.resolve("outputs").resolve(c.name().replaceAll("[^A-Za-z0-9]+", "_"));
			final List<String> before = listing(out);
			final HeadlessRun run = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + c.input() + "\"" + (c.out() == NO_OUTPUT ? "" : ",output_dir=\"" + out + "\"")
				+ ",recipe=\"5*ER\"" + c.options());
			final int code = run.code;
			final String err = run.err;
			assertEquals(c.exit(), code, c.name() + ": " + err);
			assertTrue(err.contains(c.exit() == Main.FAILED ? "Reconstruct failed: " : "bad command line"), c.name() + ": " + err);
			assertTrue(err.contains(c.fragment()), c.name() + ": stderr should contain " + c.fragment() + ": " + err);
			SignalTest.assertNoStackTrace(err);
			assertTrue(err.lines().filter(l -> l.startsWith("cdi: ")).count() <= 2, c.name() + ": one message expected: " + err);
			if (c.out() != NO_OUTPUT) assertEquals(before, listing(out), c.name() + ": output left (or an empty folder made)");
		}));
	}

	/** The entries of a folder, or null when it does not exist (so a new empty folder counts as output). */
	private static List<String> listing(final Path p) throws IOException {
		if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return null;
		if (!Files.isDirectory(p)) return List.of("<file>");
		try (Stream<Path> s = Files.list(p)) { return s.map(x -> x.getFileName().toString()).sorted().toList(); }
	}

	/** The generated multi-page TIFFs, complete, are read with all their pages: the completeness check refuses no good file. */
	@Test
	void completeGeneratedTiffsAreReadWithAllPages() throws Exception {
		final Object[][] specs = { { TiffBytes.Spec.floats(5, 16, 16), 5 }, { TiffBytes.Spec.shorts(10, 32, 32), 10 },
			{ TiffBytes.Spec.floats(6, 16, 16).bigEndian(), 6 }, { TiffBytes.Spec.shorts(1, 64, 64).strips(4), 1 },
			{ TiffBytes.Spec.shorts(5, 16, 16).described("{\"shape\": [5, 16, 16]}"), 5 } };
		int k = 0;
		for (final Object[] sp : specs) {
			final Path f = dir.resolve("complete_" + k++ + ".tif");
			Files.write(f, TiffBytes.write((TiffBytes.Spec) sp[0]));
			try {
				final sc.fiji.cdi.data.Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
				assertEquals((int) sp[1], d.grid().nz, f + ": pages read");
				assertTrue(d.values.data[0] >= 100 && d.values.data[d.values.data.length - 1] >= 100, f + ": every pixel read (no zero padding)");
			} finally {
				Files.delete(f);
			}
		}
	}

	@TestFactory
	Stream<DynamicTest> importDiffractionFailsWithTheSameMessage() {
		final CommandService commands = context.service(CommandService.class);
		return CASES.stream().filter(Case::readerRejects).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
			final Map<String, Object> in = new HashMap<>();
			in.put("input", c.input().toFile());
			if (c.importOptions().maskPath() != null) in.put("mask_file", c.importOptions().maskPath().toFile());
			if (c.importOptions().darkField() != null) in.put("dark_field", c.importOptions().darkField().toFile());
			if (c.importOptions().whiteField() != null) in.put("white_field", c.importOptions().whiteField().toFile());
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
