package sc.fiji.cdi.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.io.NpyIO;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.util.CdiException;

/**
 * Networks trained with PyTorch ({@code tools/pytorch/cdinn.py}, e.g. on a GPU) load as model folders with
 * {@code weights.npz}: the fixtures under {@code torch-parity/} hold a tiny CDINN with random weights and random
 * BatchNorm statistics, one input and PyTorch's outputs for it in inference mode
 * ({@code tools/pytorch/parity_fixture.py}); DJL must compute the same from the same weights.
 */
class TorchWeightsTest {

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	private static Path fixture(final String rank) throws Exception {
		return Paths.get(TorchWeightsTest.class.getResource("/torch-parity/" + rank).toURI());
	}

	@Test
	void djlComputesWhatPyTorchComputedFromTheSameWeights2D() throws Exception {
		assertFalse(Files.exists(fixture("2d").resolve(ModelFolder.WEIGHTS)), "the fixture must exercise weights.npz");
		sameOutputs("2d");
	}

	@Test
	void djlComputesWhatPyTorchComputedFromTheSameWeights3D() throws Exception { sameOutputs("3d"); }

	/** The LIGHT network (AutoPhaseNN-like, decoders to n/2 zero-padded to n), the cheap one at 64³. */
	@Test
	void lightNetworksComputeWhatPyTorchComputed() throws Exception {
		sameOutputs("light-2d");
		sameOutputs("light-3d");
	}

	@Test
	void aConvertedFolderComputesTheSame(@TempDir final Path tmp) throws Exception {
		sc.fiji.cdi.nn.train.ConvertMain.convert(fixture("3d"), tmp, null);
		assertTrue(Files.isRegularFile(tmp.resolve(ModelFolder.WEIGHTS)));
		assertFalse(Files.exists(tmp.resolve(ModelFolder.TORCH_WEIGHTS)));
		for (final String f : new String[] { "input.npy", "expected_amplitude.npy", "expected_phase.npy" }) Files.copy(fixture("3d").resolve(f), tmp.resolve(f));
		sameOutputs(tmp);
	}

	/** The other way ({@code ConvertMain --to-npz}, so that tools/pytorch can continue a model): params → npz → params. */
	@Test
	void aFolderWrittenBackToNpzComputesTheSame(@TempDir final Path tmp) throws Exception {
		final Path params = tmp.resolve("params"), npz = tmp.resolve("npz");
		sc.fiji.cdi.nn.train.ConvertMain.convert(fixture("3d"), params, null);
		sc.fiji.cdi.nn.train.ConvertMain.toNpz(params, npz);
		assertTrue(Files.isRegularFile(npz.resolve(ModelFolder.TORCH_WEIGHTS)));
		assertFalse(Files.exists(npz.resolve(ModelFolder.WEIGHTS)));
		for (final String f : new String[] { "input.npy", "expected_amplitude.npy", "expected_phase.npy" }) Files.copy(fixture("3d").resolve(f), npz.resolve(f));
		sameOutputs(npz);
		// the arrays keep PyTorch's names and order, BatchNorm's running statistics included
		try (java.util.zip.ZipFile a = new java.util.zip.ZipFile(fixture("3d").resolve(ModelFolder.TORCH_WEIGHTS).toFile());
				java.util.zip.ZipFile b = new java.util.zip.ZipFile(npz.resolve(ModelFolder.TORCH_WEIGHTS).toFile())) {
			assertEquals(a.stream().map(java.util.zip.ZipEntry::getName).sorted().toList(), b.stream().map(java.util.zip.ZipEntry::getName).sorted().toList());
		}
	}

	private static void sameOutputs(final String rank) throws Exception { sameOutputs(fixture(rank)); }

	private static void sameOutputs(final Path f) throws Exception {
		final float[] input = NpyIO.read(f.resolve("input.npy")).data;
		final float[] amplitude = NpyIO.read(f.resolve("expected_amplitude.npy")).data, phase = NpyIO.read(f.resolve("expected_phase.npy")).data;
		try (Predictor p = Predictor.load(f, "cpu")) {
			final float[][][] out = p.network().forward(new float[][] { input });
			double maxA = 0, maxP = 0, range = 0;
			for (int i = 0; i < input.length; i++) {
				maxA = Math.max(maxA, Math.abs(out[0][0][i] - amplitude[i]));
				maxP = Math.max(maxP, Math.abs(out[1][0][i] - phase[i]));
				range = Math.max(range, amplitude[i]);
			}
			assertTrue(range > 0.3, "the fixture's outputs are not trivial");
			assertTrue(maxA < 1e-5, "amplitude differs from PyTorch's by " + maxA);
			assertTrue(maxP < 1e-5, "phase differs from PyTorch's by " + maxP);
		}
	}

	@Test
	void weightsOfAnotherNetworkAreAClearError(@TempDir final Path tmp) throws Exception {
		final Path f = fixture("2d");
		Files.copy(f.resolve(ModelFolder.TORCH_WEIGHTS), tmp.resolve(ModelFolder.TORCH_WEIGHTS));
		Files.writeString(tmp.resolve(ModelFolder.CARD), Files.readString(f.resolve(ModelFolder.CARD)).replace("\"baseChannels\": 2", "\"baseChannels\": 4"));
		final CdiException e = assertThrows(CdiException.class, () -> Predictor.load(tmp, "cpu").close());
		assertTrue(e.getMessage().contains("weights.npz") && e.getMessage().contains("shape"), e.getMessage());
		Files.writeString(tmp.resolve(ModelFolder.CARD), Files.readString(f.resolve(ModelFolder.CARD)).replace("\"depth\": 2", "\"depth\": 1"));
		final CdiException e2 = assertThrows(CdiException.class, () -> Predictor.load(tmp, "cpu").close());
		assertTrue(e2.getMessage().contains("76 arrays"), e2.getMessage());
		Files.writeString(tmp.resolve(ModelFolder.CARD), Files.readString(f.resolve(ModelFolder.CARD)));
		final byte[] whole = Files.readAllBytes(f.resolve(ModelFolder.TORCH_WEIGHTS));
		Files.write(tmp.resolve(ModelFolder.TORCH_WEIGHTS), java.util.Arrays.copyOf(whole, whole.length / 2)); // a copy cut short
		final CdiException cut = assertThrows(CdiException.class, () -> Predictor.load(tmp, "cpu").close());
		// DJL reads a zip cut short as fewer arrays, or fails on the broken entry: either way one clear message
		assertTrue(cut.getMessage().contains("weights.npz") && (cut.getMessage().contains("Cannot read the weights") || cut.getMessage().contains("cut short")), cut.getMessage());
		Files.delete(tmp.resolve(ModelFolder.TORCH_WEIGHTS));
		final CdiException e3 = assertThrows(CdiException.class, () -> Predictor.load(tmp, "cpu").close());
		assertTrue(e3.getMessage().contains("weights.params") && e3.getMessage().contains("weights.npz"), e3.getMessage());
		assertEquals(1, Files.list(tmp).count());
	}
}
