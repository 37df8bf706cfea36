package sc.fiji.cdi.phasing;

import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;

/**
 * CPU backend on the Java heap: JTransforms 3.1 complex FFTs (2D when nz == 1, else 3D) on interleaved float[]
 * and multithreaded, fused elementwise loops.
 * <p>
 * Threads: the elementwise loops use a fixed pool of {@code threads} per session, split into as many contiguous
 * chunks; reductions (χ², sums, maxima) are per-chunk partial sums added in chunk order, so a run is bit-identical
 * for a given thread count. The FFTs run with this backend's {@code threads} through {@link Fft}, which keeps
 * JTransforms' JVM-global thread count consistent when several reconstructions run at once (see there).
 * <p>
 * Shrink-wrap blur: {@link SeparableBlur} (separable Gaussian with <b>periodic</b> boundaries, as the DFT treats
 * the array; objects are away from the edges when oversampled), the planes split over the threads.
 * All buffers are allocated when a session opens; an iteration allocates no arrays.
 */
public final class JTransformsBackend implements PhasingBackend {

	private final int threads;

	/** @param threads threads for the FFTs and the elementwise loops (≥ 1) */
	public JTransformsBackend(final int threads) {
		if (threads < 1) throw new IllegalArgumentException("JTransforms backend: thread count must be >= 1, got " + threads);
		this.threads = threads;
	}

	@Override
	public int threads() { return threads; }

	@Override
	public String name() { return "jtransforms"; }

	@Override
	public Session open(final Grid grid, final float[] amplitude, final Mask unmeasured, final float[] object, final boolean[] support) {
		PhasingBackend.checkBuffers(grid, amplitude, unmeasured, object, support);
		return new JSession(grid, amplitude, unmeasured, object, support);
	}

	private final class JSession implements Session {

		private final Grid grid;
		private final int n;
		private final ChunkedLoops loops;
		private final float[] amp;
		/** The mask's own array, true = unmeasured (null: all measured). */
		private final boolean[] unmeasured;
		private final float[] rho, proj;
		private final boolean[] support;
		private final float[] work;
		private float[] avg;
		private int accumulated;
		private boolean projected;
		/** Per-chunk partial results, reused. */
		private final double[] partA, partB;
		private final long[] partCount;
		private SeparableBlur blur;
		private PartialCoherence.Transforms transforms;
		/** Maximum of work as the last blur computed it; NaN when not known. */
		private double workMaxValue = Double.NaN;

		JSession(final Grid grid, final float[] amplitude, final Mask unmeasured, final float[] object, final boolean[] support) {
			this.grid = grid;
			this.n = grid.size();
			this.loops = new ChunkedLoops(threads);
			// read only for the whole session (PhasingBackend#open): shared, not copied
			this.amp = amplitude;
			this.unmeasured = unmeasured == null ? null : unmeasured.unmeasuredArray();
			this.rho = object.clone();
			this.proj = new float[2 * n];
			this.support = support.clone();
			this.work = new float[n];
			this.partA = new double[loops.chunks];
			this.partB = new double[loops.chunks];
			this.partCount = new long[loops.chunks];
		}

		@Override
		public Grid grid() { return grid; }


		@Override
		public double projectModulus() {
			System.arraycopy(rho, 0, proj, 0, 2 * n);
			Fft.forward(grid, proj, threads);
			// One pass: χ² numerator/denominator and the modulus replacement F ← M·F/|F| where measured.
			loops.run(n, (c, from, to) -> {
				double num = 0, den = 0;
				final float[] f = proj, m = amp;
				final boolean[] bad = unmeasured;
				for (int i = from; i < to; i++) {
					if (bad != null && bad[i]) continue;
					final float re = f[2 * i], im = f[2 * i + 1];
					final double mod = Math.sqrt((double) re * re + (double) im * im);
					final double mi = m[i];
					final double d = mod - mi;
					num += d * d;
					den += mi * mi;
					if (mod > 0) {
						final double s = mi / mod;
						f[2 * i] = (float) (re * s);
						f[2 * i + 1] = (float) (im * s);
					} else {
						// |F| = 0: phase undefined, take it as 0 (PyNX and cohere do the same in effect).
						f[2 * i] = (float) mi;
						f[2 * i + 1] = 0f;
					}
				}
				partA[c] = num;
				partB[c] = den;
			});
			double num = 0, den = 0;
			for (int c = 0; c < loops.chunks; c++) { num += partA[c]; den += partB[c]; }
			Fft.inverse(grid, proj, threads);
			projected = true;
			return den > 0 ? num / den : 0;
		}

		@Override
		public double projectModulus(final PartialCoherence coherence, final boolean refine) {
			System.arraycopy(rho, 0, proj, 0, 2 * n);
			Fft.forward(grid, proj, threads);
			if (transforms == null) transforms = PartialCoherence.Transforms.jtransforms(grid, threads);
			final double chi2 = coherence.project(proj, amp, unmeasured, refine, transforms);
			Fft.inverse(grid, proj, threads);
			projected = true;
			return chi2;
		}

		private void requireProjection(final String what) {
			if (!projected) throw new IllegalStateException(what + " needs projectModulus() first");
		}

