package sc.fiji.cdi.io;

import java.util.Locale;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.util.CdiException;

/**
 * A rectangular region of a detector in EPICS areaDetector's order, the order of the SPEC {@code #UIMR} lines:
 * first column {@code minX}, width {@code sizeX}, first row {@code minY}, height {@code sizeY} (pixels, 0-based).
 * X runs along a frame's columns (array axis x), Y along its rows (axis y).
 * <p>
 * Used two ways: frames saved from a region of the detector (APS 34-ID-C saves {@code #UIMR5}) are placed on the
 * full detector so that full-detector dark and flat fields are cut to them; full-detector frames are cropped to it.
 * cohere reads TIFFs transposed and applies the first pair to its axis 0, i.e. also to the TIFF columns.
 */
public record DetectorRegion(int minX, int sizeX, int minY, int sizeY) {

	public DetectorRegion {
		if (minX < 0 || minY < 0 || sizeX < 1 || sizeY < 1)
			throw new CdiException("Detector region minX=" + minX + " sizeX=" + sizeX + " minY=" + minY + " sizeY=" + sizeY
				+ " is not possible: expected minX, minY ≥ 0 and sizeX, sizeY ≥ 1 pixels.");
	}

	/**
	 * Parses "minX,sizeX,minY,sizeY" (commas, spaces or 'x' between the numbers), the order of SPEC's {@code #UIMR}
	 * lines. {@code what} names the parameter or file line in the message.
	 */
	public static DetectorRegion parse(final String s, final String what) {
		if (s == null || s.isBlank()) return null;
		final String[] p = s.trim().split("[,;\\s]+");
		if (p.length == 4) {
			try {
				return new DetectorRegion(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
			} catch (final NumberFormatException e) {
				// fall through to the message
			}
		}
		throw new CdiException(what + "='" + s.trim() + "' is not a detector region: expected four whole numbers minX,sizeX,minY,sizeY "
			+ "(first column, width, first row, height in pixels, as in SPEC's #UIMR lines), e.g. 0,256,0,256.");
	}

	/** The frame size (y, x) this region holds. */
	public Grid frame() { return Grid.of2D(sizeY, sizeX); }

	/** Whether the region lies inside a detector frame of {@code full} (y, x). */
	public boolean fitsIn(final Grid full) { return minX + sizeX <= full.nx && minY + sizeY <= full.ny; }

	/** The region of every plane of {@code values} (z, y, x on grid {@code g}) as a new (z, sizeY, sizeX) array. */
	public float[] cut(final float[] values, final Grid g) {
		if (!fitsIn(g)) throw new CdiException("Detector region " + this + " does not fit in a detector frame of " + g.ny + "x" + g.nx + " pixels (rows x columns).");
		final float[] out = new float[g.nz * sizeY * sizeX];
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < sizeY; y++) System.arraycopy(values, g.index(z, minY + y, minX), out, (z * sizeY + y) * sizeX, sizeX);
		return out;
	}

	/** {@link #cut(float[], Grid)} for a mask of the whole frames: a mask on (z, sizeY, sizeX); null stays null. */
	public Mask cut(final Mask mask) {
		if (mask == null) return null;
		final Grid g = mask.grid;
		if (!fitsIn(g)) throw new CdiException("Detector region " + this + " does not fit in a detector frame of " + g.ny + "x" + g.nx + " pixels (rows x columns).");
		final boolean[] in = mask.unmeasuredArray(), out = new boolean[g.nz * sizeY * sizeX];
		for (int z = 0; z < g.nz; z++)
			for (int y = 0; y < sizeY; y++) System.arraycopy(in, g.index(z, minY + y, minX), out, (z * sizeY + y) * sizeX, sizeX);
		return Mask.fromUnmeasured(new Grid(g.nz, sizeY, sizeX), out);
	}

	/** "minX,sizeX,minY,sizeY" as {@link #parse} reads it. */
	@Override
	public String toString() { return String.format(Locale.ROOT, "%d,%d,%d,%d", minX, sizeX, minY, sizeY); }
}
