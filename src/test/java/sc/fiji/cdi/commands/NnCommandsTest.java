package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.predict.NnRefine;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;

/** The network commands, run headless as a cluster job would: Predict (NN), Reconstruct nn+refine, Train Network. */
class NnCommandsTest {

	private static final SimulationParameters POLYGON = SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON);

	@Test
	void predictAFolderWithTheBundled2DModel(@TempDir final Path tmp) throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("patterns"));
		final SimulatedCrystal[] truth = new SimulatedCrystal[3];
		for (int i = 0; i < 3; i++) {
			truth[i] = CrystalSimulator.simulate(Grid.of2D(32, 32), POLYGON, 500 + i);
			TiffWriter.write(in.resolve("p" + i + ".tif"), truth[i].diffraction().values);
		}
		final Path out = tmp.resolve("out");
		assertEquals(0, Main.run("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",output_dir=\"" + out + "\",device=\"cpu\""));
		final double[] corr = new double[3];
		for (int i = 0; i < 3; i++) {
			final var a = DiffractionReader.read(out.resolve("p" + i + "_nn_amplitude.tif"), ImportOptions.defaults().withQuantity(sc.fiji.cdi.data.Quantity.AMPLITUDE)).values;
			final var p = DiffractionReader.read(out.resolve("p" + i + "_nn_phase.tif"), ImportOptions.defaults().withQuantity(sc.fiji.cdi.data.Quantity.AMPLITUDE).withClampNegative(true)).values;
			assertTrue(Files.exists(out.resolve("p" + i + "_nn_report.json")));
			corr[i] = Quality.compare(ComplexVolume.fromAmplitudePhase(a, p), truth[i].object(), truth[i].support()).amplitudeCorrelation();
		}
		Arrays.sort(corr);
		assertTrue(corr[1] >= 0.7, "median amplitude correlation of the 2D default model " + Arrays.toString(corr));
	}

	/** Predict with per-pattern fine-tuning: the report says what it did, and the kept prediction is the better one. */
	@Test
	void predictFineTunesTheNetworkOnEachPattern(@TempDir final Path tmp) throws Exception {
		// a crystal with twice the 2D network's largest training phase range
		final SimulatedCrystal c;
		try (var p = sc.fiji.cdi.nn.predict.Predictor.load("2d", "cpu")) {
			final var t = p.card().training.dataRecipe;
			c = new sc.fiji.cdi.nn.model.CrystalRecipe(t.base(), 0.35, 0.4, 6.0, 6.0, 1e8, 1e8).crystal(Grid.of2D(64, 64), 4242, 0);
		}
		final Path in = tmp.resolve("p.tif");
		TiffWriter.write(in, c.diffraction().values);
		final double[] corr = new double[2];
		for (int k = 0; k < 2; k++) {
			final Path out = tmp.resolve("out" + k);
			assertEquals(0, Main.run("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",output_dir=\"" + out + "\",device=\"cpu\",fine_tune_steps=" + (k == 0 ? 0 : 30)));
			final var a = DiffractionReader.read(out.resolve("p_nn_amplitude.tif"), ImportOptions.defaults().withQuantity(sc.fiji.cdi.data.Quantity.AMPLITUDE)).values;
			final var ph = DiffractionReader.read(out.resolve("p_nn_phase.tif"), ImportOptions.defaults().withQuantity(sc.fiji.cdi.data.Quantity.AMPLITUDE).withClampNegative(true)).values;
			corr[k] = Quality.compare(ComplexVolume.fromAmplitudePhase(a, ph), c.object(), c.support()).amplitudeCorrelation();
			final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("p_nn_report.json"))).getAsJsonObject();
			assertEquals(k == 1, report.has("fine_tuning"), report.toString());
			if (k == 1) {
				final JsonObject ft = report.getAsJsonObject("fine_tuning");
				assertEquals(30, ft.get("steps").getAsInt());
				final boolean tunedKept = ft.get("kept").getAsString().startsWith("tuned");
				assertEquals(ft.get("chi2_tuned").getAsDouble() <= ft.get("chi2_untuned").getAsDouble(), tunedKept, ft.toString());
				assertEquals(tunedKept ? ft.get("chi2_tuned").getAsDouble() : ft.get("chi2_untuned").getAsDouble(), report.get("chi2").getAsDouble(), 1e-9, "the report's chi2 is the kept prediction's");
			}
		}
		System.out.printf("Predict fine_tune_steps=30 on an unusual 2D crystal: amplitude correlation %.3f -> %.3f%n", corr[0], corr[1]);
		// measured 0.808 -> 0.970, 0.973, 0.974 (30 Nov) and 0.900 on a loaded machine (the tuning is chaotic: the
		// thread schedule changes its path), so the bound is a clear gain, not the best run's
		assertTrue(corr[1] > 0.85 && corr[1] > corr[0] + 0.04, "fine-tuning on the pattern: amplitude correlation " + corr[0] + " -> " + corr[1]);
	}

	@Test
	void reconstructWithNnPlusRefine(@TempDir final Path tmp) throws Exception {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(64, 64), POLYGON, 42);
		final Path in = tmp.resolve("scan.tif");
		TiffWriter.write(in, c.diffraction().values);
		final Path out = tmp.resolve("out");
		assertEquals(0, Main.run("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",mode=\"nn+refine\",device=\"cpu\""));
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan_report.json"))).getAsJsonObject();
		assertEquals("nn+refine", report.get("mode").getAsString());
		assertEquals(Refinement.parse(NnRefine.DEFAULT_REFINEMENT).totalIterations(), report.get("iterations").getAsInt(), "the refinement recipe");
		assertTrue(report.get("final_chi2").getAsDouble() < 0.01, "χ² " + report.get("final_chi2"));
		assertTrue(report.getAsJsonObject("seconds").has("seed"), "the network time is reported");
		// the prediction's preprocessing (binning) and trust verdict are in the report
		final JsonObject nn = report.getAsJsonObject("nn_prediction");
		assertEquals(3, nn.getAsJsonArray("bin_zyx").size(), nn.toString());
		assertEquals(nn.getAsJsonArray("bin_zyx").get(1).getAsInt(), nn.getAsJsonArray("bin_zyx").get(2).getAsInt(), "isotropic binning: " + nn);
		assertTrue(nn.has("nn_fit_to_network") && nn.has("verdict") && nn.has("chi2"), nn.toString());
		assertEquals(1, report.getAsJsonObject("nn_refine_starts").getAsJsonArray("starts").size());
		assertEquals("network", report.getAsJsonObject("nn_refine_starts").get("best_ranked").getAsString());
	}

	@Test
	void nnPlusRefineChoosesTheNetworkForTheArrayItPhases(@TempDir final Path tmp) throws Exception {
		// a 160² pattern is phased at 160² unless size= crops it; model=auto must follow the phased array
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(160, 160), POLYGON, 44);
		final Path in = tmp.resolve("scan.tif");
		TiffWriter.write(in, c.diffraction().values);
		for (final String[] run : new String[][] { { "", ModelFolder.DEFAULT_2D_128 }, { ",size=\"96\"", ModelFolder.DEFAULT_2D } }) {
			final Path out = tmp.resolve("out" + run[0].length());
			assertEquals(0, Main.run("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",mode=\"nn+refine\",refinement=\"10*ER\",device=\"cpu\"" + run[0]));
			final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan_report.json"))).getAsJsonObject();
			assertTrue(report.get("model").getAsString().endsWith(run[1]), "size" + run[0] + ": " + report.get("model") + ", expected " + run[1]);
		}
	}

	@Test
	void nnPlusRefineRanksTheNetworkStartWithRandomStartsByFreeLikelihood(@TempDir final Path tmp) throws Exception {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.of2D(64, 64), POLYGON, 43);
		final Path in = tmp.resolve("scan.tif");
		TiffWriter.write(in, c.diffraction().values);
		final Path out = tmp.resolve("out");
		assertEquals(0, Main.run("--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",mode=\"nn+refine\",device=\"cpu\",random_starts=3"));
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan_report.json"))).getAsJsonObject();
		final JsonObject ranking = report.getAsJsonObject("nn_refine_starts");
		final var starts = ranking.getAsJsonArray("starts");
		assertEquals(3, starts.size(), ranking.toString());
		// the network start runs the short refinement, the random ones the full recipe; all held out the same free pixels
		assertEquals("network", starts.get(0).getAsJsonObject().get("start").getAsString());
		assertEquals(NnRefine.DEFAULT_REFINEMENT, starts.get(0).getAsJsonObject().get("recipe").getAsString());
		assertEquals(PhasingParameters.defaults().recipe(), starts.get(1).getAsJsonObject().get("recipe").getAsString());
		// the network did run (its prediction is reported) and its start ran the short refinement, the others the full recipe
		assertTrue(report.has("nn_prediction") && ranking.get("network_seconds").getAsDouble() > 0, ranking.toString());
		assertEquals(Refinement.parse(NnRefine.DEFAULT_REFINEMENT).totalIterations(), starts.get(0).getAsJsonObject().get("iterations").getAsInt());
		assertEquals(Recipe.parse(PhasingParameters.defaults().recipe()).totalIterations(), starts.get(2).getAsJsonObject().get("iterations").getAsInt());
		assertTrue(ranking.get("metric").getAsString().startsWith("free_llk"), ranking.toString());
		assertEquals("free_llk", report.get("ranked_by").getAsString());
		assertTrue(report.get("free_pixels").getAsInt() > 0);
		// ranks 1..3, the kept start is rank 1, every start has a finite free log-likelihood
		final java.util.Set<Integer> ranks = new java.util.HashSet<>();
		for (final var s : starts) {
			ranks.add(s.getAsJsonObject().get("rank").getAsInt());
			assertTrue(Double.isFinite(s.getAsJsonObject().get("free_llk").getAsDouble()), s.toString());
		}
		assertEquals(java.util.Set.of(1, 2, 3), ranks);
		final int networkRank = ranking.get("network_start_rank").getAsInt();
		assertEquals(networkRank == 1 ? "network" : "random", ranking.get("best_ranked").getAsString());
		// the top-level iterations are the ranked-best start's (whose chi2_history is reported), iterations_all_starts their sum
		final int network = Refinement.parse(NnRefine.DEFAULT_REFINEMENT).totalIterations(), random = Recipe.parse(PhasingParameters.defaults().recipe()).totalIterations();
		assertEquals(networkRank == 1 ? network : random, report.get("iterations").getAsInt());
		assertEquals(report.get("iterations").getAsInt(), report.getAsJsonArray("chi2_history").size());
		assertEquals(network + 2 * random, report.get("iterations_all_starts").getAsInt());
		for (final var s : report.getAsJsonArray("starts"))
			assertEquals(s.getAsJsonObject().get("index").getAsInt() == 0 ? network : random, s.getAsJsonObject().get("iterations").getAsInt(), s.toString());
		assertTrue(report.get("final_chi2").getAsDouble() < 0.01, "χ² " + report.get("final_chi2"));
	}

	@Test
	void fineTuneOnMeasuredPatternsThenUseTheTunedModel(@TempDir final Path tmp) throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("scans"));
		// 3D: its tuning is deterministic, and 5 steps lower the loss on these two crystals; 2D tuning is chaotic and on
		// the 32² polygons used before it raised the loss (0.0094 -> 0.0156), which Fine-tune now refuses (so does
		// 3D on seeds 705 and 706: tuning a network on data like its training data rarely helps)
		for (int i = 0; i < 2; i++) TiffWriter.write(in.resolve("s" + i + ".tif"), CrystalSimulator.simulate(Grid.cube(32), SimulationParameters.defaults(), 700 + 2 * i).diffraction().values);
		final Path model = tmp.resolve("tuned");
		final var tuned = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Fine-tune Network", "input=\"" + in + "\",output_dir=\"" + model + "\",steps=5,batch_size=2,device=\"cpu\"");
		assertEquals(0, tuned.code, tuned.err);
		final JsonObject card = JsonParser.parseString(Files.readString(model.resolve("model.json"))).getAsJsonObject();
		assertEquals("default-3d-fine-tuned", card.get("name").getAsString());
		final JsonObject tuning = card.getAsJsonArray("fineTuning").get(0).getAsJsonObject();
		assertEquals(5, tuning.get("steps").getAsInt());
		System.out.println("fine-tune 2 crystals, 5 steps: physics loss " + tuning.get("lossBefore") + " -> " + tuning.get("lossAfter"));
		assertTrue(tuning.get("lossAfter").getAsDouble() <= tuning.get("lossBefore").getAsDouble(), tuning.toString());
		assertEquals(2, tuning.getAsJsonArray("patterns").size());
		// the tuned folder is a network like any other; Reconstruct can also fine-tune on the scan itself
		final Path out = tmp.resolve("out");
		assertEquals(0, Main.run("--headless", "--run", "Reconstruct", "input=\"" + in.resolve("s0.tif") + "\",output_dir=\"" + out + "\",mode=\"nn+refine\",model=\"" + model
			+ "\",fine_tune_steps=5,device=\"cpu\""));
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("s0_report.json"))).getAsJsonObject();
		assertEquals(5, report.getAsJsonObject("fine_tuning").get("steps").getAsInt());
		assertTrue(report.get("final_chi2").getAsDouble() < 0.01, "χ² " + report.get("final_chi2"));
		// the tuned folder cannot overwrite the model it starts from
		assertEquals(1, Main.run("--headless", "--run", "Fine-tune Network", "input=\"" + in + "\",model=\"" + model + "\",output_dir=\"" + model + "\",steps=1"));
		// a missing input: exit 1, nothing written
		final Path none = tmp.resolve("none");
		assertEquals(1, Main.run("--headless", "--run", "Fine-tune Network", "input=\"" + tmp.resolve("missing.tif") + "\",output_dir=\"" + none + "\""));
		assertTrue(Files.notExists(none.resolve("model.json")));
	}

	@Test
	void trainATinyNetworkThenPredictWithIt(@TempDir final Path tmp) throws Exception {
		final Path model = tmp.resolve("tiny");
		assertEquals(0, Main.run("--headless", "--run", "Train Network", "output_dir=\"" + model
			+ "\",rank=\"2\",input_size=16,base_channels=4,depth=2,train_samples=8,validation_samples=2,epochs=1,batch_size=4,device=\"cpu\",threads=1"));
		for (final String f : new String[] { "model.json", "weights.params", "history.csv", "loss.png" })
			assertTrue(Files.exists(model.resolve(f)), f);
		final Path in = tmp.resolve("p.tif");
		TiffWriter.write(in, CrystalSimulator.simulate(Grid.of2D(16, 16), POLYGON, 1).diffraction().values);
		assertEquals(0, Main.run("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",model=\"" + model + "\",output_dir=\"" + tmp + "\",device=\"cpu\""));
		assertTrue(Files.size(tmp.resolve("p_nn_amplitude.tif")) > 16 * 16 * 4);
	}

	@Test
	void anUnreadableModelFolderIsAClearError(@TempDir final Path tmp) throws Exception {
		final Path in = tmp.resolve("p.tif");
		TiffWriter.write(in, CrystalSimulator.simulate(Grid.of2D(32, 32), POLYGON, 1).diffraction().values);
		final Path bad = Files.createDirectories(tmp.resolve("not-a-model"));
		assertEquals(1, Main.run("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",model=\"" + bad + "\",output_dir=\"" + tmp.resolve("out") + "\",device=\"cpu\""));
	}

	@Test
	void headlessPredictWithoutAnOutputFolderIsAClearError(@TempDir final Path tmp) throws Exception {
		final Path in = tmp.resolve("p.tif");
		TiffWriter.write(in, CrystalSimulator.simulate(Grid.of2D(32, 32), POLYGON, 1).diffraction().values);
		assertEquals(1, Main.run("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",device=\"cpu\""));
	}

	@Test
	void predictingAFolderIntoItselfTwiceSkipsItsOwnOutputs(@TempDir final Path tmp) throws Exception {
		final Path dir = Files.createDirectories(tmp.resolve("patterns"));
		for (int i = 0; i < 2; i++) TiffWriter.write(dir.resolve("p" + i + ".tif"), CrystalSimulator.simulate(Grid.of2D(32, 32), POLYGON, 700 + i).diffraction().values);
		final String args = "input=\"" + dir + "\",output_dir=\"" + dir + "\",device=\"cpu\"";
		assertEquals(0, Main.run("--headless", "--run", "Predict (NN)", args));
		final java.util.Set<String> first;
		try (var s = Files.list(dir)) { first = s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)); }
		assertTrue(first.contains("p0" + sc.fiji.cdi.workflow.Predict.AMPLITUDE_SUFFIX) && first.contains("p1" + sc.fiji.cdi.workflow.Predict.NETWORK_GRID_SUFFIX), first.toString());
		// the rerun reads p0.tif and p1.tif only: no prediction of a prediction (p0_nn_amplitude_nn_amplitude.tif …)
		final var rerun = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Predict (NN)", args);
		assertEquals(0, rerun.code, rerun.err);
		assertTrue(rerun.err.contains("Skipped 8 files"), "two patterns × four TIFF outputs skipped, and said so: " + rerun.err);
		final java.util.Set<String> second;
		try (var s = Files.list(dir)) { second = s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)); }
		assertEquals(first, second, "the rerun replaces its result sets and adds nothing");
		// a folder holding only CDI outputs has no patterns, and says why
		final Path only = Files.createDirectories(tmp.resolve("only-outputs"));
		Files.copy(dir.resolve("p0" + sc.fiji.cdi.workflow.Predict.AMPLITUDE_SUFFIX), only.resolve("p0" + sc.fiji.cdi.workflow.Predict.AMPLITUDE_SUFFIX));
		final var none = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Predict (NN)", "input=\"" + only + "\",output_dir=\"" + tmp.resolve("o") + "\",device=\"cpu\"");
		assertEquals(1, none.code, none.err);
		assertTrue(none.err.contains("holds no diffraction files") && none.err.contains("written by CDI"), none.err);
	}

	@Test
	void predictTakesClampNegative(@TempDir final Path tmp) throws Exception {
		final float[] v = CrystalSimulator.simulate(Grid.of2D(32, 32), POLYGON, 9).diffraction().values.data.clone();
		v[3] = -2;
		final Path in = tmp.resolve("neg.tif");
		TiffWriter.write(in, new sc.fiji.cdi.data.RealVolume(Grid.of2D(32, 32), v));
		final var refused = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("a") + "\",device=\"cpu\"");
		assertEquals(1, refused.code, refused.err);
		assertTrue(refused.err.contains("clamp_negative=true"), refused.err);
		assertEquals(0, Main.run("--headless", "--run", "Predict (NN)", "input=\"" + in + "\",output_dir=\"" + tmp.resolve("b") + "\",device=\"cpu\",clamp_negative=true"));
		assertTrue(Files.exists(tmp.resolve("b").resolve("neg" + sc.fiji.cdi.workflow.Predict.AMPLITUDE_SUFFIX)));
	}
}