		@Override
		public void update(final double a, final double c, final boolean positivity) {
			requireProjection("the support update");
			final float fa = (float) a, fc = (float) c;
			final boolean zeroOutside = a == 0 && c == 0; // ER: no read of ρ off γ
			loops.run(n, (ch, from, to) -> {
				for (int i = from; i < to; i++) {
					final float pr = proj[2 * i], pi = proj[2 * i + 1];
					if (support[i] && (!positivity || pr > 0)) {
						rho[2 * i] = pr;
						rho[2 * i + 1] = positivity ? fa * rho[2 * i + 1] + fc * pi : pi; // a real object: Im is fed back
					}
					else if (zeroOutside) { rho[2 * i] = 0f; rho[2 * i + 1] = 0f; }
					else {
						rho[2 * i] = fa * rho[2 * i] + fc * pr;
						rho[2 * i + 1] = fa * rho[2 * i + 1] + fc * pi;
					}
				}
			});
			projected = false;
		}

		@Override
		public void blurModulus(final double sigma) {
			if (!(sigma > 0)) {
				loops.run(n, (c, from, to) -> {
					for (int i = from; i < to; i++) work[i] = modulus(i);
				});
				workMaxValue = Double.NaN;
				return;
			}
			if (blur == null || blur.sigma() != sigma) blur = new SeparableBlur(grid, checkSigma(sigma));
			final SeparableBlur b = blur;
			final int nx = grid.nx, ny = grid.ny;
			final SeparableBlur.RowSource modulus = (z, y, out) -> {
				final int base = (z * ny + y) * nx;
				for (int x = 0; x < nx; x++) out[x] = modulus(base + x);
			};
			loops.runCoarse(grid.nz, (c, from, to) -> partA[c] = from < to ? b.blur(modulus, from, to, work) : Double.NEGATIVE_INFINITY);
			double m = Double.NEGATIVE_INFINITY;
			for (int c = 0; c < loops.chunks; c++) m = Math.max(m, partA[c]);
			workMaxValue = m;
		}

		private float modulus(final int i) {
			return (float) Math.sqrt((double) rho[2 * i] * rho[2 * i] + (double) rho[2 * i + 1] * rho[2 * i + 1]);
		}

		@Override
		public double workMax() {
			if (!Double.isNaN(workMaxValue)) return workMaxValue;
			loops.run(n, (c, from, to) -> {
				float m = Float.NEGATIVE_INFINITY;
				for (int i = from; i < to; i++) if (work[i] > m) m = work[i];
				partA[c] = m;
			});
			double m = Double.NEGATIVE_INFINITY;
			for (int c = 0; c < loops.chunks; c++) m = Math.max(m, partA[c]);
			return m;
		}

		@Override
		public long supportFromWork(final double level) {
			final float lv = (float) level;
			loops.run(n, (c, from, to) -> {
				long count = 0;
				for (int i = from; i < to; i++) {
					final boolean in = work[i] >= lv;
					support[i] = in;
					if (in) count++;
				}
				partCount[c] = count;
			});
			long count = 0;
			for (int c = 0; c < loops.chunks; c++) count += partCount[c];
			return count;
		}

		@Override
		public double[] workSquaresInSupport() {
			loops.run(n, (c, from, to) -> {
				double sum = 0;
				long count = 0;
				for (int i = from; i < to; i++) if (support[i]) { sum += (double) work[i] * work[i]; count++; }
				partA[c] = sum;
				partCount[c] = count;
			});
			double sum = 0;
			long count = 0;
			for (int c = 0; c < loops.chunks; c++) { sum += partA[c]; count += partCount[c]; }
			return new double[] { sum, count };
		}

		@Override
		public double fractionOutsideSupport() {
			loops.run(n, (c, from, to) -> {
				double out = 0, all = 0;
				for (int i = from; i < to; i++) {
					final double p = (double) rho[2 * i] * rho[2 * i] + (double) rho[2 * i + 1] * rho[2 * i + 1];
					all += p;
					if (!support[i]) out += p;
				}
				partA[c] = out;
				partB[c] = all;
			});
			double out = 0, all = 0;
			for (int c = 0; c < loops.chunks; c++) { out += partA[c]; all += partB[c]; }
			return all > 0 ? out / all : 0;
		}

		@Override
		public void accumulate() {
			if (avg == null) avg = new float[2 * n];
			final float[] a = avg;
			loops.run(2 * n, (c, from, to) -> {
				for (int i = from; i < to; i++) a[i] += rho[i];
			});
			accumulated++;
		}

		@Override
		public int accumulated() { return accumulated; }

		@Override
		public float[] readObject() { return rho.clone(); }

		@Override
		public void readObject(final float[] into) {
			if (into.length != rho.length) throw new IllegalArgumentException("array has " + into.length + " floats, grid " + grid + " needs " + rho.length);
			System.arraycopy(rho, 0, into, 0, rho.length);
		}

		@Override
		public float[] readAccumulated() { return avg == null ? null : avg.clone(); }

		@Override
		public boolean[] readSupport() { return support.clone(); }

		@Override
		public void writeObject(final float[] interleaved) {
			if (interleaved.length != 2 * n) throw new IllegalArgumentException("object has " + interleaved.length + " floats, grid " + grid + " needs " + 2 * n);
			System.arraycopy(interleaved, 0, rho, 0, 2 * n);
			projected = false;
		}

		@Override
		public void writeSupport(final boolean[] s) {
			if (s.length != n) throw new IllegalArgumentException("support has " + s.length + " values, grid " + grid + " has " + n);
			System.arraycopy(s, 0, support, 0, n);
		}

		@Override
		public void close() {
			loops.close();
			avg = null;
		}
	}

	/** Largest blur σ (voxels) a session accepts. */
	static final double MAX_SIGMA = 20;

	static double checkSigma(final double sigma) {
		if (sigma > MAX_SIGMA) throw new IllegalArgumentException("blur sigma " + sigma + " voxels exceeds " + MAX_SIGMA);
		return sigma;
	}

	@Override
	public String toString() { return "jtransforms(" + threads + " threads)"; }
}
