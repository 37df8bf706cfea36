package sc.fiji.cdi.phasing;

import sc.fiji.cdi.util.MemoryGuard;

/**
 * Conjugate-gradient minimisation of the amplitude misfit χ² = Σ(|F| − M)² / Σ M² over the object inside a fixed
 * support: the recipe's {@code CG} iteration, a polish after ER/HIO in the spirit of PyNX's {@code ML} operator (which
 * minimises a Poisson likelihood the same way; here the objective is the χ² the runs report).
 * <p>
 * Fienup (1982) showed ER to be steepest descent on this objective with a fixed step: the Wirtinger gradient is
 * ∂f/∂ρ* = N·(ρ − P_M ρ) for the plain forward DFT of N voxels, so {@code ρ ← P_S P_M ρ} is one step of length 1/N
 * along it. Near a solution ER converges linearly and slowly along the directions where the support and modulus sets
 * are nearly tangent; conjugate directions (Polak–Ribière, restarted when the block starts or a step fails) take
 * out part of that (Marchesini, Rev. Sci. Instrum. 78, 011301, 2007). The step length comes from a parabola through
 * χ²(0), its slope 2N·Re⟨g, d⟩ / Σ M² and one trial χ²(α_t); the step is checked (a step that raises χ² is not
 * taken), so χ² never rises. Two modulus projections per iteration, against one for ER. It keeps no positivity
 * constraint: with {@code positivity}, {@link PhasingState} runs ER instead and says so.
 * <p>
 * The iterate, gradient and direction are kept on the Java heap (read from and written to the backend session), five
 * complex arrays: 40 bytes per voxel. Where they do not fit ({@link #fits()}), {@link PhasingState} runs ER instead
 * and says so, so a recipe with CG never fails for memory where the same recipe with ER would run. Their elementwise
 * passes run on the backend's threads in fixed chunks, the partial sums added in chunk order, so a run is
 * bit-identical for a given thread count, as the backends' own loops are; on one thread the order of every sum is the
 * single loop's.
 */
final class ConjugateGradient {

	private final PhasingBackend.Session session;
	private final ChunkedLoops loops;
	private final double amplitudeSquares;
	private final int n;
	/** Per-chunk partial sums of the reductions (three per chunk). */
	private final double[] partial;
	private float[] rho, work, gradient, previous, direction;
	private boolean[] support;
	/** Whether {@link #rho}, {@link #chi2} and the session's projection belong to the session's current object. */
	private boolean current, haveDirection;
	private double chi2, alpha = 1;
	private Boolean fits;

	/**
	 * @param loops            the threads of the elementwise passes (owned by the caller)
	 * @param amplitudeSquares Σ M² over the measured pixels (χ²'s denominator)
	 */
	ConjugateGradient(final PhasingBackend.Session session, final ChunkedLoops loops, final double amplitudeSquares) {
		this.session = session;
		this.loops = loops;
		this.amplitudeSquares = amplitudeSquares;
		this.n = session.grid().size();
		this.partial = new double[3 * loops.chunks];
	}

	/** Σ over the chunks of partial sum k, in chunk order. */
	private double sum(final int k) {
		double t = 0;
		for (int c = 0; c < loops.chunks; c++) t += partial[3 * c + k];
		return t;
	}

	/** Heap bytes of the CG arrays. */
	long bytes() { return 5L * 2 * n * Float.BYTES; }

	/** Whether the CG arrays fit into the heap, decided once per run ({@link MemoryGuard}; a collection only if needed). */
	boolean fits() {
		final long need = bytes() + (64L << 20); // and room to spare for the backend's own work
		if (fits == null) fits = MemoryGuard.available(false) >= need || MemoryGuard.available(true) >= need;
		return fits;
	}

	/** Starts a new block: the object, the support or the projection may have changed since the last CG iteration. */
	void restart() { current = false; haveDirection = false; }

