package sc.fiji.cdi.view;

/**
 * Colour tables for CDI maps. {@link #DIVERGING} (ColorBrewer RdBu anchors, blue – white – red) for signed
 * quantities centred on zero such as strain and displacement: zero is white, so compressive and tensile regions and
 * defects stand out. {@link #CYCLIC} for phase in (−π, π]: its two ends have the same colour, so a 2π wrap is not
 * drawn as an edge (anchors after matplotlib's "twilight"). {@link #GREY} for amplitude.
 */
public enum Lut {
	DIVERGING(new int[][] { { 33, 102, 172 }, { 146, 197, 222 }, { 247, 247, 247 }, { 244, 165, 130 }, { 178, 24, 43 } }),
	CYCLIC(new int[][] { { 226, 217, 226 }, { 94, 128, 181 }, { 47, 20, 54 }, { 168, 64, 59 }, { 226, 217, 226 } }),
	GREY(new int[][] { { 0, 0, 0 }, { 255, 255, 255 } });

	private final int[][] anchors;

	Lut(final int[][] anchors) { this.anchors = anchors; }

	/** Packed 0xRRGGBB colour at t ∈ [0, 1] (clamped; NaN gives the middle colour). */
	public int rgb(final double t) {
		final double u = Double.isNaN(t) ? 0.5 : Math.max(0, Math.min(1, t));
		final double p = u * (anchors.length - 1);
		final int i = Math.min((int) p, anchors.length - 2);
		final double f = p - i;
		int c = 0;
		for (int k = 0; k < 3; k++) c = (c << 8) | (int) Math.round(anchors[i][k] + f * (anchors[i + 1][k] - anchors[i][k]));
		return c;
	}

	/** 256-entry red, green, blue tables (for ImageJ's {@code ij.process.LUT}). */
	public byte[][] tables() {
		final byte[][] t = new byte[3][256];
		for (int i = 0; i < 256; i++) {
			final int c = rgb(i / 255.0);
			t[0][i] = (byte) (c >> 16); t[1][i] = (byte) (c >> 8); t[2][i] = (byte) c;
		}
		return t;
	}

	/** The natural table for a quantity name: phase → cyclic, amplitude/support → grey, anything signed → diverging. */
	public static Lut forQuantity(final String name) {
		final String n = name.toLowerCase();
		if (n.contains("phase")) return CYCLIC;
		if (n.contains("amplitude") || n.contains("modulus") || n.contains("support") || n.contains("intensity")) return GREY;
		return DIVERGING;
	}
}
