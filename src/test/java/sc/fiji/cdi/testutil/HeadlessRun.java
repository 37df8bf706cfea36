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

	private HeadlessRun(final int code, final String err) {
		this.code = code;
		this.err = err;
	}

	/** Runs {@code Main.run(args)} with stderr captured. */
	public static HeadlessRun of(final String... args) {
		final PrintStream old = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try {
			final int code = Main.run(args);
			return new HeadlessRun(code, buf.toString(StandardCharsets.UTF_8));
		} finally {
			System.setErr(old);
		}
	}
}
