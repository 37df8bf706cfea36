package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.io.Fixtures.assertRejected;
import static sc.fiji.cdi.io.Fixtures.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;

class NpyIOTest {

	@TempDir
	Path dir;

	@Test
	void writtenFloat32VolumeReadsBackBitExact() throws IOException {
		final Grid g = new Grid(3, 4, 5);
		final float[] v = new float[g.size()];
		for (int i = 0; i < v.length; i++) v[i] = 0.5f + i * 1.25f;
		final Path f = dir.resolve("vol.npy");
		NpyIO.write(f, new RealVolume(g, v));
		final byte[] bytes = Files.readAllBytes(f);
		assertEquals(0, (10 + (bytes[8] & 0xff)) % 64, "header padded to 64 bytes as numpy does");
		assertEquals(128 + 4 * 60, bytes.length);
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults().withQuantity(Quantity.AMPLITUDE));
		assertEquals(g, d.grid());
		assertArrayEquals(v, d.values.data);
		assertEquals(Quantity.AMPLITUDE, d.quantity);
		assertEquals("<f4", d.log.steps().get(0).parameters().get("dtype"));
		assertEquals("[3, 4, 5]", d.log.steps().get(0).parameters().get("shape"));
		assertEquals(f.toString(), d.source);
	}

	@Test
	void planeIsTwoDimensional() {
		final Path f = dir.resolve("plane.npy");
		NpyIO.write(f, new RealVolume(Grid.of2D(2, 3), new float[] { 1, 2, 3, 4, 5, 6 }));
		final RealVolume r = NpyIO.read(f);
		assertEquals(Grid.of2D(2, 3), r.grid);
		assertEquals(6f, r.get(0, 1, 2));
	}

	@Test
	void integerTypesBothByteOrdersAndVersion2() throws IOException {
		// >u2, version 2 header: 2x3
		final Path u2 = dir.resolve("u2.npy");
		Files.write(u2, npy(2, "{'descr': '>u2', 'fortran_order': False, 'shape': (2, 3), }", Fixtures.shorts(ByteOrder.BIG_ENDIAN, 1, 2, 3, 4, 5, 65535)));
		assertArrayEquals(new float[] { 1, 2, 3, 4, 5, 65535 }, NpyIO.read(u2).data);
		// <i8
		final ByteBuffer b = ByteBuffer.allocate(8 * 4).order(ByteOrder.LITTLE_ENDIAN);
		for (final long l : new long[] { 7, 8, 9, 1L << 40 }) b.putLong(l);
		final Path i8 = dir.resolve("i8.npy");
		Files.write(i8, npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", b.array()));
		assertArrayEquals(new float[] { 7, 8, 9, (float) (1L << 40) }, NpyIO.read(i8).data);
		// |u1 and <f8
		final Path u1 = dir.resolve("u1.npy");
		Files.write(u1, npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 2), }", new byte[] { 0, 1, (byte) 200, (byte) 255 }));
		assertArrayEquals(new float[] { 0, 1, 200, 255 }, NpyIO.read(u1).data);
		final ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).putDouble(3e5);
		final Path f8 = dir.resolve("f8.npy");
		Files.write(f8, npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", d.array()));
		assertArrayEquals(new float[] { 0.25f, 3e5f }, NpyIO.read(f8).data);
	}

	@Test
	void fortranOrderIsConvertedToC() throws IOException {
		// C-order array a[z][y][x] = 100z + 10y + x with shape (2, 3, 4), stored in Fortran order (z fastest)
		final int[] s = { 2, 3, 4 };
		final float[] fortran = new float[24];
		for (int z = 0; z < 2; z++) for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++) fortran[z + 2 * (y + 3 * x)] = 100 * z + 10 * y + x;
		final Path f = dir.resolve("fortran.npy");
		Files.write(f, npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }", Fixtures.floats(ByteOrder.LITTLE_ENDIAN, fortran)));
		final RealVolume r = NpyIO.read(f);
		assertEquals(new Grid(s[0], s[1], s[2]), r.grid);
		for (int z = 0; z < 2; z++) for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++) assertEquals(100 * z + 10 * y + x, r.get(z, y, x));
	}

	@Test
	void badNpyFilesAreRejectedWithTheFileName() throws IOException {
		final byte[] data = Fixtures.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6, 7, 8);
		final Path truncated = dir.resolve("truncated.npy");
		final byte[] full = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", data);
		Files.write(truncated, Arrays.copyOf(full, full.length - 5));
		assertRejected(truncated, null, "truncated", "32 bytes");

		final Path oneD = dir.resolve("oned.npy");
		Files.write(oneD, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", data));
		assertRejected(oneD, null, "1D", "expected a 2D");

		final Path fourD = dir.resolve("fourd.npy");
		Files.write(fourD, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 2, 2), }", data));
		assertRejected(fourD, null, "4D");

		final Path huge = dir.resolve("huge.npy");
		Files.write(huge, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4096, 4096, 4096), }", data));
		assertRejected(huge, null, "2^30");

		final Path lying = dir.resolve("lying.npy");
		Files.write(lying, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (64, 64, 64), }", data));
		assertRejected(lying, null, "truncated", "1048576 bytes");

		final Path complex = dir.resolve("complex.npy");
		Files.write(complex, npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }", data));
		assertRejected(complex, null, "complex", "not a complex field");
		final Path bool = dir.resolve("bool.npy");
		Files.write(bool, npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", new byte[] { 0, 1, 1, 0 }));
		assertFalse(assertRejected(bool, null, "'b1' (boolean)", "astype").getMessage().contains("complex"));

		// more data than the header declares: a hand-edited shape ((2, 2, 1) of 8 floats) read the first half as the image
		final Path longer = dir.resolve("longer.npy");
		Files.write(longer, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 1), }", data));
		assertRejected(longer, null, "16 bytes more than its header declares", "shape (2, 2, 1)", "expected exactly the declared data");

		final Path magic = dir.resolve("magic.npy");
		Files.write(magic, "just some text that is not numpy".getBytes());
		assertRejected(magic, null, "magic");

		final Path header = dir.resolve("header.npy");
		final byte[] h = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", data);
		h[8] = (byte) 0xff; h[9] = (byte) 0x7f; // header length 32767 > file length
		Files.write(header, h);
		assertRejected(header, null, "header");

		final Path empty = dir.resolve("empty.npy");
		Files.write(empty, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", new byte[0]));
		assertRejected(empty, null, "empty");
	}

	/**
	 * numpy writes a boolean mask as {@code |b1}: as a mask file (or support) it is read as 0/1, as data it stays
	 * refused ("Save the counts as numbers", said of a mask, was wrong advice).
	 */
	@Test
	void aBooleanNpyMaskIsRead() throws IOException {
		final Path data = dir.resolve("data.npy");
		NpyIO.write(data, new RealVolume(new Grid(2, 2, 2), new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
		final Path mask = dir.resolve("mask_bool.npy");
		Files.write(mask, npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", new byte[] { 0, 1, 0, 0 }));
		final String before = Fixtures.sha256(mask);
		final Diffraction d = DiffractionReader.read(data, ImportOptions.defaults().withMaskPath(mask));
		assertEquals(2, d.mask.unmeasuredCount()); // (y, x) = (0, 1) of both planes
		assertTrue(d.mask.isUnmeasured(d.grid().index(0, 0, 1)) && d.mask.isUnmeasured(d.grid().index(1, 0, 1)));
		assertEquals(0f, d.values.get(1, 0, 1));
		assertEquals(before, Fixtures.sha256(mask));
		assertRejected(mask, null, "'b1' (boolean)");
	}

	/** A finite float64 beyond float32's range became Infinity and was then refused as "contains 1 NaN or infinite value ... expected finite numbers". */
	@Test
	void aFloat64BeyondFloat32IsNamedNotCalledInfinite(@org.junit.jupiter.api.io.TempDir final Path tmp) throws IOException {
		final ByteBuffer b = ByteBuffer.allocate(8 * 4).order(ByteOrder.LITTLE_ENDIAN).putDouble(1).putDouble(2).putDouble(1e300).putDouble(4);
		final Path f = Files.write(tmp.resolve("huge.npy"), npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", b.array()));
		final Exception e = assertRejected(f, null, "64-bit value 1.0E300 at element 2", "32-bit float range");
		assertFalse(e.getMessage().contains("infinite"), e.getMessage());
		// the same in HDF5
		final Path h = tmp.resolve("huge.h5");
		try (io.jhdf.WritableHdfFile w = io.jhdf.HdfFile.write(h)) {
			w.putGroup("entry_1").putGroup("data_1").putDataset("data", new double[][] { { 1, 2 }, { -1e300, 4 } });
		}
		assertRejected(h, null, "64-bit value -1.0E300 at element 2", "32-bit float range");
	}

	private static Path npz(final Path file, final boolean compressed, final String[] names, final byte[]... arrays) throws IOException {
		try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
			z.setLevel(compressed ? 6 : 0); // np.savez stores, np.savez_compressed deflates
			for (int k = 0; k < names.length; k++) {
				z.putNextEntry(new java.util.zip.ZipEntry(names[k] + ".npy"));
				z.write(arrays[k]);
				z.closeEntry();
			}
		}
		return file;
	}

	/** .npz (np.savez / np.savez_compressed) was refused as an unknown extension: one array is read, several need dataset=. */
	@Test
	void npzArchivesAreReadOneArrayOrTheNamedOne(@org.junit.jupiter.api.io.TempDir final Path tmp) throws IOException {
		final byte[] data = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Fixtures.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
		final byte[] mask = npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", new byte[] { 0, 1, 0, 0, 0, 0 });
		final Path one = npz(tmp.resolve("one.npz"), true, new String[] { "arr_0" }, data);
		final sc.fiji.cdi.data.Diffraction d = DiffractionReader.read(one, ImportOptions.defaults());
		assertArrayEquals(new float[] { 1, 2, 3, 4, 5, 6 }, d.values.data);
		assertEquals("NPZ", d.log.steps().get(0).parameters().get("format"));
		assertEquals("arr_0", d.log.steps().get(0).parameters().get("dataset"));

		final Path two = npz(tmp.resolve("two.npz"), false, new String[] { "data", "mask" }, data, mask);
		assertRejected(two, null, "holds 2 arrays [data, mask]", "dataset=");
		assertRejected(two, ImportOptions.defaults().withHdf5DatasetPath("counts"), "has no array 'counts'", "[data, mask]");
		assertEquals(21f, DiffractionReader.read(two, ImportOptions.defaults().withHdf5DatasetPath("data")).values.sum(), 1e-6);
		// as a mask file: its only array
		final Path maskOnly = npz(tmp.resolve("mask.npz"), true, new String[] { "mask" }, mask);
		final Path plain = Files.write(tmp.resolve("plain.npy"), data);
		assertTrue(DiffractionReader.read(plain, ImportOptions.defaults().withMaskPath(maskOnly)).mask.isUnmeasured(1));

		final Path complex = npz(tmp.resolve("field.npz"), true, new String[] { "psi" }, npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1, 1), }", new byte[8]));
		assertRejected(complex, null, "field.npz[psi.npy]", "complex");
		final byte[] all = Files.readAllBytes(one);
		final Path cut = Files.write(tmp.resolve("cut.npz"), java.util.Arrays.copyOf(all, all.length / 2));
		assertRejected(cut, null, "not a readable .npz (zip) archive", "truncated");
	}

	/**
	 * An array of an .npz is named in messages by a path Windows accepts too: "C:\data\field.npz:psi.npy" is no
	 * Windows path (a ':' after the drive is refused with InvalidPathException), so every .npz import failed there as
	 * a corrupt file.
	 */
	@Test
	void anArrayOfAnNpzIsNamedByAPathEverySystemAccepts() {
		final Path named = NpyIO.member(Path.of("data", "field.npz"), "psi.npy");
		assertEquals(Path.of("data", "field.npz[psi.npy]"), named);
		for (final char c : "<>:\"|?*".toCharArray()) assertTrue(named.toString().indexOf(c) < 0, "a character Windows refuses in a file name: " + c + " in " + named);
	}

	/**
	 * A detector's frames saved with NumPy keep their marker values, and get the rule of TIFF, HDF5 and EDF frames
	 * (DetectorCorrections.markerPixels): 65535 in a uint16 array and −1 in an int32 one are unmeasured, set to 0 and
	 * carried as the data's markers. Before, a NumPy array's 65535 was phased as its brightest count and its −1
	 * refused as a negative value. Float and 8-bit arrays have no markers.
	 */
	@Test
	void integerArraysKeepTheMarkerRuleOfDetectorFrames() throws IOException {
		final Path u2 = dir.resolve("saturated.npy");
		Files.write(u2, npy(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }", Fixtures.shorts(ByteOrder.LITTLE_ENDIAN, 10, 20, 30, 40, 65535, 60)));
		final Diffraction d = DiffractionReader.read(u2, ImportOptions.defaults());
		assertArrayEquals(new float[] { 10, 20, 30, 40, 0, 60 }, d.values.data);
		assertEquals(1, d.mask.unmeasuredCount());
		assertTrue(d.mask.isUnmeasured(4) && d.markers.isUnmeasured(4) && d.markers.unmeasuredCount() == 1);
		assertEquals(1, d.log.steps().get(0).parameters().get("markerPixels"));

		final ByteBuffer b = ByteBuffer.allocate(4 * 6).order(ByteOrder.BIG_ENDIAN);
		for (final int v : new int[] { 7, -1, 9, 11, 13, 15 }) b.putInt(v);
		final Path i4 = dir.resolve("pilatus.npy");
		Files.write(i4, npy(1, "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }", b.array()));
		final Diffraction p = DiffractionReader.read(i4, ImportOptions.defaults());
		assertEquals(1, p.markers.unmeasuredCount(), "-1 is a Pilatus gap, not a negative count");
		assertEquals(0f, p.values.get(0, 1, 0), "Fortran order: element 1 is row 1, column 0");
		assertTrue(p.mask.isUnmeasured(p.grid().index(0, 1, 0)));

		final Path f4 = dir.resolve("float.npy");
		Files.write(f4, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Fixtures.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 65535, 6)));
		final Diffraction f = DiffractionReader.read(f4, ImportOptions.defaults());
		assertEquals(65535f, f.values.data[4]);
		assertTrue(f.mask == null && f.markers == null, "float data have no markers");
		final Path u1 = dir.resolve("bytes.npy");
		Files.write(u1, npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", new byte[] { 1, 2, 3, 4, (byte) 255, 6 }));
		assertEquals(255f, DiffractionReader.read(u1, ImportOptions.defaults()).values.data[4], "8-bit data have no markers");
	}
}
