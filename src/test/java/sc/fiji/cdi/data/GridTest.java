package sc.fiji.cdi.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The bounding box of a mask. */
class GridTest {

	@Test
	void boundsOfAMaskAndOfAnEmptyOne() {
		final Grid g = new Grid(4, 5, 6);
		final boolean[] m = new boolean[g.size()];
		assertNull(g.bounds(m));
		m[g.index(1, 4, 2)] = true;
		m[g.index(3, 0, 5)] = true;
		final int[][] b = g.bounds(m);
		assertArrayEquals(new int[] { 1, 0, 2 }, b[0]);
		assertArrayEquals(new int[] { 3, 4, 5 }, b[1]);
		final Grid flat = Grid.of2D(3, 3);
		final boolean[] one = new boolean[9];
		one[flat.index(0, 2, 1)] = true;
		assertArrayEquals(new int[][] { { 0, 2, 1 }, { 0, 2, 1 } }, flat.bounds(one));
	}
}
