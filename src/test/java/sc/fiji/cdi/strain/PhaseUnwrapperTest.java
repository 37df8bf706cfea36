package sc.fiji.cdi.strain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;

class PhaseUnwrapperTest {

	@Test
	void twoSeparateCrystalsAreEachUnwrappedAndAVortexLeavesOnlyOneBranchCut() {
		final Grid g = new Grid(16, 32, 64);
		final float[] wrapped = new float[g.size()], truth = new float[g.size()];
		final boolean[] s = new boolean[g.size()];
		for (int z = 2; z < 14; z++) for (int y = 2; y < 30; y++) for (int x = 0; x < 64; x++) {
			if (x >= 28 && x < 36) continue; // a gap: two components
			final int i = g.index(z, y, x);
			s[i] = true;
			// left crystal: a steep smooth ramp; right crystal: a vortex around a line along z at (y, x) = (15.5, 47.5)
			truth[i] = (float) (x < 28 ? 0.9 * x + 0.4 * y : Math.atan2(y - 15.5, x - 47.5) + 0.5 * y);
			wrapped[i] = (float) PhaseUnwrapper.wrap(truth[i]);
		}
		final float[] u = PhaseUnwrapper.unwrap(g, wrapped, s);
		int jumps = 0, edges = 0;
		for (int z = 0; z < 16; z++) for (int y = 0; y < 32; y++) for (int x = 0; x < 64; x++) {
			final int i = g.index(z, y, x);
			if (!s[i]) { assertTrue(Float.isNaN(u[i])); continue; }
			final double k = (u[i] - wrapped[i]) / (2 * Math.PI);
			assertEquals(Math.round(k), k, 1e-4, "unwrapped = wrapped + 2πk");
			if (x < 27) {
				final int j = g.index(z, y, x + 1);
				assertEquals(truth[j] - truth[i], u[j] - u[i], 1e-4, "smooth crystal unwrapped exactly");
			} else if (x >= 36 && x + 1 < 64) {
				edges++;
				if (Math.abs(u[g.index(z, y, x + 1)] - u[i]) > Math.PI) jumps++;
			}
		}
		// one branch cut from the core to the surface: at most ~half a row of jumps per plane (here rows of ≤ 14 voxels)
		assertTrue(jumps > 0 && jumps <= 12 * 16, "jumps " + jumps + " of " + edges + " x-edges");
	}
}
