package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.PhasingParameters.ShrinkWrapMethod;
import sc.fiji.cdi.phasing.Recipe.Algorithm;
import sc.fiji.cdi.phasing.Recipe.Step;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/** PyNX's operator algebra and recipe syntax, and their equivalence with cohere's recipes. */
class PhasingOperatorTest {

	private static final TestObjects.Sample OBJECT_2D = TestObjects.ellipsoid(Grid.of2D(64, 64), new double[] { 1, 13, 10 }, 2.0);

	@Test
	void pynxSyntaxComposesRightToLeftAndPowerBindsTighter() {
		Recipe r = Recipe.parse("(Sup*ER**5*HIO**50)**10");
		assertEquals(550, r.totalIterations());
		assertEquals(new Step(Algorithm.HIO, 50), r.steps().get(0), "HIO**50 is applied first");
		assertEquals(new Step(Algorithm.ER, 5), r.steps().get(1));
		assertEquals(20, r.steps().size());
		assertTrue(r.writes(PhasingOperator.SupportUpdate.class));
		assertFalse(r.writes(PhasingOperator.TwinRemoval.class));

		r = Recipe.parse("ER**20 * HIO**100");
		assertEquals(List.of(new Step(Algorithm.HIO, 100), new Step(Algorithm.ER, 20)), r.steps());
		assertFalse(r.writes(PhasingOperator.SupportUpdate.class));
		// PyNX command-line commas: right to left as well
		r = Recipe.parse("ER**50, (Sup*RAAR**50)**2");
		assertEquals(List.of(new Step(Algorithm.RAAR, 100), new Step(Algorithm.ER, 50)), r.steps());
		// the same chain as operators, built in Java
		final PhasingOperator op = PhasingOperator.er().pow(50).times(PhasingOperator.supportUpdate().times(PhasingOperator.raar().pow(50)).pow(2));
		assertEquals(150, op.iterations());
		assertEquals("ER**50*(Sup*RAAR**50)**2", op.toString());
	}

	@Test
	void cohereAndPynxSyntaxGiveTheSamePlan() {
		final Recipe cohere = Recipe.parse(Recipe.COHERE_DEFAULT);
		final Recipe pynx = Recipe.parse("ER**20 * (HIO**180 * ER**20)**3");
		assertEquals(cohere.steps(), pynx.steps());
		// aliases, case and a mix of both syntaxes
		assertEquals(Recipe.parse("shrinkwrap*2*er").totalIterations(), 2);
		assertEquals(List.of(new Step(Algorithm.ER, 20), new Step(Algorithm.HIO, 10)), Recipe.parse("20*ER + hio**10").steps());
	}

	@Test
	void errorsNameTheColumnInPynxSyntax() {
		String m = assertThrows(CdiException.class, () -> Recipe.parse("(Sup*ER**5*HIO**)**10")).getMessage();
		assertTrue(m.contains("repeat count after '**'") && m.contains("column 17"), m);
		m = assertThrows(CdiException.class, () -> Recipe.parse("Sup**3")).getMessage();
		assertTrue(m.contains("no iterations"), m);
		m = assertThrows(CdiException.class, () -> Recipe.parse("ER**5*Foo")).getMessage();
		assertTrue(m.contains("not 'Foo'") && m.contains("column 7"), m);
	}

