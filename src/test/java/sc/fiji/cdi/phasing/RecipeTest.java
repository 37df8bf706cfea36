package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.phasing.Recipe.Algorithm;
import sc.fiji.cdi.phasing.Recipe.Step;
import sc.fiji.cdi.util.CdiException;

class RecipeTest {

	@Test
	void cohereDefaultIs620IterationsInOrder() {
		final Recipe r = Recipe.parse("3*(20*ER+180*HIO)+20*ER");
		assertEquals(620, r.totalIterations());
		assertEquals(80, r.count(Algorithm.ER));
		assertEquals(540, r.count(Algorithm.HIO));
		assertEquals(List.of(new Step(Algorithm.ER, 20), new Step(Algorithm.HIO, 180), new Step(Algorithm.ER, 20), new Step(Algorithm.HIO, 180),
			new Step(Algorithm.ER, 20), new Step(Algorithm.HIO, 180), new Step(Algorithm.ER, 20)), r.steps());
		assertEquals(Algorithm.ER, r.algorithmAt(19));
		assertEquals(Algorithm.HIO, r.algorithmAt(20));
		assertEquals(Algorithm.ER, r.algorithmAt(200));
		assertEquals(Algorithm.ER, r.algorithmAt(619));
		assertEquals(Algorithm.HIO, r.algorithmAt(599));
	}

	@Test
	void caseWhitespaceNestingAndMerging() {
		final Recipe r = Recipe.parse("  2 * ( hio + 3*(Er + raar) ) + RAAR ");
		assertEquals(2 * (1 + 3 * 2) + 1, r.totalIterations());
		assertEquals(Algorithm.HIO, r.algorithmAt(0));
		assertEquals(Algorithm.ER, r.algorithmAt(1));
		assertEquals(Algorithm.RAAR, r.algorithmAt(2));
		assertEquals(Algorithm.HIO, r.algorithmAt(7));
		// the trailing RAAR merges with the preceding RAAR
		assertEquals(new Step(Algorithm.RAAR, 2), r.steps().get(r.steps().size() - 1));
		assertEquals(1, Recipe.parse("er").totalIterations());
		assertEquals(500_000, Recipe.parse("1000*(500*HIO)").totalIterations());
		assertEquals(1, Recipe.parse("1000*(500*HIO)").steps().size(), "the plan is run-length encoded");
	}

	private static String error(final String recipe) {
		return assertThrows(CdiException.class, () -> Recipe.parse(recipe)).getMessage();
	}

	@Test
	void errorsNameTheColumn() {
		String m = error("3*(20*ER+180*HIO+20*ER");
		assertTrue(m.contains("expected ')' at column 23"), m);
		m = error("20*EX");
		assertTrue(m.contains("expected ER, HIO, RAAR or CG") && m.contains("column 4"), m);
		m = error("20 ER");
		assertTrue(m.contains("expected '*'") && m.contains("column 4"), m);
		m = error("20*ER+");
		assertTrue(m.contains("column 7"), m);
		m = error("20*ER)");
		assertTrue(m.contains("expected '+' or end of recipe at column 6"), m);
		m = error("");
		assertTrue(m.contains("column 1"), m);
		assertTrue(m.startsWith("Recipe '"), m);
	}

	@Test
	void hugeRecipesAreRefused() {
		assertTrue(error("1000000*(2*ER)").contains("2000000 iterations"));
		assertTrue(error("999999999999*ER").contains("repeat count"));
		assertTrue(error("0*ER").contains("no iterations"));
	}
}
