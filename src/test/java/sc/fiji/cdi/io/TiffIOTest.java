package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static sc.fiji.cdi.io.Fixtures.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.Opener;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;

class TiffIOTest {

	@TempDir
	Path dir;

	@Test
	void floatStackRoundTripKeepsValuesAndCalibration() throws IOException {
		final Grid g = new Grid(4, 3, 5);
		final float[] v = new float[g.size()];
		for (int i = 0; i < v.length; i++) v[i] = (float) Math.exp(0.1 * i);
		final Path f = dir.resolve("stack.tif");
		TiffWriter.write(f, new RealVolume(g, v, new double[] { 7.5, 2.5, 1.25 }, "nm"));
		try (var s = Files.list(dir)) { assertEquals(1, s.count(), "no temporary file left behind"); }
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(g, d.grid());
		assertArrayEquals(v, d.values.data);
		assertArrayEquals(new double[] { 7.5, 2.5, 1.25 }, d.values.voxelSize, 1e-9);
		assertEquals("nm", d.values.unit);
		assertEquals("float32", d.log.steps().get(0).parameters().get("dtype"));
		// what Fiji sees: a 4-slice 32-bit stack with the same calibration
		final ImagePlus imp = new Opener().openImage(f.toString());
		assertEquals(4, imp.getNSlices());
		assertEquals(32, imp.getBitDepth());
		assertEquals(7.5, imp.getCalibration().pixelDepth, 1e-9);
		assertEquals(v[g.index(2, 1, 3)], imp.getStack().getProcessor(3).getf(3, 1));
	}

	/**
	 * Fiji opens a written stack with the display range of the whole volume: before, the first slice's, so a 3D
	 * prediction whose first slice is empty opened its support as 0–0 and its amplitude saturated.
	 */
	@Test
	void aStackOpensWithTheDisplayRangeOfTheWholeVolume() {
		final Grid g = new Grid(8, 6, 6);
		final float[] v = new float[g.size()];
		v[g.index(4, 3, 3)] = 1f;
		v[g.index(5, 3, 3)] = 0.5f;
		v[g.index(0, 1, 1)] = 0.01f; // the first slice reaches 0.01 only
		final Path f = dir.resolve("support.tif");
		TiffWriter.write(f, new RealVolume(g, v, new double[] { 1, 1, 1 }, "data voxel"));
		final ImagePlus imp = new Opener().openImage(f.toString());
		assertEquals(0, imp.getDisplayRangeMin(), 0);
		assertEquals(1, imp.getDisplayRangeMax(), 0, "the brightest voxel of the volume, not of the first slice");
		assertEquals("data voxel", imp.getCalibration().getUnit());
	}

	@Test
	void sixteenBitPlaneIsTwoDimensional() {
		final short[] px = new short[6 * 4];
		for (int i = 0; i < px.length; i++) px[i] = (short) (60000 - 1000 * i);
		final Path f = Fixtures.shortTiff(dir.resolve("frame.tif"), 6, 4, px);
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(Grid.of2D(4, 6), d.grid());
		assertEquals(60000f, d.values.get(0, 0, 0));
		assertEquals(60000f - 1000 * 23, d.values.get(0, 3, 5));
		assertEquals("uint16", d.log.steps().get(0).parameters().get("dtype"));
	}

	@Test
	void planeAndEightBit() throws IOException {
		final Path plane = dir.resolve("plane.tif");
		TiffWriter.write(plane, new RealVolume(Grid.of2D(2, 3), new float[] { 1, 2, 3, 4, 5, 6 }, new double[] { 1, 55e3, 55e3 }, "nm"));
		final Diffraction p = DiffractionReader.read(plane, ImportOptions.defaults());
		assertEquals(Grid.of2D(2, 3), p.grid());
		assertArrayEquals(new float[] { 1, 2, 3, 4, 5, 6 }, p.values.data);
		assertEquals(55e3, p.values.voxelSize[2], 1e-6);

		final Path bytes = dir.resolve("eight.tif");
		Fixtures.save(new ij.process.ByteProcessor(2, 2, new byte[] { 0, 10, (byte) 200, (byte) 255 }), bytes);
		assertArrayEquals(new float[] { 0, 10, 200, 255 }, DiffractionReader.read(bytes, ImportOptions.defaults()).values.data);
	}

