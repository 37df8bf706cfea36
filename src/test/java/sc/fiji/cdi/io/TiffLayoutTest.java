package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.io.Fixtures.assertRejected;
import static sc.fiji.cdi.io.Fixtures.rawTiff;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.Fixtures.TiffPage;
import sc.fiji.cdi.util.CdiException;

/** TIFF layouts ImageJ's decoder reads wrongly, not at all, or fails on without saying why. */
class TiffLayoutTest {

	@TempDir
	Path dir;

	private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

	/** 16-bit values 1 + offset + i, in {@code order}. */
	private static byte[] ramp16(final int n, final int offset, final ByteOrder order) {
		final ByteBuffer b = ByteBuffer.allocate(2 * n).order(order);
		for (int i = 0; i < n; i++) b.putShort((short) (1 + offset + i));
		return b.array();
	}

	/** ImageJ's decoder reads no BigTIFF (an image of 0 x 0 pixels, refused as "empty"): uncompressed ones are read here. */
	@Test
	void bigTiffIsReadInBothByteOrders() throws IOException {
		for (final ByteOrder order : new ByteOrder[] { LE, ByteOrder.BIG_ENDIAN }) {
			final Path f = rawTiff(dir.resolve("big_" + order + ".tif"), order, true, TiffPage.grey(4, 3, 16, 1, ramp16(12, 0, order)),
				TiffPage.grey(4, 3, 16, 1, ramp16(12, 100, order)));
			final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
			assertEquals(new Grid(2, 3, 4), d.grid());
			assertEquals(1f, d.values.get(0, 0, 0));
			assertEquals(12f, d.values.get(0, 2, 3));
			assertEquals(112f, d.values.get(1, 2, 3));
			assertEquals("uint16", d.log.steps().get(0).parameters().get("dtype"));
		}
		final ByteBuffer f32 = ByteBuffer.allocate(4 * 4).order(LE).putFloat(0.5f).putFloat(2.25f).putFloat(3).putFloat(1e6f);
		final Diffraction d = DiffractionReader.read(rawTiff(dir.resolve("big_f32.tif"), LE, true, TiffPage.grey(2, 2, 32, 3, f32.array())), ImportOptions.defaults());
		assertEquals(Grid.of2D(2, 2), d.grid());
		assertEquals(2.25f, d.values.get(0, 0, 1));
		assertEquals(1e6f, d.values.get(0, 1, 1));

		final Path deflate = rawTiff(dir.resolve("big_deflate.tif"), LE, true, new TiffPage(4, 3, 16, 1, 1, 8, 0, null, ramp16(12, 0, LE)));
		final CdiException e = assertRejected(deflate, null, "BigTIFF", "Deflate compression (Compression 8)", "not supported", "classic TIFF");
		assertFalse(e.getMessage().contains("empty"), e.getMessage());
	}

