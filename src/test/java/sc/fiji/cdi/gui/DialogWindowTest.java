package sc.fiji.cdi.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.Checkbox;
import java.awt.Component;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.ItemVisibility;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

import sc.fiji.cdi.commands.PredictCommand;
import sc.fiji.cdi.commands.ReconstructCommand;
import sc.fiji.cdi.commands.StrainCommand;

/**
 * The Reconstruct, Strain and Predict dialogs built in a real window (a display, e.g. Xvfb: {@code xvfb-run mvn test
 * -Dtest=DialogWindowTest}): every harvested input is a row, in declared order, each under the section header
 * declared before it, laid out top to bottom. Skipped without a display, so a headless CI stays green.
 */
@Tag("gui")
class DialogWindowTest {

	@BeforeEach
	void needsADisplay() {
		assumeFalse(GraphicsEnvironment.isHeadless(), "headless JVM: no window to build");
		final String display = System.getenv("DISPLAY");
		assumeFalse(display == null || display.isBlank(), "no DISPLAY (run under xvfb-run)");
	}

	@Test
	void reconstruct() { everyInputIsARowInDeclaredOrderUnderItsSection(ReconstructCommand.class); }

	@Test
	void strain() { everyInputIsARowInDeclaredOrderUnderItsSection(StrainCommand.class); }

	@Test
	void predict() { everyInputIsARowInDeclaredOrderUnderItsSection(PredictCommand.class); }

	static void everyInputIsARowInDeclaredOrderUnderItsSection(final Class<?> command) {
		try (Context ctx = new Context(CommandService.class, ModuleService.class)) {
			final CommandInfo info = ctx.service(CommandService.class).getCommand(command.getName());
			final LegacyDialog d = LegacyDialog.of(info, ctx.service(ModuleService.class).createModule(info));
			try {
				// what SciJava harvests, in order, with the section each input falls under
				final List<String> expected = new ArrayList<>();
				String section = "";
				for (final ModuleItem<?> item : info.inputs()) {
					if (!LegacyDialog.shown(item)) continue;
					if (item.getVisibility() == ItemVisibility.MESSAGE) section = LegacyDialog.text(item.getValue(ctx.service(ModuleService.class).createModule(info)));
					else expected.add(section + " / " + item.getName());
				}
				final List<String> shown = new ArrayList<>();
				section = "";
				for (final LegacyDialog.Row r : d.rows) {
					if (r.section()) section = r.label();
					else shown.add(section + " / " + r.name());
				}
				assertEquals(expected, shown, info.getTitle());
				assertTrue(expected.size() >= 7, info.getTitle() + ": " + expected);

				d.dialog.pack(); // real layout in the display
				int lastY = -1;
				for (final LegacyDialog.Row r : d.rows) {
					final Component c = r.component();
					if (!r.section()) {
						assertTrue(c instanceof Label || c instanceof Checkbox, r.name() + ": the row starts with its label, got " + c);
						final String text = c instanceof Label l ? l.getText() : ((Checkbox) c).getLabel();
						// ImageJ 1 shows '_' in a label as a space (its macro keys come from labels)
						assertEquals(r.label().replace('_', ' ').trim(), text.trim(), r.name() + ": label shown in full");
					}
					assertTrue(c.getWidth() > 0 && c.getHeight() > 0, r.name() + " is laid out: " + c.getBounds());
					assertTrue(c.getY() > lastY, r.name() + " below the row before it (y " + c.getY() + " after " + lastY + ")");
					lastY = c.getY();
				}
				if (command == ReconstructCommand.class) {
					assertEquals("Input — the open image, a file, or a folder of frames", d.rows.get(0).label());
					assertEquals("diffraction", d.rows.get(1).name(), "the input first");
				}
			} finally {
				d.dialog.dispose();
			}
		}
	}
}
