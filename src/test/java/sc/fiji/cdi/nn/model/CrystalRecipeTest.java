package sc.fiji.cdi.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.simulate.SimulatedCrystal;

/** The mixed training recipe draws every family it names, and only those; small soft particles never fail a data set. */
class CrystalRecipeTest {

	private static Set<String> logged(final CrystalRecipe r, final Grid g, final String key, final int count) {
		final Set<String> seen = new HashSet<>();
		for (int i = 0; i < count; i++) {
			final SimulatedCrystal c = r.crystal(g, 5, i);
			seen.add(String.valueOf(c.diffraction().log.steps().get(0).parameters().get(key)));
		}
		return seen;
	}

	@Test
	void mixedDrawsShapesPhasesAndStretchesAndFixedPhaseKeepsTheBaseModel() {
		final Grid g = Grid.cube(24);
		final CrystalRecipe mixed = new CrystalRecipe(CrystalRecipe.defaults(3).base(), 0.2, 0.45, 0, 3, 1e5, 1e9, true);
		assertEquals(Set.of("POLYHEDRON", "SPHERE", "CUBE"), logged(mixed, g, "shape", 40));
		assertEquals(Set.of("SINES_GAUSSIANS", "LINEAR_STRAIN", "VORTEX"), logged(mixed, g, "phase_model", 40));
		assertTrue(logged(mixed, g, "aspect", 40).size() > 3, "stretched and unstretched crystals");
		final CrystalRecipe fixed = mixed.fixedPhase(true);
		assertEquals(Set.of("SINES_GAUSSIANS"), logged(fixed, g, "phase_model", 40));
		assertEquals(Set.of("POLYHEDRON", "SPHERE", "CUBE"), logged(fixed, g, "shape", 40));
		assertFalse(CrystalRecipe.defaults(3).fixedPhase(), "cards written before the option read as mixed phases");
	}

	@Test
	void smallSoftCrystalsAreDrawnSharperInsteadOfFailing() {
		// 0.2 of a 32³ box with a 1.5-voxel edge does not fit a rotated cube: the recipe draws it unstretched, then sharper
		final CrystalRecipe r = new CrystalRecipe(CrystalRecipe.defaults(3).base(), 0.2, 0.21, 0, 3, 0, 0, true);
		for (int i = 0; i < 60; i++) assertTrue(r.crystal(Grid.cube(32), 7, i).support().length > 0);
	}
}