	/**
	 * An 8-bit image ImageJ saved with an inverted grey LUT is written as a palette TIFF (PhotometricInterpretation 3):
	 * its values are the data and are read (it was refused as "an indexed-colour (palette) TIFF"); a colour palette
	 * from another writer, or a shuffled grey one, stays refused.
	 */
	@Test
	void eightBitWithAGreyLutIsReadAndAColourPaletteRefused() throws IOException {
		final byte[] grey = new byte[256], inverted = new byte[256], shuffled = new byte[256];
		for (int i = 0; i < 256; i++) { grey[i] = (byte) i; inverted[i] = (byte) (255 - i); shuffled[i] = (byte) (i * 37); }
		final Path inv = dir.resolve("inverted_lut.tif");
		final ij.process.ByteProcessor bp = new ij.process.ByteProcessor(2, 2, new byte[] { 0, 10, (byte) 200, (byte) 255 });
		bp.setLut(new ij.process.LUT(inverted, inverted, inverted));
		new ij.io.FileSaver(new ImagePlus("inv", bp)).saveAsTiff(inv.toString());
		assertEquals(ij.io.FileInfo.COLOR8, new ij.io.TiffDecoder(dir.toString() + "/", "inverted_lut.tif").getTiffInfo()[0].fileType, "ImageJ writes it as a palette image");
		assertArrayEquals(new float[] { 0, 10, 200, 255 }, DiffractionReader.read(inv, ImportOptions.defaults()).values.data);

		final ij.io.FileInfo fi = new ij.io.FileInfo();
		fi.lutSize = 256;
		fi.reds = grey; fi.greens = grey.clone(); fi.blues = grey.clone();
		org.junit.jupiter.api.Assertions.assertTrue(TiffReader.greyPalette(fi), "grey ramp");
		fi.reds = shuffled; fi.greens = shuffled.clone(); fi.blues = shuffled.clone();
		assertFalse(TiffReader.greyPalette(fi), "grey levels in no order: the indices are not the levels");
		fi.reds = grey; fi.greens = inverted; fi.blues = grey.clone();
		assertFalse(TiffReader.greyPalette(fi), "colour");
	}

	/** An ImageJ hyperstack of c × z × t square float planes of {@code edge} pixels, plane k from {@code plane}, saved. */
	private static Path hyperstack(final Path file, final int edge, final int c, final int z, final int t, final java.util.function.IntFunction<float[]> plane) {
		final ImageStack st = new ImageStack(edge, edge);
		for (int k = 0; k < c * z * t; k++) st.addSlice(new FloatProcessor(edge, edge, plane.apply(k)));
		final ImagePlus imp = new ImagePlus(file.getFileName().toString(), st);
		imp.setDimensions(c, z, t);
		imp.setOpenAsHyperStack(true);
		Fixtures.save(imp, file);
		return file;
	}

	/**
	 * Rocking-curve frames written as time points, T x Y x X with one z slice: an OME-TIFF from tifffile
	 * (rocking_t.ome.tif, SizeT=4, SizeZ=1; make_cxi_fixture.py) and an ImageJ time series (frames=3, slices=1, which
	 * was refused as "a hyperstack with 3 time points") are stacks of frames in T order; z and t together stay refused.
	 */
	@Test
	void framesWrittenAsTimePointsAreAStack(@TempDir final Path tmp) throws IOException {
		final Path ome = tmp.resolve("rocking_t.ome.tif");
		try (java.io.InputStream in = getClass().getResourceAsStream("rocking_t.ome.tif")) {
			Files.copy(in, ome);
		}
		final Diffraction d = DiffractionReader.read(ome, ImportOptions.defaults());
		assertEquals(new Grid(4, 6, 5), d.grid());
		for (int t = 0; t < 4; t++) assertEquals(100 * t + 1 + 7, d.values.get(t, 1, 2), "frame t=" + t);

		final Path series = hyperstack(tmp.resolve("rocking_series.tif"), 2, 1, 1, 3, k -> new float[] { k, 1, 2, 3 });
		final Diffraction m = DiffractionReader.read(series, ImportOptions.defaults());
		assertEquals(new Grid(3, 2, 2), m.grid());
		for (int k = 0; k < 3; k++) assertEquals(k, m.values.get(k, 0, 0));

		final Path bothFile = hyperstack(tmp.resolve("zt.tif"), 2, 1, 2, 2, k -> new float[] { 1, 1, 2, 3 });
		assertRejected(bothFile, null, "2 z slices and 2 time points", "frames along one axis only");
	}

