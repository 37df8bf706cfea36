package sc.fiji.cdi.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;

import org.jtransforms.fft.FloatFFT_3D;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.phasing.Backends;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.fftw.Fftw;
import sc.fiji.cdi.phasing.fftw.FftwBackend;
import sc.fiji.cdi.phasing.PhasingBackend;

/**
 * Times one ER and one HIO iteration ({@code projectModulus()} + update) of a phasing backend on the problem that
 * {@code bench/hio_fftw.c} times: a centred cube of side n/4 with a smooth phase, a centred cubic support of side n/2,
 * |FFT| as the measured amplitude with a 3×3×3 unmeasured "beam stop" at zero frequency, and a random start.
 * Prints one JSON line per (backend, size, operation) with the median and minimum over the repetitions, after a
 * warm-up (JIT, planner, allocator); {@code open_ms} is the session set-up (FFTW plans, DJL engine and buffers).
 * Operations: {@code hio} and {@code er} (projectModulus + update) and {@code shrinkwrap} (blur σ = 1, max, threshold);
 * {@code cg}: one iteration of the conjugate-gradient polish, timed through {@link Phaser} as (t(10·ER + k·CG) −
 * t(10·ER)) / k, the best of three runs each (CG is a recipe operator, not a session operation).
 * <p>
 * Usage: {@code IterationBenchmark --backends fftw,jtransforms,djl --sizes 64,128,256 --threads 2}
 */
public final class IterationBenchmark {

	private IterationBenchmark() {}

	/** The benchmark problem of size n³: amplitude and its unmeasured pixels (unshifted), support, start. */
	public record Problem(Grid grid, float[] amplitude, Mask unmeasured, boolean[] support, float[] start) {}

	public static Problem problem(final int d) {
		final Grid g = Grid.cube(d);
		final int n = g.size();
		final float[] obj = new float[2 * n];
		final boolean[] support = new boolean[n];
		for (int z = 0; z < d; z++) for (int y = 0; y < d; y++) for (int x = 0; x < d; x++) {
			final int i = g.index(z, y, x);
			final boolean in = Math.abs(z - d / 2) < d / 8 && Math.abs(y - d / 2) < d / 8 && Math.abs(x - d / 2) < d / 8;
			final double ph = 0.3 * x / d + 0.2 * y / d;
			obj[2 * i] = in ? (float) Math.cos(ph) : 0;
			obj[2 * i + 1] = in ? (float) Math.sin(ph) : 0;
			support[i] = Math.abs(z - d / 2) < d / 4 && Math.abs(y - d / 2) < d / 4 && Math.abs(x - d / 2) < d / 4;
		}
		new FloatFFT_3D(d, d, d).complexForward(obj);
		final float[] amp = new float[n];
		for (int i = 0; i < n; i++) amp[i] = (float) Math.hypot(obj[2 * i], obj[2 * i + 1]);
		final boolean[] unmeasured = new boolean[n]; // a 3×3×3 block around zero frequency
		for (int z = -1; z <= 1; z++) for (int y = -1; y <= 1; y++) for (int x = -1; x <= 1; x++)
			unmeasured[g.index(Math.floorMod(z, d), Math.floorMod(y, d), Math.floorMod(x, d))] = true;
		final Random rnd = new Random(1);
		final float[] start = new float[2 * n];
		for (int i = 0; i < n; i++) if (support[i]) {
			start[2 * i] = rnd.nextFloat();
			start[2 * i + 1] = rnd.nextFloat();
		}
		return new Problem(g, amp, Mask.fromUnmeasured(g, unmeasured), support, start);
	}

	/** Median and minimum in ms of {@code reps} timed iterations after {@code warmup} untimed ones. */
	public static double[] time(final PhasingBackend.Session s, final String op, final boolean[] support, final int warmup, final int reps) {
		final double[] t = new double[reps];
		for (int r = -warmup; r < reps; r++) {
			final long t0 = System.nanoTime();
			switch (op) {
				case "hio" -> { s.projectModulus(); s.hio(0.9); }
				case "er" -> { s.projectModulus(); s.er(); }
				default -> { // cohere's shrink-wrap, undone so every repetition starts from the same support
					s.blurModulus(1.0);
					s.supportFromWork(0.1 * s.workMax());
					s.writeSupport(support);
				}
			}
			if (r >= 0) t[r] = (System.nanoTime() - t0) * 1e-6;
		}
		Arrays.sort(t);
		return new double[] { t[reps / 2], t[0] };
	}

