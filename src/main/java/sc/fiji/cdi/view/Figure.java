package sc.fiji.cdi.view;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;


import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;

/**
 * A publication figure of a 3D map (strain, phase, displacement, amplitude): three orthogonal slices through the
 * centre of mass of the support (xy at z = c_z, xz at y = c_y, yz at x = c_x; one panel for 2D data), drawn at the
 * true aspect ratio of the voxels, values shown only inside the support (outside: light grey), a colour bar with
 * value labels and units, and a scale bar in nm. Pure Java2D on a {@link BufferedImage}: works headless.
 */
public final class Figure {

	/** Colour of voxels outside the support. */
	public static final Color OUTSIDE = new Color(0xdddddd);

	/**
	 * @param title       figure title, may be empty
	 * @param label       quantity and unit for the colour bar, e.g. "strain (%)" or "phase (rad)"
	 * @param displayScale factor applied to the values before display (100 for strain in %)
	 * @param min         colour-bar minimum in displayed units; NaN: automatic (symmetric about 0 for diverging)
	 * @param max         colour-bar maximum; NaN: automatic
	 * @param lut         colour table
	 * @param panelPixels size of the longest panel side in pixels
	 * @param scaleBarNm  scale-bar length in nm; ≤ 0: automatic (a round number near ¼ of the panel)
	 */
	public record Options(String title, String label, double displayScale, double min, double max, Lut lut, int panelPixels, double scaleBarNm) {
		public static Options strain() { return new Options("", "strain (%)", 100, Double.NaN, Double.NaN, Lut.DIVERGING, 300, 0); }

		public static Options phase() { return new Options("", "phase (rad)", 1, -Math.PI, Math.PI, Lut.CYCLIC, 300, 0); }

		public static Options displacement() { return new Options("", "displacement (nm)", 1, Double.NaN, Double.NaN, Lut.DIVERGING, 300, 0); }

		public static Options amplitude() { return new Options("", "amplitude (a.u.)", 1, Double.NaN, Double.NaN, Lut.GREY, 300, 0); }

		public Options withTitle(final String t) { return new Options(t, label, displayScale, min, max, lut, panelPixels, scaleBarNm); }

		public Options withRange(final double lo, final double hi) { return new Options(title, label, displayScale, lo, hi, lut, panelPixels, scaleBarNm); }

		public Options withScaleBar(final double nm) { return new Options(title, label, displayScale, min, max, lut, panelPixels, nm); }
	}

	private Figure() {}

