package sc.fiji.cdi.phasing.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.phasing.PhasingBackend;
import sc.fiji.cdi.phasing.GaussianBlur;

/**
 * {@link PhasingBackend} on DJL NDArrays with the PyTorch engine, on the CPU (FFTs by PyTorch's pocketfft/MKL) or on a
 * GPU (cuFFT). The iterate ρ, the projection ρ', the measured modulus, the support and the shrink-wrap work buffer
 * stay on the device for the whole reconstruction; only the scalar reductions (χ², maxima, counts) come back each
 * iteration. ρ is complex64; the 3D FFT is one {@code fft2} call over the three axes.
 * <p>
 * The support updates are written as in-place multiply–adds with precomputed real coefficient arrays
 * (HIO: ρ ← ρ·(1−S) + ρ'·(S − β(1−S)); ER: ρ ← ρ'·S; RAAR: ρ ← ρ·β(1−S) + ρ'·(S + (1−2β)(1−S))), so an update
 * allocates nothing. The modulus projection and the blur allocate temporaries inside an {@link NDScope} that frees
 * them at once (DJL otherwise keeps every intermediate until the manager closes).
 * <p>
 * Shrink-wrap blur: multiplication of rfft(|ρ|) by the DFT of the same truncated, periodic Gaussian kernel that the
 * CPU backends convolve with ({@link GaussianBlur#kernel}), which is the same periodic convolution computed through
 * the convolution theorem.
 */
public final class DjlBackend implements PhasingBackend {

	private static final long[] AXES_3D = { 0, 1, 2 };

	private final Device device;
	private final Engine engine;
	private final int threads;

	/**
	 * @param device  "cpu", "gpu", "gpu:N" or "auto" (see {@link DjlRuntime#device})
	 * @param threads PyTorch intra-op threads on the CPU
	 */
	public DjlBackend(final String device, final int threads) {
		DjlRuntime.setThreads(threads, 1);
		this.threads = Math.max(1, threads);
		this.engine = DjlRuntime.engine();
		this.device = DjlRuntime.device(device);
	}

	@Override
	public String name() { return device.isGpu() ? "djl-gpu" : "djl-cpu"; }

	public Device device() { return device; }

	/** The host threads (the CG polish's passes over the host arrays); PyTorch's intra-op threads are set to the same. */
	@Override
	public int threads() { return threads; }

	@Override
	public Session open(final Grid grid, final float[] amplitude, final Mask unmeasured, final float[] object, final boolean[] support) {
		PhasingBackend.checkBuffers(grid, amplitude, unmeasured, object, support);
		return new DjlSession(grid, amplitude, unmeasured, object, support);
	}

	private final class DjlSession implements Session {

		private final Grid grid;
		private final NDManager manager;
		private final Shape shape;
		private final long[] sizes;
		/** M·[measured] (0 where unmeasured), [measured], [not measured] as float32. */
		private final NDArray amp, measuredF, unmeasuredF;
		private final double sumM2;
		private NDArray rho, proj, work, avg;
		/** S and 1 − S as float32. */
		private NDArray supportF, outsideF;
		/** Cached update coefficients for the current support and β. */
		private NDArray coefA, coefB;
		private String coefKey;
		private NDArray blurTransfer;
		private double blurSigma = Double.NaN;
		private int accumulated;
		private boolean projected, closed;

		DjlSession(final Grid grid, final float[] amplitude, final Mask unmeasured, final float[] object, final boolean[] support) {
			this.grid = grid;
			final int n = grid.size();
			manager = engine.newBaseManager(device);
			shape = new Shape(grid.nz, grid.ny, grid.nx);
			sizes = new long[] { grid.nz, grid.ny, grid.nx };
			final float[] a = new float[n], mf = new float[n], uf = new float[n];
			double s = 0;
			for (int i = 0; i < n; i++) {
				final boolean ok = unmeasured == null || unmeasured.isMeasured(i);
				a[i] = ok ? amplitude[i] : 0f;
				mf[i] = ok ? 1f : 0f;
				uf[i] = ok ? 0f : 1f;
				if (ok) s += (double) amplitude[i] * amplitude[i];
			}
			sumM2 = s;
			amp = manager.create(a, shape);
			measuredF = manager.create(mf, shape);
			unmeasuredF = manager.create(uf, shape);
			rho = complex(object);
			setSupport(support);
		}

		private NDArray complex(final float[] interleaved) {
			final NDArray pairs = manager.create(interleaved, new Shape(grid.nz, grid.ny, grid.nx, 2));
			final NDArray c = pairs.complex();
			pairs.close(); // the complex view keeps the storage alive
			return c;
		}

