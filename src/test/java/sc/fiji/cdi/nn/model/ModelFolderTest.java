package sc.fiji.cdi.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.nn.Parameter;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.util.CdiException;

class ModelFolderTest {

	@TempDir
	Path tmp;

	@BeforeAll
	static void engine() { DjlRuntime.init(null); }

	private static ModelCard card(final Architecture a) {
		final ModelCard c = new ModelCard();
		c.name = "test";
		c.architecture = a;
		return c;
	}

	private Path write(final Architecture a, final String name) { return write(a, name, null, null); }

	/** Writes a randomly initialised network; when {@code in} is given, returns its amplitude output in {@code out}. */
	private Path write(final Architecture a, final String name, final float[] in, final float[][] out) {
		final Path dir = tmp.resolve(name);
		try (NDManager m = DjlRuntime.engine().newBaseManager(Device.cpu())) {
			final Block b = Networks.build(a);
			// wide weights: with untrained BatchNorm statistics, small ones would shrink the signal to nothing
			b.setInitializer(new NormalInitializer(0.6f), Parameter.Type.WEIGHT);
			DjlRuntime.engine().setRandomSeed(11); // the same weights every run (an unlucky draw can give a nearly flat output)
			final long[] s = a.sampleShape();
			b.initialize(m, DataType.FLOAT32, new Shape(1, s[0], s[1], s[2]));
			final ModelCard c = card(a);
			c.parameterCount = ModelFolder.parameterCount(b);
			ModelFolder.save(dir, b, c);
			if (in != null) out[0] = b.forward(new ParameterStore(m, false), new NDList(m.create(in, new Shape(1, s[0], s[1], s[2]))), false).get(0).toFloatArray();
		}
		return dir;
	}

	/** model="4d" (a typo of a bundled name) is a missing folder: the message lists the bundled names; a path does not get them. */
	@Test
	void aMistypedBundledNameListsTheBundledModels() {
		final String m = assertThrows(CdiException.class, () -> ModelFolder.readCard(Path.of("4d"))).getMessage();
		assertTrue(m.contains("Model folder 4d does not exist") && m.contains("a bundled model: auto, 3d, 2d or 2d-128"), m);
		final String p = assertThrows(CdiException.class, () -> ModelFolder.readCard(Path.of("no", "such", "model"))).getMessage();
		assertTrue(p.contains("does not exist") && !p.contains("bundled"), p);
	}

	@Test
	void modelNamesStandForTheBundledModelsOrAFolder() throws Exception {
		assertEquals(ModelFolder.DEFAULT_3D, ModelFolder.bundledName(" Default "));
		assertEquals(ModelFolder.DEFAULT_2D, ModelFolder.bundledName("2D"));
		assertEquals(null, ModelFolder.bundledName("my-models/2d"));
		assertEquals("2d", ModelFolder.forData("auto", Grid.of2D(64, 64)));
		assertEquals("2d", ModelFolder.forData("auto", Grid.of2D(96, 256)));
		assertEquals("2d-128", ModelFolder.forData("auto", Grid.of2D(128, 200)));
		assertEquals(ModelFolder.DEFAULT_2D_128, ModelFolder.bundledName("2D-128"));
		assertEquals("2d", ModelFolder.forData("2d", Grid.of2D(256, 256)));
		assertEquals("3d", ModelFolder.forData(" ", Grid.cube(64)));
		assertEquals("my-model", ModelFolder.forData(" my-model ", Grid.cube(64)));
		try (java.io.InputStream in = ModelFolder.openBundled(ModelFolder.DEFAULT_3D, ModelFolder.CARD)) {
			assertTrue(in != null, "the default 3D card is in the jar");
		}
	}

	@Test
	void roundTripGivesTheSamePredictions() throws Exception {
		final Architecture a = Architecture.cdiNN2D(32, 4, 2);
		final float[] in = new float[32 * 32];
		for (int i = 0; i < in.length; i++) in[i] = (float) Math.exp(-((i / 32 - 16) * (i / 32 - 16) + (i % 32 - 16) * (i % 32 - 16)) / 20.0);
		final float[][] original = new float[1][];
		final Path dir = write(a, "m", in, original);
		assertTrue(Files.isRegularFile(dir.resolve(ModelFolder.CARD)) && Files.isRegularFile(dir.resolve(ModelFolder.WEIGHTS)));
		try (Predictor p1 = Predictor.load(dir, "cpu"); Predictor p2 = Predictor.load(dir.toString(), "cpu")) {
			assertEquals(a, p1.card().architecture);
			assertEquals(Grid.of2D(32, 32), p1.networkGrid());
			final float[][][] o1 = p1.network().forward(new float[][] { in }), o2 = p2.network().forward(new float[][] { in });
			assertArrayEquals(o1[0][0], o2[0][0], 0f);
			assertArrayEquals(o1[1][0], o2[1][0], 0f);
			for (final float v : o1[0][0]) assertTrue(v >= 0 && v <= 1, "sigmoid amplitude");
			for (final float v : o1[1][0]) assertTrue(Math.abs(v) <= Math.PI + 1e-6, "pi*tanh phase");
			assertArrayEquals(original[0], o1[0][0], 1e-6f, "the loaded network computes what the saved one did");
			double spread = 0;
			for (final float v : o1[0][0]) spread += Math.abs(v - o1[0][0][0]);
			assertTrue(spread > 1e-2, "the output depends on the input (not a degenerate network)");
		}
	}

