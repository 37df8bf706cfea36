package sc.fiji.cdi.app;

import java.util.LinkedList;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;

import org.scijava.Priority;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.console.AbstractConsoleArgument;
import org.scijava.console.ConsoleArgument;
import org.scijava.log.LogService;
import org.scijava.parse.Items;
import org.scijava.parse.ParseService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.startup.StartupService;
import org.scijava.ui.UIService;

import sc.fiji.cdi.commands.CdiCommand;
import sc.fiji.cdi.commands.ParameterCheck;
import sc.fiji.cdi.util.CdiException;

/**
 * {@code fiji --headless --run "<CDI command>" '<args>'} with an exit status that tells a scheduler whether the scan
 * failed. scijava-common's own {@code --run} (run/console/RunArgument, 2.99.0 as in Fiji 2.16) queues the command as a
 * startup operation, and DefaultStartupService.executeOperations catches and only logs whatever the operation
 * throws — so a failed command ends with exit status 0 however it fails (exception, cancel or log). This argument
 * handler, preferred for the suite's own commands (higher priority, same syntax: the argument string is parsed by
 * ParseService exactly as RunArgument does, and every value is checked by {@link ParameterCheck}), runs the command
 * the same way and, headless, ends the JVM after logging the command's one-line reason, with exit status 1 when the
 * command failed and 2 for a bad command line (docs/cluster.md). With a user interface nothing exits: the error dialog shows.
 */
@Plugin(type = ConsoleArgument.class, priority = Priority.HIGH)
public class CdiRunArgument extends AbstractConsoleArgument {

	/** How the JVM is ended (tests replace it). */
	static volatile IntConsumer exit = System::exit;

	@Parameter
	private CommandService commands;

	@Parameter
	private ParseService parser;

	@Parameter
	private org.scijava.module.ModuleService modules;

	@Parameter
	private StartupService startup;

	@Parameter
	private LogService log;

	@Parameter(required = false)
	private UIService ui;

	public CdiRunArgument() {
		super(2, "--run");
	}

	@Override
	public boolean supports(final LinkedList<String> args) {
		return super.supports(args) && CdiCommands.find(commands, args.get(1)) != null;
	}

	@Override
	public void handle(final LinkedList<String> args) {
		if (!supports(args)) return;
		args.removeFirst(); // --run
		final CommandInfo info = CdiCommands.find(commands, args.removeFirst());
		final String arg = getParam(args);
		if (arg != null) args.removeFirst();
		final Map<String, Object> inputs;
		if (arg == null) inputs = Map.of();
		else {
			Items items = null;
			String problem = null;
			try {
				items = parser.parse(arg);
				if (!items.isMap()) problem = "expected key=value pairs";
			} catch (final IllegalArgumentException e) {
				problem = e.getMessage();
			}
			if (problem != null) {
				// Fiji's own RunArgument would only log this and end with status 0
				fail(info.getTitle() + ": cannot read the arguments '" + arg + "' (" + problem + "): write key=value pairs separated by commas, "
					+ "text and paths in double quotes, numbers and true/false bare, e.g. 'input=\"/data/scan 54.tif\",shape=\"polygon\",seed=1'.", BAD_COMMAND_LINE);
				return;
			}
			inputs = items.asMap();
		}
		startup.addOperation(() -> runAndReport(info, inputs));
	}

	/** Exit statuses as docs/cluster.md documents them (the same as the standalone runner's). */
	static final int FAILED = 1, BAD_COMMAND_LINE = 2;

	private void fail(final String message, final int status) {
		log.error(message);
		if (ui == null || ui.isHeadless()) exit.accept(status);
	}

	private void runAndReport(final CommandInfo info, final Map<String, Object> inputs) {
		String failure;
		try {
			final CommandModule module = (CommandModule) modules.createModule(info);
			if (module.getCommand() instanceof CdiCommand c) c.callerReportsFailure(); // reported once, below
			try {
				ParameterCheck.check(module, inputs); // the one parameter check, as in the standalone runner
			} catch (final CdiException e) {
				fail(info.getTitle() + ": bad command line: " + e.getMessage(), BAD_COMMAND_LINE);
				return;
			}
			modules.run(module, true, inputs).get();
			failure = module.getCommand() instanceof CdiCommand c ? c.failure() : null;
			if (failure == null && module.isCanceled()) failure = "cancelled: " + module.getCancelReason();
		} catch (final ExecutionException e) {
			failure = String.valueOf(e.getCause());
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			failure = "interrupted";
		}
		if (failure != null) fail(info.getTitle() + " failed: " + failure, FAILED);
	}
}
