package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;

/** Initial supports, the random start and twin removal. */
class SupportTest {

	@Test
	void boxSupportIsCentredHalfOfEachDimension() {
		final Grid g = new Grid(16, 20, 24);
		final boolean[] s = Phaser.boxSupport(g, 0.5);
		assertEquals(8 * 10 * 12, Phaser.count(s));
		assertTrue(s[g.index(8, 10, 12)]);
		assertTrue(s[g.index(4, 5, 6)] && s[g.index(11, 14, 17)]);
		assertFalse(s[g.index(3, 10, 12)] || s[g.index(12, 10, 12)] || s[g.index(8, 10, 18)]);
		final boolean[] s2 = Phaser.boxSupport(Grid.of2D(64, 64), 0.5);
		assertEquals(32 * 32, Phaser.count(s2));
	}

	@Test
	void autocorrelationSupportCoversTwiceTheObject() {
		final Grid g = Grid.of2D(64, 64);
		final TestObjects.Sample box = TestObjects.rampBox(g, new int[] { 1, 10, 14 }, new double[] { 0, 0, 0 });
		final boolean[] s = Phaser.autocorrelationSupport(g, Phaser.unshiftedAmplitude(box.diffraction()), Phaser.AUTOCORRELATION_THRESHOLD);
		// the autocorrelation of a 10 × 14 box is a pyramid of base 19 × 27 centred at (32, 32); above 10 % of its
		// peak it spans about 0.9 of that base along each axis
		assertTrue(s[g.index(0, 32, 32)]);
		int ySpan = 0, xSpan = 0;
		for (int y = 0; y < 64; y++) if (s[g.index(0, y, 32)]) ySpan++;
		for (int x = 0; x < 64; x++) if (s[g.index(0, 32, x)]) xSpan++;
		assertEquals(17, ySpan, 2);
		assertEquals(25, xSpan, 2);
		assertFalse(s[g.index(0, 5, 5)]);
	}

	@Test
	void randomStartIsSeededAndConfinedToTheSupport() {
		final Grid g = Grid.cube(16);
		final boolean[] s = Phaser.boxSupport(g, 0.5);
		final float[] a = Phaser.randomObject(g, s, 42), b = Phaser.randomObject(g, s, 42), c = Phaser.randomObject(g, s, 43);
		assertTrue(java.util.Arrays.equals(a, b));
		assertFalse(java.util.Arrays.equals(a, c));
		for (int i = 0; i < s.length; i++) {
			final double m = Math.hypot(a[2 * i], a[2 * i + 1]);
			if (!s[i]) assertEquals(0, m);
			else assertTrue(m < 1);
		}
	}

	@Test
	void twinRemovalKeepsTheQuadrantBelowTheCentreOfMass() {
		final Grid g = new Grid(4, 16, 16);
		final float[] rho = new float[2 * g.size()];
		for (int z = 0; z < 4; z++) for (int y = 4; y < 12; y++) for (int x = 4; x < 12; x++) rho[2 * g.index(z, y, x)] = 1f;
		Phaser.removeTwinHalves(g, rho); // centre of mass (y, x) = (7.5, 7.5)
		for (int z = 0; z < 4; z++)
			for (int y = 4; y < 12; y++)
				for (int x = 4; x < 12; x++)
					assertEquals(y <= 7 && x <= 7 ? 1f : 0f, rho[2 * g.index(z, y, x)], "voxel " + z + "," + y + "," + x);
	}
}
