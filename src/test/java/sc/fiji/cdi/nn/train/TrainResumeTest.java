package sc.fiji.cdi.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * A model folder's checkpoint is resumed only by the training it belongs to: a finished run with another configuration
 * is refused (it trained nothing and its card claimed the new values), a finished run of the same configuration is left
 * as it is, and an interrupted run leaves its checkpoint (with the history so far) but no model-folder files.
 */
class TrainResumeTest {

	@TempDir
	Path tmp;

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	private static TrainingConfig config(final Path out, final int trainSamples, final double lr, final int epochs) {
		return new TrainingConfig(Architecture.cdiNN2D(16, 4, 1), TrainingConfig.LossKind.PHYSICS, CrystalRecipe.defaults(2), trainSamples, 2, 7, epochs, 4, lr, 0, 1, "cpu", out, "tiny");
	}

	/** Records the status lines. */
	private static final class Log implements Progress {
		final List<String> lines = new ArrayList<>();
		@Override public void status(final String m) { lines.add(m); }
		@Override public void progress(final long d, final long t) {}
		@Override public boolean isCancelled() { return false; }
	}

	private static List<byte[]> snapshot(final Path out) throws Exception {
		final List<byte[]> b = new ArrayList<>();
		for (final String f : new String[] { ModelFolder.CARD, ModelFolder.WEIGHTS, "history.csv", "checkpoint/state.json", "checkpoint/" + ModelFolder.WEIGHTS })
			b.add(Files.readAllBytes(out.resolve(f)));
		return b;
	}

