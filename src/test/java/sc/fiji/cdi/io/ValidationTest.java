package sc.fiji.cdi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.io.Fixtures.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;

class ValidationTest {

	@TempDir
	Path dir;

	private Path npy(final String name, final Grid g, final float[] v) {
		final Path f = dir.resolve(name);
		NpyIO.write(f, new RealVolume(g, v));
		return f;
	}

	@Test
	void nonFiniteValuesAreCountedAndLocated() throws IOException {
		final Grid g = new Grid(2, 3, 4);
		final float[] v = new float[g.size()];
		java.util.Arrays.fill(v, 1);
		v[0] = 2; // a pattern, not a constant (refused as such)
		v[g.index(1, 2, 3)] = Float.NaN;
		v[g.index(1, 0, 1)] = Float.POSITIVE_INFINITY;
		v[g.index(1, 1, 0)] = Float.NaN;
		assertRejected(npy("nan.npy", g, v), null, "3 NaN or infinite values", "(z=1, y=0, x=1)");
		// masking the bad pixels makes the file usable
		final boolean[] m = new boolean[g.size()];
		final float[] mask = new float[g.size()];
		for (final int i : new int[] { g.index(1, 2, 3), g.index(1, 0, 1), g.index(1, 1, 0) }) { mask[i] = 1; m[i] = true; }
		final Path maskFile = npy("nan_mask.npy", g, mask);
		final Diffraction d = DiffractionReader.read(dir.resolve("nan.npy"), ImportOptions.defaults().withMaskPath(maskFile));
		assertEquals(22.0, d.values.sum(), 0);
		for (int i = 0; i < m.length; i++) assertEquals(m[i], d.mask.isUnmeasured(i));
	}

	@Test
	void negativeValuesAreAnErrorUnlessClamped() throws IOException {
		final Grid g = Grid.of2D(2, 3);
		final Path f = npy("negative.npy", g, new float[] { 5, -0.5f, 3, -2, 0, 1 });
		assertRejected(f, null, "2 negative values", "minimum -2.0", "(y=0, x=1)");
		final Diffraction d = DiffractionReader.read(f, ImportOptions.defaults().withClampNegative(true));
		assertEquals(9.0, d.values.sum(), 0);
		assertEquals(2, d.log.steps().get(0).parameters().get("clampedNegative"));
		assertNull(d.mask);
	}

	@Test
	void allZeroUnknownMissingAndMaskErrors() throws IOException {
		assertRejected(npy("zeros.npy", Grid.of2D(4, 4), new float[16]), null, "only zeros");
		final Path txt = dir.resolve("pattern.txt");
		Files.writeString(txt, "1 2 3");
		assertRejected(txt, null, "unknown extension", ".npy");
		final Path missing = dir.resolve("missing.npy");
		final Exception e = org.junit.jupiter.api.Assertions.assertThrows(sc.fiji.cdi.util.CdiException.class, () -> DiffractionReader.read(missing, null));
		assertTrue(e.getMessage().contains("missing.npy") && e.getMessage().contains("does not exist"));

		final Grid g = new Grid(2, 3, 4);
		final float[] ones = new float[g.size()];
		java.util.Arrays.fill(ones, 1);
		final Path data = npy("data.npy", g, ones);
		final Path wrongMask = npy("wrong_mask.npy", Grid.of2D(4, 3), new float[12]);
		assertRejected(data, ImportOptions.defaults().withMaskPath(wrongMask), "wrong_mask.npy", "4x3", "2x3x4");
		final Path allMasked = npy("all_bad.npy", Grid.of2D(3, 4), fill(12, 1));
		// the mask is the cause, not the data
		assertRejected(data, ImportOptions.defaults().withMaskPath(allMasked), "all_bad.npy", "masks every pixel");
	}

	@Test
	void aConstantPatternIsNotADiffractionPattern() throws IOException {
		// a flat field or a filled test image: before, every command took it (Fine-tune's physics loss was 0.0000 on it)
		final Grid g = Grid.of2D(4, 4);
		assertRejected(npy("flat.npy", g, fill(16, 5)), null, "flat.npy", "not a diffraction pattern: every measured pixel is 5", "(16 pixels)");
		assertRejected(npy("flat_frac.npy", g, fill(16, 0.25f)), null, "every measured pixel is 0.25");
		// only measured pixels count: the masked one may differ, the rest is still flat
		final float[] v = fill(16, 5);
		v[3] = 9;
		final float[] mask = new float[16];
		mask[3] = 1;
		assertRejected(npy("flat_but_masked.npy", g, v), ImportOptions.defaults().withMaskPath(npy("m.npy", g, mask)), "every measured pixel is 5", "(15 pixels)");
		// one measured pixel that differs makes it a pattern
		assertEquals(84.0, DiffractionReader.read(dir.resolve("flat_but_masked.npy"), ImportOptions.defaults()).values.sum(), 0);
		// negative values set to 0 leaving only zeros
		assertRejected(npy("all_negative.npy", g, fill(16, -1)), ImportOptions.defaults().withClampNegative(true), "only zeros once its 16 negative values were set to 0");
	}

	@Test
	void twoDimensionalTiffMaskAppliesToEveryFrame() throws IOException {
		final Grid g = new Grid(3, 2, 2);
		final float[] frames = fill(12, 4);
		frames[0] = 5; // a pattern, not a constant (refused as such)
		final Path data = npy("frames.npy", g, frames);
		final Path mask = Fixtures.shortTiff(dir.resolve("mask.tif"), 2, 2, new short[] { 0, 7, 0, 0 });
		final String dataSum = Fixtures.sha256(data), maskSum = Fixtures.sha256(mask);
		final Diffraction d = DiffractionReader.read(data, ImportOptions.defaults().withMaskPath(mask));
		for (int z = 0; z < 3; z++) {
			assertTrue(d.mask.isUnmeasured(g.index(z, 0, 1)));
			assertEquals(0f, d.values.get(z, 0, 1));
		}
		assertEquals(3, Hdf5ReaderTest.countTrue(d.mask.toArray()));
		assertEquals(37.0, d.values.sum(), 0);
		assertEquals(dataSum, Fixtures.sha256(data));
		assertEquals(maskSum, Fixtures.sha256(mask));
	}

	private static float[] fill(final int n, final float v) {
		final float[] a = new float[n];
		java.util.Arrays.fill(a, v);
		return a;
	}

	/** jHDF wraps the refusal to open an unreadable file ("Failed to open file ... Is it a HDF5 file?"): it was called corrupt. */
	@Test
	void permissionDeniedInsideALibraryExceptionIsSaid() {
		final Path f = Path.of("locked.h5");
		final RuntimeException wrapped = new RuntimeException("Failed to open file 'locked.h5' . Is it a HDF5 file?", new java.nio.file.AccessDeniedException("locked.h5"));
		final String m = Validation.corrupt(f, "HDF5", wrapped).getMessage();
		org.junit.jupiter.api.Assertions.assertTrue(m.contains("locked.h5") && m.contains("permission denied") && !m.contains("corrupt"), m);
	}
}
