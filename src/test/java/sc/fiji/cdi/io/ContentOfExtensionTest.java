package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static sc.fiji.cdi.io.Fixtures.assertRejected;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/** A file whose content is another format than its extension says: named as such, not "truncated, corrupt or not a ... file". */
class ContentOfExtensionTest {

	@TempDir
	Path dir;

	private static short[] ramp() {
		final short[] p = new short[16];
		for (int i = 0; i < p.length; i++) p[i] = (short) (i + 1);
		return p;
	}

	@Test
	void aTiffNamedH5AndAnHdf5NamedTifAreNamed() throws IOException {
		final Path tiffAsH5 = Fixtures.shortTiff(dir.resolve("frames.h5"), 4, 4, ramp());
		CdiException e = assertRejected(tiffAsH5, null, "extension .h5 (HDF5) but holds a TIFF file", "Rename it to .tif");
		assertFalse(e.getMessage().contains("corrupt"), e.getMessage());

		final Path h5AsTif = dir.resolve("stack.tif");
		try (WritableHdfFile h = HdfFile.write(h5AsTif)) {
			h.putGroup("entry_1").putGroup("data_1").putDataset("data", new float[][] { { 1, 2 }, { 3, 4 } });
		}
		e = assertRejected(h5AsTif, null, "extension .tif (TIFF) but holds an HDF5 file", "Rename it to .h5");
		assertFalse(e.getMessage().contains("not a TIFF file"), e.getMessage());
		// an amplitude or phase volume (Strain, Export) too
		final String v = org.junit.jupiter.api.Assertions.assertThrows(CdiException.class, () -> VolumeReader.read(h5AsTif)).getMessage();
		org.junit.jupiter.api.Assertions.assertTrue(v.contains("stack.tif has the extension .tif (TIFF) but holds an HDF5 file"), v);
		// the same file under its own extension reads
		final Path renamed = Files.copy(h5AsTif, dir.resolve("stack.h5"));
		assertEquals(Grid.of2D(2, 2), DiffractionReader.read(renamed, ImportOptions.defaults()).grid());
		// and as a mask file it is named too
		final Path good = Fixtures.shortTiff(dir.resolve("good.tif"), 4, 4, ramp());
		final String m = org.junit.jupiter.api.Assertions.assertThrows(CdiException.class, () -> DiffractionReader.read(good, ImportOptions.defaults().withMaskPath(tiffAsH5))).getMessage();
		org.junit.jupiter.api.Assertions.assertTrue(m.startsWith("Mask file " + tiffAsH5 + " has the extension .h5 (HDF5) but holds a TIFF file"), m);
	}

	@Test
	void anNpzNamedNpyAndAGzippedTiffAreNamed() throws IOException {
		final Path npz = dir.resolve("pattern.npy");
		try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(npz))) {
			z.putNextEntry(new ZipEntry("data.npy"));
			z.write(Fixtures.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", Fixtures.floats(java.nio.ByteOrder.LITTLE_ENDIAN, 1, 2)));
			z.closeEntry();
		}
		assertRejected(npz, null, "extension .npy (NumPy .npy) but holds a NumPy .npz file", "Rename it to .npz");

		// a zip of other files is not an .npz: renaming it would not help, so the message must not say so
		final Path zip = dir.resolve("scan.npy");
		try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
			z.putNextEntry(new ZipEntry("scan_0001.tif"));
			z.write(new byte[] { 'I', 'I', 42, 0 });
			z.closeEntry();
		}
		CdiException e = assertRejected(zip, null, "extension .npy (NumPy .npy) but holds a ZIP archive without NumPy arrays", "extract the data file");
		assertFalse(e.getMessage().contains("Rename it"), e.getMessage());
		final Path zipAsNpz = Files.copy(zip, dir.resolve("scan.npz"));
		assertRejected(zipAsNpz, null, "extension .npz (NumPy .npz) but holds a ZIP archive without NumPy arrays");

		final Path plain = Fixtures.shortTiff(dir.resolve("plain.tif"), 4, 4, ramp());
		final Path gz = dir.resolve("frame.tif");
		try (InputStream in = Files.newInputStream(plain); OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
			in.transferTo(out);
		}
		assertRejected(gz, null, "extension .tif", "gzip-compressed", "decompress it first");
	}

	/** h5py stores numpy complex as a compound {r, i}: it was refused as "HDF5 type CompoundDataType". */
	@Test
	void aComplexHdf5DatasetIsNamedAsComplex() throws IOException {
		final Path f = dir.resolve("complex.h5");
		try (InputStream in = getClass().getResourceAsStream("complex.h5")) {
			Files.copy(in, f);
		}
		assertRejected(f, null, "holds complex numbers", "[r, i]", "intensity");
	}
}
