package sc.fiji.cdi.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.nn.train.TrainingData;
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

	@Test
	void gapsAndDomainsAreAddedWithoutChangingTheOtherDraws() {
		final Grid g = Grid.of2D(64, 64);
		final CrystalRecipe plain = new CrystalRecipe(CrystalRecipe.defaults(2).base(), 0.2, 0.45, 0, 3, 1e5, 1e9, true, true);
		final CrystalRecipe both = plain.domains(true).gaps(true);
		int gapped = 0, twoDomain = 0;
		for (int i = 0; i < 40; i++) {
			final SimulatedCrystal a = plain.crystal(g, 3, i), b = both.crystal(g, 3, i);
			final Diffraction d = b.diffraction();
			final boolean hasGap = d.log.steps().stream().anyMatch(s -> s.name().equals("detector_gaps"));
			final boolean hasDomains = d.log.steps().stream().anyMatch(s -> s.name().equals("two_domains"));
			// the shape is the same crystal (the options draw after everything else)
			assertArrayEquals(a.support(), b.support(), "crystal " + i);
			if (hasGap) {
				gapped++;
				assertTrue(d.unmeasuredCount() >= g.ny, "a gap is a whole detector line or more: " + d.unmeasuredCount());
				for (int k = 0; k < g.size(); k++) if (!d.isMeasured(k)) assertEquals(0f, d.values.data[k]);
				// the network input is 0 there and the physics loss leaves it out
				final TrainingData.Sample s = TrainingData.sample(b, i);
				assertNotNull(s.measuredUnshifted());
				double masked = 0;
				for (final float w : s.measuredUnshifted()) masked += 1 - w;
				assertEquals(d.unmeasuredCount(), masked, 0.5);
			} else {
				assertEquals(0, d.unmeasuredCount());
			}
			if (hasDomains) {
				twoDomain++;
				// two domains: the phase jumps by the logged step across the plane; the pattern changed with it
				final double step = ((Number) d.log.steps().stream().filter(s -> s.name().equals("two_domains")).findFirst().get().parameters().get("phase_step_rad")).doubleValue();
				assertTrue(step >= 0.5 && step <= Math.PI, "step " + step);
				// the object: inside the support its phase is the plain crystal's, or that plus the step, and both occur
				int same = 0, stepped = 0;
				for (int k = 0; k < g.size(); k++) {
					if (!a.support()[k]) continue;
					final float ar = a.object().data[2 * k], ai = a.object().data[2 * k + 1], br = b.object().data[2 * k], bi = b.object().data[2 * k + 1];
					final double dphi = Math.atan2(bi * ar - br * ai, br * ar + bi * ai); // arg(b·conj(a))
					if (Math.abs(dphi) < 1e-3) same++;
					else if (Math.abs(dphi - step) < 1e-3) stepped++;
					else throw new AssertionError("crystal " + i + ", voxel " + k + ": phase changed by " + dphi + ", neither 0 nor the step " + step);
				}
				assertTrue(same > 0 && stepped > 0, "two domains: " + same + " and " + stepped + " voxels");
				double diff = 0;
				for (int k = 0; k < g.size(); k++) if (d.isMeasured(k)) diff += Math.abs(d.values.data[k] - a.diffraction().values.data[k]);
				assertTrue(diff > 0, "the pattern is computed again");
			} else if (!hasGap) {
				assertArrayEquals(a.diffraction().values.data, d.values.data, "crystal " + i + " is unchanged without either");
			}
		}
		// 30 % and 25 % of 40
		assertTrue(gapped >= 5 && gapped <= 20, "gapped " + gapped);
		assertTrue(twoDomain >= 4 && twoDomain <= 18, "two domains " + twoDomain);
		assertFalse(CrystalRecipe.defaults(3).gaps() || CrystalRecipe.defaults(3).domains(), "cards written before the options have neither");
	}
}
