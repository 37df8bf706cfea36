package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/** Chooses a {@link PhasingBackend} by name. Interim: the pure-Java JTransforms backend only. */
public final class Backends {

	private Backends() {}

	public static PhasingBackend select(final String choice, final Grid grid, final int threads) {
		final String c = choice == null ? "auto" : choice.trim().toLowerCase();
		if (c.equals("auto") || c.equals("jtransforms")) return new JTransformsBackend(threads);
		throw new CdiException("Unknown compute backend '" + choice + "': expected auto or jtransforms.");
	}
}
