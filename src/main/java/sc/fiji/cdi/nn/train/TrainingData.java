package sc.fiji.cdi.nn.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.phasing.FftShift;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Training samples of simulated crystals ({@link CrystalRecipe#crystal}). Each sample holds the network input (diffraction
 * amplitude √I, centred, normalised to max 1 — the AutoPhaseNN / 3D-CDI-NN convention), the same amplitude
 * ifftshifted for {@link PhysicsLoss}, and the ground-truth amplitude (normalised to max 1) and phase (radians,
 * 0 outside the support) for supervised losses.
 */
public final class TrainingData {

	/**
	 * One training pattern: network input, ifftshifted target, ground truth (null for measured data), and which target
	 * pixels are measured (1/0, ifftshifted; null: all).
	 */
	public record Sample(float[] input, float[] targetUnshifted, float[] amplitude, float[] phase, long seed, float[] measuredUnshifted) {
		public Sample(final float[] input, final float[] targetUnshifted, final float[] amplitude, final float[] phase, final long seed) {
			this(input, targetUnshifted, amplitude, phase, seed, null);
		}
	}

	private TrainingData() {}

	/**
	 * Java-heap bytes {@code count} samples on {@code grid} hold ({@link Sample}: input, target, amplitude and phase,
	 * and the measured pixels when the recipe draws detector gaps), kept for the whole training.
	 */
	public static long bytes(final Grid grid, final int count, final boolean gaps) {
		return (long) count * grid.size() * Float.BYTES * (gaps ? 5 : 4);
	}

	/**
	 * Generates samples {@code from … from+count−1}. Sequential: the simulator's cached JTransforms plans are not
	 * safe for concurrent use (an ArrayIndexOutOfBoundsException inside FloatFFT_1D was observed with 2 threads).
	 */
	public static List<Sample> generate(final Grid grid, final CrystalRecipe recipe, final long seed, final int from, final int count, final int threads, final Progress progress) {
		final Sample[] out = new Sample[count];
		final AtomicInteger done = new AtomicInteger();
		final java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(1);
		try {
			pool.submit(() -> IntStream.range(0, count).parallel().forEach(i -> {
				if (progress.isCancelled()) return;
				out[i] = sample(recipe.crystal(grid, seed, from + i), from + i);
				final int d = done.incrementAndGet();
				if (d % 50 == 0) progress.status("Simulating crystals " + d + "/" + count);
			})).get();
		} catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new CdiException("Interrupted while simulating training data.", e);
		} catch (final java.util.concurrent.ExecutionException e) {
			if (e.getCause() instanceof RuntimeException re) throw re;
			throw new CdiException("Simulating training data failed: " + e.getCause(), e.getCause());
		} finally {
			pool.shutdown();
		}
		progress.checkCancelled();
		return new ArrayList<>(List.of(out));
	}

	/** The network sample of a simulated crystal. */
	public static Sample sample(final SimulatedCrystal c, final long seed) {
		final Grid g = c.object().grid;
		final float[] in = normalisedAmplitude(c.diffraction().amplitude());
		final RealVolume a = c.amplitude();
		final float[] amp = a.data;
		final float max = (float) a.max();
		if (max > 0) for (int i = 0; i < amp.length; i++) amp[i] /= max;
		final Diffraction d = c.diffraction();
		if (d.unmeasuredCount() == 0) return new Sample(in, unshiftedTarget(g, in), amp, c.phase().data, seed);
		// unmeasured pixels (detector gaps): 0 in the input, left out of the physics loss
		final float[] measured = new float[in.length];
		for (int i = 0; i < in.length; i++) {
			if (d.isMeasured(i)) measured[i] = 1;
			else in[i] = 0;
		}
		return new Sample(in, unshiftedTarget(g, in), amp, c.phase().data, seed, unshiftedTarget(g, measured));
	}

	/** √I (or |F|) divided by its maximum; a copy. */
	public static float[] normalisedAmplitude(final RealVolume amplitude) {
		final float[] a = amplitude.data.clone();
		float max = 0;
		for (final float v : a) if (v > max) max = v;
		if (!(max > 0)) throw new CdiException("The diffraction pattern is zero everywhere: nothing to normalise.");
		for (int i = 0; i < a.length; i++) a[i] = Math.max(0f, a[i]) / max;
		return a;
	}

	/** The centred amplitude moved so that zero frequency is at index 0 (see {@link PhysicsLoss}). */
	public static float[] unshiftedTarget(final Grid g, final float[] centred) {
		return FftShift.ifftshift(g, centred, 1);
	}
}
