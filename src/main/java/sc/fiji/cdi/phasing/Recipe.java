package sc.fiji.cdi.phasing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.util.CdiException;

/**
 * A phase-retrieval recipe: an operator chain ({@link PhasingOperator}) written in cohere's syntax, PyNX's, or a
 * mix of both (case-insensitive, whitespace ignored).
 * <ul>
 * <li>cohere: {@code N*ALG} terms joined by {@code +} (in sequence, left to right), grouped by parentheses and
 * repeated by {@code k*(...)}. cohere's 34-ID-C default {@code 3*(20*ER+180*HIO)+20*ER} is 620 iterations.</li>
 * <li>PyNX: operators composed by {@code *} <em>right to left</em> ({@code A*B} applies B, then A) and repeated by
 * {@code **n}, which binds tighter than {@code *}: {@code (Sup*ER**5*HIO**50)**10} is ten times 50 HIO, 5 ER and a
 * support update; {@code ER**20 * HIO**100} is 100 HIO then 20 ER. As in PyNX's command line, steps separated by
 * commas also run right to left ({@code ER**50,(Sup*HIO**50)**10}).</li>
 * </ul>
 * Operators: ER, HIO, RAAR, CG (conjugate-gradient χ² minimisation, {@link ConjugateGradient}; one iteration each), {@code Sup} (support update, also {@code ShrinkWrap}),
 * {@code Twin} ({@code TwinRemoval}), {@code Avg} ({@code Average}). A bare ALG is one iteration. The algorithm
 * iterations are also kept as a run-length plan of {@link Step}s (consecutive steps of the same algorithm merged).
 * The total is limited to {@value #MAX_ITERATIONS} iterations so the plan stays small.
 * <p>
 * Grammar: {@code chain := sum (',' sum)*}, {@code sum := product ('+' product)*},
 * {@code product := factor ('*' factor)*}, {@code factor := INT '*' factor | power},
 * {@code power := atom ('**' INT)*}, {@code atom := NAME | '(' chain ')'}. A leading count {@code k*X} repeats
 * the factor X k times (cohere); {@code *} between two operators composes them (PyNX).
 */
public final class Recipe {

	/** cohere's default for APS 34-ID-C (620 iterations). */
	public static final String COHERE_DEFAULT = "3*(20*ER+180*HIO)+20*ER";

	public static final long MAX_ITERATIONS = 1_000_000;

	/**
	 * The projection algorithms as coefficients of the one backend kernel {@link PhasingBackend.Session#update}:
	 * after the modulus projection ρ' = P_M ρ, ρ ← ρ' on the support γ and ρ ← a·ρ + c·ρ' off it.
	 * ER (Fienup 1982): a = c = 0, i.e. ρ ← P_S P_M ρ. HIO (Fienup 1982): a = 1, c = −β. RAAR (Luke 2005): a = β,
	 * c = 1 − 2β, the pointwise form of ½β(R_S R_M + I)ρ + (1 − β)P_M ρ. With positivity (a real, non-negative
	 * object; PyNX's {@code positivity=True}) γ leaves out the voxels of S where Re ρ' ≤ 0: ER zeroes them, HIO and
	 * RAAR feed them back like voxels outside S; and Im ρ, which a real object violates everywhere, is fed back
	 * everywhere (ER: set to 0).
	 */
	public enum Algorithm {
		ER, HIO, RAAR,
		/**
		 * Conjugate-gradient minimisation of χ² inside the support ({@link ConjugateGradient}); not a projection
		 * algorithm, so it has no coefficients: {@link PhasingState#iterate} runs it, and it applies as ER where a
		 * single kernel update is asked of it.
		 */
		CG;

		/** Off-γ coefficient of ρ for the feedback β (ER and CG ignore β). */
		public double a(final double beta) {
			return switch (this) { case ER, CG -> 0; case HIO -> 1; case RAAR -> beta; };
		}

		/** Off-γ coefficient of ρ'. */
		public double c(final double beta) {
			return switch (this) { case ER, CG -> 0; case HIO -> -beta; case RAAR -> 1 - 2 * beta; };
		}

