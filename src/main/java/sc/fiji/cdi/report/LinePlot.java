package sc.fiji.cdi.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;


import sc.fiji.cdi.util.AtomicOutput;

/**
 * A headless line plot (Java2D, no AWT window) for error-vs-iteration and loss curves, saved as PNG.
 * Optional logarithmic y axis, since phasing errors span decades.
 */
public final class LinePlot {

	private record Series(String name, double[] x, double[] y, Color color) {}

	private static final Color[] PALETTE = { new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd) };

	private final String title, xLabel, yLabel;
	private final boolean logY;
	private final List<Series> series = new ArrayList<>();

	public LinePlot(final String title, final String xLabel, final String yLabel, final boolean logY) {
		this.title = title; this.xLabel = xLabel; this.yLabel = yLabel; this.logY = logY;
	}

	/** Adds a curve with x = 1, 2, …, n. */
	public LinePlot add(final String name, final double[] y) {
		final double[] x = new double[y.length];
		for (int i = 0; i < y.length; i++) x[i] = i + 1;
		return add(name, x, y);
	}

	public LinePlot add(final String name, final double[] x, final double[] y) {
		series.add(new Series(name, x.clone(), y.clone(), PALETTE[series.size() % PALETTE.length]));
		return this;
	}

	private double ty(final double v) { return logY ? Math.log10(Math.max(v, 1e-30)) : v; }

	public BufferedImage render(final int width, final int height) {
		final BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		final Graphics2D g = img.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, width, height);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		final FontMetrics fm = g.getFontMetrics();
		final int left = 70, right = 20, top = 30, bottom = 45;
		final int pw = width - left - right, ph = height - top - bottom;

		double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
		for (final Series s : series)
			for (int i = 0; i < s.y.length; i++) {
				if (!Double.isFinite(s.y[i]) || (logY && s.y[i] <= 0)) continue;
				x0 = Math.min(x0, s.x[i]); x1 = Math.max(x1, s.x[i]);
				y0 = Math.min(y0, ty(s.y[i])); y1 = Math.max(y1, ty(s.y[i]));
			}
		if (!Double.isFinite(x0)) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
		if (x1 == x0) x1 = x0 + 1;
		if (logY) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
		if (y1 == y0) y1 = y0 + 1;
		final double fx0 = x0, fx1 = x1, fy0 = y0, fy1 = y1;
		final java.util.function.DoubleUnaryOperator px = v -> left + (v - fx0) / (fx1 - fx0) * pw;
		final java.util.function.DoubleUnaryOperator py = v -> top + ph - (v - fy0) / (fy1 - fy0) * ph;

		// axes, ticks and grid
		g.setColor(new Color(0xdddddd));
		final int nTicks = 5;
		for (int k = 0; k <= nTicks; k++) {
			final double yv = logY ? y0 + Math.round((y1 - y0) * k / (double) nTicks) : y0 + (y1 - y0) * k / nTicks;
			final int yy = (int) py.applyAsDouble(yv);
			g.setColor(new Color(0xdddddd));
			g.drawLine(left, yy, left + pw, yy);
			g.setColor(Color.BLACK);
			final String lab = logY ? "1e" + (int) Math.round(yv) : String.format(Locale.ROOT, "%.3g", yv);
			g.drawString(lab, left - 6 - fm.stringWidth(lab), yy + fm.getAscent() / 2);
			final double xv = x0 + (x1 - x0) * k / nTicks;
			final int xx = (int) px.applyAsDouble(xv);
			final String xl = String.format(Locale.ROOT, "%.0f", xv);
			g.drawString(xl, xx - fm.stringWidth(xl) / 2, top + ph + fm.getAscent() + 4);
		}
		g.setColor(Color.BLACK);
		g.drawRect(left, top, pw, ph);
		g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, height - 8);
		g.drawString(title, left + pw / 2 - fm.stringWidth(title) / 2, top - 10);
		final Graphics2D gr = (Graphics2D) g.create();
		gr.rotate(-Math.PI / 2);
		gr.drawString(yLabel, -(top + ph / 2) - fm.stringWidth(yLabel) / 2, 14);
		gr.dispose();

		// curves and legend
		g.setStroke(new BasicStroke(1.6f));
		int ly = top + 16, labelWidth = 0;
		for (final Series s : series) labelWidth = Math.max(labelWidth, fm.stringWidth(s.name));
		final int lx = left + pw - labelWidth - 36;
		for (final Series s : series) {
			g.setColor(s.color);
			int lastX = Integer.MIN_VALUE, lastY = 0;
			for (int i = 0; i < s.y.length; i++) {
				if (!Double.isFinite(s.y[i]) || (logY && s.y[i] <= 0)) { lastX = Integer.MIN_VALUE; continue; }
				final int xx = (int) px.applyAsDouble(s.x[i]), yy = (int) py.applyAsDouble(ty(s.y[i]));
				if (lastX != Integer.MIN_VALUE) g.drawLine(lastX, lastY, xx, yy);
				else if (s.y.length == 1) g.fillOval(xx - 2, yy - 2, 5, 5);
				lastX = xx; lastY = yy;
			}
			g.drawLine(lx, ly - 4, lx + 20, ly - 4);
			g.setColor(Color.BLACK);
			g.drawString(s.name, lx + 25, ly);
			ly += 16;
		}
		g.dispose();
		return img;
	}

	/** Renders at 800×500 and writes a PNG atomically. */
	public void savePng(final Path file) {
		final BufferedImage img = render(800, 500);
		AtomicOutput.writePng(file, img);
	}
}
