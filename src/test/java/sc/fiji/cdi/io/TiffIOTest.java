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
	void planeAndEightBitAndTimeSeries() throws IOException {
		final Path plane = dir.resolve("plane.tif");
		TiffWriter.write(plane, new RealVolume(Grid.of2D(2, 3), new float[] { 1, 2, 3, 4, 5, 6 }, new double[] { 1, 55e3, 55e3 }, "nm"));
		final Diffraction p = DiffractionReader.read(plane, ImportOptions.defaults());
		assertEquals(Grid.of2D(2, 3), p.grid());
		assertArrayEquals(new float[] { 1, 2, 3, 4, 5, 6 }, p.values.data);
		assertEquals(55e3, p.values.voxelSize[2], 1e-6);

		final Path bytes = dir.resolve("eight.tif");
		Fixtures.save(new ij.process.ByteProcessor(2, 2, new byte[] { 0, 10, (byte) 200, (byte) 255 }), bytes);
		assertArrayEquals(new float[] { 0, 10, 200, 255 }, DiffractionReader.read(bytes, ImportOptions.defaults()).values.data);

		final ImageStack st = new ImageStack(2, 2);
		for (int k = 0; k < 3; k++) st.addSlice(new FloatProcessor(2, 2, new float[] { 1, 2, 3, 4 }));
		final ImagePlus movie = new ImagePlus("t", st);
		movie.setDimensions(1, 1, 3);
		movie.setOpenAsHyperStack(true);
		final Path t = dir.resolve("time_series.tif");
		Fixtures.save(movie, t);
		assertRejected(t, null, "3 time points");
	}

	@Test
	void colourHyperstackTruncatedAndFakeTiffsAreRejected() throws IOException {
		final Path rgb = dir.resolve("rgb.tif");
		Fixtures.save(new ColorProcessor(4, 4), rgb);
		assertRejected(rgb, null, "colour");

		final ImageStack st = new ImageStack(3, 3);
		for (int k = 0; k < 4; k++) { final float[] p = new float[9]; Arrays.fill(p, k + 1); st.addSlice(new FloatProcessor(3, 3, p)); }
		final ImagePlus hyper = new ImagePlus("c2", st);
		hyper.setDimensions(2, 2, 1);
		hyper.setOpenAsHyperStack(true);
		final Path h = dir.resolve("complex_two_channels.tif");
		Fixtures.save(hyper, h);
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
}