	/** ImageJ reads every 8-bit TIFF as unsigned (-5 became 251) and every 32-bit integer TIFF as signed (3e9 became negative). */
	@Test
	void signedEightBitAndUnsignedThirtyTwoBitKeepTheirValues() throws IOException {
		final Path int8 = rawTiff(dir.resolve("int8.tif"), LE, false, TiffPage.grey(2, 2, 8, 2, new byte[] { 10, -5, 100, 7 }));
		assertRejected(int8, null, "1 negative value", "minimum -5.0");
		final Diffraction s = DiffractionReader.read(rawTiff(dir.resolve("int8_pos.tif"), LE, false, TiffPage.grey(2, 2, 8, 2, new byte[] { 10, 5, 100, 127 })), ImportOptions.defaults());
		assertEquals("int8", s.log.steps().get(0).parameters().get("dtype"));
		assertEquals(127f, s.values.get(0, 1, 1));

		final ByteBuffer u32 = ByteBuffer.allocate(16).order(LE).putInt((int) 3_000_000_000L).putInt(7).putInt((int) 4_294_967_295L).putInt(65536);
		final Diffraction u = DiffractionReader.read(rawTiff(dir.resolve("uint32.tif"), LE, false, TiffPage.grey(2, 2, 32, 1, u32.array())), ImportOptions.defaults());
		assertEquals(3e9, u.values.get(0, 0, 0), 3e9 * 1e-7);
		assertEquals(7f, u.values.get(0, 0, 1));
		// 2^32 - 1 is the type's maximum, a detector's gap marker (DetectorCorrections.markerPixels): a bad pixel, not a count
		assertTrue(u.mask != null && u.mask.isUnmeasured(u.grid().index(0, 1, 0)) && u.values.get(0, 1, 0) == 0f, "2^32 - 1 is a marker");
		assertEquals(1, u.log.steps().get(0).parameters().get("markerPixels"));
		assertEquals(65536f, u.values.get(0, 1, 1));
		assertEquals("uint32", u.log.steps().get(0).parameters().get("dtype"));
		// signed 32-bit stays signed: its negative values are markers (Pilatus: -1 gaps, -2 bad pixels), not 2^32 - 3
		final ByteBuffer i32 = ByteBuffer.allocate(16).order(LE).putInt(-3).putInt(7).putInt(8).putInt(9);
		final Diffraction i = DiffractionReader.read(rawTiff(dir.resolve("int32.tif"), LE, false, TiffPage.grey(2, 2, 32, 2, i32.array())), ImportOptions.defaults());
		assertEquals("int32", i.log.steps().get(0).parameters().get("dtype"));
		assertTrue(i.mask != null && i.mask.isUnmeasured(0) && i.mask.unmeasuredCount() == 1, "-3 is a marker");
		assertEquals(7f, i.values.get(0, 0, 1));
	}

	@Test
	void pagesOfAnotherSizeOrTypeAreNamed() throws IOException {
		final Path sizes = rawTiff(dir.resolve("sizes.tif"), LE, false, TiffPage.grey(4, 4, 16, 1, ramp16(16, 0, LE)), TiffPage.grey(2, 2, 16, 1, ramp16(4, 0, LE)));
		final CdiException e = assertRejected(sizes, null, "page 2 is 2 × 2 pixels but page 1 is 4 × 4", "same size");
		assertFalse(e.getMessage().contains("corrupt"), e.getMessage());
		final Path types = rawTiff(dir.resolve("types.tif"), LE, false, TiffPage.grey(2, 2, 16, 1, ramp16(4, 0, LE)),
			TiffPage.grey(2, 2, 32, 3, ByteBuffer.allocate(16).order(LE).putFloat(1).putFloat(2).putFloat(3).putFloat(4).array()));
		assertRejected(types, null, "page 2 holds 32-bit float samples but page 1 holds 16-bit unsigned integer samples", "same sample type");
	}

