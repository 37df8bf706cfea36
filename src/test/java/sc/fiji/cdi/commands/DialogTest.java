package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.ItemVisibility;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.prefs.PrefService;

import ij.ImagePlus;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;

/**
 * What Fiji's dialog harvester gets from SciJava for Reconstruct, Phase Retrieval and Fine-tune: the items in the
 * order the dialog shows them (module info inputs), their widget styles, the section headers, and what the
 * initializers do outside a dialog.
 */
class DialogTest {

	/** The dialog's rows: section headers as "# title", inputs by name (services are not shown). */
	static List<String> rows(final CommandInfo info) {
		final List<String> rows = new ArrayList<>();
		for (final ModuleItem<?> item : info.inputs()) {
			if (org.scijava.service.Service.class.isAssignableFrom(item.getType())) continue;
			rows.add(item.getVisibility() == ItemVisibility.MESSAGE ? "# " + item.getName() : item.getName());
		}
		return rows;
	}

	@Test
	void reconstructOpensWithItsInputsThenOneSectionAfterAnother() {
		try (Context ctx = new Context(CommandService.class)) {
			final CommandInfo info = ctx.service(CommandService.class).getCommand(ReconstructCommand.class);
			final List<String> rows = rows(info);
			assertEquals(List.of("# input_section", "diffraction", "input", "frame_folder"), rows.subList(0, 4), "inputs first: " + rows);
			final List<String> sections = rows.stream().filter(r -> r.startsWith("# ")).toList();
			assertEquals(List.of("# input_section", "# preprocessing_section", "# phasing_section", "# network_section", "# output_section"), sections);
			assertTrue(rows.indexOf("data_threshold") > rows.indexOf("# preprocessing_section") && rows.indexOf("recipe") > rows.indexOf("# phasing_section")
				&& rows.indexOf("mode") > rows.indexOf("# network_section") && rows.indexOf("output_dir") > rows.indexOf("# output_section"), rows.toString());
			assertEquals("directory", info.getInput("frame_folder").getWidgetStyle(), "a folder chooser for frame folders");
			assertEquals("open", info.getInput("input").getWidgetStyle());
			assertEquals("directory", info.getInput("output_dir").getWidgetStyle());
			for (final ModuleItem<?> item : info.inputs())
				if (item.getVisibility() != ItemVisibility.MESSAGE && !org.scijava.service.Service.class.isAssignableFrom(item.getType()))
					assertTrue(!item.isPersisted(), item.getName() + " is persisted: SciJava would feed the last dialog value into macros");
			final Object show = ctx.service(ModuleService.class).createModule(info).getInput("show");
			assertEquals(true, show, "results shown by default");
		}
		try (Context ctx = new Context(CommandService.class)) {
			final List<String> pr = rows(ctx.service(CommandService.class).getCommand(PhaseRetrievalCommand.class));
			assertEquals("# input_section", pr.get(0));
			assertTrue(pr.indexOf("diffraction") < pr.indexOf("recipe") && pr.indexOf("recipe") < pr.indexOf("output_dir"), pr.toString());
			final List<String> ft = rows(ctx.service(CommandService.class).getCommand(FineTuneCommand.class));
			assertEquals(List.of("diffraction", "input", "pattern_folder"), ft.subList(0, 3));
		}
	}

	@Test
	void theRememberedInputNeverReachesAMacroOrAHeadlessRun(@TempDir final Path tmp) throws Exception {
		try (Context ctx = new Context(CommandService.class, PrefService.class)) {
			final PrefService prefs = ctx.service(PrefService.class);
			prefs.put(ReconstructCommand.class, "last_input", tmp.resolve("old.tif").toString());
			prefs.put(ReconstructCommand.class, "last_output_dir", tmp.resolve("old-out").toString());
			try {
				final Module m = ctx.service(ModuleService.class).createModule(ctx.service(CommandService.class).getCommand(ReconstructCommand.class));
				m.initialize(); // what Fiji's InitPreprocessor does, here headless
				assertNull(m.getInput("input"), "headless: the last dialog's input is not used");
				assertNull(m.getInput("output_dir"));
			} finally {
				prefs.remove(ReconstructCommand.class, "last_input");
				prefs.remove(ReconstructCommand.class, "last_output_dir");
			}
		}
	}

	@Test
	void reconstructAndFineTuneTakeTheOpenImage(@TempDir final Path tmp) throws Exception {
		final var sim = CrystalSimulator.simulate(Grid.of2D(48, 48), SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 4);
		final ImagePlus imp = ImagePlusConverter.toImagePlus(sim.diffraction().values, "scan 54 (open)");
		try (Context ctx = new Context()) {
			ctx.service(org.scijava.ui.UIService.class).setHeadless(true); // as Fiji --headless, also when a display exists (xvfb-run)
			final CommandModule m = ctx.service(CommandService.class).run(ReconstructCommand.class, true,
				Map.of("diffraction", imp, "output_dir", tmp.toFile(), "recipe", "20*ER+40*HIO+20*ER")).get();
			assertNull(((CdiCommand) m.getCommand()).failure());
			assertTrue(Files.exists(tmp.resolve("scan 54 (open)_amplitude.tif")) || Files.list(tmp).anyMatch(p -> p.getFileName().toString().endsWith("_amplitude.tif")),
				"files named after the image");
			assertNull(m.getOutput("amplitude"), "headless --run: files only, no images");
			final String report = Files.list(tmp).filter(p -> p.toString().endsWith("_report.json")).findFirst().map(p -> { try { return Files.readString(p); } catch (final Exception e) { return ""; } }).orElse("");
			assertTrue(report.contains("image 'scan 54 (open)'"), report.length() > 300 ? report.substring(0, 300) : report);

			final CommandModule none = ctx.service(CommandService.class).run(ReconstructCommand.class, true, Map.of("output_dir", tmp.resolve("x").toFile())).get();
			final String why = ((CdiCommand) none.getCommand()).failure();
			assertNotNull(why);
			assertTrue(why.contains("open a diffraction image") && why.contains("'input'") && why.contains("'frame_folder'"), why);
		}
	}
}
