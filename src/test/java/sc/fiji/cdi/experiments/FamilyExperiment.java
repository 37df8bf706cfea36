package sc.fiji.cdi.experiments;

import java.util.Locale;
import java.util.SplittableRandom;

import sc.fiji.cdi.align.Quality;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Moments;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.TestObjects;
import sc.fiji.cdi.pipeline.MultiStart;
import sc.fiji.cdi.simulate.PoissonNoise;
import sc.fiji.cdi.util.Progress;

/**
 * Experiment harness (not a test): crystals from a family of our own, independent of CrystalSimulator — random
 * polyhedra (intersections of 6–12 random half-spaces), placed off-centre by up to n/8, a random strain-like phase
 * (linear + Gaussian bump, up to 2.5 rad), Poisson counts — phased (a) from one start as before, (b) by
 * {@link MultiStart} with the given number of starts. Success: amplitude correlation ≥ 0.9 and phase RMS ≤ 0.3 rad
 * after alignment. Off-centre: distance of the support's centre of mass from n/2; split: the support touches two
 * opposite faces of the box. Args: n crystals starts [recipe].
 */
public final class FamilyExperiment {

	public static void main(final String[] a) {
		final int n = Integer.parseInt(a[0]), count = Integer.parseInt(a[1]), starts = Integer.parseInt(a[2]);
		final PhasingParameters p = a.length > 3 ? PhasingParameters.defaults().withRecipe(a[3]) : PhasingParameters.defaults();
		final JTransformsBackend backend = new JTransformsBackend(Integer.getInteger("threads", 2));
		int okBefore = 0, okAfter = 0, splitBefore = 0, splitAfter = 0;
		final double[] offBefore = new double[count], offAfter = new double[count];
		for (int k = 0; k < count; k++) {
			final TestObjects.Sample s = crystal(Grid.cube(n), 1000 + k);
			final Diffraction clean = s.diffraction();
			final Diffraction data = clean.withValues(new RealVolume(clean.grid(), PoissonNoise.apply(clean.values.data, 1e8, k)), clean.quantity, null, "poisson");
			final long t0 = System.nanoTime();
			final PhasingResult one = new Phaser(backend).run(data, p.withSeed(1), null, Progress.NONE);
			final double t1 = (System.nanoTime() - t0) / 1e9;
			final MultiStart.Result many = MultiStart.run(data, p.withSeed(1), starts, backend, Progress.NONE);
			final double t2 = (System.nanoTime() - t0) / 1e9 - t1;
			// the presented result has its phase ramp removed and its phase zero at the centre: compare it with the truth presented alike
			final sc.fiji.cdi.align.Alignment.Centred truth = sc.fiji.cdi.align.Alignment.present(s.object(), s.support());
			final Quality.Comparison qb = Quality.compare(one.object(), s.object(), s.support()), qa = Quality.compare(many.result().object(), truth.object(), truth.support());
			final boolean gb = qb.amplitudeCorrelation() >= 0.9 && qb.phaseRmsError() <= 0.3, ga = qa.amplitudeCorrelation() >= 0.9 && qa.phaseRmsError() <= 0.3;
			if (gb) okBefore++;
			if (ga) okAfter++;
			offBefore[k] = offCentre(one.support());
			offAfter[k] = offCentre(many.result().support());
			if (split(one.support(), n)) splitBefore++;
			if (split(many.result().support(), n)) splitAfter++;
			System.out.printf(Locale.ROOT, "crystal %d: before corr %.3f rms %.3f chi2 %.4f off %.1f %.0fs | after corr %.3f rms %.3f chi2 %.4f off %.1f averaged %d prtf %.2f vox %.0fs split %b/%b%n",
				k, qb.amplitudeCorrelation(), qb.phaseRmsError(), one.finalChi2(), offBefore[k], t1, qa.amplitudeCorrelation(), qa.phaseRmsError(),
				many.result().finalChi2(), offAfter[k], many.averaged(), many.prtf() == null ? Double.NaN : many.prtf().resolutionVoxels(), t2, split(one.support(), n), split(many.result().support(), n));
		}
		java.util.Arrays.sort(offBefore);
		java.util.Arrays.sort(offAfter);
		System.out.printf(Locale.ROOT, "SUMMARY n=%d crystals=%d starts=%d: success before %d after %d; median off-centre before %.1f after %.1f; split before %d after %d%n",
			n, count, starts, okBefore, okAfter, offBefore[count / 2], offAfter[count / 2], splitBefore, splitAfter);
	}

