package sc.fiji.cdi.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs Debian's /usr/bin/python3 as an independent reader in tests; absent interpreter or module → tests skip. */
final class PythonCheck {

	static final Path PYTHON = Path.of("/usr/bin/python3");

	private PythonCheck() {}

	/** True when /usr/bin/python3 can import all the given modules. */
	static boolean hasModules(final String... modules) {
		if (!Files.isExecutable(PYTHON)) return false;
		try {
			return run("import " + String.join(", ", modules)).exit == 0;
		} catch (final IOException e) {
			return false;
		}
	}

	record Result(int exit, String output) {}

	static Result run(final String script, final String... args) throws IOException {
		final String[] cmd = new String[3 + args.length];
		cmd[0] = PYTHON.toString(); cmd[1] = "-c"; cmd[2] = script;
		System.arraycopy(args, 0, cmd, 3, args.length);
		final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		try {
			if (!p.waitFor(120, TimeUnit.SECONDS)) { p.destroyForcibly(); return new Result(-1, "timeout"); }
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			return new Result(-1, "interrupted");
		}
		return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
	}

	/** Writes float32 little-endian raw values (x fastest) for numpy's fromfile. */
	static void writeRaw(final Path file, final float[] v) throws IOException {
		final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		b.asFloatBuffer().put(v);
		Files.write(file, b.array());
	}
}
