package sc.fiji.cdi.gui;

import java.awt.Component;
import java.awt.Font;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.command.CommandInfo;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;

/**
 * A command's dialog as a Fiji user sees it, rendered into an ImageJ 1 {@link GenericDialog} from SciJava's harvested
 * inputs (the {@link CommandInfo#inputs()} in declared order), following the widget rules of Fiji's input harvesters
 * (scijava-ui-swing / imagej-legacy): services and outputs are not shown; a MESSAGE item is a text row (our section
 * headers, bold); a boolean is a checkbox; a number is a numeric field; a String with choices is a choice list, other
 * Strings are text fields; a File is a path field with a Browse button (a folder chooser for style "directory"); an
 * ImagePlus is a choice of the open images. The defaults are the values the command's fields start with.
 * SciJava's Swing UI is not on Maven Central, hence this stand-in; test scope only.
 */
public final class LegacyDialog {

	/** One shown row: the input's name, its label (or the section title), and the dialog component that shows it. */
	public record Row(String name, boolean section, String label, Component component) {}

	public final GenericDialog dialog;
	public final List<Row> rows;

	private LegacyDialog(final GenericDialog dialog, final List<Row> rows) {
		this.dialog = dialog;
		this.rows = rows;
	}

	/** True for the items Fiji's harvester shows: inputs that are neither services nor outputs. */
	public static boolean shown(final ModuleItem<?> item) {
		return item.getIOType() != ItemIO.OUTPUT && !org.scijava.service.Service.class.isAssignableFrom(item.getType())
			&& !org.scijava.Context.class.isAssignableFrom(item.getType());
	}

	/** The section title a MESSAGE item shows (its HTML markup removed). */
	public static String text(final Object message) {
		return message == null ? "" : message.toString().replaceAll("<[^>]*>", "").trim();
	}

	public static LegacyDialog of(final CommandInfo info, final Module module) {
		final GenericDialog gd = new GenericDialog(info.getTitle());
		final List<Row> rows = new ArrayList<>();
		for (final ModuleItem<?> item : info.inputs()) {
			if (!shown(item)) continue;
			final int before = gd.getComponentCount();
			final Object value = module.getInput(item.getName());
			final String label = item.getLabel() == null || item.getLabel().isEmpty() ? item.getName() : item.getLabel();
			final Class<?> type = item.getType();
			final boolean section = item.getVisibility() == ItemVisibility.MESSAGE;
			String shownLabel = label;
			if (section) {
				shownLabel = text(value);
				gd.setInsets(12, 0, 2);
				gd.addMessage(shownLabel, new Font(Font.SANS_SERIF, Font.BOLD, 13));
			} else if (type == boolean.class || type == Boolean.class) {
				gd.addCheckbox(label, Boolean.TRUE.equals(value));
			} else if (Number.class.isAssignableFrom(box(type))) {
				final boolean integer = type == int.class || type == Integer.class || type == long.class || type == Long.class;
				final double v = value == null ? 0 : ((Number) value).doubleValue();
				// as many decimals as the default has (0.40782 stays 0.40782), like the Swing harvester's spinner
				final int digits = integer ? 0 : Math.min(6, Math.max(1, java.math.BigDecimal.valueOf(v).stripTrailingZeros().scale()));
				gd.addNumericField(label, v, digits, 10, null);
			} else if (type == String.class && item.getChoices() != null && !item.getChoices().isEmpty()) {
				final String[] choices = item.getChoices().stream().map(Object::toString).toArray(String[]::new);
				gd.addChoice(label, choices, value == null ? choices[0] : value.toString());
			} else if (type == File.class) {
				final String path = value == null ? "" : value.toString();
				if ("directory".equals(item.getWidgetStyle())) gd.addDirectoryField(label, path, 30);
				else gd.addFileField(label, path, 30);
			} else if (ImagePlus.class.isAssignableFrom(type)) {
				final String[] open = WindowManager.getImageTitles();
				final String[] choices = open.length == 0 ? new String[] { "(no image open)" } : open;
				final ImagePlus current = WindowManager.getCurrentImage();
				gd.addChoice(label, choices, current == null ? choices[0] : current.getTitle());
			} else {
				gd.addStringField(label, value == null ? "" : value.toString(), 30);
			}
			final Component[] all = gd.getComponents();
			if (all.length == before) throw new IllegalStateException("no row added for " + item.getName());
			rows.add(new Row(item.getName(), section, shownLabel, all[before]));
		}
		return new LegacyDialog(gd, List.copyOf(rows));
	}

	private static Class<?> box(final Class<?> t) {
		if (!t.isPrimitive()) return t;
		return Arrays.asList(int.class, long.class, double.class, float.class, short.class, byte.class).contains(t) ? Number.class : t;
	}
}
