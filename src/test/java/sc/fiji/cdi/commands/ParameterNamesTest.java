package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;

/**
 * ImageJ 1 macros address a parameter by the first word of its key, lower-cased: every CDI command parameter must be
 * lowercase snake_case and unique within its command, or a recorded macro silently sets the wrong one.
 */
class ParameterNamesTest {

	/**
	 * ImageJ 1's {@code Macro.getValue(options, key)} finds the first {@code key=} in the options preceded by the start
	 * or by a character that is not a letter, so {@code threshold=} is also found inside {@code shrink_wrap_threshold=}.
	 */
	static boolean shadows(final String key, final String other) {
		if (key.equals(other) || !other.endsWith(key)) return false;
		return !Character.isLetter(other.charAt(other.length() - key.length() - 1));
	}

	@Test
	void theShadowRuleMatchesImageJ() {
		// the rule above, checked against ImageJ 1 itself
		assertTrue(shadows("threshold", "shrink_wrap_threshold"));
		assertEquals("0.2", ij.Macro.getValue("shrink_wrap_threshold=0.2 threshold=5", "threshold", null));
		assertTrue(!shadows("size", "resize"));
		assertEquals("5", ij.Macro.getValue("resize=0.2 size=5", "size", null));
	}

	@Test
	void everyCommandParameterIsMacroSafe() {
		try (Context context = new Context(CommandService.class)) {
			int commands = 0;
			for (final CommandInfo ci : context.service(CommandService.class).getCommands()) {
				if (!ci.getClassName().startsWith("sc.fiji.cdi.")) continue;
				commands++;
				final String menu = ci.getMenuPath().getMenuString();
				assertTrue(menu.startsWith("Plugins > CDI") || menu.equals("Edit > Options > CDI..."), ci.getClassName() + " is under " + menu);
				final Set<String> seen = new HashSet<>();
				final java.util.List<String> names = new java.util.ArrayList<>();
				for (final ModuleItem<?> item : ci.inputs()) {
					if (org.scijava.service.Service.class.isAssignableFrom(item.getType())) continue;
					final String name = item.getName();
					assertTrue(name.matches("[a-z][a-z0-9_]*"), ci.getTitle() + ": parameter '" + name + "' is not lowercase snake_case");
					assertTrue(seen.add(name), ci.getTitle() + ": duplicate key " + name);
					names.add(name);
				}
				for (final String a : names)
					for (final String b : names)
						assertTrue(!shadows(a, b), ci.getTitle() + ": ij.Macro.getValue(options, \"" + a + "\") also matches \"" + b + "=…\" (the character before "
							+ a + " in " + b + " is not a letter): rename one of them");
			}
			assertTrue(commands >= 4, "found " + commands + " CDI commands");
		}
	}
}