		/** One update of {@code s}, after its {@link PhasingBackend.Session#projectModulus()}. */
		public void apply(final PhasingBackend.Session s, final double beta, final boolean positivity) {
			s.update(a(beta), c(beta), positivity);
		}
	}

	/** {@code count} consecutive iterations of {@code algorithm}. */
	public record Step(Algorithm algorithm, int count) {
		@Override public String toString() { return count + "*" + algorithm; }
	}

	private final String text;
	private final PhasingOperator operator;
	private final List<Step> steps;
	private final int total;

	private Recipe(final String text, final PhasingOperator operator, final List<Step> steps) {
		this.text = text;
		this.operator = operator;
		this.steps = Collections.unmodifiableList(steps);
		int t = 0;
		for (final Step s : steps) t += s.count;
		this.total = t;
	}

	/** The recipe as given. */
	public String text() { return text; }

	/** The operator chain the recipe describes. */
	public PhasingOperator operator() { return operator; }

	/** Whether the recipe writes an operator of this type itself (then the automatic one is off, see {@link PhasingOperator}). */
	public boolean writes(final Class<? extends PhasingOperator> type) { return operator.contains(type); }

	/** The run-length plan of algorithm iterations, in order. */
	public List<Step> steps() { return steps; }

	public int totalIterations() { return total; }

	/** Number of iterations of one algorithm. */
	public int count(final Algorithm a) {
		int c = 0;
		for (final Step s : steps) if (s.algorithm == a) c += s.count;
		return c;
	}

	/**
	 * The iterations before a closing run of CG (the polish, which is not averaged; all of them when the recipe does
	 * not end in CG): the most iterates that {@code average_last} can average.
	 */
	public int iterationsBeforePolish() {
		final Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
		return last != null && last.algorithm == Algorithm.CG ? total - last.count : total;
	}

	/** The algorithm of iteration {@code i} (0-based); O(number of steps). */
	public Algorithm algorithmAt(final int i) {
		if (i < 0 || i >= total) throw new IndexOutOfBoundsException("iteration " + i + " outside 0.." + (total - 1));
		int k = i;
		for (final Step s : steps) {
			if (k < s.count) return s.algorithm;
			k -= s.count;
		}
		throw new AssertionError();
	}

	/** The expanded plan, e.g. "20*ER+180*HIO+20*ER+…". */
	@Override
	public String toString() {
		final StringBuilder b = new StringBuilder();
		for (final Step s : steps) { if (b.length() > 0) b.append('+'); b.append(s); }
		return b.toString();
	}

	public static Recipe parse(final String text) {
		if (text == null) throw new CdiException("Recipe is missing: expected e.g. '" + COHERE_DEFAULT + "' or '(Sup*ER**5*HIO**50)**10'.");
		final Parser p = new Parser(text);
		final PhasingOperator root = p.chain();
		p.skipSpace();
		if (p.pos < text.length()) throw p.error("'+' or end of recipe");
		final long total = root.iterations();
		if (total > MAX_ITERATIONS) throw new CdiException("Recipe '" + text + "' has " + total + " iterations; at most " + MAX_ITERATIONS + " are allowed.");
		if (total == 0) throw new CdiException("Recipe '" + text + "' has no iterations: expected at least one, e.g. '" + COHERE_DEFAULT + "'.");
		final List<Step> steps = new ArrayList<>();
		root.plan(steps);
		return new Recipe(text, root, steps);
	}

	/** The operator names a recipe accepts (upper case), with their operator. */
	private static PhasingOperator named(final String upper) {
		return switch (upper) {
			case "ER" -> PhasingOperator.er();
			case "HIO" -> PhasingOperator.hio();
			case "RAAR" -> PhasingOperator.raar();
			case "CG" -> PhasingOperator.cg();
			case "SUP", "SHRINKWRAP" -> PhasingOperator.supportUpdate();
			case "TWIN", "TWINREMOVAL" -> PhasingOperator.twinRemoval();
			case "AVG", "AVERAGE" -> PhasingOperator.average();
			default -> null;
		};
	}

	/** Zero repetitions of anything. */
	private static final PhasingOperator NOTHING = new PhasingOperator.Chain(List.of());

