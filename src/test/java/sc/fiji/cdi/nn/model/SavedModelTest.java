package sc.fiji.cdi.nn.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.util.CdiException;

/**
 * The optional TensorFlow SavedModel path. DJL's TensorFlow engine is not bundled and no test may depend on it, so
 * these tests check what a user without it meets: one clear message naming what to install, no download, no crash.
 */
class SavedModelTest {

	@TempDir
	Path tmp;

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	private Path savedModel(final String card) throws Exception {
		final Path f = Files.createDirectories(tmp.resolve("autophasenn"));
		Files.write(f.resolve("saved_model.pb"), new byte[] { 8, 1, 18, 0 });
		Files.createDirectories(f.resolve("variables"));
		if (card != null) Files.writeString(f.resolve("model.json"), card);
		return f;
	}

	private static String card(final String savedModel) {
		return "{\"format\":\"cdi-fiji-model/1\",\"name\":\"autophasenn-tf\",\"architecture\":{\"kind\":\"TENSORFLOW_SAVEDMODEL\",\"rank\":3,\"inputSize\":64,"
			+ "\"baseChannels\":1,\"depth\":1}" + (savedModel == null ? "" : ",\"savedModel\":" + savedModel) + "}";
	}

	@Test
	void withoutTheTensorFlowEngineTheMessageSaysWhatToInstall() throws Exception {
		final Path f = savedModel(card("{\"layout\":\"channels_last\",\"phase\":\"radians\"}"));
		final CdiException e = assertThrows(CdiException.class, () -> Predictor.load(f.toString(), "cpu"));
		assertTrue(e.getMessage().contains("TensorFlow SavedModel in " + f), e.getMessage());
		assertTrue(e.getMessage().contains("tensorflow-engine:0.35.1") && e.getMessage().contains("TENSORFLOW_LIBRARY_PATH"), e.getMessage());
	}

	@Test
	void aSavedModelNeedsACardThatSaysHowToFeedIt() throws Exception {
		final Path bare = savedModel(null);
		assertTrue(assertThrows(CdiException.class, () -> Predictor.load(bare.toString(), "cpu")).getMessage().contains("has no model.json"));
		Files.writeString(bare.resolve("model.json"), card("{\"layout\":\"NCDHW\"}"));
		assertTrue(assertThrows(CdiException.class, () -> Predictor.load(bare.toString(), "cpu")).getMessage().contains("expected channels_last or channels_first"));
		Files.delete(bare.resolve("saved_model.pb"));
		assertTrue(assertThrows(CdiException.class, () -> Predictor.load(bare.toString(), "cpu")).getMessage().contains("has no saved_model.pb"));
	}
}
