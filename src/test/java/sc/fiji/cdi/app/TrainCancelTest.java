package sc.fiji.cdi.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleService;

import sc.fiji.cdi.commands.TrainCommand;

/**
 * A training stopped by SIGTERM keeps its checkpoint, and the runner's message says so (and how to resume) instead of
 * "no output was written"; the model folder gets no history or plot without a model.
 */
class TrainCancelTest {

	@Test
	void aTerminatedTrainingSaysItsCheckpointIsKept(@TempDir final Path tmp) throws Exception {
		System.setProperty("java.awt.headless", "true");
		final Path out = tmp.resolve("m");
		final Context context = new Context();
		try {
			final CommandInfo info = context.service(CommandService.class).getCommand(TrainCommand.class);
			final CommandModule module = (CommandModule) context.service(ModuleService.class).createModule(info);
			final Map<String, Object> inputs = new java.util.HashMap<>(Map.of("output_dir", out.toFile(), "rank", "2", "input_size", 16, "base_channels", 4, "depth", 1,
				"train_samples", 8, "validation_samples", 0, "epochs", 100000, "batch_size", 4, "device", "cpu"));
			inputs.put("threads", 1);
			final Future<?> running = context.service(ModuleService.class).run(module, true, inputs);
			final Path state = out.resolve("checkpoint/state.json");
			for (int i = 0; i < 600 && !Files.exists(state) && !running.isDone(); i++) Thread.sleep(100);
			assertTrue(Files.exists(state), "a checkpoint after the first epoch");
			final String message = Main.terminated("Train Network", module, running); // what the SIGTERM hook prints
			assertTrue(message.contains("checkpoint after epoch") && message.contains(out.resolve("checkpoint").toString())
				&& message.contains("run again with the same parameters to resume"), message);
			assertFalse(message.contains("no output was written"), message);
			for (final String f : new String[] { "model.json", "weights.params", "history.csv", "loss.png" })
				assertFalse(Files.exists(out.resolve(f)), f + " left by a terminated training");
		} finally {
			context.dispose();
		}
	}
}
