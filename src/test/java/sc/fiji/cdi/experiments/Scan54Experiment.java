package sc.fiji.cdi.experiments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.Progress;

/**
 * Experiment harness (not a test): the raw APS 34-ID-C scan 54 frames through preprocessing variants and phasing,
 * to find what breaks phasing. Run with {@code java -cp ... sc.fiji.cdi.experiments.Scan54Experiment <variant> [recipe]}.
 * Variants: bad pixels (dark &gt; 1, flat ≤ 0) masked or measured zeros; the preprocessing as in {@link Preprocessor}.
 */
public final class Scan54Experiment {

	public static void main(final String[] args) throws Exception {
		final Path dir = Path.of(System.getProperty("cdi.shared.dir", "/work/shared"), "data", "aps-34idc-scan54");
		final String variant = args.length > 0 ? args[0] : "baseline";
		final String recipe = args.length > 1 ? args[1] : "20*ER+180*HIO+20*ER";
		final int threads = Integer.getInteger("threads", 2);
		final boolean badAsZero = variant.contains("badzero");
		final Diffraction frames = DiffractionReader.read(dir.resolve("AD34idcTIM2_example/Staff20-1a_S0054"), ImportOptions.defaults());
		final Grid g = frames.grid();
		final float[] dark = cut(DiffractionReader.read(dir.resolve("dark.tif"), ImportOptions.defaults()), g);
		final float[] flat = cut(DiffractionReader.read(dir.resolve("whitefield.tif"), ImportOptions.defaults()), g);
		double sum = 0; int nPos = 0;
		for (final float f : flat) if (f > 0) { sum += f; nPos++; }
		final double mean = sum / nPos;
		final int plane = g.ny * g.nx;
		final float[] v = frames.values.data.clone();
		final boolean[] mask = new boolean[v.length];
		int bad = 0;
		for (int i = 0; i < plane; i++) {
			final boolean b = dark[i] > 1 || !(flat[i] > 0);
			if (b) bad++;
			for (int z = 0; z < g.nz; z++) {
				final int k = z * plane + i;
				if (b) { v[k] = 0; mask[k] = !badAsZero; } else v[k] = (float) (v[k] * mean / flat[i]);
			}
		}
		Diffraction d = new Diffraction(new RealVolume(g, v), frames.quantity, badAsZero ? null : Mask.fromUnmeasured(g, mask), frames.log, frames.source);
		System.out.printf(Locale.ROOT, "variant %s: %s, bad pixels per frame %d%n", variant, g, bad);
		final PreprocessOptions.Centring c = variant.contains("nocentre") ? PreprocessOptions.Centring.NONE : PreprocessOptions.Centring.MAX;
		final PreprocessOptions.Outside outside = variant.contains("padzero") ? PreprocessOptions.Outside.ZERO : PreprocessOptions.Outside.UNMEASURED;
		final Diffraction pre = Preprocessor.apply(d, PreprocessOptions.defaults().withThreshold(2).withCentre(c).withOutside(outside));
		int masked = 0;
		if (pre.mask != null) masked += pre.mask.unmeasuredCount();
		System.out.printf(Locale.ROOT, "preprocessed %s, masked %d of %d%n", pre.grid(), masked, pre.grid().size());
		for (final var s : pre.log.steps()) System.out.println("  " + s.name() + " " + s.parameters());
		final PhasingParameters p = PhasingParameters.defaults().withRecipe(recipe).withSeed(Long.getLong("seed", 1));
		final long t0 = System.nanoTime();
		if (variant.startsWith("multistart")) {
			// the default pipeline after preprocessing: MultiStart with -Dstarts (0 = automatic), -Dbin binning
			final int bin = Integer.getInteger("bin", 1);
			final Diffraction pb = bin > 1 ? Preprocessor.apply(d, PreprocessOptions.defaults().withThreshold(2).withBinning(bin, bin, bin)) : pre;
			final int starts = Integer.getInteger("starts", 0) > 0 ? Integer.getInteger("starts", 0) : sc.fiji.cdi.pipeline.MultiStart.defaultStarts(pb.grid());
			final sc.fiji.cdi.pipeline.MultiStart.Result ms = sc.fiji.cdi.pipeline.MultiStart.run(pb, p, starts, new JTransformsBackend(threads), Progress.NONE);
			for (final var st : ms.starts()) System.out.println("  start " + st);
			int sup = 0;
			for (final boolean b : ms.result().support()) if (b) sup++;
			final double[] ext = extent(pb.grid(), ms.result().support());
			System.out.printf(Locale.ROOT, "RESULT %s grid %s starts %d averaged %d final_chi2 %.5f best_start_chi2 %.5f average_chi2 %.5f support %d extent %.0f,%.0f,%.0f prtf %s time %.1fs%n",
				variant, pb.grid(), starts, ms.averaged(), ms.result().finalChi2(), ms.bestStartChi2(), ms.averageChi2(), sup, ext[0], ext[1], ext[2],
				ms.prtf() == null ? "-" : String.format(Locale.ROOT, "%.2f voxels (reached %b)", ms.prtf().resolutionVoxels(), ms.prtf().reachedThreshold()), (System.nanoTime() - t0) / 1e9);
			final double[] com = sc.fiji.cdi.phasing.Moments.centreOfMass(pb.grid(), ms.result().support());
			System.out.printf(Locale.ROOT, "support centre %.1f,%.1f,%.1f of %s%n", com[0], com[1], com[2], pb.grid());
			if (System.getProperty("out") != null) {
				Files.createDirectories(Path.of(System.getProperty("out")));
				sc.fiji.cdi.io.TiffWriter.write(Path.of(System.getProperty("out"), variant + "_amp.tif"), ms.result().object().amplitude());
			}
			return;
		}
		final PhasingResult r = new Phaser(new JTransformsBackend(threads)).run(pre, p, null, Progress.NONE);
		int sup = 0;
		for (final boolean b : r.support()) if (b) sup++;
		final double[] ext = extent(pre.grid(), r.support());
		System.out.printf(Locale.ROOT, "RESULT %s recipe=%s chi2=%.5f support=%d extent(z,y,x)=%.0f,%.0f,%.0f time=%.1fs%n", variant, recipe, r.finalChi2(), sup, ext[0], ext[1], ext[2], (System.nanoTime() - t0) / 1e9);
		final StringBuilder h = new StringBuilder();
		for (int i = 0; i < r.chi2History().length; i += 20) h.append(String.format(Locale.ROOT, " %d:%.4f", i, r.chi2History()[i]));
		System.out.println("history" + h);
		if (System.getProperty("out") != null) {
			Files.createDirectories(Path.of(System.getProperty("out")));
			sc.fiji.cdi.io.TiffWriter.write(Path.of(System.getProperty("out"), variant + "_amp.tif"), r.object().amplitude());
		}
	}

	/** The ROI (#UIMR5 0 256 0 256: minX sizeX minY sizeY) of a full-detector 2D image. */
	static float[] cut(final Diffraction full, final Grid frames) {
		final Grid f = full.grid();
		final float[] out = new float[frames.ny * frames.nx];
		for (int y = 0; y < frames.ny; y++) System.arraycopy(full.values.data, y * f.nx, out, y * frames.nx, frames.nx);
		return out;
	}

	/** Extent (z, y, x) of the support: 5th–95th percentile span along each axis. */
	static double[] extent(final Grid g, final boolean[] s) {
		final int[] dims = g.zyx();
		final double[] e = new double[3];
		for (int d = 0; d < 3; d++) {
			final long[] hist = new long[dims[d]];
			long tot = 0;
			for (int z = 0, i = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++, i++)
				if (s[i]) { hist[d == 0 ? z : d == 1 ? y : x]++; tot++; }
			long acc = 0; int lo = -1, hi = -1;
			for (int k = 0; k < dims[d]; k++) { acc += hist[k]; if (lo < 0 && acc > 0.02 * tot) lo = k; if (hi < 0 && acc >= 0.98 * tot) hi = k; }
			e[d] = hi - lo + 1;
		}
		return e;
	}
}