	@Test
	void colourHyperstackTruncatedAndFakeTiffsAreRejected() throws IOException {
		final Path rgb = dir.resolve("rgb.tif");
		Fixtures.save(new ColorProcessor(4, 4), rgb);
		assertRejected(rgb, null, "colour");

		final Path h = hyperstack(dir.resolve("complex_two_channels.tif"), 3, 2, 2, 1, k -> { final float[] p = new float[9]; Arrays.fill(p, k + 1); return p; });
		assertRejected(h, null, "2 channels", "single-channel");

		final Path good = TiffWriterHelper.stack(dir.resolve("good.tif"));
		final byte[] all = Files.readAllBytes(good);
		final Path cut = dir.resolve("cut.tif");
		Files.write(cut, Arrays.copyOf(all, all.length / 2));
		assertRejected(cut, null, "truncated");

		final Path fake = dir.resolve("fake.tif");
		Files.writeString(fake, "this is a text file pretending to be a TIFF");
		assertRejected(fake, null, "TIFF");

		final Path zeros = dir.resolve("zeros.tif");
		Fixtures.floatTiff(zeros, 4, 4, new float[16], new float[16]);
		assertRejected(zeros, null, "only zeros");
	}

	@Test
	void writerNeverLeavesAHalfFile() {
		final Path blocked = dir.resolve("sub");
		final Path target = blocked.resolve("x.tif");
		try { Files.writeString(blocked, "a file where a folder should be"); } catch (final IOException e) { throw new AssertionError(e); }
		org.junit.jupiter.api.Assertions.assertThrows(sc.fiji.cdi.util.CdiException.class, () -> TiffWriter.write(target, new RealVolume(Grid.of2D(2, 2), new float[] { 1, 2, 3, 4 })));
		assertFalse(Files.exists(target));
	}

	@Test
	void sixtyFourBitFloatIsReadInBothByteOrdersSingleAndMultiPage() throws IOException {
		// ImageJ's TiffDecoder refuses 64 bits per sample; docs/io.md promises 32/64-bit float
		final double[] plane = new double[5 * 3];
		for (int i = 0; i < plane.length; i++) plane[i] = 1e6 + 0.5 * i;
		final Path le = float64Tiff(dir.resolve("le.tif"), java.nio.ByteOrder.LITTLE_ENDIAN, 1, 5, 3, 1, 3, 1, plane);
		final Diffraction a = DiffractionReader.read(le, ImportOptions.defaults());
		assertEquals(Grid.of2D(5, 3), a.grid());
		for (int i = 0; i < plane.length; i++) assertEquals((float) plane[i], a.values.data[i]);
		assertEquals("float64", a.log.steps().get(0).parameters().get("dtype"));

		// big-endian, three pages, strips of 2 rows (the last one shorter)
		final double[] three = new double[3 * 5 * 3];
		for (int i = 0; i < three.length; i++) three[i] = 7 + 0.25 * i;
		final Path be = float64Tiff(dir.resolve("be.tif"), java.nio.ByteOrder.BIG_ENDIAN, 3, 5, 3, 2, 3, 1, three);
		final Diffraction b = DiffractionReader.read(be, ImportOptions.defaults());
		assertEquals(new Grid(3, 5, 3), b.grid());
		for (int i = 0; i < three.length; i++) assertEquals((float) three[i], b.values.data[i], "value " + i);
		assertEquals(7f + 0.25f * b.grid().index(2, 4, 1), b.values.get(2, 4, 1));
	}

