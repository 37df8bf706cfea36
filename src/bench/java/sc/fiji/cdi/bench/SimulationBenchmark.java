package sc.fiji.cdi.bench;

import java.util.Locale;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;

/**
 * Throughput of {@link CrystalSimulator}: samples per minute at 32³ and 64³, noise-free and with 10⁸-photon Poisson
 * noise, default parameters (faceted crystal, sines-and-Gaussians phase). Run with
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) sc.fiji.cdi.bench.SimulationBenchmark [seconds per case]}.
 */
public final class SimulationBenchmark {

	private SimulationBenchmark() {}

	private static long cpuNanos() {
		final java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
		return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
	}

	public static void main(final String[] args) {
		final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
		System.out.println("threads available: " + Runtime.getRuntime().availableProcessors());
		for (final int n : new int[] { 32, 64 })
			for (final double photons : new double[] { 0, 1e8 }) {
				final Grid g = Grid.cube(n);
				final SimulationParameters p = SimulationParameters.defaults().withPhotons(photons);
				for (int i = 0; i < 20; i++) CrystalSimulator.simulate(g, p, i); // warm-up
				long count = 0;
				final long c0 = cpuNanos(), t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
				while (System.nanoTime() < end) CrystalSimulator.simulate(g, p, 1000 + count++);
				final double s = (System.nanoTime() - t0) / 1e9, cpu = (cpuNanos() - c0) / 1e9;
				// CPU time per sample does not depend on what else runs on the machine: with k free cores the
				// throughput lies between 60/cpu and k·60/cpu samples per minute
				System.out.println(String.format(Locale.ROOT, "%d^3 %-11s %8.0f samples/minute wall clock (%.2f ms/sample), %.2f CPU-ms/sample = %.0f samples per CPU-minute",
					n, photons > 0 ? "1e8 photons" : "noise-free", 60 * count / s, 1000 * s / count, 1000 * cpu / count, 60 * count / cpu));
			}
	}
}