	public static int repsFor(final int d) { return d <= 64 ? 60 : d <= 128 ? 20 : 8; }

	static int warmup(final int d) { return d <= 64 ? 10 : d <= 128 ? 4 : 2; }

	/** Runs the benchmark; {@code factory} makes a backend from its name and the thread count. */
	public static List<String> run(final List<String> backends, final int[] sizes, final int threads,
		final BiFunction<String, Integer, PhasingBackend> factory)
	{
		final List<String> lines = new ArrayList<>();
		for (final int d : sizes) {
			final Problem p = problem(d);
			for (final String name : backends) {
				final PhasingBackend b = factory.apply(name, threads);
				final long t0 = System.nanoTime();
				try (PhasingBackend.Session s = b.open(p.grid(), p.amplitude(), p.unmeasured(), p.start(), p.support())) {
					final double openMs = (System.nanoTime() - t0) * 1e-6;
					for (final String op : new String[] { "hio", "er", "shrinkwrap" }) {
						s.writeObject(p.start());
						final double[] t = time(s, op, p.support(), warmup(d), repsFor(d));
						final String line = String.format(Locale.ROOT,
							"{\"op\":\"%s\",\"backend\":\"%s\",\"n\":%d,\"threads\":%d,\"ms_median\":%.3f,\"ms_min\":%.3f,\"reps\":%d,\"open_ms\":%.0f}",
							op, b.name(), d, threads, t[0], t[1], repsFor(d), openMs);
						System.out.println(line);
						lines.add(line);
					}
					final double cg = cgMs(p, b, repsFor(d));
					final String line = String.format(Locale.ROOT, "{\"op\":\"cg\",\"backend\":\"%s\",\"n\":%d,\"threads\":%d,\"ms_median\":%.3f,\"reps\":%d}", b.name(), d, threads, cg, repsFor(d));
					System.out.println(line);
					lines.add(line);
				}
			}
		}
		return lines;
	}

	/** One CG iteration in ms: (t(10·ER + k·CG) − t(10·ER)) / k through {@link Phaser}, the best of 3 runs each. */
	static double cgMs(final Problem p, final PhasingBackend b, final int k) {
		final Grid g = p.grid();
		final float[] intensity = new float[g.size()];
		for (int i = 0; i < intensity.length; i++) intensity[i] = p.amplitude()[i] * p.amplitude()[i];
		final Diffraction data = new Diffraction(new RealVolume(g, FftShift.fftshift(g, intensity, 1)), Quantity.INTENSITY, Mask.fromUnmeasured(g, FftShift.fftshift(g, p.unmeasured().toArray())), new ProcessingLog(), "benchmark " + g);
		final PhasingParameters q = PhasingParameters.defaults().withShrinkWrapPeriod(0).withTwinRemoval(false).withAverageLast(0);
		final InitialGuess guess = new InitialGuess(new ComplexVolume(g, p.start().clone()), p.support());
		final Phaser phaser = new Phaser(b);
		double er = Double.MAX_VALUE, withCg = Double.MAX_VALUE;
		for (int r = 0; r < 3; r++) {
			er = Math.min(er, phaser.run(data, q.withRecipe("10*ER"), guess, null).seconds());
			withCg = Math.min(withCg, phaser.run(data, q.withRecipe("10*ER+" + k + "*CG"), guess, null).seconds());
		}
		return Math.max(0, withCg - er) * 1e3 / k;
	}

	public static void main(final String[] args) {
		List<String> backends = List.of("fftw", "jtransforms", "djl");
		int[] sizes = { 64, 128, 256 };
		int threads = 2;
		for (int a = 0; a < args.length - 1; a += 2) {
			switch (args[a]) {
				case "--backends" -> backends = List.of(args[a + 1].split(","));
				case "--sizes" -> sizes = Arrays.stream(args[a + 1].split(",")).mapToInt(Integer::parseInt).toArray();
				case "--threads" -> threads = Integer.parseInt(args[a + 1]);
				default -> throw new IllegalArgumentException("unknown option " + args[a]);
			}
		}
		run(backends, sizes, threads, (name, t) -> name.equals("fftw-estimate") ? new FftwBackend(t, Fftw.Rigour.ESTIMATE)
			: Backends.select(name, Grid.cube(1), t));
	}
}