	@Test
	void sixtyFourBitTiffThatCannotBeReadSaysWhyNotCorrupt() throws IOException {
		final double[] plane = new double[4 * 4];
		Arrays.fill(plane, 3);
		final Path deflate = float64Tiff(dir.resolve("deflate.tif"), java.nio.ByteOrder.LITTLE_ENDIAN, 1, 4, 4, 4, 3, 8, plane);
		final var e = assertRejected(deflate, null, "64-bit float", "Deflate", "Compression 8", "not supported", "uncompressed");
		assertFalse(e.getMessage().contains("corrupt"), e.getMessage());
		final Path ints = float64Tiff(dir.resolve("uint64.tif"), java.nio.ByteOrder.BIG_ENDIAN, 1, 4, 4, 4, 1, 1, plane);
		assertRejected(ints, null, "64-bit unsigned integer", "not supported", "SampleFormat 3");
		final Path huge = float64Tiff(dir.resolve("huge.tif"), java.nio.ByteOrder.LITTLE_ENDIAN, 1, 4, 4, 4, 3, 1, new double[] { 1, 2, 3, 4, 5, 1e300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
		assertRejected(huge, null, "1.0E300", "y=1, x=1", "32-bit float range");
	}

	/**
	 * A 64-bit TIFF written byte by byte (ImageJ writes none): per page its directory, its strip tables, its data;
	 * {@code format} is the SampleFormat, {@code compression} only a tag (the data stay raw).
	 */
	private static Path float64Tiff(final Path f, final java.nio.ByteOrder order, final int pages, final int h, final int w, final int rowsPerStrip,
		final int format, final int compression, final double[] values) throws IOException {
		final int strips = (h + rowsPerStrip - 1) / rowsPerStrip, rowBytes = w * 8, entries = 10;
		final int ifdSize = 2 + entries * 12 + 4, tables = strips > 1 ? 2 * 4 * strips : 0, pageSize = ifdSize + tables + h * rowBytes;
		final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + pages * pageSize).order(order);
		b.put((byte) (order == java.nio.ByteOrder.LITTLE_ENDIAN ? 'I' : 'M')).put(b.get(0)).putShort((short) 42).putInt(8);
		for (int p = 0; p < pages; p++) {
			final int ifd = 8 + p * pageSize, offTable = ifd + ifdSize, cntTable = offTable + 4 * strips, data = ifd + ifdSize + tables;
			b.position(ifd).putShort((short) entries);
			final int[][] tags = { { 256, 4, 1, w }, { 257, 4, 1, h }, { 258, 3, 1, 64 }, { 259, 3, 1, compression }, { 262, 3, 1, 1 },
				{ 273, 4, strips, strips > 1 ? offTable : data }, { 277, 3, 1, 1 }, { 278, 4, 1, rowsPerStrip },
				{ 279, 4, strips, strips > 1 ? cntTable : h * rowBytes }, { 339, 3, 1, format } };
			for (final int[] t : tags) {
				b.putShort((short) t[0]).putShort((short) t[1]).putInt(t[2]);
				if (t[1] == 3) b.putShort((short) t[3]).putShort((short) 0); else b.putInt(t[3]);
			}
			b.putInt(p + 1 < pages ? 8 + (p + 1) * pageSize : 0);
			for (int k = 0; k < strips && strips > 1; k++) {
				b.putInt(offTable + 4 * k, data + k * rowsPerStrip * rowBytes);
				b.putInt(cntTable + 4 * k, Math.min(rowsPerStrip, h - k * rowsPerStrip) * rowBytes);
			}
			b.position(data);
			for (int i = 0; i < h * w; i++) b.putDouble(values[p * h * w + i]);
		}
		Files.write(f, b.array());
		return f;
	}

	/** A valid 3-plane float TIFF of 16x16 pixels. */
	static final class TiffWriterHelper {
		static Path stack(final Path f) {
			final Grid g = new Grid(3, 16, 16);
			final float[] v = new float[g.size()];
			Arrays.fill(v, 2f);
			TiffWriter.write(f, new RealVolume(g, v));
			return f;
		}
	}

	/** tifffile.imwrite of a (2, 8, 64, 64) array describes its shape on the first page; read as pages it would be one 16-plane stack. */
	@Test
	void aFourAxisTifffileArrayIsRefused() {
		final Path f = Path.of("fourd.tif");
		final sc.fiji.cdi.util.CdiException e = org.junit.jupiter.api.Assertions.assertThrows(sc.fiji.cdi.util.CdiException.class,
			() -> TiffReader.requireAtMostThreeAxes(f, "{\"shape\": [2, 8, 64, 64]}"));
		org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("fourd.tif") && e.getMessage().contains("[2, 8, 64, 64]") && e.getMessage().contains("own file"), e.getMessage());
		// singleton axes, three axes, ImageJ's own description and none at all are fine
		TiffReader.requireAtMostThreeAxes(f, "{\"shape\": [1, 8, 64, 64]}");
		TiffReader.requireAtMostThreeAxes(f, "{\"shape\": [8, 64, 64]}");
		TiffReader.requireAtMostThreeAxes(f, "ImageJ=1.54f\nimages=16\nslices=16\n");
		TiffReader.requireAtMostThreeAxes(f, null);
	}

	/** Layouts ImageJ's decoder cannot read are named (fixtures from make_cxi_fixture.py with tifffile), not blamed on the file. */
	@Test
	void tiledAndHalfFloatTiffsAreNamed(@TempDir final Path tmp) throws IOException {
		for (final String[] c : new String[][] { { "tiled.tif", "tiles" }, { "half.tif", "16-bit (half-precision) floats" } }) {
			final Path f = tmp.resolve(c[0]);
			try (java.io.InputStream in = getClass().getResourceAsStream(c[0])) {
				Files.copy(in, f);
			}
			final sc.fiji.cdi.util.CdiException e = assertRejected(f, ImportOptions.defaults(), c[1], "not supported");
			assertFalse(e.getMessage().contains("corrupt"), e.getMessage());
		}
	}
}
