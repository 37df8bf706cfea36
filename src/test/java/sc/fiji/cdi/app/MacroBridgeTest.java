package sc.fiji.cdi.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;

import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;
import sc.fiji.cdi.commands.PhaseRetrievalCommand;
import sc.fiji.cdi.commands.ReconstructCommand;
import sc.fiji.cdi.commands.StrainCommand;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.strain.KnownDisplacement;
import sc.fiji.cdi.strain.StrainAnalysis;
import sc.fiji.cdi.util.CdiException;

/**
 * The standalone macro runner follows Fiji's rules (imagej-legacy MacroPreprocessor, StringToImagePlusConverter,
 * ActiveImagePlusPreprocessor, MacroRecorderPostprocessor): what a macro does here, it does in Fiji.
 */
class MacroBridgeTest {

	@AfterEach
	void closeImages() {
		Interpreter.batchMode = true;
		final int[] ids = WindowManager.getIDList();
		if (ids != null) for (final int id : ids) { final ImagePlus imp = WindowManager.getImage(id); if (imp != null) { imp.changes = false; imp.close(); } }
		Interpreter.batchMode = false;
	}

	private static CommandInfo info(final Context ctx, final Class<? extends org.scijava.command.Command> c) { return ctx.service(CommandService.class).getCommand(c); }

	@Test
	void booleansAreKeyEqualsTrueOrFalseAndABareKeyKeepsTheDefault() {
		try (Context ctx = new Context(CommandService.class)) {
			final CommandInfo rec = info(ctx, ReconstructCommand.class);
			assertEquals(false, MacroBridge.inputs(rec, "input=[a.tif] twin_removal=false").get("twin_removal"));
			assertEquals(true, MacroBridge.inputs(rec, "input=[a.tif] twin_removal=true").get("twin_removal"));
			assertEquals(true, MacroBridge.inputs(rec, "twin_removal=TRUE").get("twin_removal"));
			// Fiji reads only key=value (Macro.getValue): a bare checkbox key is not a value, the default stays
			assertFalse(MacroBridge.inputs(rec, "input=[a.tif] twin_removal seed=3").containsKey("twin_removal"));
			assertTrue(MacroBridge.bareKey("input=[a.tif] twin_removal seed=3", "twin_removal"));
			assertFalse(MacroBridge.bareKey("twin_removal=false", "twin_removal"));
			final CdiException bad = assertThrows(CdiException.class, () -> MacroBridge.inputs(rec, "twin_removal=yes"));
			assertTrue(bad.getMessage().contains("twin_removal=true or twin_removal=false"), bad.getMessage());
			final CdiException num = assertThrows(CdiException.class, () -> MacroBridge.inputs(rec, "seed=abc"));
			assertTrue(num.getMessage().contains("seed=abc"), num.getMessage());
		}
	}

	/**
	 * ImageJ 1's {@code Macro.getValue} (1.54g, and imagej-legacy's MacroPreprocessor with it) takes the first
	 * {@code key=} not preceded by a letter, also one inside another key's [bracketed] value: in
	 * {@code input=[/data/run seed=5] seed=7} Fiji sets seed to "5]" (a refused number here), not 7. The runner calls
	 * the same method, so a macro gets the same values as in Fiji; this pins that no other rule creeps in.
	 */
	@Test
	void aKeyInsideAnotherKeysBracketedValueIsFoundAsImageJFindsIt() {
		try (Context ctx = new Context(CommandService.class)) {
			final CommandInfo rec = info(ctx, ReconstructCommand.class);
			final String options = "input=[/data/run output_dir=/x] output_dir=/y ";
			assertEquals(ij.Macro.getValue(options, "output_dir", null), MacroBridge.inputs(rec, options).get("output_dir").toString());
			assertEquals("/x]", MacroBridge.inputs(rec, options).get("output_dir").toString(), "ImageJ's value, bracket and all");
			assertEquals("/data/run output_dir=/x", MacroBridge.inputs(rec, options).get("input").toString());
			final CdiException seed = assertThrows(CdiException.class, () -> MacroBridge.inputs(rec, "input=[/data/run seed=5] seed=7 "));
			assertTrue(seed.getMessage().contains("seed=5]"), seed.getMessage());
			// a key standing after the brackets only, as recorders write it, is read as usual
			assertEquals("7", MacroBridge.inputs(rec, "input=[/data/run_seed] seed=7 ").get("seed").toString());
		}
	}