		private void setSupport(final boolean[] support) {
			final float[] sf = new float[support.length], of = new float[support.length];
			for (int i = 0; i < support.length; i++) {
				sf[i] = support[i] ? 1f : 0f;
				of[i] = support[i] ? 0f : 1f;
			}
			replaceSupport(manager.create(sf, shape), manager.create(of, shape));
		}

		private void replaceSupport(final NDArray s, final NDArray o) {
			if (supportF != null) supportF.close();
			if (outsideF != null) outsideF.close();
			supportF = s;
			outsideF = o;
			dropCoefficients();
		}

		private void dropCoefficients() {
			if (coefA != null) coefA.close();
			if (coefB != null) coefB.close();
			coefA = coefB = null;
			coefKey = null;
		}

		private void checkOpen() {
			if (closed) throw new IllegalStateException("this DJL phasing session is closed");
		}

		private void requireProjection(final String what) {
			checkOpen();
			if (!projected) throw new IllegalStateException(what + " needs projectModulus() first");
		}

		/** Keeps {@code a} beyond the enclosing NDScope. */
		private static NDArray keep(final NDArray a) {
			NDScope.unregister(a);
			return a;
		}

		@Override
		public Grid grid() { return grid; }

		private NDArray fft(final NDArray a) { return grid.is2D() ? a.fft2(new long[] { grid.ny, grid.nx }, new long[] { 1, 2 }) : a.fft2(sizes, AXES_3D); }

		private NDArray ifft(final NDArray a) { return grid.is2D() ? a.ifft2(new long[] { grid.ny, grid.nx }, new long[] { 1, 2 }) : a.ifft2(sizes, AXES_3D); }

		@Override
		public double projectModulus() {
			checkOpen();
			final double num;
			try (NDScope scope = new NDScope()) {
				final NDArray f = fft(rho);
				final NDArray mod = f.abs();
				final NDArray d = mod.sub(amp).muli(measuredF);
				num = d.muli(d).sum().toType(DataType.FLOAT64, false).getDouble();
				// ratio = M/|F| where measured, 1 where not
				final NDArray ratio = amp.div(mod.addi(Float.MIN_NORMAL)).muli(measuredF).addi(unmeasuredF);
				f.muli(ratio);
				final NDArray p = keep(ifft(f)); // PyTorch's inverse includes 1/N
				if (proj != null) proj.close();
				proj = p;
			}
			projected = true;
			return sumM2 > 0 ? num / sumM2 : 0;
		}

		/**
		 * ρ ← ρ' on γ, a·ρ + c·ρ' off γ, written as ρ ← ρ·A + ρ'·B with A = a·(1−γ), B = γ + c·(1−γ); without
		 * positivity γ = S and A, B are cached for this support and these coefficients.
		 */
		@Override
		public void update(final double a, final double c, final boolean positivity) {
			requireProjection("the support update");
			if (positivity) {
				// a real, non-negative object: Re ← Re ρ' on γ = S ∩ [Re ρ' > 0], a·Re ρ + c·Re ρ' off γ; Im is always
				// fed back, a·Im ρ + c·Im ρ' (0 for ER)
				try (NDScope scope = new NDScope()) {
					final NDArray pv = proj.real(), rv = rho.real();
					final NDArray pr = pv.get(new NDIndex("..., 0")), pi = pv.get(new NDIndex("..., 1"));
					final NDArray rr = rv.get(new NDIndex("..., 0")), ri = rv.get(new NDIndex("..., 1"));
					final NDArray gamma = pr.gt(0f).toType(DataType.FLOAT32, false).muli(supportF);
					final NDArray off = gamma.neg().addi(1f);
					final NDArray re = pr.mul(gamma).addi(rr.mul((float) a).addi(pr.mul((float) c)).muli(off));
					final NDArray im = ri.mul((float) a).addi(pi.mul((float) c));
					final NDArray next = keep(NDArrays.stack(new NDList(re, im), -1).complex());
					rho.close();
					rho = next;
				}
				projected = false;
				return;
			}
			if (a == 0 && c == 0) { // ER: ρ ← ρ'·S, no coefficient arrays
				proj.muli(supportF);
				swapProjectionIn();
				projected = false;
				return;
			}
			final String key = a + "," + c;
			if (!key.equals(coefKey)) {
				dropCoefficients();
				coefA = outsideF.mul((float) a);
				coefB = supportF.add(outsideF.mul((float) c));
				coefKey = key;
			}
			rho.muli(coefA).addi(proj.muli(coefB));
			projected = false;
		}

