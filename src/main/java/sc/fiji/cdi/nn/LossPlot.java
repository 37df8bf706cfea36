package sc.fiji.cdi.nn;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Training and validation loss per epoch on a log scale, drawn with Java2D (headless-safe). */
public final class LossPlot {

	private LossPlot() {}

	public static BufferedImage render(final List<NetworkTrainer.EpochRecord> history, final int width, final int height) {
		final BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		final Graphics2D g = img.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, width, height);
		final int left = 70, right = 20, top = 30, bottom = 45;
		final int pw = width - left - right, ph = height - top - bottom;
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (final NetworkTrainer.EpochRecord r : history) for (final double v : new double[] { r.trainLoss(), r.validationLoss() })
			if (v > 0 && Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		g.drawRect(left, top, pw, ph);
		g.drawString("epoch", left + pw / 2 - 15, height - 10);
		g.drawString("loss (log)", 5, top - 10);
		if (history.isEmpty() || !(hi > 0)) { g.dispose(); return img; }
		if (hi / lo < 1.01) { hi *= 1.05; lo /= 1.05; }
		final double llo = Math.log10(lo), lhi = Math.log10(hi);
		final int nE = history.size();
		g.drawString(String.format("%.3g", hi), 5, top + 5);
		g.drawString(String.format("%.3g", lo), 5, top + ph);
		g.drawString("1", left, top + ph + 15);
		g.drawString(Integer.toString(history.get(nE - 1).epoch()), left + pw - 10, top + ph + 15);
		final Color[] colours = { new Color(0, 90, 200), new Color(220, 80, 0) };
		final String[] names = { "training", "validation" };
		g.setStroke(new BasicStroke(2f));
		for (int s = 0; s < 2; s++) {
			g.setColor(colours[s]);
			int px = -1, py = -1;
			for (int i = 0; i < nE; i++) {
				final double v = s == 0 ? history.get(i).trainLoss() : history.get(i).validationLoss();
				if (!(v > 0) || !Double.isFinite(v)) continue;
				final int x = left + (nE == 1 ? pw / 2 : (int) Math.round(i * (double) pw / (nE - 1)));
				final int y = top + (int) Math.round((lhi - Math.log10(v)) / (lhi - llo) * ph);
				g.fillOval(x - 3, y - 3, 6, 6);
				if (px >= 0) g.drawLine(px, py, x, y);
				px = x; py = y;
			}
			g.drawString(names[s], left + pw - 90, top + 18 + 16 * s);
		}
		g.dispose();
		return img;
	}
}