	@Test
	void imagesAreChosenByTitleOrIdAndTheCurrentImageOnlyFillsASingleImageInput() {
		try (Context ctx = new Context(CommandService.class)) {
			Interpreter.batchMode = true;
			final ImagePlus a = new ImagePlus("scan54 amplitude", new ij.process.FloatProcessor(8, 8));
			final ImagePlus p = new ImagePlus("scan54 phase (rad)", new ij.process.FloatProcessor(8, 8));
			a.show();
			p.show(); // the current image
			final CommandInfo strain = info(ctx, StrainCommand.class);
			final Map<String, Object> in = MacroBridge.inputs(strain, "amplitude=[scan54 amplitude] phase=[scan54 phase (rad)] hkl=111");
			assertSame(a, in.get("amplitude"));
			assertSame(p, in.get("phase"));
			assertSame(a, MacroBridge.inputs(strain, "amplitude=" + a.getID() + " phase=" + p.getID()).get("amplitude"), "by image ID");
			// two ImagePlus inputs: nothing is guessed (before, both got the current image: the phase as amplitude)
			final Map<String, Object> none = MacroBridge.inputs(strain, "hkl=111");
			assertFalse(none.containsKey("amplitude") || none.containsKey("phase"), none.toString());
			// one ImagePlus input: the current image, as ActiveImagePlusPreprocessor does
			assertSame(p, MacroBridge.inputs(info(ctx, PhaseRetrievalCommand.class), "recipe=[10*ER]").get("diffraction"));
			final CdiException missing = assertThrows(CdiException.class, () -> MacroBridge.inputs(strain, "amplitude=[nope]"));
			assertTrue(missing.getMessage().contains("'scan54 amplitude'") && missing.getMessage().contains("amplitude=[nope]"), missing.getMessage());
		}
	}

	/**
	 * What Fiji's MacroRecorderPostprocessor writes: every input that has a value as key=value (an image by its title,
	 * anything else value.toString(); brackets around spaces), MESSAGE and INVISIBLE items left out.
	 */
	static String recorded(final CommandInfo info, final CommandModule module) {
		final StringBuilder b = new StringBuilder();
		for (final ModuleItem<?> item : info.inputs()) {
			if (org.scijava.service.Service.class.isAssignableFrom(item.getType()) || item.getVisibility() == org.scijava.ItemVisibility.MESSAGE
				|| item.getVisibility() == org.scijava.ItemVisibility.INVISIBLE) continue;
			final Object v = module.getInput(item.getName());
			if (v == null) continue;
			final String s = v instanceof ImagePlus imp ? imp.getTitle() : v.toString();
			b.append(item.getName()).append('=').append(s.contains(" ") || s.isEmpty() ? "[" + s + "]" : s).append(' ');
		}
		return b.toString().trim();
	}

	@Test
	void aRecorderStyleOptionStringGivesBackEveryValue(@TempDir final Path tmp) throws Exception {
		try (Context ctx = new Context(CommandService.class)) {
			final CommandInfo rec = info(ctx, ReconstructCommand.class);
			final CommandModule module = ctx.service(org.scijava.module.ModuleService.class).createModule(rec) instanceof CommandModule m ? m : null;
			assertNotNull(module);
			module.setInput("input", tmp.resolve("scan 54.tif").toFile());
			module.setInput("output_dir", tmp.resolve("out").toFile());
			final String options = recorded(rec, module);
			final Map<String, Object> back = MacroBridge.inputs(rec, options);
			int n = 0;
			for (final ModuleItem<?> item : rec.inputs()) {
				final Object v = module.getInput(item.getName());
				if (v == null || org.scijava.service.Service.class.isAssignableFrom(item.getType()) || item.getVisibility() == org.scijava.ItemVisibility.MESSAGE) continue;
				assertEquals(v, back.get(item.getName()), item.getName() + " from \"" + options + "\"");
				n++;
			}
			assertTrue(n >= 25, n + " inputs recorded: " + options);
		}
	}

	private static String run(final Path macro, final String args) {
		final PrintStream old = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try {
			final int code = Main.run("-macro", macro.toString(), args);
			return code + "\n" + buf.toString(StandardCharsets.UTF_8);
		} finally {
			System.setErr(old);
		}
	}