	@Test
	void missingOrBrokenFoldersGiveClearErrors() throws Exception {
		final CdiException missing = assertThrows(CdiException.class, () -> Predictor.load(tmp.resolve("nope"), "cpu"));
		assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

		Files.createDirectories(tmp.resolve("empty"));
		final CdiException noCard = assertThrows(CdiException.class, () -> Predictor.load(tmp.resolve("empty"), "cpu"));
		assertTrue(noCard.getMessage().contains("model.json"), noCard.getMessage());

		final Path bad = Files.createDirectories(tmp.resolve("bad"));
		Files.writeString(bad.resolve(ModelFolder.CARD), "{ not json");
		final CdiException badJson = assertThrows(CdiException.class, () -> Predictor.load(bad, "cpu"));
		assertTrue(badJson.getMessage().contains("not valid JSON"), badJson.getMessage());

		Files.writeString(bad.resolve(ModelFolder.CARD), "{\"format\": \"keras\"}");
		final CdiException wrongFormat = assertThrows(CdiException.class, () -> Predictor.load(bad, "cpu"));
		assertTrue(wrongFormat.getMessage().contains("format"), wrongFormat.getMessage());

		Files.writeString(bad.resolve(ModelFolder.CARD), "{\"format\": \"" + ModelCard.FORMAT + "\", \"architecture\": {\"kind\": \"LIGHT\", \"rank\": 3, \"inputSize\": 30, \"baseChannels\": 8, \"depth\": 2}}");
		final CdiException impossible = assertThrows(CdiException.class, () -> Predictor.load(bad, "cpu"));
		assertTrue(impossible.getMessage().contains("power of two"), impossible.getMessage());

		// an unknown kind is named with the known ones, also when another field is wrong too (not "has no architecture")
		for (final String size : new String[] { "32", "30" }) {
			Files.writeString(bad.resolve(ModelFolder.CARD), "{\"format\": \"" + ModelCard.FORMAT + "\", \"architecture\": {\"kind\": \"FOO\", \"rank\": 2, \"inputSize\": " + size
				+ ", \"baseChannels\": 8, \"depth\": 2}}");
			final CdiException unknown = assertThrows(CdiException.class, () -> Predictor.load(bad, "cpu"));
			assertTrue(unknown.getMessage().contains(bad.resolve(ModelFolder.CARD).toString()) && unknown.getMessage().contains("architecture.kind 'FOO'")
				&& unknown.getMessage().contains(Architecture.knownKinds()), unknown.getMessage());
		}
		Files.writeString(bad.resolve(ModelFolder.CARD), "{\"format\": \"" + ModelCard.FORMAT + "\", \"architecture\": {\"rank\": 2, \"inputSize\": 32, \"baseChannels\": 8, \"depth\": 2}}");
		final CdiException noKind = assertThrows(CdiException.class, () -> Predictor.load(bad, "cpu"));
		assertTrue(noKind.getMessage().contains("no architecture.kind") && noKind.getMessage().contains("LIGHT"), noKind.getMessage());

		// a missing (or misspelt) architecture number is named as missing, not refused as "got 0"
		for (final String key : new String[] { "rank", "inputSize", "baseChannels", "depth" }) {
			final String arch = "\"kind\": \"CDINN\", \"rank\": 2, \"inputSize\": 32, \"baseChannels\": 8, \"depth\": 2".replace("\"" + key + "\"", "\"" + key.toLowerCase() + "x\"");
			Files.writeString(bad.resolve(ModelFolder.CARD), "{\"format\": \"" + ModelCard.FORMAT + "\", \"architecture\": {" + arch + "}}");
			final CdiException absent = assertThrows(CdiException.class, () -> Predictor.load(bad, "cpu"));
			assertTrue(absent.getMessage().contains(bad.resolve(ModelFolder.CARD).toString()) && absent.getMessage().contains("has no architecture." + key)
				&& absent.getMessage().contains(key.toLowerCase() + "x") && !absent.getMessage().contains("got 0"), absent.getMessage());
		}

		// the folder of an interrupted training: says so and how to finish it
		final Path unfinished = Files.createDirectories(tmp.resolve("unfinished").resolve(ModelFolder.CHECKPOINT));
		final CdiException interrupted = assertThrows(CdiException.class, () -> Predictor.load(unfinished.getParent(), "cpu"));
		assertTrue(interrupted.getMessage().contains("training was interrupted") && interrupted.getMessage().contains("Run Train Network again with the same parameters"), interrupted.getMessage());

		final Path noWeights = write(Architecture.cdiNN2D(32, 4, 2), "nw");
		Files.delete(noWeights.resolve(ModelFolder.WEIGHTS));
		final CdiException w = assertThrows(CdiException.class, () -> Predictor.load(noWeights, "cpu"));
		assertTrue(w.getMessage().contains("weights.params"), w.getMessage());
	}