		/** ρ ← ρ' (the projection buffer becomes the iterate). */
		private void swapProjectionIn() {
			rho.close();
			rho = proj;
			proj = null;
		}

		@Override
		public void blurModulus(final double sigma) {
			checkOpen();
			try (NDScope scope = new NDScope()) {
				NDArray w = rho.abs();
				if (sigma > 0) {
					if (sigma != blurSigma) {
						if (blurTransfer != null) blurTransfer.close();
						blurTransfer = keep(transfer(sigma));
						blurSigma = sigma;
					}
					// real-to-complex along x, complex along z and y, times the kernel's DFT, and back
					final NDArray h = w.rfft(grid.nx, 2);
					final NDArray hh = grid.is2D() ? h.fft(grid.ny, 1) : h.fft2(new long[] { grid.nz, grid.ny }, new long[] { 0, 1 });
					hh.muli(blurTransfer);
					final NDArray back = grid.is2D() ? hh.ifft(grid.ny, 1) : hh.ifft2(new long[] { grid.nz, grid.ny }, new long[] { 0, 1 });
					w = back.irfft(grid.nx, 2);
				}
				if (work != null) work.close();
				work = keep(w);
			}
		}

		/** The DFT of the shared truncated periodic kernel on the half spectrum (nz, ny, nx/2+1), a real array. */
		private NDArray transfer(final double sigma) {
			return manager.create(GaussianBlur.halfSpectrumTransfer(grid, sigma, 1), new Shape(grid.nz, grid.ny, grid.nx / 2 + 1));
		}

		@Override
		public double workMax() {
			checkOpen();
			if (work == null) throw new IllegalStateException("workMax() needs blurModulus() first");
			try (NDScope scope = new NDScope()) {
				return work.max().getFloat();
			}
		}

		@Override
		public long supportFromWork(final double level) {
			checkOpen();
			if (work == null) throw new IllegalStateException("supportFromWork() needs blurModulus() first");
			final long count;
			try (NDScope scope = new NDScope()) {
				final NDArray s = keep(work.gte((float) level).toType(DataType.FLOAT32, false));
				final NDArray o = keep(s.neg().addi(1f));
				replaceSupport(s, o);
				count = Math.round(s.sum().toType(DataType.FLOAT64, false).getDouble());
			}
			return count;
		}

		@Override
		public double[] workSquaresInSupport() {
			checkOpen();
			if (work == null) throw new IllegalStateException("workSquaresInSupport() needs blurModulus() first");
			try (NDScope scope = new NDScope()) {
				final double sum = work.mul(work).muli(supportF).sum().toType(DataType.FLOAT64, false).getDouble();
				final double count = supportF.sum().toType(DataType.FLOAT64, false).getDouble();
				return new double[] { sum, count };
			}
		}

		@Override
		public double fractionOutsideSupport() {
			checkOpen();
			try (NDScope scope = new NDScope()) {
				final NDArray a2 = rho.abs().square();
				final double all = a2.sum().toType(DataType.FLOAT64, false).getDouble();
				final double out = a2.muli(outsideF).sum().toType(DataType.FLOAT64, false).getDouble();
				return all > 0 ? out / all : 0;
			}
		}

		@Override
		public void accumulate() {
			checkOpen();
			if (avg == null) avg = rho.duplicate();
			else avg.addi(rho);
			accumulated++;
		}

		@Override
		public int accumulated() { return accumulated; }

		private static float[] interleaved(final NDArray c) {
			try (NDScope scope = new NDScope()) {
				return c.real().toFloatArray();
			}
		}

		@Override
		public float[] readObject() {
			checkOpen();
			return interleaved(rho);
		}

		@Override
		public float[] readAccumulated() {
			checkOpen();
			return avg == null ? null : interleaved(avg);
		}

		@Override
		public boolean[] readSupport() {
			checkOpen();
			try (NDScope scope = new NDScope()) {
				return supportF.gte(0.5f).toBooleanArray();
			}
		}

		@Override
		public void writeObject(final float[] interleaved) {
			checkOpen();
			if (interleaved.length != 2 * grid.size()) throw new IllegalArgumentException("object has " + interleaved.length + " floats, grid " + grid + " needs " + 2 * grid.size());
			rho.close();
			rho = complex(interleaved);
			projected = false;
		}

		@Override
		public void writeSupport(final boolean[] s) {
			checkOpen();
			if (s.length != grid.size()) throw new IllegalArgumentException("support has " + s.length + " values, grid " + grid + " needs " + grid.size());
			setSupport(s);
		}

		@Override
		public void close() {
			if (closed) return;
			closed = true;
			manager.close();
		}
	}
}