	@Test
	void outputsBecomeOpenImagesThatTheNextCommandTakesByTitle(@TempDir final Path tmp) throws Exception {
		final Path out = tmp.resolve("pr");
		final Path log = tmp.resolve("images.txt");
		final Path macro = Files.writeString(tmp.resolve("chain.ijm"), String.join("\n",
			"run(\"Simulate Crystal\", \"dimensions=2D size=48 shape=polygon seed=5 photons=0\");",
			"titles = getList(\"image.titles\");",
			"s = \"\" + nImages + \"\\n\";",
			"for (i = 0; i < titles.length; i++) s = s + titles[i] + \"\\n\";",
			"File.saveString(s, \"" + log + "\");",
			"diffraction = \"\";",
			"for (i = 0; i < titles.length; i++) if (indexOf(titles[i], \"diffraction\") >= 0 || indexOf(titles[i], \"intensity\") >= 0) diffraction = titles[i];",
			"selectImage(diffraction);",
			"run(\"Phase Retrieval\", \"recipe=[20*ER+40*HIO+20*ER] output_dir=[" + out + "]\");",
			"File.append(\"after: \" + nImages + \" \" + getTitle(), \"" + log + "\");", ""));
		final String r = run(macro, "");
		assertTrue(r.startsWith("0\n"), r);
		assertFalse(r.contains("Ignoring unsupported output"), "the outputs are shown as images, not refused by SciJava's display step: " + r);
		final String[] lines = Files.readString(log).split("\n");
		assertEquals(3, Integer.parseInt(lines[0].trim()), "Simulate Crystal's three outputs are open images: " + String.join(" | ", lines));
		assertTrue(lines[lines.length - 1].startsWith("after: 6 "), "Phase Retrieval's amplitude, phase, support opened too: " + lines[lines.length - 1]);
		assertTrue(lines[lines.length - 1].contains("support"), "the last output is the current image: " + lines[lines.length - 1]);
		try (var s = Files.list(out)) {
			assertTrue(s.anyMatch(p -> p.getFileName().toString().endsWith("_amplitude.tif")));
		}
	}

	@Test
	void aStrainMacroThatNamesItsTwoImagesGetsTheRightOne(@TempDir final Path tmp) throws Exception {
		final int n = 32;
		final double[] voxel = { 10, 10, 10 };
		final KnownDisplacement crystal = new KnownDisplacement(n, voxel);
		final KnownDisplacement.Field field = (z, y, x) -> 1e-3 * y * y / (2 * 120);
		final boolean[] support = crystal.sphere(120);
		final ComplexVolume rho = crystal.object(support, field, 1, 0, new double[3], 0.7);
		TiffWriter.write(tmp.resolve("amp.tif"), rho.amplitude());
		TiffWriter.write(tmp.resolve("ph.tif"), rho.phase());
		final Path out = tmp.resolve("strain");
		// the phase is opened last, so it is the current image: the macro must still get the amplitude by its title
		final Path macro = Files.writeString(tmp.resolve("strain.ijm"), String.join("\n",
			"open(\"" + tmp.resolve("amp.tif") + "\");", "rename(\"crystal amplitude\");",
			"open(\"" + tmp.resolve("ph.tif") + "\");", "rename(\"crystal phase\");",
			"run(\"Strain\", \"amplitude=[crystal amplitude] phase=[crystal phase] hkl=111 lattice_constant=0.40782 voxel_size=10 g_direction=[0 1 0] "
				+ "ramp_removal=none output_dir=[" + out + "]\");", ""));
		final String r = run(macro, "");
		assertTrue(r.startsWith("0\n"), r);
		final Path strainFile;
		try (var s = Files.list(out)) {
			strainFile = s.filter(p -> p.getFileName().toString().endsWith("_strain.tif")).findFirst().orElseThrow();
		}
		final RealVolume eps = ImagePlusConverter.toVolume(ij.IJ.openImage(strainFile.toString()));
		final float[] truth = crystal.discreteStrain(field, new double[] { 0, 1, 0 });
		final boolean[] inner = StrainAnalysis.erode(crystal.grid, support, 1);
		double err = 0;
		for (int i = 0; i < truth.length; i++) if (inner[i]) err = Math.max(err, Math.abs(eps.data[i] - truth[i]));
		System.out.printf(Locale.ROOT, "Strain macro with named images: max strain error %.2e (field ±1e-3)%n", err);
		assertTrue(err < 1e-6, "max strain error " + err + ": the wrong image was used as amplitude or phase");
		assertEquals(Grid.cube(n), eps.grid);
	}

	@Test
	void aFailingCommandIsLoggedAndTheMacroGoesOnAsInFiji(@TempDir final Path tmp) throws Exception {
		final Path marker = tmp.resolve("after.txt");
		final Path macro = Files.writeString(tmp.resolve("fail.ijm"),
			"run(\"Reconstruct\", \"input=[" + tmp.resolve("missing.tif") + "] output_dir=[" + tmp.resolve("o") + "]\");\nFile.saveString(\"ran on\", \"" + marker + "\");\n");
		final String r = run(macro, "");
		assertTrue(r.startsWith("0\n"), r);
		assertTrue(Files.exists(marker), "the macro stopped at the failed command (Fiji goes on)");
		assertFalse(new File(tmp.resolve("o").toString()).exists(), "nothing written by the failed command");
	}
}