	/**
	 * One CG iteration from the session's current object; returns χ² of the entering iterate (as every algorithm's
	 * iteration does). Leaves the session's object at the new iterate, inside the support, with its modulus
	 * projection computed.
	 */
	double step() {
		if (rho == null) {
			rho = new float[2 * n];
			work = new float[2 * n];
			gradient = new float[2 * n];
			previous = new float[2 * n];
			direction = new float[2 * n];
		}
		if (!current) {
			support = session.readSupport();
			session.readObject(rho);
			final float[] r = rho;
			final boolean[] sup = support;
			loops.run(n, (c, from, to) -> {
				for (int i = from; i < to; i++) if (!sup[i]) { r[2 * i] = 0; r[2 * i + 1] = 0; }
			});
			session.writeObject(rho);
			chi2 = session.projectModulus();
			current = true;
		}
		final double entering = chi2;
		session.update(0, 0, false); // P_S P_M ρ
		session.readObject(work);
		final float[] r = rho, p = work, g = gradient, prev = previous, d = direction;
		final boolean had = haveDirection;
		loops.run(2 * n, (c, from, to) -> { // g = ρ − P_S P_M ρ, zero outside S
			double gg = 0, gPrevG = 0, prevNorm = 0;
			for (int i = from; i < to; i++) {
				final float v = r[i] - p[i];
				g[i] = v;
				gg += (double) v * v;
				if (had) {
					gPrevG += (double) v * prev[i];
					prevNorm += (double) prev[i] * prev[i];
				}
			}
			partial[3 * c] = gg;
			partial[3 * c + 1] = gPrevG;
			partial[3 * c + 2] = prevNorm;
		});
		final double gg = sum(0);
		double gd = -gg;
		if (had) {
			final double gPrevG = sum(1), prevNorm = sum(2);
			final double beta = prevNorm > 0 ? Math.max(0, (gg - gPrevG) / prevNorm) : 0; // Polak–Ribière+
			loops.run(2 * n, (c, from, to) -> {
				double s = 0;
				for (int i = from; i < to; i++) {
					d[i] = (float) (-g[i] + beta * d[i]);
					s += (double) g[i] * d[i];
				}
				partial[3 * c] = s;
			});
			gd = sum(0);
		}
		if (!had || !(gd < 0)) { // steepest descent: the first step, or not a descent direction
			loops.run(2 * n, (c, from, to) -> {
				for (int i = from; i < to; i++) d[i] = -g[i];
			});
			gd = -gg;
		}
		System.arraycopy(gradient, 0, previous, 0, 2 * n);
		if (!(gg > 0)) { stay(); return entering; } // a stationary point
		final double slope = 2.0 * n * gd / amplitudeSquares;
		final double trial = alpha;
		move(trial);
		final double atTrial = session.projectModulus();
		final double curvature = (atTrial - entering - slope * trial) / (trial * trial);
		double a = curvature > 0 ? -slope / (2 * curvature) : 2 * trial;
		a = Double.isFinite(a) ? Math.max(0.1 * trial, Math.min(4 * trial, a)) : trial;
		double at = atTrial;
		if (Math.abs(a - trial) > 1e-3 * trial) {
			move(a);
			at = session.projectModulus();
			if (!(at <= atTrial)) { move(trial); at = session.projectModulus(); a = trial; }
		}
		if (!(at <= entering)) { // no decrease along d: stay, restart with a shorter steepest-descent step
			alpha = 0.25 * trial;
			haveDirection = false;
			stay();
			return entering;
		}
		final float[] t = rho;
		rho = work;
		work = t;
		chi2 = at;
		alpha = a;
		haveDirection = true;
		return entering;
	}

	/** Writes ρ + a·d to the session (and keeps it in {@link #work}). */
	private void move(final double a) {
		final float[] w = work, r = rho, d = direction;
		loops.run(2 * n, (c, from, to) -> {
			for (int i = from; i < to; i++) w[i] = (float) (r[i] + a * d[i]);
		});
		session.writeObject(work);
	}

	/** Puts ρ back into the session with its projection. */
	private void stay() {
		session.writeObject(rho);
		chi2 = session.projectModulus();
	}
}
