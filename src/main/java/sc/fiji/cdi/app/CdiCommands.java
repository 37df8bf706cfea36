package sc.fiji.cdi.app;

import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;

/** Finds one of the suite's commands by a name as Fiji's command line and macros give it. */
public final class CdiCommands {

	private CdiCommands() {}

	/** By class name, then menu label (last menu entry), then title, ignoring case and '_' vs ' ' as Fiji does; null if none. */
	public static CommandInfo find(final CommandService commands, final String name) {
		if (name == null) return null;
		final CommandInfo byClass = commands.getCommand(name);
		if (byClass != null) return byClass.getClassName().startsWith("sc.fiji.cdi.") ? byClass : null;
		final String want = name.replace("...", "").replace('_', ' ').trim();
		for (final CommandInfo ci : commands.getCommands()) {
			if (!ci.getClassName().startsWith("sc.fiji.cdi.")) continue;
			final String label = ci.getMenuPath() == null || ci.getMenuPath().isEmpty() ? null : ci.getMenuPath().getLeaf().getName();
			if (want.equalsIgnoreCase(ci.getTitle()) || (label != null && want.equalsIgnoreCase(label.replace("...", "").trim())))
				return ci;
		}
		return null;
	}
}
