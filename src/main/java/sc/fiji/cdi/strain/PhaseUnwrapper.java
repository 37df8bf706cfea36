package sc.fiji.cdi.strain;

import java.util.Arrays;

import sc.fiji.cdi.data.Grid;

/**
 * Quality-guided flood-fill phase unwrapping inside a support (Ghiglia &amp; Pritt, "Two-Dimensional Phase
 * Unwrapping", 1998, ch. 4, extended to 3D). The quality of a voxel is the negative sum of its squared wrapped
 * second differences: zero for any linear phase, large next to phase residues (dislocation cores, vortices) and
 * noise. Voxels are unwrapped from the best one outwards, each relative to its best already-unwrapped neighbour,
 * so paths avoid the residues and the unavoidable 2π branch cut around a vortex is pushed to where the growth fronts
 * meet, at the worst voxels. Each connected component of the support (6-connectivity) is unwrapped on its own.
 * <p>
 * Strain does not depend on where the branch cut lies: {@link StrainAnalysis} differentiates with wrapped
 * differences.
 */
public final class PhaseUnwrapper {

	private PhaseUnwrapper() {}

	/** Wraps an angle into [−π, π). */
	public static double wrap(final double a) {
		return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
	}

	/**
	 * @param phase   wrapped (or not) phase in radians, (z, y, x)
	 * @param support voxels to unwrap
	 * @return the unwrapped phase inside the support (equal to {@code phase} modulo 2π there), NaN outside
	 */
	public static float[] unwrap(final Grid g, final float[] phase, final boolean[] support) {
		final int n = g.size();
		final float[] cost = qualityCost(g, phase, support);
		final float[] out = new float[n];
		Arrays.fill(out, Float.NaN);
		final boolean[] queued = new boolean[n];
		final LongHeap heap = new LongHeap(1024);
		final int[] nb = new int[6];
		// one seed per connected component, the best voxel not reached yet: walk the support in order of quality
		int m = 0;
		for (int i = 0; i < n; i++) if (support[i]) m++;
		final long[] order = new long[m];
		m = 0;
		for (int i = 0; i < n; i++) if (support[i]) order[m++] = ((long) Float.floatToIntBits(cost[i]) << 32) | i;
		Arrays.sort(order);
		for (final long key : order) {
			final int seed = (int) (key & 0xffffffffL);
			if (queued[seed]) continue;
			queued[seed] = true;
			out[seed] = phase[seed];
			pushNeighbours(g, seed, support, queued, cost, heap, nb);
			while (!heap.isEmpty()) {
				final int v = (int) (heap.pop() & 0xffffffffL);
				// unwrap relative to the best already-unwrapped neighbour
				final int k = neighbours(g, v, nb);
				int ref = -1;
				float refCost = Float.POSITIVE_INFINITY;
				for (int j = 0; j < k; j++) {
					final int u = nb[j];
					if (!Float.isNaN(out[u]) && cost[u] <= refCost) { refCost = cost[u]; ref = u; }
				}
				out[v] = (float) (out[ref] + wrap(phase[v] - phase[ref]));
				pushNeighbours(g, v, support, queued, cost, heap, nb);
			}
		}
		return out;
	}

	private static void pushNeighbours(final Grid g, final int v, final boolean[] support, final boolean[] queued, final float[] cost, final LongHeap heap, final int[] nb) {
		final int k = neighbours(g, v, nb);
		for (int j = 0; j < k; j++) {
			final int u = nb[j];
			if (support[u] && !queued[u]) {
				queued[u] = true;
				heap.push(((long) Float.floatToIntBits(cost[u]) << 32) | u);
			}
		}
	}

	/** The 6-connected neighbours of voxel i that lie in the array; returns their count. */
	static int neighbours(final Grid g, final int i, final int[] nb) {
		final int x = i % g.nx, y = (i / g.nx) % g.ny, z = i / (g.nx * g.ny);
		final int sy = g.nx, sz = g.nx * g.ny;
		int k = 0;
		if (x > 0) nb[k++] = i - 1;
		if (x < g.nx - 1) nb[k++] = i + 1;
		if (y > 0) nb[k++] = i - sy;
		if (y < g.ny - 1) nb[k++] = i + sy;
		if (z > 0) nb[k++] = i - sz;
		if (z < g.nz - 1) nb[k++] = i + sz;
		return k;
	}

	/** Σ over axes of the squared wrapped second difference (≥ 0, lower is better); along an axis where a neighbour is outside the support, the term is π². */
	static float[] qualityCost(final Grid g, final float[] phase, final boolean[] support) {
		final float[] c = new float[g.size()];
		final int[] strides = { g.nx * g.ny, g.nx, 1 };
		final int[] dims = { g.nz, g.ny, g.nx };
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < g.ny; y++)
				for (int x = 0; x < g.nx; x++) {
					final int i = g.index(z, y, x);
					if (!support[i]) continue;
					final int[] pos = { z, y, x };
					double s = 0;
					for (int a = 0; a < 3; a++) {
						if (dims[a] == 1) continue;
						final int p = pos[a];
						if (p == 0 || p == dims[a] - 1 || !support[i - strides[a]] || !support[i + strides[a]]) { s += Math.PI * Math.PI; continue; }
						final double d2 = wrap(phase[i + strides[a]] - phase[i]) - wrap(phase[i] - phase[i - strides[a]]);
						s += d2 * d2;
					}
					c[i] = (float) s;
				}
		return c;
	}

	/** A binary min-heap of longs (cost bits in the high word, voxel index in the low word). */
	static final class LongHeap {
		private long[] a;
		private int size;

		LongHeap(final int capacity) { a = new long[capacity]; }

		boolean isEmpty() { return size == 0; }

		void push(final long v) {
			if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
			int i = size++;
			while (i > 0) {
				final int p = (i - 1) >>> 1;
				if (a[p] <= v) break;
				a[i] = a[p];
				i = p;
			}
			a[i] = v;
		}

		long pop() {
			final long top = a[0];
			final long last = a[--size];
			int i = 0;
			while (true) {
				int c = 2 * i + 1;
				if (c >= size) break;
				if (c + 1 < size && a[c + 1] < a[c]) c++;
				if (a[c] >= last) break;
				a[i] = a[c];
				i = c;
			}
			if (size > 0) a[i] = last;
			return top;
		}
	}
}
