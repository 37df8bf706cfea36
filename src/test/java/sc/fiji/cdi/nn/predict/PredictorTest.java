package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.model.Networks;
import sc.fiji.cdi.util.CdiException;

class PredictorTest {

	@TempDir
	static Path tmp;
	static Predictor tiny;

	@BeforeAll
	static void model() {
		DjlRuntime.init(null);
		final Architecture a = Architecture.light3D(32, 2, 2);
		try (NDManager m = DjlRuntime.engine().newBaseManager(Device.cpu())) {
			final Block b = Networks.build(a);
			b.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32, 32));
			final ModelCard c = new ModelCard();
			c.name = "tiny";
			c.architecture = a;
			ModelFolder.save(tmp.resolve("tiny"), b, c);
		}
		tiny = Predictor.load(tmp.resolve("tiny"), "cpu");
	}

	@AfterAll
	static void close() { tiny.close(); }

	/** Intensity (peak value 400 at the array centre) with a bright pixel marked bad. */
	private static Diffraction pattern(final Grid g, final boolean maskOne) {
		final float[] v = new float[g.size()];
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final double r2 = Math.pow(z - g.nz / 2, 2) + Math.pow(y - g.ny / 2, 2) + Math.pow(x - g.nx / 2, 2);
			v[g.index(z, y, x)] = (float) (400 * Math.exp(-r2 / 30));
		}
		boolean[] mask = null;
		if (maskOne) {
			mask = new boolean[g.size()];
			mask[g.index(g.nz / 2, g.ny / 2, g.nx / 2 + 1)] = true;
		}
		return new Diffraction(new RealVolume(g, v), Quantity.INTENSITY, mask == null ? null : Mask.fromUnmeasured(g, mask), new ProcessingLog().add("read", "file", "test.tif"), "test.tif");
	}

	@Test
	void largerPatternsAreCroppedAboutThePeakSmallerOnesPadded() {
		for (final Grid g : new Grid[] { Grid.cube(48), new Grid(20, 40, 32) }) {
			final Diffraction d = pattern(g, true);
			final ProcessingLog log = new ProcessingLog(d.log);
			final RealVolume in = tiny.preprocess(d, log);
			assertEquals(Grid.cube(32), in.grid);
			assertEquals(1f, in.get(16, 16, 16), 1e-6f, "peak (√400 = 20) moved to n/2 and normalised to 1");
			assertEquals(0f, in.get(16, 16, 17), 0f, "masked pixel set to 0");
			assertEquals((float) Math.exp(-1 / 60.0), in.get(16, 17, 16), 1e-5f, "amplitude = √I / max");
			assertEquals("nn_fit_to_network", log.steps().get(1).name());
			assertEquals(1, log.steps().get(1).parameters().get("masked_pixels_zeroed"));
			assertEquals(1, d.log.steps().size(), "the input's log is not modified");
		}
		// padded axis: outside the 20 measured planes the input is zero
		assertEquals(0f, tiny.preprocess(pattern(new Grid(20, 40, 32), false), new ProcessingLog()).get(2, 16, 16), 0f);
	}

	@Test
	void impossibleInputsGiveClearErrors() {
		final CdiException rank = assertThrows(CdiException.class, () -> tiny.predict(pattern(Grid.of2D(32, 32), false)));
		assertTrue(rank.getMessage().contains("expects 3D patterns"), rank.getMessage());
		final CdiException small = assertThrows(CdiException.class, () -> tiny.predict(pattern(new Grid(6, 32, 32), false)));
		assertTrue(small.getMessage().contains("too small"), small.getMessage());
		final Diffraction zero = new Diffraction(new RealVolume(Grid.cube(32)), Quantity.INTENSITY, null, new ProcessingLog(), "zero.tif");
		final CdiException z = assertThrows(CdiException.class, () -> tiny.predict(zero));
		assertTrue(z.getMessage().contains("zero"), z.getMessage());
		assertThrows(CdiException.class, () -> Predictor.load("/no/such/model", "cpu"));
	}

	@Test
	void batchPredictionMatchesSinglePredictions() {
		final Diffraction a = pattern(Grid.cube(32), false), b = pattern(Grid.cube(40), false);
		final var both = tiny.predictAll(java.util.List.of(a, b), 2, sc.fiji.cdi.util.Progress.NONE);
		final Prediction pa = tiny.predict(a);
		assertEquals(2, both.size());
		for (int i = 0; i < pa.amplitude().data.length; i++) assertEquals(pa.amplitude().data[i], both.get(0).amplitude().data[i], 1e-5f);
		assertEquals(40.0 / 32, both.get(1).voxelScaleZyx()[0], 1e-12, "cropping 40 -> 32 coarsens the real-space voxel by 40/32");
	}

	@Test
	void fourierResamplingKeepsACentredObjectCentredAndRoundTrips() {
		final Grid small = Grid.cube(16), big = Grid.cube(32);
		final float[] c = new float[2 * small.size()];
		for (int z = 0; z < 16; z++) for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) {
			final double r2 = (z - 8) * (z - 8) + (y - 8) * (y - 8) + (x - 8) * (x - 8);
			final int i = small.index(z, y, x);
			c[2 * i] = (float) Math.exp(-r2 / 4);
			c[2 * i + 1] = (float) (0.3 * Math.exp(-r2 / 4) * (x - 8) / 8.0);
		}
		final ComplexVolume o = new ComplexVolume(small, c);
		final ComplexVolume up = NnRefine.resample(o, big);
		final RealVolume a = up.amplitude();
		int best = 0;
		for (int i = 1; i < a.data.length; i++) if (a.data[i] > a.data[best]) best = i;
		assertEquals(big.index(16, 16, 16), best, "maximum stays at n/2");
		final ComplexVolume back = NnRefine.resample(up, small);
		// zero-padding the spectrum then cropping it back is exact (the 1/N factors of the two inverse FFTs cancel)
		for (int i = 0; i < c.length; i++) assertEquals(c[i], back.data[i], 1e-5f);
	}

	@Test
	void aSmallObjectInALargePatternIsBinnedAndItsPredictionEmbeddedBack() {
		// a 64³ pattern of a cube of 6 voxels (0.09 of the box): binned 2x it fills twice that share of a 32³ box, near
		// training crystals (0.3-0.45 nominal, 0.18-0.19 by the same autocorrelation estimate); a crop to 32³ would
		// keep it at 0.09 with voxels twice as large
		final Grid big = Grid.cube(64);
		final float[] rho = new float[2 * big.size()];
		for (int z = 29; z < 35; z++) for (int y = 29; y < 35; y++) for (int x = 29; x < 35; x++) rho[2 * big.index(z, y, x)] = 1f;
		final float[] f = rho.clone();
		sc.fiji.cdi.fft.Fft.forward(big, f);
		final float[] intensity = sc.fiji.cdi.phasing.FftShift.fftshift(big, sc.fiji.cdi.phasing.Moments.modulus(f), 1);
		for (int i = 0; i < intensity.length; i++) intensity[i] *= intensity[i];
		final Diffraction d = new Diffraction(new RealVolume(big, intensity), Quantity.INTENSITY, null, new ProcessingLog(), "cube.tif");
		final ProcessingLog log = new ProcessingLog();
		assertEquals(Grid.cube(32), tiny.preprocess(d, log).grid);
		final var fit = log.steps().get(0).parameters();
		assertEquals(6 / 64.0, ((double[]) fit.get("estimated_object_fraction_zyx"))[2], 0.02, "object fraction from the autocorrelation");
		assertTrue(java.util.Arrays.equals(new int[] { 2, 2, 2 }, (int[]) fit.get("bin_zyx")), java.util.Arrays.toString((int[]) fit.get("bin_zyx")));
		final Prediction p = tiny.predict(d);
		assertEquals(1.0, p.voxelScaleZyx()[0], 1e-12, "64 / (2 x 32): the prediction keeps the data's voxel");
		// the network's 32³ box is the central half of the data's field of view
		final sc.fiji.cdi.phasing.InitialGuess guess = NnRefine.initialGuess(p, d);
		assertEquals(big, guess.object().grid);
		final Grid net = Grid.cube(32);
		float scale = Float.NaN;
		for (int z = 0; z < 64; z++) for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) {
			final boolean inside = z >= 16 && z < 48 && y >= 16 && y < 48 && x >= 16 && x < 48;
			final int i = big.index(z, y, x);
			final float expected = inside ? p.object().data[2 * net.index(z - 16, y - 16, x - 16)] : 0f;
			if (expected == 0f) assertEquals(0f, guess.object().data[2 * i], 0f);
			else {
				if (Float.isNaN(scale)) scale = guess.object().data[2 * i] / expected; // Parseval's scale to the data
				assertEquals(scale, guess.object().data[2 * i] / expected, 1e-4f * scale, "embedded at the same voxel, one scale factor");
			}
		}
	}

	@Test
	void theObjectSizeOfALargePatternIsEstimatedOnItsCentre() {
		// 192 planes along z: the estimate looks at the central 128 (a crop keeps the object's share of the box)
		final Grid g = new Grid(192, 64, 64);
		final float[] rho = new float[2 * g.size()];
		for (int z = 93; z < 99; z++) for (int y = 29; y < 35; y++) for (int x = 29; x < 35; x++) rho[2 * g.index(z, y, x)] = 1f;
		sc.fiji.cdi.fft.Fft.forward(g, rho);
		final float[] intensity = sc.fiji.cdi.phasing.FftShift.fftshift(g, sc.fiji.cdi.phasing.Moments.modulus(rho), 1);
		for (int i = 0; i < intensity.length; i++) intensity[i] *= intensity[i];
		final ProcessingLog log = new ProcessingLog();
		tiny.preprocess(new Diffraction(new RealVolume(g, intensity), Quantity.INTENSITY, null, new ProcessingLog(), "long.tif"), log);
		final var fit = log.steps().get(0).parameters();
		assertEquals(6 / 192.0, ((double[]) fit.get("estimated_object_fraction_zyx"))[0], 0.01);
		// one factor for every axis (isotropic): 2 is the largest that leaves 64 / b >= 32 along y and x
		org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] { 2, 2, 2 }, (int[]) fit.get("bin_zyx"), "binned alike along every axis");
	}
}