	static double offCentre(final boolean[] support) {
		final int n = (int) Math.round(Math.cbrt(support.length));
		final double[] c = Moments.centreOfMass(Grid.cube(n), support);
		return Math.sqrt(sq(c[0] - n / 2) + sq(c[1] - n / 2) + sq(c[2] - n / 2));
	}

	/** Whether the largest 6-connected piece of the support (not periodic) touches two opposite faces of the box. */
	static boolean split(final boolean[] s, final int n) {
		final int[] label = new int[s.length];
		int best = 0, bestSize = 0, next = 0;
		final int[] stack = new int[s.length];
		for (int i0 = 0; i0 < s.length; i0++) {
			if (!s[i0] || label[i0] != 0) continue;
			next++;
			int top = 0, size = 0;
			stack[top++] = i0;
			label[i0] = next;
			while (top > 0) {
				final int i = stack[--top];
				size++;
				final int z = i / (n * n), y = (i / n) % n, x = i % n;
				final int[][] nb = { { z - 1, y, x }, { z + 1, y, x }, { z, y - 1, x }, { z, y + 1, x }, { z, y, x - 1 }, { z, y, x + 1 } };
				for (final int[] q : nb) {
					if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[0] >= n || q[1] >= n || q[2] >= n) continue;
					final int j = (q[0] * n + q[1]) * n + q[2];
					if (s[j] && label[j] == 0) { label[j] = next; stack[top++] = j; }
				}
			}
			if (size > bestSize) { bestSize = size; best = next; }
		}
		final boolean[] lo = new boolean[3], hi = new boolean[3];
		for (int i = 0; i < s.length; i++) {
			if (label[i] != best || best == 0) continue;
			final int[] r = { i / (n * n), (i / n) % n, i % n };
			for (int d = 0; d < 3; d++) { if (r[d] == 0) lo[d] = true; if (r[d] == n - 1) hi[d] = true; }
		}
		for (int d = 0; d < 3; d++) if (lo[d] && hi[d]) return true;
		return false;
	}

	/** A random polyhedron of about 0.3–0.4 of the box, off-centre by up to n/8 per axis, with a smooth phase. */
	static TestObjects.Sample crystal(final Grid g, final long seed) {
		final SplittableRandom r = new SplittableRandom(seed);
		final int n = g.nx;
		final int planes = 6 + r.nextInt(7);
		final double[][] normal = new double[planes][];
		final double[] dist = new double[planes];
		for (int k = 0; k < planes; k++) {
			final double u = 2 * r.nextDouble() - 1, phi = 2 * Math.PI * r.nextDouble(), st = Math.sqrt(1 - u * u);
			normal[k] = new double[] { u, st * Math.cos(phi), st * Math.sin(phi) };
			dist[k] = n * (0.13 + 0.07 * r.nextDouble());
		}
		final double[] centre = new double[3], grad = new double[3];
		for (int d = 0; d < 3; d++) { centre[d] = n / 2 + (2 * r.nextDouble() - 1) * n / 8.0; grad[d] = (2 * r.nextDouble() - 1) * 0.08; }
		final double bump = 1.5 * r.nextDouble(), bw = n * 0.08;
		final float[] amp = new float[g.size()], ph = new float[g.size()];
		for (int z = 0, i = 0; z < n; z++) for (int y = 0; y < n; y++) for (int x = 0; x < n; x++, i++) {
			final double[] v = { z - centre[0], y - centre[1], x - centre[2] };
			double depth = Double.POSITIVE_INFINITY;
			for (int k = 0; k < planes; k++) depth = Math.min(depth, dist[k] - (v[0] * normal[k][0] + v[1] * normal[k][1] + v[2] * normal[k][2]));
			final double a = 0.5 * (1 + Math.tanh(depth / 0.7));
			amp[i] = (float) (a < 0.1 ? 0 : a);
			ph[i] = (float) (grad[0] * v[0] + grad[1] * v[1] + grad[2] * v[2] + bump * Math.exp(-(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) / (2 * bw * bw)));
		}
		return TestObjects.sample(ComplexVolume.fromAmplitudePhase(new RealVolume(g, amp), new RealVolume(g, ph)));
	}

	private static double sq(final double v) { return v * v; }
}
