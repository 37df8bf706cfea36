package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.robustness.SignalTest.Run;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.testutil.SmallStack;

/**
 * Import Diffraction run headless keeps what it imported when given {@code output_dir}: the 32-bit stack equal to
 * the reader's values, the bad-pixel mask (1 = bad) and a report, as one complete result set; output inside the input
 * frame folder is refused.
 */
class ImportOutputTest {

	@Test
	void headlessImportWritesTheStackAndTheMask(@TempDir final Path tmp) throws Exception {
		final Path frames = Files.createDirectories(tmp.resolve("scan54"));
		for (int z = 0; z < 4; z++) {
			final float[] v = new float[16 * 16];
			for (int i = 0; i < v.length; i++) v[i] = 10 + z + (i % 5);
			TiffWriter.write(frames.resolve(String.format("frame_%02d.tif", z)), new RealVolume(Grid.of2D(16, 16), v));
		}
		final float[] m = new float[16 * 16];
		m[17] = 1; m[200] = 1;
		final Path mask = tmp.resolve("mask.tif");
		TiffWriter.write(mask, new RealVolume(Grid.of2D(16, 16), m));
		final Path out = tmp.resolve("imported");
		final Run r = SignalTest.inProcess("--headless", "--run", "Import Diffraction",
			"input=\"" + frames + "\",mask_file=\"" + mask + "\",output_dir=\"" + out + "\"");
		assertEquals(Main.OK, r.code(), r.err());
		AtomicOutput.checkComplete(out, "scan54_import", out.resolve("scan54_diffraction.tif"));
		assertTrue(Files.isRegularFile(out.resolve("scan54_import_manifest.json")));
		final var stack = DiffractionReader.read(out.resolve("scan54_diffraction.tif"), ImportOptions.defaults());
		final var direct = DiffractionReader.read(frames, new ImportOptions(sc.fiji.cdi.data.Quantity.INTENSITY, ImportOptions.DEFAULT_HDF5_DATASET, null, null, mask));
		assertEquals(new Grid(4, 16, 16), stack.grid());
		assertArrayEquals(direct.values.data, stack.values.data, 0f, "the written stack is what was imported");
		final ij.process.ImageProcessor plane3 = ij.IJ.openImage(out.resolve("scan54_mask.tif").toString()).getStack().getProcessor(3);
		assertEquals(1f, plane3.getf(1, 1), "mask pixel (y=1, x=1) is bad in every plane");
		assertEquals(1f, plane3.getf(200 % 16, 200 / 16));
		assertEquals(0f, plane3.getf(5, 5));
		assertTrue(Files.readString(out.resolve("scan54_import_report.json")).contains("\"grid_zyx\""));

		final Run inside = SignalTest.inProcess("--headless", "--run", "Import Diffraction", "input=\"" + frames + "\",output_dir=\"" + frames.resolve("out") + "\"");
		assertEquals(Main.FAILED, inside.code(), inside.err());
		assertTrue(inside.err().contains("input frame folder"), inside.err());
		assertFalse(Files.exists(frames.resolve("out")));
	}

	/** {@code tmp/scan.tif} imported into {@code tmp/imported} with a mask file of one bad pixel; the output folder. */
	private static Path importedWithMask(final Path tmp) throws Exception {
		final Path in = SmallStack.tiff(tmp.resolve("scan.tif"));
		final float[] m = new float[16 * 16];
		m[17] = 1;
		final Path mask = tmp.resolve("mask.tif");
		TiffWriter.write(mask, new RealVolume(Grid.of2D(16, 16), m));
		final Path out = tmp.resolve("imported");
		final Run first = SignalTest.inProcess("--headless", "--run", "Import Diffraction", "input=\"" + in + "\",mask_file=\"" + mask + "\",output_dir=\"" + out + "\"");
		assertEquals(Main.OK, first.code(), first.err());
		return out;
	}

	/**
	 * A rerun of the same input replaces the earlier set as a whole: the mask an earlier import with {@code mask_file}
	 * wrote is not left next to a stack imported without one (two runs mixed in one folder, the manifest not listing it).
	 */
	@Test
	void aRerunWithoutTheMaskRemovesTheEarlierRunsMask(@TempDir final Path tmp) throws Exception {
		final Path in = tmp.resolve("scan.tif"), out = importedWithMask(tmp);
		assertTrue(Files.exists(out.resolve("scan_mask.tif")));
		final Run again = SignalTest.inProcess("--headless", "--run", "Import Diffraction", "input=\"" + in + "\",output_dir=\"" + out + "\"");
		assertEquals(Main.OK, again.code(), again.err());
		assertFalse(Files.exists(out.resolve("scan_mask.tif")), "the earlier run's mask is gone with its set");
		AtomicOutput.checkComplete(out, "scan_import", out.resolve("scan_diffraction.tif"));
		try (var s = Files.list(out)) {
			assertEquals(java.util.List.of("scan_diffraction.tif", "scan_import_manifest.json", "scan_import_report.json"),
				s.map(p -> p.getFileName().toString()).sorted().toList());
		}
	}
	/**
	 * The mask an earlier import wrote, given back as {@code mask_file} with the same {@code output_dir}: refused
	 * before anything is written, naming the key, and the file is left as it was (the run would have replaced its own
	 * input).
	 */
	@Test
	void anEarlierImportsMaskGivenBackIsNotReplaced(@TempDir final Path tmp) throws Exception {
		final Path in = tmp.resolve("scan.tif"), out = importedWithMask(tmp);
		final Path written = out.resolve("scan_mask.tif");
		final byte[] before = Files.readAllBytes(written);
		final Run again = SignalTest.inProcess("--headless", "--run", "Import Diffraction", "input=\"" + in + "\",mask_file=\"" + written + "\",output_dir=\"" + out + "\"");
		assertEquals(Main.FAILED, again.code(), again.err());
		assertTrue(again.err().contains("Parameter 'mask_file': " + written + " is a file of the result 'scan_import'"), again.err());
		assertArrayEquals(before, Files.readAllBytes(written), "the earlier mask is unchanged");
		AtomicOutput.checkComplete(out, "scan_import", out.resolve("scan_diffraction.tif"));
	}
}
