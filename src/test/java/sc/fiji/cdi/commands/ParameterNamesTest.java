package sc.fiji.cdi.commands;

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

	@Test
	void everyCommandParameterIsMacroSafe() {
		try (Context context = new Context(CommandService.class)) {
			int commands = 0;
			for (final CommandInfo ci : context.service(CommandService.class).getCommands()) {
				if (!ci.getClassName().startsWith("sc.fiji.cdi.")) continue;
				commands++;
				assertTrue(ci.getMenuPath().getMenuString().startsWith("Plugins > CDI"), ci.getClassName() + " is under " + ci.getMenuPath().getMenuString());
				final Set<String> seen = new HashSet<>();
				for (final ModuleItem<?> item : ci.inputs()) {
					if (org.scijava.service.Service.class.isAssignableFrom(item.getType())) continue;
					final String name = item.getName();
					assertTrue(name.matches("[a-z][a-z0-9_]*"), ci.getTitle() + ": parameter '" + name + "' is not lowercase snake_case");
					assertTrue(seen.add(name), ci.getTitle() + ": duplicate key " + name);
				}
			}
			assertTrue(commands >= 4, "found " + commands + " CDI commands");
		}
	}
}
