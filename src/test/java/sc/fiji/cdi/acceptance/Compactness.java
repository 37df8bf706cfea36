package sc.fiji.cdi.acceptance;

import java.util.ArrayDeque;

import sc.fiji.cdi.data.Grid;

/** Test helper: is a support one object (its largest 6-connected component holds ≥ 95 % of it)? */
final class Compactness {

	private Compactness() {}

	static boolean isOneBlob(final Grid g, final boolean[] s) {
		final boolean[] seen = new boolean[s.length];
		long total = 0, largest = 0;
		for (final boolean b : s) if (b) total++;
		final ArrayDeque<Integer> queue = new ArrayDeque<>();
		for (int start = 0; start < s.length; start++) {
			if (!s[start] || seen[start]) continue;
			long size = 0;
			seen[start] = true;
			queue.add(start);
			while (!queue.isEmpty()) {
				final int i = queue.poll();
				size++;
				final int x = i % g.nx, y = (i / g.nx) % g.ny, z = i / (g.nx * g.ny);
				final int[][] nb = { { z - 1, y, x }, { z + 1, y, x }, { z, y - 1, x }, { z, y + 1, x }, { z, y, x - 1 }, { z, y, x + 1 } };
				for (final int[] n : nb) {
					if (n[0] < 0 || n[1] < 0 || n[2] < 0 || n[0] >= g.nz || n[1] >= g.ny || n[2] >= g.nx) continue;
					final int j = g.index(n[0], n[1], n[2]);
					if (s[j] && !seen[j]) { seen[j] = true; queue.add(j); }
				}
			}
			largest = Math.max(largest, size);
		}
		return total > 0 && largest >= 0.95 * total;
	}
}
