package sc.fiji.cdi.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.model.Networks;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.nn.train.PhysicsLoss;

/**
 * Timing (not a unit test): prediction ms per pattern of the default 3D model at batch 1 and 16, of a full-size
 * AutoPhaseNN (random weights) at 64³, and one training step (forward, physics loss, backward, Adam) of the default
 * architecture, the light variant and AutoPhaseNN.
 * <pre>java [-Dbenchmark.full=false] [-Dbenchmark.fullBatch=4] -cp ... sc.fiji.cdi.bench.NnBenchmark [threads] [device]</pre>
 */
public final class NnBenchmark {

	private NnBenchmark() {}

	public static void main(final String[] args) {
		final int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
		final String dev = args.length > 1 ? args[1] : "auto";
		DjlRuntime.setThreads(threads, 1);
		final Device device = DjlRuntime.device(dev);
		System.out.printf(Locale.ROOT, "DJL %s, PyTorch %s, device %s, %d thread(s), %d cores visible%n", ai.djl.engine.Engine.getDjlVersion(), DjlRuntime.engine().getVersion(), device, threads, Runtime.getRuntime().availableProcessors());
		final Architecture defaultArch;
		try (Predictor p = Predictor.load("3d", dev)) {
			defaultArch = p.card().architecture;
			final int per = p.networkGrid().size();
			for (final int batch : new int[] { 1, 16 }) {
				final float[][] in = new float[batch][];
				for (int i = 0; i < batch; i++) in[i] = random(per, i);
				p.network().forward(in);
				final double[] t = new double[batch == 1 ? 10 : 3];
				for (int r = 0; r < t.length; r++) { final long t0 = System.nanoTime(); p.network().forward(in); t[r] = (System.nanoTime() - t0) / 1e6 / batch; }
				System.out.printf(Locale.ROOT, "default 3D model (%s, %d parameters): batch %d: %.1f ms per pattern (median of %d)%n", p.card().architecture.describe(), p.card().parameterCount, batch, median(t), t.length);
			}
		}
		trainStep(defaultArch, device, 16, 3);
		if (!Boolean.parseBoolean(System.getProperty("benchmark.full", "true"))) return;
		final int fullBatch = Integer.getInteger("benchmark.fullBatch", 4);
		time(Architecture.autoPhaseNN(), device, new int[] { 1, fullBatch }, 2);
		trainStep(Architecture.light3D(32, 16, 3), device, 16, 3);
		trainStep(Architecture.autoPhaseNN(), device, 2, 1);
	}

	private static void time(final Architecture a, final Device device, final int[] batches, final int reps) {
		try (NDManager m = DjlRuntime.engine().newBaseManager(device)) {
			final Block b = Networks.build(a);
			final long[] s = a.sampleShape();
			b.initialize(m, DataType.FLOAT32, new Shape(1, s[0], s[1], s[2], s[3]));
			final long params = ModelFolder.parameterCount(b);
			for (final int batch : batches) {
				final double[] t = new double[reps];
				for (int r = -1; r < reps; r++) {
					try (NDManager sub = m.newSubManager()) {
						final NDArray x = sub.randomUniform(0, 1, new Shape(batch, s[0], s[1], s[2], s[3]));
						final long t0 = System.nanoTime();
						b.forward(new ParameterStore(sub, false), new NDList(x), false).get(0).toFloatArray();
						if (r >= 0) t[r] = (System.nanoTime() - t0) / 1e6 / batch;
					}
				}
				System.out.printf(Locale.ROOT, "%s (%d parameters), random weights: batch %d: %.0f ms per pattern (median of %d)%n", a.describe(), params, batch, median(t), reps);
			}
		}
	}

	private static void trainStep(final Architecture a, final Device device, final int batch, final int reps) {
		try (Model model = Model.newInstance("bench", device, DjlRuntime.PYTORCH)) {
			model.setBlock(Networks.build(a));
			final DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l1Loss()).optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
				.optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT).optDevices(new Device[] { device });
			final long[] s = a.sampleShape();
			final Shape shape = new Shape(batch, s[0], s[1], s[2], s[3]);
			try (Trainer t = model.newTrainer(tc)) {
				t.initialize(shape);
				final double[] times = new double[reps];
				for (int r = -1; r < reps; r++) {
					final long t0 = System.nanoTime();
					try (NDManager m = t.getManager().newSubManager()) {
						final NDArray x = m.randomUniform(0, 1, shape);
						try (GradientCollector gc = t.newGradientCollector()) {
							final NDList out = t.forward(new NDList(x));
							gc.backward(PhysicsLoss.loss(out.get(0), out.get(1), x, PhysicsLoss.DEFAULT_THRESHOLD));
						}
						t.step();
					}
					if (r >= 0) times[r] = (System.nanoTime() - t0) / 1e6;
				}
				System.out.printf(Locale.ROOT, "training step, %s, batch %d, physics loss + Adam: %.0f ms (median of %d)%n", a.describe(), batch, median(times), reps);
			}
		}
	}

	private static float[] random(final int n, final long seed) {
		final Random r = new Random(seed);
		final float[] v = new float[n];
		for (int i = 0; i < n; i++) v[i] = r.nextFloat();
		return v;
	}

	private static double median(final double[] v) {
		final double[] s = v.clone();
		Arrays.sort(s);
		return s[s.length / 2];
	}
}
