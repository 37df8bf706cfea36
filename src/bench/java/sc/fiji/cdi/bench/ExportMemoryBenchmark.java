package sc.fiji.cdi.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.Progress;
import sc.fiji.cdi.export.BdvExport;
import sc.fiji.cdi.export.VtiWriter;

/**
 * Measures the heap used while exporting one float volume (default 512³ = 512 MiB) to BigDataViewer XML/N5 (with
 * its pyramid) and to .vti. Run it once, not as a unit test:
 * <pre>java -Xmx1g -cp target/test-classes:target/classes:… sc.fiji.cdi.bench.ExportMemoryBenchmark [n] [output folder]</pre>
 * With {@code -Xmx} at twice the volume size, completing at all shows the export stays within 2× its size; the
 * peak heap (sum of the heap pools' peak usage, sampled by the JVM) is printed as well.
 */
public final class ExportMemoryBenchmark {

	private ExportMemoryBenchmark() {}

	public static void main(final String[] args) throws IOException {
		final int n = args.length > 0 ? Integer.parseInt(args[0]) : 512;
		final Path out = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("cdi-export-bench");
		final Grid g = Grid.cube(n);
		final float[] d = new float[g.size()];
		final double c = n / 2.0, r2 = 0.4 * n * 0.4 * n;
		for (int z = 0; z < n; z++) for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) {
			final double dz = z - c, dy = y - c, dx = x - c;
			d[g.index(z, y, x)] = dz * dz + dy * dy + dx * dx <= r2 ? (float) (1e-3 * Math.sin(0.05 * x) * Math.cos(0.03 * y) + 1e-4 * z / n) : Float.NaN;
		}
		final RealVolume v = new RealVolume(g, d, new double[] { 5, 5, 5 }, "nm");
		final double volumeMiB = 4.0 * g.size() / (1 << 20);
		System.gc();
		final long base = usedHeap();
		System.out.printf("volume %d^3 float32 = %.0f MiB; max heap %.0f MiB; heap in use before export %.0f MiB%n", n, volumeMiB,
			Runtime.getRuntime().maxMemory() / 1048576.0, base / 1048576.0);

		resetPeaks();
		long t0 = System.nanoTime();
		BdvExport.write(out.resolve("bench.xml"), List.of(BdvExport.Channel.of("strain", v)), v.voxelSize, "nm", Progress.NONE);
		report("BigDataViewer XML/N5 (64^3 gzip blocks, " + BdvExport.pyramid(new long[] { n, n, n }).size() + " levels)", t0, volumeMiB, out.resolve("bench.n5"));

		resetPeaks();
		t0 = System.nanoTime();
		VtiWriter.write(out.resolve("bench.vti"), Map.of("strain", v), null, v.voxelSize);
		report("VTK .vti (raw appended)", t0, volumeMiB, out.resolve("bench.vti"));
	}

	private static void report(final String what, final long t0, final double volumeMiB, final Path written) throws IOException {
		final double s = (System.nanoTime() - t0) * 1e-9;
		final double peak = peakHeap() / 1048576.0;
		System.out.printf("%s: %.1f s, %.0f MiB on disk, peak heap %.0f MiB = %.2f x the volume%n", what, s, size(written) / 1048576.0, peak, peak / volumeMiB);
	}

	private static long usedHeap() {
		long u = 0;
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) u += p.getUsage().getUsed();
		return u;
	}

	private static void resetPeaks() {
		System.gc();
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
	}

	/** Sum of the heap pools' peak usage since the last reset (an upper bound of the simultaneous peak). */
	private static long peakHeap() {
		long u = 0;
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) u += p.getPeakUsage().getUsed();
		return u;
	}

	private static long size(final Path p) throws IOException {
		if (!Files.isDirectory(p)) return Files.size(p);
		try (Stream<Path> s = Files.walk(p)) {
			return s.filter(Files::isRegularFile).mapToLong(f -> { try { return Files.size(f); } catch (final IOException e) { return 0; } }).sum();
		}
	}
}
