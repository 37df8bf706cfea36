package sc.fiji.cdi.phasing;

import java.util.ArrayList;
import java.util.List;

import sc.fiji.cdi.phasing.Recipe.Algorithm;

/**
 * A phase-retrieval operator applied to a {@link PhasingState}, after PyNX's operator algebra (Favre-Nicolin et al.,
 * J. Appl. Cryst. 53, 2020): {@code a.times(b)} is PyNX's {@code A*B} — apply B, then A — and {@code a.pow(n)} is
 * {@code A**n}, n applications. The operators:
 * <ul>
 * <li>{@link Iterate}: {@code count} iterations of ER, HIO, RAAR or CG ({@link ConjugateGradient}). One iteration is the modulus projection (which
 * gives χ²), the support-side update with the run's β and positivity ({@link Algorithm}), and the automatic steps of
 * the run that the recipe does not write itself (cohere's twin removal at iteration 2, shrink-wrap every
 * {@code shrink_wrap_period} iterations, accumulation of the last {@code average_last} iterates).</li>
 * <li>{@link SupportUpdate} ("Sup", PyNX's SupportUpdate, cohere's shrink-wrap): blur |ρ|, threshold relative to
 * the maximum or to the rms inside the support ({@link PhasingParameters#shrinkWrapMethod()}).</li>
 * <li>{@link TwinRemoval} ("Twin"): cohere's cut of the object to the quadrant below its centre of mass.</li>
 * <li>{@link Average} ("Avg"): adds the current iterate to the average that becomes the result.</li>
 * </ul>
 * A recipe that writes Sup, Twin or Avg anywhere turns the corresponding automatic step off (the recipe says where
 * it happens); a recipe that does not write them gets them per the parameters, so cohere's recipes keep their
 * meaning.
 */