	/** Centre of mass (z, y, x) of the support, rounded to voxels. */
	public static int[] centreOfMass(final Grid g, final boolean[] support) {
		double sz = 0, sy = 0, sx = 0;
		long n = 0;
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++)
			if (support[g.index(z, y, x)]) { sz += z; sy += y; sx += x; n++; }
		if (n == 0) return new int[] { g.nz / 2, g.ny / 2, g.nx / 2 };
		return new int[] { (int) Math.round(sz / n), (int) Math.round(sy / n), (int) Math.round(sx / n) };
	}

	/** Fraction of the values inside the automatic colour range: a defect core may saturate, the field stays visible. */
	public static final double AUTO_RANGE_PERCENTILE = 0.99;

	/**
	 * Display range actually used, in displayed units. Automatic limits are the 1st and 99th percentiles of the
	 * values in the support (diverging tables: ± the 99th percentile of |value|), so that a dislocation core does
	 * not wash out the rest of the map.
	 */
	public static double[] range(final RealVolume v, final boolean[] support, final Options o) {
		int n = 0;
		for (int i = 0; i < v.data.length; i++) if (support[i] && !Float.isNaN(v.data[i])) n++;
		final int step = Math.max(1, n / 1_000_000);
		final double[] vals = new double[(n + step - 1) / step];
		int k = 0, seen = 0;
		for (int i = 0; i < v.data.length && k < vals.length; i++) {
			if (!support[i] || Float.isNaN(v.data[i])) continue;
			if (seen++ % step == 0) vals[k++] = v.data[i] * o.displayScale();
		}
		double lo, hi;
		if (k == 0) { lo = -1; hi = 1; }
		else if (o.lut() == Lut.DIVERGING) {
			for (int i = 0; i < k; i++) vals[i] = Math.abs(vals[i]);
			java.util.Arrays.sort(vals, 0, k);
			final double m = vals[Math.min(k - 1, (int) Math.floor(AUTO_RANGE_PERCENTILE * (k - 1)))];
			lo = -m; hi = m;
		} else {
			java.util.Arrays.sort(vals, 0, k);
			lo = vals[(int) Math.floor((1 - AUTO_RANGE_PERCENTILE) * (k - 1))];
			hi = vals[(int) Math.ceil(AUTO_RANGE_PERCENTILE * (k - 1))];
		}
		if (!Double.isNaN(o.min())) lo = o.min();
		if (!Double.isNaN(o.max())) hi = o.max();
		if (!(hi > lo)) hi = lo + (lo == 0 ? 1 : Math.abs(lo) * 1e-3);
		return new double[] { lo, hi };
	}

	/** Renders the figure. {@code support} null: all voxels with a finite value. */
	public static BufferedImage render(final RealVolume v, final boolean[] supportOrNull, final Options o) {
		final Grid g = v.grid;
		final boolean[] support = supportOrNull != null ? supportOrNull : finite(v);
		if (support.length != g.size()) throw new CdiException("The support has " + support.length + " voxels but the image " + g + " has " + g.size() + ".");
		final double[] range = range(v, support, o);
		final int[] c = centreOfMass(g, support);
		final double[] vs = v.voxelSize; // z, y, x
		// panels: (rows axis, columns axis, fixed axis)
		final int[][] panels = g.is2D() ? new int[][] { { 1, 2, 0 } } : new int[][] { { 1, 2, 0 }, { 0, 2, 1 }, { 0, 1, 2 } };
		final int[] n = g.zyx();
		double maxExtent = 0;
		for (int a = 0; a < 3; a++) if (n[a] > 1) maxExtent = Math.max(maxExtent, n[a] * vs[a]);
		final double pxPerUnit = o.panelPixels() / maxExtent;
		final int margin = 40, gap = 24, barWidth = 22, barLabel = 90, titleH = o.title().isEmpty() ? 0 : 30;
		final int[] pw = new int[panels.length], ph = new int[panels.length];
		int width = margin, height = 0;
		for (int p = 0; p < panels.length; p++) {
			pw[p] = Math.max(1, (int) Math.round(n[panels[p][1]] * vs[panels[p][1]] * pxPerUnit));
			ph[p] = Math.max(1, (int) Math.round(n[panels[p][0]] * vs[panels[p][0]] * pxPerUnit));
			width += pw[p] + gap;
			height = Math.max(height, ph[p]);
		}
		width += barWidth + barLabel;
		final int totalH = titleH + margin + height + 2 * margin;
		final BufferedImage img = new BufferedImage(width, totalH, BufferedImage.TYPE_INT_RGB);
		final Graphics2D gr = img.createGraphics();
		gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		gr.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		gr.setColor(Color.WHITE);
		gr.fillRect(0, 0, width, totalH);
		gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		gr.setColor(Color.BLACK);
		if (titleH > 0) {
			gr.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
			gr.drawString(o.title(), margin, 22);
			gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		}
		final String[] axisName = { "z", "y", "x" };
		final int top = titleH + margin;
		int left = margin;
		for (int p = 0; p < panels.length; p++) {
			final int ra = panels[p][0], ca = panels[p][1], fa = panels[p][2];
			for (int py = 0; py < ph[p]; py++)
				for (int px = 0; px < pw[p]; px++) {
					final int[] pos = new int[3];
					pos[fa] = c[fa];
					pos[ra] = Math.min(n[ra] - 1, (int) (py / (vs[ra] * pxPerUnit)));
					pos[ca] = Math.min(n[ca] - 1, (int) (px / (vs[ca] * pxPerUnit)));
					final int i = g.index(pos[0], pos[1], pos[2]);
					final float val = v.data[i];
					final int rgb = support[i] && !Float.isNaN(val) ? o.lut().rgb((val * o.displayScale() - range[0]) / (range[1] - range[0])) : OUTSIDE.getRGB() & 0xffffff;
					img.setRGB(left + px, top + py, rgb);
				}
			gr.setColor(Color.BLACK);
			gr.drawRect(left - 1, top - 1, pw[p] + 1, ph[p] + 1);
			final String caption = g.is2D() ? axisName[ca] + " → , " + axisName[ra] + " ↓" : axisName[ca] + axisName[ra] + " slice at " + axisName[fa] + " = " + c[fa];
			gr.drawString(caption, left, top - 8);
			left += pw[p] + gap;
		}
		// scale bar in the first panel, bottom left
		final double panelNm = n[panels[0][1]] * vs[panels[0][1]];
		final double barNm = o.scaleBarNm() > 0 ? o.scaleBarNm() : niceLength(panelNm / 4);
		final int barPx = (int) Math.round(barNm * pxPerUnit);
		final int bx = margin, by = top + height + 18;
		gr.setColor(Color.BLACK);
		gr.setStroke(new BasicStroke(4));
		gr.drawLine(bx, by, bx + barPx, by);
		gr.drawString(format(barNm) + " nm", bx, by + 18);
		// colour bar
		final int cbx = left, cbTop = top, cbH = height;
		for (int yy = 0; yy < cbH; yy++) {
			gr.setColor(new Color(o.lut().rgb(1 - yy / (double) Math.max(1, cbH - 1))));
			gr.drawLine(cbx, cbTop + yy, cbx + barWidth, cbTop + yy);
		}
		gr.setStroke(new BasicStroke(1));
		gr.setColor(Color.BLACK);
		gr.drawRect(cbx, cbTop, barWidth, cbH);
		final FontMetrics fm = gr.getFontMetrics();
		tick(gr, fm, cbx + barWidth, cbTop, format(range[1]));
		tick(gr, fm, cbx + barWidth, cbTop + cbH, format(range[0]));
		if (range[0] < 0 && range[1] > 0) tick(gr, fm, cbx + barWidth, cbTop + (int) Math.round(cbH * range[1] / (range[1] - range[0])), "0");
		gr.drawString(o.label(), Math.max(0, Math.min(cbx - 10, width - fm.stringWidth(o.label()) - 4)), cbTop + cbH + 34);
		gr.dispose();
		return img;
	}

	private static void tick(final Graphics2D g, final FontMetrics fm, final int x, final int y, final String s) {
		g.drawLine(x, y, x + 5, y);
		g.drawString(s, x + 8, y + fm.getAscent() / 2 - 1);
	}

	/** 1, 2 or 5 × 10^k not above {@code v}. */
	static double niceLength(final double v) {
		if (!(v > 0)) return 1;
		final double p = Math.pow(10, Math.floor(Math.log10(v)));
		for (final double m : new double[] { 5, 2, 1 }) if (m * p <= v) return m * p;
		return p;
	}

	static String format(final double v) {
		if (v == 0) return "0";
		final double a = Math.abs(v);
		if (a >= 1e4 || a < 1e-3) return String.format(Locale.ROOT, "%.2e", v);
		if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
		return String.format(Locale.ROOT, "%.3g", v);
	}

	private static boolean[] finite(final RealVolume v) {
		final boolean[] s = new boolean[v.data.length];
		for (int i = 0; i < s.length; i++) s[i] = !Float.isNaN(v.data[i]);
		return s;
	}

	/** Saves as PNG, atomically. */
	public static void savePng(final BufferedImage img, final Path target) {
		AtomicOutput.writePng(target, img);
	}
}
