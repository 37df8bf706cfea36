package sc.fiji.cdi.testutil;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import sc.fiji.cdi.app.Main;

/** One run of the standalone headless runner ({@link Main#run}) as a shell would start it: its exit code and what it wrote to stderr. */
public final class HeadlessRun {

	/** The exit code (docs/cluster.md). */
	public final int code;
	/** Everything written to stderr during the run. */
	public final String err;
	/** Everything written to stdout during the run (the log's information lines, such as where the results went). */
	public final String out;

	private HeadlessRun(final int code, final String err, final String out) {
		this.code = code;
		this.err = err;
		this.out = out;
	}

	/** Runs {@code Main.run(args)} with stderr and stdout captured. */
	public static HeadlessRun of(final String... args) {
		final PrintStream old = System.err, oldOut = System.out;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream(), outBuf = new ByteArrayOutputStream();
		System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
		System.setOut(new PrintStream(outBuf, true, StandardCharsets.UTF_8));
		try {
			final int code = Main.run(args);
			return new HeadlessRun(code, buf.toString(StandardCharsets.UTF_8), outBuf.toString(StandardCharsets.UTF_8));
		} finally {
			System.setErr(old);
			System.setOut(oldOut);
		}
	}
}