	/**
	 * A zip in place of weights.params (NumPy weights renamed, a zipped folder) and a zipped model folder given as the
	 * model: each named for what it is, with the fix; before, "Unsupported encoding version: 80 … written by the same
	 * training run?" and "does not exist".
	 */
	@Test
	void aZipIsNotTakenForAModel() throws Exception {
		final Path dir = write(Architecture.cdiNN2D(32, 4, 2), "zipped");
		final Path zip = tmp.resolve("model.zip");
		try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
			for (final String f : new String[] { ModelFolder.CARD, ModelFolder.WEIGHTS }) {
				z.putNextEntry(new java.util.zip.ZipEntry("zipped/" + f));
				z.write(Files.readAllBytes(dir.resolve(f)));
				z.closeEntry();
			}
		}
		final CdiException file = assertThrows(CdiException.class, () -> Predictor.load(zip, "cpu"));
		assertTrue(file.getMessage().contains(zip.toString()) && file.getMessage().contains("is a file, not a model folder") && file.getMessage().contains("unpack"), file.getMessage());

		final Path w = dir.resolve(ModelFolder.WEIGHTS);
		final byte[] zipBytes = Files.readAllBytes(zip);
		Files.write(w, zipBytes);
		final CdiException e = assertThrows(CdiException.class, () -> Predictor.load(dir, "cpu"));
		assertTrue(e.getMessage().contains(w.toString()) && e.getMessage().contains("zip archive") && e.getMessage().contains(ModelFolder.TORCH_WEIGHTS), e.getMessage());
		assertArrayEquals(zipBytes, Files.readAllBytes(w), "the weights file is left as it was");
	}

	/** An interrupted copy of weights.params: named as truncated, never "…: null" (EOFException has no message). */
	@Test
	void truncatedWeightsAreNamedAsTruncated() throws Exception {
		final Path dir = write(Architecture.cdiNN2D(32, 4, 2), "truncated");
		final Path w = dir.resolve(ModelFolder.WEIGHTS);
		final byte[] all = Files.readAllBytes(w);
		Files.write(w, java.util.Arrays.copyOf(all, all.length * 9 / 10));
		final CdiException e = assertThrows(CdiException.class, () -> Predictor.load(dir, "cpu"));
		assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(ModelFolder.WEIGHTS), e.getMessage());
		assertTrue(!e.getMessage().contains("null"), e.getMessage());
	}

	@Test
	void weightsOfAnotherArchitectureAreASizeMismatch() throws Exception {
		final Path dir = write(Architecture.cdiNN2D(32, 4, 2), "mismatch");
		final ModelCard other = card(Architecture.cdiNN2D(32, 8, 2));
		Files.writeString(dir.resolve(ModelFolder.CARD), other.toJson());
		final CdiException e = assertThrows(CdiException.class, () -> Predictor.load(dir, "cpu"));
		assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
	}

	/**
	 * The support threshold of a card must cut the sigmoid amplitude inside (0, 1): before, −1 made the support the
	 * whole box (the phase ramp and offset measured on the empty box too, a silent wrong prediction) and 2 made it
	 * empty, blamed on the pattern ("far from what the model was trained on").
	 */
	@Test
	void aSupportThresholdOutsideZeroToOneIsRefusedNamingTheCard() throws Exception {
		final ModelCard c = card(Architecture.cdiNN2D(32, 4, 2));
		final Path f = tmp.resolve("t").resolve(ModelFolder.CARD);
		Files.createDirectories(f.getParent());
		for (final double t : new double[] { -1, 0, 1, 2 }) {
			c.supportThreshold = t;
			Files.writeString(f, c.toJson());
			final CdiException e = assertThrows(CdiException.class, () -> ModelFolder.readCard(f.getParent()));
			assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("supportThreshold " + t) && e.getMessage().contains("between 0 and 1"), e.getMessage());
		}
		c.supportThreshold = 0.25;
		Files.writeString(f, c.toJson());
		assertEquals(0.25, ModelFolder.readCard(f.getParent()).supportThreshold);
		// a card without the key (older or hand-written) takes AutoPhaseNN's 0.1
		Files.writeString(f, c.toJson().replaceFirst("\"supportThreshold\": 0.25,", ""));
		assertEquals(ModelCard.DEFAULT_SUPPORT_THRESHOLD, ModelFolder.readCard(f.getParent()).supportThreshold);
	}

	@Test
	void cardRoundTripsThroughJson() {
		final ModelCard c = card(Architecture.light3D(32, 16, 3));
		c.training.loss = "COMBINED";
		c.training.dataRecipe = CrystalRecipe.defaults(3);
		c.validation.put("validationMedianAmplitudeCorrelation", 0.9);
		final ModelCard back = ModelCard.fromJson(c.toJson(), "test");
		assertEquals(c.architecture, back.architecture);
		assertEquals(c.training.dataRecipe, back.training.dataRecipe);
		assertEquals(0.9, back.validation.get("validationMedianAmplitudeCorrelation"));
	}
}