	private static void assertUnchanged(final List<byte[]> before, final Path out) throws Exception {
		final List<byte[]> now = snapshot(out);
		for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), now.get(i), "file " + i + " changed");
	}

	@Test
	void aFinishedRunIsNotRewrittenWithAnotherConfiguration() throws Exception {
		final Path out = tmp.resolve("m");
		final NetworkTrainer.Result first = NetworkTrainer.train(config(out, 8, 1e-2, 2), new Log());
		assertTrue(first.modelWritten());
		assertEquals(2, first.epochsRun());
		final List<byte[]> before = snapshot(out);

		// another configuration: refused before any simulation, naming each difference, the folder untouched
		final Log log = new Log();
		final CdiException e = assertThrows(CdiException.class, () -> NetworkTrainer.train(config(out, 16, 2e-2, 2), log));
		assertTrue(e.getMessage().contains("train_samples: 8 → 16") && e.getMessage().contains("learning_rate: 0.01 → 0.02"), e.getMessage());
		assertFalse(e.getMessage().contains("seed:"), "only the differing keys: " + e.getMessage());
		assertTrue(e.getMessage().contains("another output_dir") && e.getMessage().contains("delete " + out.resolve("checkpoint")), e.getMessage());
		assertTrue(log.lines.stream().noneMatch(s -> s.startsWith("Simulating")), "refused before simulating: " + log.lines);
		assertUnchanged(before, out);
		// fewer epochs than the checkpoint has done cannot be resumed (more would extend the run: NetworkTrainerTest)
		final CdiException fewer = assertThrows(CdiException.class, () -> NetworkTrainer.train(config(out, 8, 1e-2, 1), new Log()));
		assertTrue(fewer.getMessage().contains("epochs: 2 done → 1"), fewer.getMessage());
		assertUnchanged(before, out);

		// the same configuration again: nothing left to train, said so, the folder left as it is
		final NetworkTrainer.Result again = NetworkTrainer.train(config(out, 8, 1e-2, 2), new Log());
		assertFalse(again.modelWritten());
		assertEquals(0, again.epochsRun());
		assertTrue(again.summary().startsWith("Nothing left to train"), again.summary());
		assertUnchanged(before, out);
	}

	@Test
	void aFinishedCheckpointWithoutItsModelWritesTheModelFromTheCheckpoint() throws Exception {
		final Path out = tmp.resolve("w");
		NetworkTrainer.train(config(out, 8, 1e-2, 1), new Log());
		Files.delete(out.resolve(ModelFolder.CARD)); // killed between the last checkpoint and the model
		final Log log = new Log();
		final NetworkTrainer.Result r = NetworkTrainer.train(config(out, 8, 1e-2, 1), log);
		assertTrue(r.modelWritten());
		assertEquals(0, r.epochsRun());
		assertTrue(log.lines.stream().noneMatch(s -> s.startsWith("Simulating")), "nothing to simulate: " + log.lines);
		assertEquals(1, ModelFolder.readCard(out).training.epochs);
		assertArrayEquals(Files.readAllBytes(out.resolve("checkpoint/" + ModelFolder.WEIGHTS)), Files.readAllBytes(out.resolve(ModelFolder.WEIGHTS)));
	}

	@Test
	void aCheckpointThatDoesNotRecordItsConfigurationIsNotResumed() throws Exception {
		final Path out = tmp.resolve("old");
		NetworkTrainer.train(config(out, 8, 1e-2, 1), new Log());
		final Path state = out.resolve("checkpoint/state.json");
		final JsonObject json = JsonParser.parseString(Files.readString(state)).getAsJsonObject();
		json.remove("settings"); // as written before the configuration was recorded
		json.addProperty("epochsDone", 0);
		Files.writeString(state, json.toString(), StandardCharsets.UTF_8);
		final byte[] card = Files.readAllBytes(out.resolve(ModelFolder.CARD));
		final CdiException e = assertThrows(CdiException.class, () -> NetworkTrainer.train(config(out, 8, 1e-2, 1), new Log()));
		assertTrue(e.getMessage().contains("did not record its training configuration") && e.getMessage().contains("delete"), e.getMessage());
		assertArrayEquals(card, Files.readAllBytes(out.resolve(ModelFolder.CARD)));
	}

	@Test
	void anOutputThatIsAFileIsRefusedBeforeTheSimulation() throws Exception {
		final Path file = Files.writeString(tmp.resolve("a-file"), "x");
		final Log log = new Log();
		final CdiException e = assertThrows(CdiException.class, () -> NetworkTrainer.train(config(file, 8, 1e-2, 1), log));
		assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
		assertTrue(log.lines.stream().noneMatch(s -> s.startsWith("Simulating")), "checked before simulating: " + log.lines);
		assertEquals("x", Files.readString(file));
	}

	@Test
	void aFolderHoldingAnotherModelIsRefusedBeforeTheSimulationAndLeftAsItIs() throws Exception {
		// before: the new model replaced model.json and weights.params of the model there and left its history.json
		final Path out = tmp.resolve("other");
		Files.createDirectories(out);
		final byte[] card = "{\"format\": \"cdi-fiji-model/1\", \"name\": \"someone else's\"}".getBytes(StandardCharsets.UTF_8);
		final byte[] weights = { 1, 2, 3, 4 }, history = "[]".getBytes(StandardCharsets.UTF_8);
		Files.write(out.resolve(ModelFolder.CARD), card);
		Files.write(out.resolve(ModelFolder.WEIGHTS), weights);
		Files.write(out.resolve("history.json"), history);
		final Log log = new Log();
		final CdiException e = assertThrows(CdiException.class, () -> NetworkTrainer.train(config(out, 8, 1e-2, 1), log));
		assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("model.json, weights.params, history.json")
			&& e.getMessage().contains("choose another output_dir"), e.getMessage());
		assertTrue(log.lines.stream().noneMatch(s -> s.startsWith("Simulating")), "refused before simulating: " + log.lines);
		assertArrayEquals(card, Files.readAllBytes(out.resolve(ModelFolder.CARD)));
		assertArrayEquals(weights, Files.readAllBytes(out.resolve(ModelFolder.WEIGHTS)));
		assertArrayEquals(history, Files.readAllBytes(out.resolve("history.json")));
		try (var files = Files.list(out)) {
			assertEquals(3, files.count(), "nothing added (no checkpoint, no history.csv)");
		}
	}

	@Test
	void trainingDataThatDoNotFitInMemoryAreRefusedBeforeTheSimulation() throws Exception {
		// before: "Simulating training data failed: java.lang.OutOfMemoryError" after simulating what fitted
		final Path out = tmp.resolve("big");
		final Log log = new Log();
		final CdiException e;
		try (var g = sc.fiji.cdi.util.MemoryGuard.withAvailable(() -> 100_000L)) { // 66 crystals need 270 kB
			e = assertThrows(CdiException.class, () -> NetworkTrainer.train(config(out, 64, 1e-2, 1), log));
		}
		// 66 crystals on 16², four float arrays each
		assertEquals(66L * 16 * 16 * 16, TrainingData.bytes(sc.fiji.cdi.data.Grid.of2D(16, 16), 66, false));
		assertTrue(e.getMessage().startsWith("Not enough memory for the training data, 66 simulated crystals") && e.getMessage().contains("fewer train_samples"), e.getMessage());
		assertTrue(log.lines.stream().noneMatch(s -> s.startsWith("Simulating")), "refused before simulating: " + log.lines);
		assertFalse(Files.exists(out.resolve(ModelFolder.CARD)) || Files.exists(out.resolve("checkpoint")), "no model, no checkpoint");
	}

	@Test
	void aCancelledRunKeepsItsCheckpointButWritesNoModelFolderFiles() throws Exception {
		final Path out = tmp.resolve("c");
		assertNull(NetworkTrainer.keptCheckpoint(out), "nothing kept before a run");
		final Progress cancelInEpoch2 = new Progress() {
			volatile boolean epoch2;
			@Override public void status(final String m) { if (m.startsWith("Epoch 2/")) epoch2 = true; }
			@Override public void progress(final long d, final long t) {}
			@Override public boolean isCancelled() { return epoch2; }
		};
		assertThrows(CancelledException.class, () -> NetworkTrainer.train(config(out, 8, 1e-2, 3), cancelInEpoch2));
		for (final String f : new String[] { ModelFolder.CARD, ModelFolder.WEIGHTS, "history.csv", "loss.png" })
			assertFalse(Files.exists(out.resolve(f)), f + " written by a cancelled run");
		for (final String f : new String[] { "state.json", ModelFolder.WEIGHTS, "history.csv", "loss.png" })
			assertTrue(Files.isRegularFile(out.resolve("checkpoint").resolve(f)), "checkpoint/" + f);
		final String kept = NetworkTrainer.keptCheckpoint(out);
		assertNotNull(kept);
		assertTrue(kept.contains("after epoch 1") && kept.contains("same parameters"), kept);
		// resumed and finished: the model folder gets the whole history
		NetworkTrainer.train(config(out, 8, 1e-2, 3), new Log());
		assertEquals(4, Files.readAllLines(out.resolve("history.csv")).size(), "header + 3 epochs");
	}

	/**
	 * A training killed (kill -9) while it writes the model folder: the next run of the same training completes the
	 * folder. The model card is written last, so a folder with a card is complete; before, the card came before
	 * history.csv and loss.png, and a run killed between them left a model folder that "Nothing left to train" never
	 * completed.
	 */
	@Test
	void aRunKilledWhileWritingTheModelFolderIsCompletedByTheNextRun() throws Exception {
		final Path out = tmp.resolve("killed");
		sc.fiji.cdi.util.AtomicOutput.faults = (step, file) -> {
			// the model folder's loss.png (the checkpoint's is in checkpoint/)
			if (step.equals(sc.fiji.cdi.util.AtomicOutput.STEP_WRITE) && file.getParent().equals(out) && file.getFileName().toString().equals("loss.png"))
				throw new sc.fiji.cdi.util.AtomicOutput.SimulatedCrash(step + " " + file);
		};
		try {
			assertThrows(sc.fiji.cdi.util.AtomicOutput.SimulatedCrash.class, () -> NetworkTrainer.train(config(out, 8, 1e-2, 1), new Log()));
		} finally {
			sc.fiji.cdi.util.AtomicOutput.faults = null;
			sc.fiji.cdi.util.AtomicOutput.simulatedDeath = false;
		}
		assertFalse(Files.exists(out.resolve(ModelFolder.CARD)), "killed before the model folder was complete: no card");
		final NetworkTrainer.Result again = NetworkTrainer.train(config(out, 8, 1e-2, 1), new Log());
		assertTrue(again.modelWritten(), "the next run writes the model folder");
		for (final String f : new String[] { ModelFolder.CARD, ModelFolder.WEIGHTS, "history.csv", "loss.png" })
			assertTrue(Files.isRegularFile(out.resolve(f)), f + " in the model folder");
	}
}
