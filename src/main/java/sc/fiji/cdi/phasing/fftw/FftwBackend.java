package sc.fiji.cdi.phasing.fftw;

import static org.bytedeco.fftw.global.fftw3.fftwf_execute_dft;

import java.nio.FloatBuffer;
import java.util.concurrent.atomic.DoubleAccumulator;

import org.bytedeco.javacpp.FloatPointer;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.phasing.SeparableBlur;
import sc.fiji.cdi.phasing.PhasingBackend;

/**
 * {@link PhasingBackend} on FFTW 3 (single precision, through the JavaCPP presets). The iterate ρ and the
 * projection buffer live in FFTW-aligned native memory; the elementwise steps run as fused Java loops over
 * direct {@link FloatBuffer} views of that memory, split over {@code threads} threads with deterministic
 * reductions. One HIO iteration touches memory four times: forward FFT ρ → F (out of place, ρ kept), modulus
 * projection of F in place (1/N folded in, χ² accumulated in the same pass), backward FFT in place, HIO update.
 * This is the same data flow as the C reference {@code bench/hio_fftw.c}. Shrink-wrap blurs |ρ| directly
 * ({@link SeparableBlur}, 3× faster here than an FFTW r2c/c2r pair), the planes split over the threads.
 */
public final class FftwBackend implements PhasingBackend {

	private final int threads;
	private final Fftw.Rigour rigour;
	private final ParallelChunks loops;

	/** @param threads FFTW and loop threads (≥ 1); @param rigour planner effort */
	public FftwBackend(final int threads, final Fftw.Rigour rigour) {
		Fftw.require();
		this.threads = threads;
		this.rigour = rigour;
		this.loops = new ParallelChunks(threads);
	}

	/** MEASURE plans (see {@code docs/benchmarks.md}: they pay for themselves within a few iterations at ≥ 128³). */
	public FftwBackend(final int threads) { this(threads, Fftw.Rigour.MEASURE); }

	@Override
	public String name() { return "fftw"; }

	@Override
	public int threads() { return threads; }

	@Override
	public Session open(final Grid grid, final float[] amplitude, final Mask unmeasured, final float[] object, final boolean[] support) {
		PhasingBackend.checkBuffers(grid, amplitude, unmeasured, object, support);
		return new FftwSession(grid, amplitude, unmeasured, object, support);
	}

	private final class FftwSession implements Session {

		private final Grid grid;
		private final int n;
		private final FloatPointer rhoPtr, projPtr;
		private final FloatBuffer rho, proj;
		private final Fftw.Plans plans;
		/** M where measured, −1 where not (one array read per voxel instead of two). */
		private final float[] modulus;
		private final double sumM2;
		private final boolean[] support;
		/** Shrink-wrap work buffer: |ρ|, blurred; allocated at the first shrink-wrap. */
		private float[] work;
		private SeparableBlur blur;
		/** Maximum of work as the last blur computed it; NaN when not known. */
		private double workMaxValue = Double.NaN;
		private float[] sum;
		/** F on the heap for the partial-coherence projection; allocated at its first use. */
		private float[] host;
		private NativeTransforms transforms;

		/**
		 * The partial-coherence model's transforms on this session's in-place backward plan and a native scratch
		 * array of its own: forward(x) = conj(backward(conj x)) for FFTW's unnormalised transforms.
		 */
		private final class NativeTransforms implements sc.fiji.cdi.phasing.PartialCoherence.Transforms {
			private final FloatPointer ptr = Fftw.allocComplex(n);
			private final FloatBuffer buf = ptr.asBuffer();

			@Override
			public void forward(final float[] a) {
				conjugate(a);
				run(a, 1f);
				conjugate(a);
			}

			@Override
			public void inverse(final float[] a) { run(a, 1f / n); }

			private void run(final float[] a, final float scale) {
				checkOpen();
				buf.put(0, a);
				fftwf_execute_dft(plans.backward(), ptr, ptr);
				buf.get(0, a);
				if (scale != 1f) for (int i = 0; i < a.length; i++) a[i] *= scale;
			}

			private void conjugate(final float[] a) { for (int i = 1; i < a.length; i += 2) a[i] = -a[i]; }
		}
		/** Σ|ρ|² outside S and in all, computed by the last update for the current ρ and S; NaN when stale. */
		private double outsideSum = Double.NaN, totalSum = Double.NaN;
		private int accumulated;
		private boolean closed, projected;

		FftwSession(final Grid grid, final float[] amplitude, final Mask unmeasured, final float[] object, final boolean[] support) {
			this.grid = grid;
			this.n = grid.size();
			rhoPtr = Fftw.allocComplex(n);
			FloatPointer p = null;
			try {
				p = Fftw.allocComplex(n);
				plans = Fftw.plans(grid, threads, rigour, rhoPtr, p);
			}
			catch (final RuntimeException e) {
				Fftw.free(rhoPtr);
				Fftw.free(p);
				throw e;
			}
			projPtr = p;
			rho = rhoPtr.asBuffer();
			proj = projPtr.asBuffer();
			modulus = new float[n];
			double s = 0;
			for (int i = 0; i < n; i++) {
				final boolean ok = unmeasured == null || unmeasured.isMeasured(i);
				modulus[i] = ok ? amplitude[i] : -1f;
				if (ok) s += (double) amplitude[i] * amplitude[i];
			}
			sumM2 = s;
			this.support = support.clone();
			rho.put(0, object);
		}

