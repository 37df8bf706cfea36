package sc.fiji.cdi.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.util.CdiException;

/**
 * Forward-pass time of the bundled default networks ({@link ModelFolder#DEFAULT_3D}, {@link ModelFolder#DEFAULT_2D}, {@link ModelFolder#DEFAULT_2D_128}) on
 * the DJL/PyTorch CPU engine, batch 1 and batch 8, median of 5 after 2 warm-up passes, on random inputs of the
 * network's size (the time does not depend on the values). A model that is not bundled gives a line with
 * {@code "available":false} and the reason. Usage: {@code NnInferenceBenchmark --threads 2 [--device cpu]}
 */
public final class NnInferenceBenchmark {

	private NnInferenceBenchmark() {}

	public static void main(final String[] args) {
		int threads = 2;
		String device = "cpu";
		for (int a = 0; a < args.length - 1; a += 2) {
			switch (args[a]) {
				case "--threads" -> threads = Integer.parseInt(args[a + 1]);
				case "--device" -> device = args[a + 1];
				default -> throw new IllegalArgumentException("unknown option " + args[a]);
			}
		}
		DjlRuntime.setThreads(threads, 1);
		for (final String model : new String[] { ModelFolder.DEFAULT_3D, ModelFolder.DEFAULT_2D, ModelFolder.DEFAULT_2D_128 }) {
			final Predictor p;
			try {
				p = Predictor.loadDefault(model, device);
			}
			catch (final CdiException e) {
				System.out.println(String.format(Locale.ROOT, "{\"op\":\"nn_inference\",\"model\":\"%s\",\"available\":false,\"reason\":\"%s\"}", model,
					e.getMessage().replace("\\", "\\\\").replace("\"", "'")));
				continue;
			}
			try (p) {
				final int n = p.networkGrid().size();
				final SplittableRandom r = new SplittableRandom(1);
				for (final int batch : new int[] { 1, 8 }) {
					final float[][] in = new float[batch][n];
					for (final float[] x : in) for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble();
					final double[] t = new double[5];
					for (int k = -2; k < t.length; k++) {
						final long t0 = System.nanoTime();
						p.network().forward(in);
						if (k >= 0) t[k] = (System.nanoTime() - t0) * 1e-6;
					}
					Arrays.sort(t);
					System.out.println(String.format(Locale.ROOT,
						"{\"op\":\"nn_inference\",\"model\":\"%s\",\"available\":true,\"input\":\"%s\",\"batch\":%d,\"device\":\"%s\",\"threads\":%d,\"ms_median\":%.1f,\"ms_min\":%.1f,\"ms_per_sample\":%.1f}",
						model, p.networkGrid(), batch, device, threads, t[t.length / 2], t[0], t[t.length / 2] / batch));
				}
			}
		}
	}
}
