package sc.fiji.cdi.bench;

import java.util.Locale;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.Backends;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingBackend;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.Progress;

/**
 * A whole reconstruction as a user runs it: a simulated faceted crystal with the CDI NN phase model
 * ({@link SimulationParameters#defaults()}) on a 216×256×256 (z, y, x) grid — the size of cohere's 34-ID-C example —
 * phased from a random start with the default {@link PhasingParameters} (cohere's recipe {@code 3*(20*ER+180*HIO)+20*ER},
 * shrink-wrap every iteration, twin removal, averaging of the last 20 iterates). Prints one JSON line with the wall
 * time of {@link Phaser#run} (setup, FFT plans and the final χ² included), the final χ² and the agreement with the
 * ground truth.
 * <p>
 * Usage: {@code EndToEndBenchmark --backend auto --threads 2 [--grid 216,256,256] [--recipe R] [--photons P]}
 */
public final class EndToEndBenchmark {

	private EndToEndBenchmark() {}

	public static String run(final String backendChoice, final int threads, final Grid grid, final PhasingParameters params, final double photons) {
		final SimulatedCrystal c = CrystalSimulator.simulate(grid, SimulationParameters.defaults().withPhotons(photons), 11);
		final PhasingBackend backend = Backends.select(backendChoice, grid, threads);
		final long t0 = System.nanoTime();
		final PhasingResult r = new Phaser(backend).run(c.diffraction(), params, null, Progress.NONE);
		final double wall = (System.nanoTime() - t0) * 1e-9;
		final Quality.Comparison q = Quality.compare(r.object(), c.object(), c.support());
		return String.format(Locale.ROOT,
			"{\"op\":\"end_to_end\",\"backend\":\"%s\",\"grid\":\"%s\",\"voxels\":%d,\"threads\":%d,\"recipe\":\"%s\",\"iterations\":%d,"
				+ "\"seconds\":%.2f,\"loop_seconds\":%.2f,\"ms_per_iteration\":%.1f,\"final_chi2\":%.4g,\"amplitude_correlation\":%.4f,\"phase_rms_rad\":%.4f,\"photons\":%.3g}",
			r.backend(), grid, grid.size(), threads, params.recipe(), r.iterations(), wall, r.seconds(), 1e3 * r.seconds() / r.iterations(), r.finalChi2(),
			q.amplitudeCorrelation(), q.phaseRmsError(), photons);
	}

	public static void main(final String[] args) {
		String backend = "auto";
		int threads = 2;
		Grid grid = new Grid(216, 256, 256);
		PhasingParameters p = PhasingParameters.defaults();
		double photons = 0;
		for (int a = 0; a < args.length - 1; a += 2) {
			switch (args[a]) {
				case "--backend" -> backend = args[a + 1];
				case "--threads" -> threads = Integer.parseInt(args[a + 1]);
				case "--grid" -> {
					final String[] d = args[a + 1].split(",");
					grid = new Grid(Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]));
				}
				case "--recipe" -> p = p.withRecipe(args[a + 1]);
				case "--photons" -> photons = Double.parseDouble(args[a + 1]);
				default -> throw new IllegalArgumentException("unknown option " + args[a]);
			}
		}
		System.out.println(run(backend, threads, grid, p, photons));
	}
}
