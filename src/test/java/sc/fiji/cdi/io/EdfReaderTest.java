package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static sc.fiji.cdi.io.Fixtures.assertRejected;
import static sc.fiji.cdi.io.Fixtures.edf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;

class EdfReaderTest {

	@TempDir
	Path dir;

	@Test
	void unsignedShortLowByteFirstFrame() throws IOException {
		final Path f = dir.resolve("frame_0001.edf");
		final byte[] bytes = edf("HeaderID = EH:000001:000000:000000 ;\nByteOrder = LowByteFirst ;\nDataType = UnsignedShort ;\nDim_1 = 3 ;\nDim_2 = 2 ;\nSize = 12 ;\n",
				Fixtures.shorts(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 40000, 5, 6));
		assertEquals(512 + 12, bytes.length);
		Files.write(f, bytes);
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(Grid.of2D(2, 3), d.grid());
		assertArrayEquals(new float[] { 1, 2, 3, 40000, 5, 6 }, d.values.data);
		assertEquals("EDF", d.log.steps().get(0).parameters().get("format"));
	}

	@Test
	void aCompressedFrameIsRefusedNamingTheCompression() throws IOException {
		final Path f = dir.resolve("packed.edf");
		Files.write(f, edf("ByteOrder = LowByteFirst ;\nDataType = UnsignedShort ;\nDim_1 = 3 ;\nDim_2 = 2 ;\nSize = 12 ;\nCompression = gzip ;\n",
			Fixtures.shorts(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6)));
		Fixtures.assertRejected(f, ImportOptions.defaults(), "Compression = gzip", "not supported");
		// "None" is uncompressed
		Files.write(f, edf("ByteOrder = LowByteFirst ;\nDataType = UnsignedShort ;\nDim_1 = 3 ;\nDim_2 = 2 ;\nSize = 12 ;\nCompression = None ;\n",
			Fixtures.shorts(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6)));
		assertEquals(Grid.of2D(2, 3), DiffractionReader.read(f, ImportOptions.defaults()).grid());
	}

	@Test
	void twoFloatHighByteFirstFramesBecomeAStack() throws IOException {
		final String h = "ByteOrder = HighByteFirst ;\nDataType = FloatValue ;\nDim_1 = 2 ;\nDim_2 = 2 ;\nSize = 16 ;\n";
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(edf(h + "Image = 1 ;\n", Fixtures.floats(ByteOrder.BIG_ENDIAN, 0.5f, 1.5f, 2.5f, 3.5f)));
		out.writeBytes(edf(h + "Image = 2 ;\n", Fixtures.floats(ByteOrder.BIG_ENDIAN, 10, 11, 12, 13)));
		final Path f = dir.resolve("multi.edf");
		Files.write(f, out.toByteArray());
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(new Grid(2, 2, 2), d.grid());
		assertArrayEquals(new float[] { 0.5f, 1.5f, 2.5f, 3.5f, 10, 11, 12, 13 }, d.values.data);
	}

	@Test
	void badEdfFilesAreRejected() throws IOException {
		final byte[] good = edf("ByteOrder = LowByteFirst ;\nDataType = SignedInteger ;\nDim_1 = 4 ;\nDim_2 = 4 ;\nSize = 64 ;\n", new byte[64]);
		final Path cut = dir.resolve("cut.edf");
		Files.write(cut, Arrays.copyOf(good, good.length - 10));
		assertRejected(cut, null, "truncated");

		final Path type = dir.resolve("type.edf");
		Files.write(type, edf("DataType = Complex ;\nDim_1 = 1 ;\nDim_2 = 1 ;\n", new byte[8]));
		assertRejected(type, null, "DataType 'Complex'");

		final Path noDim = dir.resolve("nodim.edf");
		Files.write(noDim, edf("DataType = FloatValue ;\nDim_1 = 2 ;\n", new byte[16]));
		assertRejected(noDim, null, "Dim_2");

		final Path noBrace = dir.resolve("nobrace.edf");
		Files.writeString(noBrace, "{ DataType = FloatValue ; Dim_1 = 2 ; no closing brace");
		assertRejected(noBrace, null, "closing");

		final Path absurd = dir.resolve("absurd.edf");
		Files.write(absurd, edf("DataType = FloatValue ;\nDim_1 = 100000 ;\nDim_2 = 100000 ;\n", new byte[16]));
		assertRejected(absurd, null, "2^30");
	}

	/** A header Size that disagrees with Dim_1·Dim_2·bytes used to skip frames silently (2 frames read as 1). */
	@Test
	void aSizeThatDisagreesWithTheDimensionsIsRefused() throws IOException {
		for (final int size : new int[] { 9999, 4000 }) {
			final String h = "ByteOrder = LowByteFirst ;\nDataType = FloatValue ;\nDim_1 = 32 ;\nDim_2 = 32 ;\nSize = " + size + " ;\n";
			final ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.writeBytes(edf(h, new byte[4096]));
			out.writeBytes(edf(h, new byte[4096]));
			final Path f = dir.resolve("size" + size + ".edf");
			Files.write(f, out.toByteArray());
			assertRejected(f, null, "size" + size + ".edf", "Size = " + size, "4096 bytes");
		}
	}

	/** A 2D forward-CDI measurement's mask as a separate EDF file (issue 12): non-zero = bad, applied to the data. */
	@Test
	void edfMaskFileMasksTheData() throws IOException {
		final Path data = dir.resolve("pattern.edf"), mask = dir.resolve("mask.edf");
		final String h = "HeaderID = EH:000001:000000:000000 ;\nByteOrder = LowByteFirst ;\nDim_1 = 3 ;\nDim_2 = 2 ;\n";
		Files.write(data, edf(h + "DataType = UnsignedShort ;\nSize = 12 ;\n", Fixtures.shorts(ByteOrder.LITTLE_ENDIAN, 10, 20, 30, 40, 50, 60)));
		Files.write(mask, edf(h + "DataType = UnsignedByte ;\nSize = 6 ;\n", new byte[] { 0, 1, 0, 0, 0, (byte) 255 }));
		final Diffraction d = DiffractionReader.read(data, new ImportOptions(ImportOptions.defaults().quantity(), ImportOptions.DEFAULT_HDF5_DATASET, null, null, mask));
		assertArrayEquals(new boolean[] { false, true, false, false, false, true }, d.mask.toArray());
		assertArrayEquals(new float[] { 10, 0, 30, 40, 50, 0 }, d.values.data);
	}

	/** Dim_1 too small and no Size: the frame's last bytes were blamed as "not an EDF file after frame 0". */
	@Test
	void bytesLeftAfterAFrameNameTheFrameSize() throws IOException {
		final Path f = dir.resolve("narrow.edf");
		Files.write(f, edf("ByteOrder = LowByteFirst ;\nDataType = UnsignedShort ;\nDim_1 = 2 ;\nDim_2 = 2 ;\n", Fixtures.shorts(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6)));
		final Exception e = assertRejected(f, null, "4 bytes after EDF frame 0", "Dim_1 x Dim_2 x UnsignedShort = 2 x 2 x 2 bytes", "may not match the data");
		org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().contains("is not an EDF file"), e.getMessage());
	}
}
