package sc.fiji.cdi.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingBackend;

/**
 * Times one ER and one HIO iteration (modulus projection + update) and one shrink-wrap (blur, max, threshold) of
 * the {@link JTransformsBackend} on cubes, with 1 and 2 threads: the median of ≥ 5 timed repetitions after warm-up.
 * Not a test. Usage: {@code PhasingBenchmark out.jsonl [n ...]} (default sizes 64 128 256); prints a table and
 * writes one JSON object per line (with the calling thread's CPU time, which is the whole work at 1 thread and
 * shows how much a loaded machine inflated the wall time, and the load average), e.g. {@code {"op":"hio","backend":"jtransforms","n":128,"threads":2,"ms_median":…}}.
 */
public final class PhasingBenchmark {

	private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

	private PhasingBenchmark() {}

	public static void main(final String[] args) throws IOException {
		if (args.length < 1) {
			System.err.println("Usage: PhasingBenchmark <out.jsonl> [n ...]   (cubes n³, default 64 128 256)");
			System.exit(2);
		}
		final Path out = Path.of(args[0]);
		final int[] sizes = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] { 64, 128, 256 };
		final int[] threadCounts = { 1, 2 };
		final List<String> lines = new ArrayList<>();
		System.out.printf(Locale.ROOT, "%-12s %6s %8s %12s %12s %14s%n", "op", "n", "threads", "ms_median", "ms_min", "caller_cpu_ms");
		for (final int n : sizes) {
			final Grid g = Grid.cube(n);
			final float[] amp = new float[g.size()];
			final SplittableRandom r = new SplittableRandom(7);
			for (int i = 0; i < amp.length; i++) amp[i] = (float) r.nextDouble();
			final boolean[] support = Phaser.boxSupport(g, 0.5);
			final float[] obj = Phaser.randomObject(g, support, 1);
			for (final int threads : threadCounts) {
				try (PhasingBackend.Session s = new JTransformsBackend(threads).open(g, amp, null, obj, support)) {
					final int reps = n >= 256 ? 5 : n >= 128 ? 7 : 15, warm = n >= 256 ? 2 : 5;
					for (final String op : new String[] { "er", "hio", "shrinkwrap" }) {
						final double[] t = new double[reps], cpu = new double[reps];
						for (int k = -warm; k < reps; k++) {
							final long c0 = MX.getCurrentThreadCpuTime(), t0 = System.nanoTime();
							switch (op) {
								case "er" -> { s.projectModulus(); s.er(); }
								case "hio" -> { s.projectModulus(); s.hio(0.9); }
								default -> { s.blurModulus(1.0); s.supportFromWork(0.1 * s.workMax()); s.writeSupport(support); }
							}
							if (k >= 0) { t[k] = (System.nanoTime() - t0) * 1e-6; cpu[k] = (MX.getCurrentThreadCpuTime() - c0) * 1e-6; }
						}
						Arrays.sort(t);
						Arrays.sort(cpu);
						final double median = t[reps / 2];
						System.out.printf(Locale.ROOT, "%-12s %6d %8d %12.2f %12.2f %14.2f%n", op, n, threads, median, t[0], cpu[reps / 2]);
						lines.add(String.format(Locale.ROOT, "{\"op\":\"%s\",\"backend\":\"jtransforms\",\"n\":%d,\"threads\":%d,\"ms_median\":%.3f,\"ms_min\":%.3f,\"caller_cpu_ms_median\":%.3f,\"reps\":%d,\"cores\":%d,\"load_avg\":%.2f}",
							op, n, threads, median, t[0], cpu[reps / 2], reps, Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
					}
				}
			}
		}
		AtomicOutput.write(out, os -> {
			final PrintStream p = new PrintStream(os, false, StandardCharsets.UTF_8);
			for (final String l : lines) p.println(l);
			p.flush();
		});
		System.out.println("wrote " + out);
	}
}