	/** Two samples per pixel (grey and alpha, or real and imaginary): ImageJ failed with "cannot open interleaved -257-bit images". */
	@Test
	void twoSamplesPerPixelAreNamed() throws IOException {
		final Path f = rawTiff(dir.resolve("two.tif"), LE, false, new TiffPage(2, 2, 8, 1, 2, 1, 0, null, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
		final CdiException e = assertRejected(f, null, "2 samples per pixel", "one grey value per pixel");
		assertFalse(e.getMessage().contains("-257"), e.getMessage());
	}

	/** A thumbnail page (NewSubfileType 1) after the image: ImageJ's decoder lists it and then could not open the file. */
	@Test
	void aReducedResolutionPageIsSkipped() throws IOException {
		final Path f = rawTiff(dir.resolve("thumb.tif"), LE, false, TiffPage.grey(4, 4, 16, 1, ramp16(16, 0, LE)),
			new TiffPage(2, 2, 16, 1, 1, 1, 1, null, ramp16(4, 500, LE)));
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(Grid.of2D(4, 4), d.grid());
		assertEquals(16f, d.values.get(0, 3, 3));
	}

	private static String ome(final int c, final int z) {
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\"><Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\""
			+ " DimensionOrder=\"XYZCT\" Type=\"uint16\" SizeX=\"2\" SizeY=\"2\" SizeZ=\"" + z + "\" SizeC=\"" + c + "\" SizeT=\"1\"></Pixels></Image></OME>";
	}

	/** ImageJ's decoder ignores OME-XML: 2 channels x 2 z planes were read as one stack of 4 planes. */
	@Test
	void omeTiffWithChannelsAndZPlanesIsRefused() throws IOException {
		final TiffPage[] four = new TiffPage[4];
		for (int k = 0; k < 4; k++) four[k] = TiffPage.grey(2, 2, 16, 1, ramp16(4, 10 * k, LE));
		four[0] = four[0].describedAs(ome(2, 2));
		assertRejected(rawTiff(dir.resolve("cz.ome.tif"), LE, false, four), null, "OME-TIFF with 2 channels, 1 time point and 2 z planes", "DimensionOrder XYZCT",
			"4 planes would be read as one stack");
		// planes along one axis only (tifffile writes a 3D array without axes as channels) are a z stack
		four[0] = four[0].describedAs(ome(4, 1));
		assertEquals(new Grid(4, 2, 2), DiffractionReader.read(rawTiff(dir.resolve("c.ome.tif"), LE, false, four), ImportOptions.defaults()).grid());
	}

	/** A 1-bit image (8 pixels a byte) was called truncated ("needs pixel data up to byte 80 but the file has ..."). */
	@Test
	void aOneBitImageIsAMaskNotCounts() throws IOException {
		// 10 x 2 pixels: each row 2 bytes, bits from the most significant; row 0: pixels 0 and 9 set, row 1: pixel 4
		final byte[] bits = { (byte) 0x80, 0x40, 0x08, 0x00 };
		final Path bw = rawTiff(dir.resolve("bw.tif"), LE, false, TiffPage.grey(10, 2, 1, 1, bits));
		final CdiException e = assertRejected(bw, null, "1-bit (black and white) image", "mask_file=");
		assertFalse(e.getMessage().contains("truncated"), e.getMessage());
		// as a mask file it is read: three bad pixels
		final short[] counts = new short[20];
		for (int i = 0; i < counts.length; i++) counts[i] = (short) (i + 1);
		final Path data = Fixtures.shortTiff(dir.resolve("data.tif"), 10, 2, counts);
		final Diffraction d = DiffractionReader.read(data, ImportOptions.defaults().withMaskPath(bw));
		assertEquals(3, Hdf5ReaderTest.countTrue(d.mask.toArray()));
		for (final int[] yx : new int[][] { { 0, 0 }, { 0, 9 }, { 1, 4 } }) assertEquals(0f, d.values.get(0, yx[0], yx[1]), java.util.Arrays.toString(yx));
		assertEquals(2f, d.values.get(0, 0, 1));
	}

	/** 12-bit packed samples (two pixels in three bytes) were called truncated; 24-bit ones "truncated, corrupt or not a TIFF file". */
	@Test
	void twelveBitIsReadAndTwentyFourBitIsNamed() throws IOException {
		final int w = 4, h = 2;
		final int[] v = { 1, 4095, 300, 2048, 7, 100, 3000, 5 };
		final byte[] packed = new byte[w * h * 3 / 2];
		for (int i = 0, b = 0; i < v.length; i += 2) { // most significant bits first
			packed[b++] = (byte) (v[i] >> 4);
			packed[b++] = (byte) ((v[i] & 0xf) << 4 | v[i + 1] >> 8);
			packed[b++] = (byte) v[i + 1];
		}
		final Diffraction d = DiffractionReader.read(rawTiff(dir.resolve("twelve.tif"), LE, false, TiffPage.grey(w, h, 12, 1, packed)), ImportOptions.defaults());
		assertEquals(Grid.of2D(h, w), d.grid());
		for (int i = 0; i < v.length; i++) assertEquals((float) v[i], d.values.data[i], "pixel " + i);
		assertEquals("uint12", d.log.steps().get(0).parameters().get("dtype"));

		final CdiException e = assertRejected(rawTiff(dir.resolve("twentyfour.tif"), LE, false, TiffPage.grey(w, h, 24, 1, new byte[w * h * 3])), null, "24-bit samples", "not supported");
		assertFalse(e.getMessage().contains("corrupt"), e.getMessage());
	}
}
