package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.nn.train.TrainMain;
import sc.fiji.cdi.nn.train.TrainingConfig;

/**
 * Train Network and the training command line (TrainMain) share one set of defaults, which build the bundled 3D
 * model's network (and, when the bundled model was trained by them rather than with PyTorch, reproduce it).
 */
class TrainDefaultsTest {

	@Test
	void theCommandTheCommandLineAndTheBundledModelCardAgree() throws Exception {
		final TrainingConfig cli = TrainMain.config(new String[0]);
		final TrainCommand command = new TrainCommand();
		final Map<String, Object> expected = Map.ofEntries(Map.entry("architecture", "cdinn"), Map.entry("input_size", 32), Map.entry("base_channels", 8),
			Map.entry("depth", 3), Map.entry("loss", "combined"), Map.entry("train_samples", 1600), Map.entry("validation_samples", 100),
			Map.entry("epochs", 4), Map.entry("batch_size", 16), Map.entry("learning_rate", 2e-3), Map.entry("halve_every", 2), Map.entry("seed", 1L));
		for (final Map.Entry<String, Object> e : expected.entrySet()) assertEquals(e.getValue(), field(command, e.getKey()), e.getKey());
		assertEquals("CDINN", cli.architecture().kind().name());
		assertEquals(32, cli.architecture().inputSize());
		assertEquals(8, cli.architecture().baseChannels());
		assertEquals(3, cli.architecture().depth());
		assertEquals(1600, cli.trainSamples());
		assertEquals(100, cli.validationSamples());
		assertEquals(4, cli.epochs());
		assertEquals(16, cli.batchSize());
		assertEquals(2e-3, cli.learningRate());
		assertEquals(2, cli.halveEvery());
		try (var in = TrainDefaultsTest.class.getResourceAsStream("/models/default-3d/model.json")) {
			final JsonObject card = JsonParser.parseString(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
			final JsonObject t = card.getAsJsonObject("training"), a = card.getAsJsonObject("architecture");
			// the command trains the bundled model's network, so its weights can start (--init) or be fine-tuned by it
			assertEquals(a.get("kind").getAsString(), cli.architecture().kind().name());
			assertEquals(a.get("inputSize").getAsInt(), cli.architecture().inputSize());
			assertEquals(a.get("baseChannels").getAsInt(), cli.architecture().baseChannels());
			assertEquals(a.get("depth").getAsInt(), cli.architecture().depth());
			if (t.has("generator") && !t.get("generator").isJsonNull()) {
				// trained with PyTorch on tools/pytorch/crystals.py: its card says how to reproduce it there
				assertTrue(card.get("reproduce").getAsString().startsWith("python3 tools/pytorch/train_cdinn.py"), card.get("reproduce").getAsString());
				return;
			}
			assertEquals(t.get("trainSamples").getAsInt(), cli.trainSamples());
			assertEquals(t.get("epochs").getAsInt(), cli.epochs());
			assertEquals(t.get("batchSize").getAsInt(), cli.batchSize());
			assertEquals(t.get("learningRate").getAsDouble(), cli.learningRate());
			assertEquals(t.get("halveLearningRateEvery").getAsInt(), cli.halveEvery());
		}
	}

	private static Object field(final Object o, final String name) throws ReflectiveOperationException {
		final Field f = o.getClass().getDeclaredField(name);
		f.setAccessible(true);
		return f.get(o);
	}
}
