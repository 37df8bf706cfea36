package sc.fiji.cdi.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.model.Networks;

/**
 * Weights loaded into a training block (a resumed checkpoint, {@code --init}) are the ones the trainer optimises:
 * before the in-place copy, the trainer's parameter store kept the random arrays it saw at initialisation.
 */
class WarmStartTest {

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	@Test
	void theTrainerStepsFromTheLoadedWeights() {
		final Architecture arch = new Architecture(Architecture.Kind.CDINN, 2, 32, 16, 3, true); // the bundled 2D model's
		final Grid g = Grid.of2D(32, 32);
		final List<TrainingData.Sample> batch = new ArrayList<>();
		for (int k = 0; k < 8; k++) batch.add(TrainingData.sample(CrystalRecipe.defaults(2).crystal(g, 31, k), k));
		final NetworkTrainer.Batches batches = new NetworkTrainer.Batches(g, arch.sampleShape());
		final Block block = Networks.build(arch);
		try (Model model = Model.newInstance("warm", Device.cpu(), DjlRuntime.PYTORCH)) {
			model.setBlock(block);
			final DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l1Loss()).optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-7f)).build())
				.optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT).optDevices(new Device[] { Device.cpu() });
			try (Trainer trainer = model.newTrainer(tc)) {
				trainer.initialize(batches.shape(1));
				NetworkTrainer.initialWeights(block, "2d", arch, model.getNDManager());
				final double direct;
				try (NDManager m = model.getNDManager().newSubManager()) {
					final NetworkTrainer.Batches.Tensors x = batches.tensors(m, batch, TrainingConfig.LossKind.COMBINED);
					final NDList out = block.forward(new ParameterStore(m, false), new NDList(x.input()), true);
					direct = Losses.loss(TrainingConfig.LossKind.COMBINED, out.get(0), out.get(1), x).getFloat();
				}
				// before the fix: the trainer's first step saw random weights (3D: 1.57 against 0.073)
				assertEquals(direct, NetworkTrainer.step(trainer, batches, batch, TrainingConfig.LossKind.COMBINED), 1e-4 + 1e-3 * direct);
			}
		}
	}
}
