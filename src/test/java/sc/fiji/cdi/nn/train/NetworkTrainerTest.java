package sc.fiji.cdi.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

class NetworkTrainerTest {

	@TempDir
	Path tmp;

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	private static TrainingConfig config(final Path out, final int epochs, final TrainingConfig.LossKind loss) {
		return new TrainingConfig(Architecture.cdiNN2D(16, 4, 1), loss, CrystalRecipe.defaults(2), 8, 4, 42, epochs, 4, 1e-2, 1, 1, "cpu", out, "tiny");
	}

	@Test
	void writesAModelFolderAndResumesFromTheCheckpoint() throws Exception {
		final Path out = tmp.resolve("m");
		final List<String> status = new ArrayList<>();
		final Progress log = new Progress() {
			@Override public void status(final String m) { status.add(m); }
			@Override public void progress(final long d, final long t) {}
			@Override public boolean isCancelled() { return false; }
		};
		NetworkTrainer.train(config(out, 1, TrainingConfig.LossKind.COMBINED), log);
		for (final String f : new String[] { "model.json", "weights.params", "history.csv", "loss.png", "checkpoint/state.json", "checkpoint/weights.params" })
			assertTrue(Files.isRegularFile(out.resolve(f)), f);
		assertTrue(status.stream().anyMatch(s -> s.contains("ETA")), "progress reports an ETA");
		final ModelCard c1 = ModelFolder.readCard(out);
		assertEquals(1, c1.training.epochs);
		assertTrue(c1.reproduce.contains("--epochs 1") && c1.reproduce.contains("--loss combined"), c1.reproduce);
		assertTrue(c1.validation.containsKey("validationMedianAmplitudeCorrelation"));

		// the same configuration with 2 epochs resumes after epoch 1 and keeps its history line
		final List<String> csv1 = Files.readAllLines(out.resolve("history.csv"));
		NetworkTrainer.train(config(out, 2, TrainingConfig.LossKind.COMBINED), log);
		assertTrue(status.stream().anyMatch(s -> s.startsWith("Resuming after epoch 1")), "resumed");
		final List<String> csv2 = Files.readAllLines(out.resolve("history.csv"));
		assertEquals(3, csv2.size(), "header + 2 epochs");
		assertEquals(csv1.get(1), csv2.get(1), "epoch 1 kept from the checkpoint");
		assertEquals(2, ModelFolder.readCard(out).training.epochs);
		assertEquals(0.5e-2, config(out, 2, TrainingConfig.LossKind.COMBINED).learningRateAt(1), 1e-12, "halved after 1 epoch");

		// a checkpoint of another training is not silently reused
		final CdiException e = assertThrows(CdiException.class, () -> NetworkTrainer.train(config(out, 3, TrainingConfig.LossKind.PHYSICS), log));
		assertTrue(e.getMessage().contains("checkpoint of another training"), e.getMessage());
	}

	@Test
	void cancellingStopsWithoutAModelCard() {
		final Path out = tmp.resolve("c");
		final Progress cancelAfterFirstBatch = new Progress() {
			volatile boolean batchDone;
			@Override public void status(final String m) { if (m.startsWith("Epoch")) batchDone = true; }
			@Override public void progress(final long d, final long t) {}
			@Override public boolean isCancelled() { return batchDone; }
		};
		assertThrows(CancelledException.class, () -> NetworkTrainer.train(config(out, 2, TrainingConfig.LossKind.PHYSICS), cancelAfterFirstBatch));
		assertTrue(!Files.exists(out.resolve(ModelFolder.CARD)), "no model card for a cancelled run");
	}

	@Test
	void badConfigurationsAreRejected() {
		assertThrows(CdiException.class, () -> new TrainingConfig(Architecture.cdiNN2D(16, 4, 1), TrainingConfig.LossKind.PHYSICS, null, 0, 0, 1, 1, 1, 1e-3, 0, 1, "cpu", tmp, "x"));
		assertThrows(CdiException.class, () -> new TrainingConfig(Architecture.cdiNN2D(16, 4, 1), TrainingConfig.LossKind.PHYSICS, null, 8, 0, 1, 1, 1, 2.0, 0, 1, "cpu", tmp, "x"));
		assertThrows(CdiException.class, () -> new Architecture(Architecture.Kind.LIGHT, 3, 32, 16, 5));
		assertThrows(CdiException.class, () -> TrainMain.config(new String[] { "--epochs", "2", "--colour", "red" }));
		final CdiException yes = assertThrows(CdiException.class, () -> TrainMain.config(new String[] { "--mixed", "yes" }));
		assertTrue(yes.getMessage().contains("--mixed") && yes.getMessage().contains("true or false"), yes.getMessage());
		final TrainingConfig fixed = TrainMain.config(new String[] { "--mixed", "true", "--fixed-phase", "TRUE" });
		assertTrue(fixed.recipe().mixed() && fixed.recipe().fixedPhase());
		// the reproduce command of a card carries the option, so the model can be trained again
		assertTrue(TrainMain.commandLine(fixed).contains("--mixed true --fixed-phase true"), TrainMain.commandLine(fixed));
		assertFalse(fixed.recipe().gaps() || fixed.recipe().domains());
		final TrainingConfig defects = TrainMain.config(new String[] { "--mixed", "true", "--domains", "true", "--gaps", "true" });
		assertTrue(defects.recipe().domains() && defects.recipe().gaps());
		assertTrue(TrainMain.commandLine(defects).contains("--mixed true --domains true --gaps true"), TrainMain.commandLine(defects));
		// the reproduce line parses back to the same recipe
		final String[] again = TrainMain.commandLine(defects).replaceFirst("^\\S+ ", "").split(" ");
		assertEquals(defects.recipe(), TrainMain.config(again).recipe());
	}
}
