package sc.fiji.cdi.phasing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.util.CdiException;

/**
 * A phase-retrieval recipe in cohere's syntax: {@code N*ALG} terms with ALG one of ER, HIO, RAAR
 * (case-insensitive), joined by {@code +} (sequence), grouped by parentheses and repeated by {@code k*(...)};
 * whitespace is ignored. cohere's 34-ID-C default {@code 3*(20*ER+180*HIO)+20*ER} is 620 iterations. A bare
 * {@code ALG} means one iteration. PyNX's operator syntax ({@code (Sup*ER**5*HIO**50)**10}) is <em>not</em>
 * accepted: there {@code *} composes operators right to left and {@code Sup} is a support update, which this
 * project controls with the shrink-wrap period instead.
 * <p>
 * The recipe is expanded into a run-length plan of {@link Step}s (consecutive steps of the same algorithm merged).
 * The total is limited to {@value #MAX_ITERATIONS} iterations so the plan stays small.
 * <p>
 * Grammar: {@code sum := product ('+' product)*}, {@code product := INT '*' atom | atom},
 * {@code atom := ALG | '(' sum ')'}.
 */
public final class Recipe {

	/** cohere's default for APS 34-ID-C (620 iterations). */
	public static final String COHERE_DEFAULT = "3*(20*ER+180*HIO)+20*ER";

	public static final long MAX_ITERATIONS = 1_000_000;

	public enum Algorithm { ER, HIO, RAAR }

	/** {@code count} consecutive iterations of {@code algorithm}. */
	public record Step(Algorithm algorithm, int count) {
		@Override public String toString() { return count + "*" + algorithm; }
	}

	private final String text;
	private final List<Step> steps;
	private final int total;

	private Recipe(final String text, final List<Step> steps) {
		this.text = text;
		this.steps = Collections.unmodifiableList(steps);
		int t = 0;
		for (final Step s : steps) t += s.count;
		this.total = t;
	}

	/** The recipe as given. */
	public String text() { return text; }

	/** The run-length plan, in order. */
	public List<Step> steps() { return steps; }

	public int totalIterations() { return total; }

	/** Number of iterations of one algorithm. */
	public int count(final Algorithm a) {
		int c = 0;
		for (final Step s : steps) if (s.algorithm == a) c += s.count;
		return c;
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
		if (text == null) throw new CdiException("Recipe is missing: expected e.g. '" + COHERE_DEFAULT + "'.");
		final Parser p = new Parser(text);
		final Node root = p.sum();
		p.skipSpace();
		if (p.pos < text.length()) throw p.error("'+' or end of recipe");
		final long total = root.total();
		if (total > MAX_ITERATIONS) throw new CdiException("Recipe '" + text + "' has " + total + " iterations; at most " + MAX_ITERATIONS + " are allowed.");
		if (total == 0) throw new CdiException("Recipe '" + text + "' has no iterations: expected at least one, e.g. '" + COHERE_DEFAULT + "'.");
		final List<Step> steps = new ArrayList<>();
		root.expand(steps);
		return new Recipe(text, steps);
	}

	// ---- syntax tree ----

	private interface Node {
		/** Total iterations, saturating at Long.MAX_VALUE / 4 so overflow cannot hide a huge recipe. */
		long total();
		void expand(List<Step> out);
	}

	private static long satMul(final long a, final long b) {
		if (a == 0 || b == 0) return 0;
		return a > (Long.MAX_VALUE / 4) / b ? Long.MAX_VALUE / 4 : a * b;
	}

	private record Leaf(Algorithm alg, long count) implements Node {
		public long total() { return count; }
		public void expand(final List<Step> out) { add(out, alg, (int) count); }
	}

	private record Repeat(int times, Node body) implements Node {
		public long total() { return satMul(times, body.total()); }
		public void expand(final List<Step> out) { for (int i = 0; i < times; i++) body.expand(out); }
	}

	private record Sum(List<Node> parts) implements Node {
		public long total() {
			long t = 0;
			for (final Node p : parts) t = Math.min(Long.MAX_VALUE / 4, t + p.total());
			return t;
		}
		public void expand(final List<Step> out) { for (final Node p : parts) p.expand(out); }
	}

	private static void add(final List<Step> out, final Algorithm a, final int count) {
		if (count == 0) return;
		final int last = out.size() - 1;
		if (last >= 0 && out.get(last).algorithm == a) out.set(last, new Step(a, out.get(last).count + count));
		else out.add(new Step(a, count));
	}

	// ---- recursive-descent parser ----

	private static final class Parser {
		final String s;
		int pos;

		Parser(final String s) { this.s = s; }

		void skipSpace() { while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++; }

		CdiException error(final String expected) {
			final String found = pos < s.length() ? "'" + s.charAt(pos) + "'" : "end of recipe";
			return new CdiException("Recipe '" + s + "': expected " + expected + " at column " + (pos + 1) + ", found " + found
				+ " (syntax: N*ALG joined by '+', k*(...) to repeat, ALG one of ER, HIO, RAAR; e.g. '" + COHERE_DEFAULT + "').");
		}

		Node sum() {
			final List<Node> parts = new ArrayList<>();
			parts.add(product());
			while (true) {
				skipSpace();
				if (pos < s.length() && s.charAt(pos) == '+') { pos++; parts.add(product()); }
				else break;
			}
			return parts.size() == 1 ? parts.get(0) : new Sum(parts);
		}

		Node product() {
			skipSpace();
			if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
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
				skipSpace();
				if (pos >= s.length() || s.charAt(pos) != '*') throw error("'*' after the count " + k);
				pos++;
				final Node body = atom();
				if (body instanceof Leaf l) return new Leaf(l.alg, satMul(k, l.count));
				return new Repeat((int) k, body);
			}
			return atom();
		}

		Node atom() {
			skipSpace();
			if (pos >= s.length()) throw error("ER, HIO, RAAR, a count or '('");
			final char ch = s.charAt(pos);
			if (ch == '(') {
				pos++;
				final Node inner = sum();
				skipSpace();
				if (pos >= s.length() || s.charAt(pos) != ')') throw error("')'");
				pos++;
				return inner;
			}
			if (Character.isLetter(ch)) {
				final int start = pos;
				while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++;
				final String word = s.substring(start, pos).toUpperCase(Locale.ROOT);
				for (final Algorithm a : Algorithm.values()) if (a.name().equals(word)) return new Leaf(a, 1);
				pos = start;
				throw error("ER, HIO or RAAR (not '" + s.substring(start, start + word.length()) + "')");
			}
			throw error("ER, HIO, RAAR, a count or '('");
		}
	}
}