	// ---- recursive-descent parser ----

	private static final class Parser {
		final String s;
		int pos;

		Parser(final String s) { this.s = s; }

		void skipSpace() { while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++; }

		boolean at(final String token) {
			skipSpace();
			return s.startsWith(token, pos);
		}

		CdiException error(final String expected) {
			final String found = pos < s.length() ? "'" + s.charAt(pos) + "'" : "end of recipe";
			return problem("expected " + expected + " at column " + (pos + 1) + ", found " + found);
		}

		/** {@code what} is wrong, followed by both syntaxes. */
		CdiException problem(final String what) {
			return new CdiException("Recipe '" + s + "': " + what
				+ " (cohere syntax: N*ALG joined by '+', k*(...) to repeat, e.g. '" + COHERE_DEFAULT + "'; PyNX syntax: operators composed by '*' right to left, "
				+ "'**n' to repeat, e.g. '(Sup*ER**5*HIO**50)**10'; ALG one of ER, HIO, RAAR, CG).");
		}

		/** chain := sum (',' sum)*, applied right to left like PyNX's command-line steps. */
		PhasingOperator chain() {
			PhasingOperator op = sum();
			while (at(",")) { pos++; op = op.times(sum()); }
			return op;
		}

		/** sum := product ('+' product)*, applied left to right (cohere). */
		PhasingOperator sum() {
			PhasingOperator op = product();
			while (at("+")) { pos++; op = product().times(op); }
			return op;
		}

		/** product := factor ('*' factor)*: A*B applies B first (PyNX). */
		PhasingOperator product() {
			PhasingOperator op = factor();
			while (at("*") && !at("**")) { pos++; op = op.times(factor()); }
			return op;
		}

		/** factor := INT '*' factor | power. */
		PhasingOperator factor() {
			skipSpace();
			if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
				final int start = pos;
				final long k = count();
				skipSpace();
				// "10**ER" mixes the two syntaxes: say so, rather than "expected '*', found '*'"
				if (at("**")) throw problem("a doubled '*' ('**') after the count " + k + " at column " + (pos + 1) + "; write " + k + "*ALG (cohere) or ALG**" + k + " (PyNX)");
				if (pos >= s.length() || s.charAt(pos) != '*') throw error("'*' after the count " + k);
				pos++;
				final PhasingOperator body = factor();
				return k == 0 ? NOTHING : body.pow(k);
			}
			return power();
		}

		/** power := atom ('**' INT)*. */
		PhasingOperator power() {
			PhasingOperator op = atom();
			while (at("**")) {
				pos += 2;
				skipSpace();
				if (pos >= s.length() || !Character.isDigit(s.charAt(pos))) throw error("a repeat count after '**'");
				final long k = count();
				op = k == 0 ? NOTHING : op.pow(k);
			}
			return op;
		}

		long count() {
			final int start = pos;
			while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
			final long k;
			try {
				k = Long.parseLong(s.substring(start, pos));
			} catch (final NumberFormatException e) {
				pos = start;
				throw error("a repeat count below " + MAX_ITERATIONS);
			}
			if (k > MAX_ITERATIONS) { pos = start; throw error("a repeat count of at most " + MAX_ITERATIONS); }
			return k;
		}

		PhasingOperator atom() {
			skipSpace();
			if (pos >= s.length()) throw error("ER, HIO, RAAR, Sup, a count or '('");
			final char ch = s.charAt(pos);
			if (ch == '(') {
				pos++;
				final PhasingOperator inner = chain();
				skipSpace();
				if (pos >= s.length() || s.charAt(pos) != ')') throw error("')'");
				pos++;
				return inner;
			}
			if (Character.isLetter(ch)) {
				final int start = pos;
				while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++;
				final String word = s.substring(start, pos);
				final PhasingOperator op = named(word.toUpperCase(Locale.ROOT));
				if (op != null) return op;
				pos = start;
				throw error("ER, HIO, RAAR or CG, or Sup, Twin, Avg (not '" + word + "')");
			}
			throw error("ER, HIO, RAAR, Sup, a count or '('");
		}
	}
}
