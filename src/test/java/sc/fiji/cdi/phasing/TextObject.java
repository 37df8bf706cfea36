package sc.fiji.cdi.phasing;

import java.util.SplittableRandom;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.fft.Fft;

/**
 * A 2D forward-CDI test pattern that is not a crystal: block letters "C", "D", "I" (three separate parts, thick
 * strokes) of a real, non-negative object, like a lithographic test pattern, and its measurement: I = |DFT|² scaled
 * to a total number of photons, Poisson noise, and a square beam stop at the centre whose shadow reads zero.
 */
public final class TextObject {

	private TextObject() {}

	/** The letters, each 28 × 18 pixels with 5-pixel strokes, 7 pixels apart, centred in an n × n array. */
	public static ComplexVolume letters(final int n) {
		final Grid g = Grid.of2D(n, n);
		final float[] a = new float[g.size()];
		final int h = 28, w = 18, t = 5, gap = 7, total = 3 * w + 2 * gap;
		final int y0 = n / 2 - h / 2, x0 = n / 2 - total / 2;
		// C: top, bottom, left strokes
		box(a, n, y0, x0, t, w);
		box(a, n, y0 + h - t, x0, t, w);
		box(a, n, y0, x0, h, t);
		// D: top, bottom, left, right (shorter) strokes
		final int xd = x0 + w + gap;
		box(a, n, y0, xd, t, w - 4);
		box(a, n, y0 + h - t, xd, t, w - 4);
		box(a, n, y0, xd, h, t);
		box(a, n, y0 + 4, xd + w - t, h - 8, t);
		// I: a bar with serifs
		final int xi = xd + w + gap;
		box(a, n, y0, xi, t, w);
		box(a, n, y0 + h - t, xi, t, w);
		box(a, n, y0, xi + w / 2 - t / 2, h, t);
		final ComplexVolume o = new ComplexVolume(g);
		for (int i = 0; i < a.length; i++) o.data[2 * i] = a[i];
		return o;
	}

	private static void box(final float[] a, final int n, final int y, final int x, final int hh, final int ww) {
		for (int yy = y; yy < y + hh; yy++) for (int xx = x; xx < x + ww; xx++) a[yy * n + xx] = 1f;
	}

	/**
	 * The measured pattern (centred, peak at n/2): I scaled to {@code photons} in total, Poisson noise, and the
	 * {@code beamStop} × {@code beamStop} pixels around n/2 set to 0 — no mask: the reconstruction must find it.
	 */
	public static Diffraction measure(final ComplexVolume object, final double photons, final int beamStop, final long seed) {
		final Grid g = object.grid;
		final float[] f = Fft.forwardCopy(g, object.data);
		final double[] in = new double[g.size()];
		double sum = 0;
		for (int i = 0; i < in.length; i++) { in[i] = (double) f[2 * i] * f[2 * i] + (double) f[2 * i + 1] * f[2 * i + 1]; sum += in[i]; }
		final SplittableRandom r = new SplittableRandom(seed);
		final float[] counts = new float[in.length];
		for (int i = 0; i < in.length; i++) counts[i] = poisson(r, in[i] * photons / sum);
		final float[] centred = FftShift.fftshift(g, counts, 1);
		for (int y = g.ny / 2 - beamStop / 2; y < g.ny / 2 - beamStop / 2 + beamStop; y++)
			for (int x = g.nx / 2 - beamStop / 2; x < g.nx / 2 - beamStop / 2 + beamStop; x++) centred[y * g.nx + x] = 0;
		return new Diffraction(new RealVolume(g, centred), Quantity.INTENSITY, null, new ProcessingLog(), "letters CDI, seed " + seed);
	}

	/** Poisson deviate: Knuth's product method below 30, the normal approximation (rounded, ≥ 0) above. */
	static float poisson(final SplittableRandom r, final double lambda) {
		if (lambda <= 0) return 0;
		if (lambda > 30) {
			final double u = r.nextDouble(), v = r.nextDouble();
			final double z = Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
			return (float) Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
		}
		final double l = Math.exp(-lambda);
		int k = 0;
		double p = 1;
		do { k++; p *= r.nextDouble(); } while (p > l);
		return k - 1;
	}
}