public sealed interface PhasingOperator permits PhasingOperator.Iterate, PhasingOperator.SupportUpdate,
	PhasingOperator.TwinRemoval, PhasingOperator.Average, PhasingOperator.Chain, PhasingOperator.Repeat {

	/** Applies this operator to {@code state}. */
	void apply(PhasingState state);

	/** Algorithm iterations this operator runs (saturating at {@link Long#MAX_VALUE} / 4). */
	long iterations();

	/** Appends this operator's algorithm iterations, run-length encoded, to {@code out}. */
	void plan(List<Recipe.Step> out);

	/** Whether this operator or one inside it is of type {@code type}. */
	boolean contains(Class<? extends PhasingOperator> type);

	/** PyNX's {@code this * first}: {@code first}, then this. */
	default PhasingOperator times(final PhasingOperator first) {
		final List<PhasingOperator> order = new ArrayList<>();
		addInOrder(order, first);
		addInOrder(order, this);
		return new Chain(List.copyOf(order));
	}

	/** PyNX's {@code this ** n}: n applications (n ≥ 1); {@code n} iterations of one algorithm stay one operator. */
	default PhasingOperator pow(final long n) {
		if (n < 1) throw new IllegalArgumentException("operator power must be >= 1, got " + n);
		if (n == 1) return this;
		if (this instanceof Iterate it) return new Iterate(it.algorithm, satMul(it.count, n));
		return new Repeat(this, n);
	}

	static PhasingOperator er() { return new Iterate(Algorithm.ER, 1); }
	static PhasingOperator hio() { return new Iterate(Algorithm.HIO, 1); }
	static PhasingOperator raar() { return new Iterate(Algorithm.RAAR, 1); }
	static PhasingOperator cg() { return new Iterate(Algorithm.CG, 1); }
	static PhasingOperator supportUpdate() { return new SupportUpdate(); }
	static PhasingOperator twinRemoval() { return new TwinRemoval(); }
	static PhasingOperator average() { return new Average(); }

	private static void addInOrder(final List<PhasingOperator> out, final PhasingOperator op) {
		if (op instanceof Chain c) out.addAll(c.inOrder);
		else out.add(op);
	}

	private static long satMul(final long a, final long b) {
		if (a == 0 || b == 0) return 0;
		return a > (Long.MAX_VALUE / 4) / b ? Long.MAX_VALUE / 4 : a * b;
	}

	/** {@code count} iterations of one algorithm (PyNX's {@code ER**count}). */
	record Iterate(Algorithm algorithm, long count) implements PhasingOperator {
		@Override public void apply(final PhasingState s) { for (long k = 0; k < count; k++) s.iterate(algorithm); }
		@Override public long iterations() { return count; }
		@Override public void plan(final List<Recipe.Step> out) {
			if (count == 0) return;
			final int last = out.size() - 1;
			if (last >= 0 && out.get(last).algorithm() == algorithm) out.set(last, new Recipe.Step(algorithm, out.get(last).count() + (int) count));
			else out.add(new Recipe.Step(algorithm, (int) count));
		}
		@Override public boolean contains(final Class<? extends PhasingOperator> type) { return type.isInstance(this); }
		@Override public String toString() { return count == 1 ? algorithm.name() : algorithm + "**" + count; }
	}

	/** Shrink-wrap support update (PyNX's {@code Sup}); see {@link PhasingState#updateSupport()}. */
	record SupportUpdate() implements PhasingOperator {
		@Override public void apply(final PhasingState s) { s.updateSupport(); }
		@Override public long iterations() { return 0; }
		@Override public void plan(final List<Recipe.Step> out) {}
		@Override public boolean contains(final Class<? extends PhasingOperator> type) { return type.isInstance(this); }
		@Override public String toString() { return "Sup"; }
	}

	/** cohere's twin removal; see {@link Phaser#removeTwinHalves}. */
	record TwinRemoval() implements PhasingOperator {
		@Override public void apply(final PhasingState s) { s.removeTwin(); }
		@Override public long iterations() { return 0; }
		@Override public void plan(final List<Recipe.Step> out) {}
		@Override public boolean contains(final Class<? extends PhasingOperator> type) { return type.isInstance(this); }
		@Override public String toString() { return "Twin"; }
	}

	/** Adds the current iterate to the average returned as the result. */
	record Average() implements PhasingOperator {
		@Override public void apply(final PhasingState s) { s.accumulate(); }
		@Override public long iterations() { return 0; }
		@Override public void plan(final List<Recipe.Step> out) {}
		@Override public boolean contains(final Class<? extends PhasingOperator> type) { return type.isInstance(this); }
		@Override public String toString() { return "Avg"; }
	}

	/** Operators applied in list order (PyNX's {@code C*B*A} is the list A, B, C). */
	record Chain(List<PhasingOperator> inOrder) implements PhasingOperator {
		@Override public void apply(final PhasingState s) { for (final PhasingOperator op : inOrder) op.apply(s); }
		@Override public long iterations() {
			long t = 0;
			for (final PhasingOperator op : inOrder) t = Math.min(Long.MAX_VALUE / 4, t + op.iterations());
			return t;
		}
		@Override public void plan(final List<Recipe.Step> out) { for (final PhasingOperator op : inOrder) op.plan(out); }
		@Override public boolean contains(final Class<? extends PhasingOperator> type) {
			for (final PhasingOperator op : inOrder) if (op.contains(type)) return true;
			return false;
		}
		@Override public String toString() {
			final StringBuilder b = new StringBuilder();
			for (int i = inOrder.size() - 1; i >= 0; i--) {
				if (b.length() > 0) b.append('*');
				final PhasingOperator op = inOrder.get(i);
				b.append(op instanceof Chain ? "(" + op + ")" : op.toString());
			}
			return b.toString();
		}
	}

	/** {@code body} applied {@code times} times (PyNX's {@code (…)**n}, cohere's {@code n*(…)}). */
	record Repeat(PhasingOperator body, long times) implements PhasingOperator {
		@Override public void apply(final PhasingState s) { for (long k = 0; k < times; k++) body.apply(s); }
		@Override public long iterations() { return satMul(times, body.iterations()); }
		@Override public void plan(final List<Recipe.Step> out) { for (long k = 0; k < times; k++) body.plan(out); }
		@Override public boolean contains(final Class<? extends PhasingOperator> type) { return type.isInstance(this) || body.contains(type); }
		@Override public String toString() { return "(" + body + ")**" + times; }
	}
}
