package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;

/**
 * Cancelling a running 128³ reconstruction from another thread (as Fiji's Esc or a module cancel does) stops it
 * within a second and leaves nothing in the output folder. The measured latency is printed for the release notes.
 */
class CancelTest {

	/** A 128³ "diffraction pattern" of a cube (sinc² along each axis): cheap to make, non-trivial to phase. */
	static Path cubePattern(final Path dir, final int n) {
		final Grid g = Grid.cube(n);
		final float[] v = new float[g.size()];
		final double[] s = new double[n];
		for (int i = 0; i < n; i++) {
			final double q = Math.PI * (i - n / 2) * 0.3;
			s[i] = q == 0 ? 1 : Math.sin(q) / q;
		}
		for (int z = 0; z < n; z++)
			for (int y = 0; y < n; y++)
				for (int x = 0; x < n; x++) {
					final double a = 1e3 * s[z] * s[y] * s[x];
					v[g.index(z, y, x)] = (float) (a * a);
				}
		final Path f = dir.resolve("cube" + n + ".tif");
		TiffWriter.write(f, new RealVolume(g, v));
		return f;
	}

	private static boolean seen(final ByteArrayOutputStream buf, final String text) {
		synchronized (buf) { return buf.toString(StandardCharsets.UTF_8).contains(text); }
	}

	@Test
	void cancelStopsWithinOneSecondAndLeavesNoOutput(@TempDir final Path tmp) throws Exception {
		final Path in = cubePattern(tmp, 128);
		final Path out = tmp.resolve("out");
		final PrintStream oldErr = System.err;
		final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
		System.setErr(new PrintStream(new java.io.OutputStream() { // tee: keep the progress lines visible and readable here
			@Override public void write(final int b) { oldErr.write(b); synchronized (stderr) { stderr.write(b); } }
			@Override public void write(final byte[] b, final int off, final int len) { oldErr.write(b, off, len); synchronized (stderr) { stderr.write(b, off, len); } }
		}, true, StandardCharsets.UTF_8));
		try (Context context = new Context()) {
			final ModuleService modules = context.service(ModuleService.class);
			final Module module = modules.createModule(context.service(CommandService.class).getCommand(ReconstructCommand.class));
			final Future<Module> future = modules.run(module, true, Map.of("input", in.toFile(), "output_dir", out.toFile(),
				"recipe", "1000*HIO", "threads", 2));
			// wait until phase retrieval is really iterating: its first progress line on stderr
			final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!seen(stderr, "HIO ") && System.nanoTime() < deadline) Thread.sleep(20);
			Thread.sleep(300);
			assertTrue(!future.isDone(), "the reconstruction finished before it could be cancelled");
			final long t0 = System.nanoTime();
			((org.scijava.Cancelable) module).cancel("test cancel");
			future.get(10, TimeUnit.SECONDS);
			final double latency = (System.nanoTime() - t0) / 1e9;
			System.out.printf("CancelTest: 128^3 reconstruction stopped %.3f s after cancel%n", latency);
			assertTrue(latency < 1.0, "cancel took " + latency + " s");
			final CdiCommand command = (CdiCommand) module.getDelegateObject();
			assertNotNull(command.failure());
			assertTrue(command.failure().contains("Cancelled"), command.failure());
			assertTrue(!Files.exists(out), "the output folder the cancelled run created is removed");
			assertTrue(new File(in.toString()).length() > 8L * 128 * 128 * 128 / 2, "input still there");
		} finally {
			System.setErr(oldErr);
		}
	}

	/** A cluster scheduler's SIGTERM (time limit, scancel) on the headless runner: the command is cancelled, no output. */
	@Test
	@Tag("slow")
	void sigtermOfTheHeadlessRunnerLeavesNoOutput(@TempDir final Path tmp) throws Exception {
		final Path in = cubePattern(tmp, 64);
		final Path out = tmp.resolve("out");
		final Path err = tmp.resolve("stderr.txt");
		final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		final Process p = new ProcessBuilder(java, "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), "sc.fiji.cdi.app.Main",
			"--headless", "--run", "Reconstruct", "input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"100000*HIO\",threads=1")
			.redirectErrorStream(true).redirectOutput(err.toFile()).start();
		try {
			final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!(Files.exists(err) && Files.readString(err).contains("HIO ")) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(50);
			assertTrue(p.isAlive(), "the runner ended before it was terminated: " + Files.readString(err));
			final long t0 = System.nanoTime();
			p.destroy(); // SIGTERM
			assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the runner did not exit after SIGTERM");
			System.out.printf("CancelTest: headless runner exited %.3f s after SIGTERM (exit code %d)%n", (System.nanoTime() - t0) / 1e9, p.exitValue());
			assertTrue(p.exitValue() != 0, "exit code " + p.exitValue());
			assertTrue(Files.readString(err).contains("terminated by a signal"), Files.readString(err));
			assertTrue(!Files.exists(out), "nothing left after SIGTERM, not even the output folder");
		} finally {
			p.destroyForcibly();
		}
	}
}
