package sc.fiji.cdi.io;

import java.util.Locale;

import sc.fiji.cdi.util.CdiException;

/**
 * A position on the whole detector in pixels: {@code row} (down from the top row, 0-based) and {@code column}
 * (0-based), in the order of the arrays (y, x) and of bcdi's {@code direct_beam} (vertical, horizontal). Fractional
 * values are the centre of a binned pixel.
 */
public record DetectorPixel(double row, double column) {

	public DetectorPixel {
		if (!Double.isFinite(row) || !Double.isFinite(column)) throw new CdiException("A detector pixel needs a finite row and column, got " + row + ", " + column + ".");
	}

	/**
	 * Parses "row,column" (commas or spaces between two numbers, 0-based pixels of the whole detector); blank: null.
	 * {@code key} names the parameter in the message.
	 */
	public static DetectorPixel parse(final String s, final String key) {
		if (s == null || s.isBlank()) return null;
		final String[] p = s.trim().split("[,;\\s]+");
		if (p.length == 2) {
			try {
				final double r = Double.parseDouble(p[0]), c = Double.parseDouble(p[1]);
				if (Double.isFinite(r) && Double.isFinite(c) && r >= 0 && c >= 0) return new DetectorPixel(r, c);
			} catch (final NumberFormatException e) {
				// fall through to the message
			}
		}
		throw new CdiException(key + "='" + s.trim() + "' is not a detector pixel: expected two numbers row,column (0-based pixels of the whole, unbinned detector, "
			+ "row first as in bcdi's direct_beam), e.g. 256,256 for the centre of a 512x512 detector.");
	}

	/** The pixel as the list [row, column] for reports. */
	public double[] toArray() { return new double[] { row, column }; }

	/** "(row, column)" for messages and the log. */
	public String inWords() { return "(" + number(row) + ", " + number(column) + ")"; }

	/** "row,column" as {@link #parse} reads it. */
	@Override
	public String toString() { return String.format(Locale.ROOT, "%s,%s", number(row), number(column)); }

	private static String number(final double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }
}