	/**
	 * The acceptance test of issue 11: cohere's default with shrink-wrap every 20 iterations, twin removal at
	 * iteration 2 and the average of the last 20, written in PyNX syntax with explicit support updates, gives the
	 * bit-identical reconstruction.
	 */
	@Test
	void pynxRecipeGivesTheSameResultAsTheEquivalentCohereRecipe() {
		final PhasingParameters base = PhasingParameters.defaults().withShrinkWrapPeriod(20).withSeed(3);
		final PhasingParameters cohere = base.withRecipe("2*(20*ER+60*HIO)+20*ER");
		// cohere updates the support after iterations 20, 40, …, 160 but not after the last one (180)
		final PhasingParameters pynx = base.withRecipe("ER**20 * ((Sup*HIO**20)**3 * Sup*ER**20)**2");
		for (final PhasingBackend b : List.of(new JTransformsBackend(1), (PhasingBackend) new JTransformsBackend(2))) {
			final Phaser phaser = new Phaser(b);
			final PhasingResult a = phaser.run(OBJECT_2D.diffraction(), cohere, null, Progress.NONE);
			final PhasingResult c = phaser.run(OBJECT_2D.diffraction(), pynx, null, Progress.NONE);
			System.out.printf("cohere %s vs PyNX %s (%s): final χ² %.6e vs %.6e%n", cohere.recipe(), pynx.recipe(), b, a.finalChi2(), c.finalChi2());
			assertEquals(180, c.iterations());
			assertArrayEquals(a.chi2History(), c.chi2History());
			assertArrayEquals(a.object().data, c.object().data);
			assertArrayEquals(a.support(), c.support());
			assertEquals(a.finalChi2(), c.finalChi2());
			assertTrue(a.finalChi2() < 1e-2, "the reconstruction converged: χ² " + a.finalChi2());
		}
	}

	@Test
	void explicitTwinAndAverageReplaceTheAutomaticOnes() {
		final PhasingParameters base = PhasingParameters.defaults().withShrinkWrapPeriod(0).withAverageLast(5).withSeed(5);
		final PhasingResult auto = new Phaser(new JTransformsBackend(1)).run(OBJECT_2D.diffraction(), base.withRecipe("40*HIO+10*ER"), null, Progress.NONE);
		// twin after iteration 3 (index 2), the last 5 ER iterates averaged
		final PhasingResult explicit = new Phaser(new JTransformsBackend(1)).run(OBJECT_2D.diffraction(),
			base.withRecipe("(Avg*ER)**5 * ER**5 * HIO**37 * Twin * HIO**3"), null, Progress.NONE);
		assertArrayEquals(auto.object().data, explicit.object().data);
	}

	@Test
	void rmsShrinkWrapWithDecayingSigma() {
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("ER**50 * (Sup*HIO**25)**8").withShrinkWrapMethod(ShrinkWrapMethod.RMS)
			.withShrinkWrapThreshold(0.25).withShrinkWrapSigma(2).withShrinkWrapSigmaEnd(0.5).withAverageLast(0);
		final PhasingResult r = new Phaser(new JTransformsBackend(1)).run(OBJECT_2D.diffraction(), p, null, Progress.NONE);
		int inTrue = 0, in = 0, truth = 0;
		for (int i = 0; i < r.support().length; i++) {
			if (r.support()[i]) in++;
			if (OBJECT_2D.support()[i]) truth++;
		}
		System.out.printf("PyNX-style shrink-wrap (rms 0.25, σ 2→0.5): χ² %.3e, support %d voxels (true %d)%n", r.finalChi2(), in, truth);
		assertTrue(r.finalChi2() < 1e-2, "χ² " + r.finalChi2());
		assertTrue(in > 0.8 * truth && in < 1.6 * truth, "support " + in + " voxels, object " + truth);
	}

	@Test
	void sigmaDecaysExponentiallyFromStartToEnd() {
		final PhasingParameters p = PhasingParameters.defaults().withRecipe("100*ER").withShrinkWrapSigma(2).withShrinkWrapSigmaEnd(0.5);
		assertEquals(2.0, p.shrinkWrapSigma());
		assertEquals(0.5, p.shrinkWrapSigmaEnd());
		// constant σ follows a change of σ; a decaying one keeps its end
		assertEquals(3.0, PhasingParameters.defaults().withShrinkWrapSigma(3).shrinkWrapSigmaEnd());
		assertEquals(0.5, p.withShrinkWrapSigma(3).shrinkWrapSigmaEnd());
	}
}
