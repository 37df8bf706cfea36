package sc.fiji.cdi.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.model.Networks;
import sc.fiji.cdi.util.Progress;

/**
 * A warm start ({@code --init}) trains the loaded weights: its first batches start at the loaded model's loss (not
 * at a random network's), and the written weights differ from the loaded ones. Before 30 Nov the weights were loaded
 * into a block its trainer already held; a 3D warm start then either optimised random arrays (loss 1.57 against
 * 0.073) or kept its loss at 0.3320 for 4 epochs.
 */
class WarmStartTest {

	/** The bundled 2D model's network, from its card. */
	private static Architecture BUNDLED_2D;

	@BeforeAll
	static void engine() throws Exception {
		DjlRuntime.init(null);
		try (InputStream in = ModelFolder.openBundled("default-2d", ModelFolder.CARD)) {
			BUNDLED_2D = sc.fiji.cdi.nn.model.ModelCard.fromJson(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "2d").architecture;
		}
	}

	private static TrainingConfig config(final Path out, final String init) {
		final Architecture arch = BUNDLED_2D;
		return new TrainingConfig(arch, TrainingConfig.LossKind.COMBINED, CrystalRecipe.defaults(2), 32, 8, 77, 1, 8, 1e-3, 0, 1, "cpu", out, "warm", init);
	}

	private static List<Double> batchLosses(final TrainingConfig c) {
		final List<Double> losses = new ArrayList<>();
		NetworkTrainer.train(c, Progress.NONE, new NetworkTrainer.Listener() {
			@Override
			public void batch(final int epoch, final int batch, final int batches, final double loss) { losses.add(loss); }
		});
		return losses;
	}

	private static List<float[]> weights(final InputStream in, final Architecture arch) throws Exception {
		try (NDManager m = NDManager.newBaseManager(); DataInputStream d = new DataInputStream(in)) {
			final Block b = Networks.build(arch);
			final long[] s = arch.sampleShape();
			final long[] shape = new long[s.length + 1];
			shape[0] = 1;
			System.arraycopy(s, 0, shape, 1, s.length);
			b.initialize(m, DataType.FLOAT32, new Shape(shape));
			b.loadParameters(m, d);
			final List<float[]> w = new ArrayList<>();
			for (final Pair<String, Parameter> p : b.getParameters()) w.add(p.getValue().getArray().toFloatArray());
			return w;
		}
	}

	@Test
	void aWarmStartTrainsTheLoadedWeights(@TempDir final Path dir) throws Exception {
		final List<Double> cold = batchLosses(config(dir.resolve("cold"), null));
		final TrainingConfig warmConfig = config(dir.resolve("warm"), "2d");
		final List<Double> warm = batchLosses(warmConfig);
		assertEquals(4, warm.size());
		// the bundled model's loss on its own kind of crystals is far below a random network's
		assertTrue(warm.get(0) < 0.6 * cold.get(0), "first warm batch " + warm.get(0) + " against cold " + cold.get(0));

		final List<float[]> before, after;
		try (InputStream in = ModelFolder.openBundled("default-2d", ModelFolder.WEIGHTS)) { before = weights(in, warmConfig.architecture()); }
		try (InputStream in = Files.newInputStream(dir.resolve("warm").resolve(ModelFolder.WEIGHTS))) { after = weights(in, warmConfig.architecture()); }
		double moved = 0, norm = 0;
		for (int i = 0; i < before.size(); i++)
			for (int k = 0; k < before.get(i).length; k++) {
				moved += Math.abs(after.get(i)[k] - before.get(i)[k]);
				norm += Math.abs(before.get(i)[k]);
			}
		// four Adam steps at 1e-3 move each weight by up to ~4e-3: well above float noise, well below the weights
		assertTrue(moved / norm > 1e-4 && moved / norm < 0.5, "relative L1 change of the weights " + moved / norm);
	}
}