		@Override
		public Grid grid() { return grid; }

		@Override
		public double projectModulus() {
			checkOpen();
			fftwf_execute_dft(plans.forward(), rhoPtr, projPtr);
			final float invN = 1f / n;
			final FloatBuffer f = proj;
			final float[] m = modulus;
			final double err = loops.sum(n, (from, to) -> {
				double e = 0;
				for (int i = from; i < to; i++) {
					final float re = f.get(2 * i), im = f.get(2 * i + 1), mi = m[i];
					if (mi < 0) { // unmeasured: keep F
						f.put(2 * i, re * invN);
						f.put(2 * i + 1, im * invN);
						continue;
					}
					final float mag = (float) Math.sqrt(re * re + im * im);
					final float d = mag - mi;
					e += d * d;
					if (mag > 0) {
						final float s = mi / mag * invN;
						f.put(2 * i, re * s);
						f.put(2 * i + 1, im * s);
					}
					else { // no phase to keep: take it as zero
						f.put(2 * i, mi * invN);
						f.put(2 * i + 1, 0f);
					}
				}
				return e;
			});
			fftwf_execute_dft(plans.backward(), projPtr, projPtr);
			projected = true;
			return sumM2 > 0 ? err / sumM2 : 0;
		}

		@Override
		public double projectModulus(final sc.fiji.cdi.phasing.PartialCoherence coherence, final boolean refine) {
			checkOpen();
			fftwf_execute_dft(plans.forward(), rhoPtr, projPtr);
			if (host == null) host = new float[2 * n];
			proj.get(0, host);
			if (transforms == null) transforms = new NativeTransforms();
			final double chi2 = coherence.project(host, modulus, null, refine, transforms);
			final float invN = 1f / n;
			for (int i = 0; i < 2 * n; i++) host[i] *= invN;
			proj.put(0, host);
			fftwf_execute_dft(plans.backward(), projPtr, projPtr);
			projected = true;
			return chi2;
		}

		/** The native buffers are freed by close(): touching them afterwards would crash the JVM. */
		private void checkOpen() {
			if (closed) throw new IllegalStateException("this FFTW phasing session is closed");
		}

		private void requireProjection(final String what) {
			checkOpen();
			if (!projected) throw new IllegalStateException(what + " needs projectModulus() first");
		}

		/** Records the sums of |ρ|² that the update computed on the way (saves a pass in fractionOutsideSupport). */
		private void updated(final double[] t) {
			outsideSum = t[0];
			totalSum = t[1];
			projected = false;
		}

		private void stale() { outsideSum = totalSum = Double.NaN; }

		/** ρ ← ρ' on γ and ρ ← a·ρ + c·ρ' off γ, with the |ρ|² sums computed on the way. */
		@Override
		public void update(final double a, final double c, final boolean positivity) {
			requireProjection("the support update");
			final float fa = (float) a, fc = (float) c;
			final boolean zeroOutside = a == 0 && c == 0; // ER: no read of ρ off γ
			final FloatBuffer r = rho, p = proj;
			final boolean[] s = support;
			updated(loops.sums(n, 2, (from, to, acc) -> {
				double out = 0, in = 0;
				for (int i = from; i < to; i++) {
					final float pr = p.get(2 * i), pi = p.get(2 * i + 1);
					if (s[i] && (!positivity || pr > 0)) {
						final float im = positivity ? fa * r.get(2 * i + 1) + fc * pi : pi; // a real object: Im is fed back
						r.put(2 * i, pr);
						r.put(2 * i + 1, im);
						in += pr * pr + im * im;
					}
					else if (zeroOutside) {
						r.put(2 * i, 0f);
						r.put(2 * i + 1, 0f);
					}
					else {
						final float re = fa * r.get(2 * i) + fc * pr, im = fa * r.get(2 * i + 1) + fc * pi;
						r.put(2 * i, re);
						r.put(2 * i + 1, im);
						if (s[i]) in += re * re + im * im; // in S, off γ (positivity): inside for the outside fraction
						else out += re * re + im * im;
					}
				}
				acc[0] += out;
				acc[1] += in + out;
			}));
		}

