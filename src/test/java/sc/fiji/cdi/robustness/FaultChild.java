package sc.fiji.cdi.robustness;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * A child JVM for {@link SignalTest}: installs a fault at one step of the result writer, then runs the standalone
 * runner. {@code term-at:<step>#<n>} sends this process a real SIGTERM at the n-th call of that step and lets the
 * writer go on (as a signal arriving at that moment would); {@code kill-at:<step>#<n>} halts the JVM there at once,
 * exit code 137, with no shutdown hook or clean-up — what kill -9 does; {@code sleep-at:<step>#<n>} pauses there for
 * 8 s (a slow disk), holding the result's lock.
 */
public final class FaultChild {

	private FaultChild() {}

	public static void main(final String[] args) throws Exception {
		final String mode = args[0];
		final String[] rest = Arrays.copyOfRange(args, 1, args.length);
		final boolean term = mode.startsWith("term-at:"), pause = mode.startsWith("sleep-at:");
		final String spec = mode.substring(mode.indexOf(':') + 1);
		final String step = spec.substring(0, spec.indexOf('#'));
		final int call = Integer.parseInt(spec.substring(spec.indexOf('#') + 1));
		final AtomicInteger calls = new AtomicInteger();
		AtomicOutput.faults = (s, file) -> {
			if (!s.equals(step) || calls.incrementAndGet() != call) return;
			if (pause) {
				try { Thread.sleep(8000); } catch (final InterruptedException e) { Thread.currentThread().interrupt(); }
				return;
			}
			if (!term) Runtime.getRuntime().halt(137);
			try {
				new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
				Thread.sleep(1500); // the shutdown hook runs now and cancels the command while this step goes on
			} catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		};
		Main.main(rest);
	}
}
