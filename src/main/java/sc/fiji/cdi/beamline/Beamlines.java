package sc.fiji.cdi.beamline;

import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.util.CdiException;

/** The beamlines this plugin reads, by name, and the automatic choice from the input's layout. */
public final class Beamlines {

	/** Every beamline reader, in the order {@code auto} tries them. */
	public static final List<Beamline> ALL = List.of(new Aps34idc(), new Id01Bliss());

	private Beamlines() {}

	/**
	 * The beamline for {@code beamline=}: "auto" (the first whose layout the input matches, or null for a plain file
	 * or folder), "none" (null: the generic reader), or a beamline's id or alias.
	 */
	public static Beamline select(final String name, final Beamline.Request request) {
		final String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
		if (n.isEmpty() || n.equals("auto")) {
			for (final Beamline b : ALL) if (b.recognises(request)) return b;
			return null;
		}
		if (n.equals("none") || n.equals("generic")) return null;
		final String k = key(n);
		for (final Beamline b : ALL) {
			if (key(b.id()).equals(k)) return b;
			for (final String a : b.aliases()) if (key(a).equals(k)) return b;
		}
		final StringBuilder known = new StringBuilder("auto, none");
		for (final Beamline b : ALL) known.append(", ").append(b.id());
		throw new CdiException("beamline='" + name + "' is not known: expected one of " + known + ".");
	}

	private static String key(final String s) { return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""); }
}