		@Override
		public void blurModulus(final double sigma) {
			checkOpen();
			if (work == null) work = new float[n];
			final FloatBuffer r = rho;
			final float[] w = work;
			if (!(sigma > 0)) {
				loops.forEach(n, (from, to) -> {
					for (int i = from; i < to; i++) {
						final float re = r.get(2 * i), im = r.get(2 * i + 1);
						w[i] = (float) Math.sqrt(re * re + im * im);
					}
				});
				workMaxValue = Double.NaN;
				return;
			}
			if (blur == null || blur.sigma() != sigma) blur = new SeparableBlur(grid, sigma);
			final SeparableBlur b = blur;
			final int nx = grid.nx, ny = grid.ny;
			final SeparableBlur.RowSource modulus = (z, y, out) -> {
				final int base = (z * ny + y) * nx;
				for (int x = 0; x < nx; x++) {
					final float re = r.get(2 * (base + x)), im = r.get(2 * (base + x) + 1);
					out[x] = (float) Math.sqrt(re * re + im * im);
				}
			};
			final DoubleAccumulator max = new DoubleAccumulator(Math::max, Double.NEGATIVE_INFINITY);
			// one part of whole planes per thread (each part reads 2r extra planes)
			loops.forEach(grid.nz, (grid.nz + threads - 1) / threads, (from, to) -> max.accumulate(b.blur(modulus, from, to, w)));
			workMaxValue = max.get();
		}

		@Override
		public double workMax() {
			if (work == null) throw new IllegalStateException("workMax() needs blurModulus() first");
			if (!Double.isNaN(workMaxValue)) return workMaxValue;
			final float[] w = work;
			return loops.max(n, (from, to) -> {
				float m = Float.NEGATIVE_INFINITY;
				for (int i = from; i < to; i++) m = Math.max(m, w[i]);
				return m;
			});
		}

		@Override
		public long supportFromWork(final double level) {
			checkOpen();
			stale();
			if (work == null) throw new IllegalStateException("supportFromWork() needs blurModulus() first");
			final float lv = (float) level;
			final float[] w = work;
			final boolean[] s = support;
			return Math.round(loops.sum(n, (from, to) -> {
				int c = 0;
				for (int i = from; i < to; i++) {
					final boolean in = w[i] >= lv;
					s[i] = in;
					if (in) c++;
				}
				return c;
			}));
		}

		@Override
		public double[] workSquaresInSupport() {
			checkOpen();
			if (work == null) throw new IllegalStateException("workSquaresInSupport() needs blurModulus() first");
			final float[] w = work;
			final boolean[] s = support;
			return loops.sums(n, 2, (from, to, acc) -> {
				double sum = 0;
				long count = 0;
				for (int i = from; i < to; i++) if (s[i]) { sum += (double) w[i] * w[i]; count++; }
				acc[0] += sum;
				acc[1] += count;
			});
		}

		@Override
		public double fractionOutsideSupport() {
			checkOpen();
			if (Double.isNaN(totalSum)) {
				final FloatBuffer r = rho;
				final boolean[] s = support;
				final double[] t = loops.sums(n, 2, (from, to, acc) -> {
					double o = 0, all = 0;
					for (int i = from; i < to; i++) {
						final float re = r.get(2 * i), im = r.get(2 * i + 1);
						final double a2 = re * re + im * im;
						all += a2;
						if (!s[i]) o += a2;
					}
					acc[0] += o;
					acc[1] += all;
				});
				outsideSum = t[0];
				totalSum = t[1];
			}
			return totalSum > 0 ? outsideSum / totalSum : 0;
		}

		@Override
		public void accumulate() {
			checkOpen();
			if (sum == null) sum = new float[2 * n];
			final float[] a = sum;
			final FloatBuffer r = rho;
			loops.forEach(n, (from, to) -> {
				for (int k = 2 * from; k < 2 * to; k++) a[k] += r.get(k);
			});
			accumulated++;
		}

		@Override
		public int accumulated() { return accumulated; }

		@Override
		public float[] readObject() {
			checkOpen();
			final float[] out = new float[2 * n];
			rho.get(0, out);
			return out;
		}

		@Override
		public void readObject(final float[] into) {
			checkOpen();
			if (into.length != 2 * n) throw new IllegalArgumentException("array has " + into.length + " floats, grid " + grid + " needs " + 2 * n);
			rho.get(0, into);
		}

		@Override
		public float[] readAccumulated() { return sum == null ? null : sum.clone(); }

		@Override
		public boolean[] readSupport() { return support.clone(); }

		@Override
		public void writeObject(final float[] interleaved) {
			checkOpen();
			if (interleaved.length != 2 * n) throw new IllegalArgumentException("object has " + interleaved.length + " floats, grid " + grid + " needs " + 2 * n);
			rho.put(0, interleaved);
			projected = false;
			stale();
		}

		@Override
		public void writeSupport(final boolean[] s) {
			if (s.length != n) throw new IllegalArgumentException("support has " + s.length + " values, grid " + grid + " needs " + n);
			System.arraycopy(s, 0, support, 0, n);
			stale();
		}

		@Override
		public void close() {
			if (closed) return;
			closed = true;
			Fftw.free(rhoPtr);
			Fftw.free(projPtr);
			if (transforms != null) Fftw.free(transforms.ptr);
		}
	}
}
