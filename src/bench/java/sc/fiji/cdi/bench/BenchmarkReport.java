package sc.fiji.cdi.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.util.AtomicOutput;

/**
 * Turns the JSON lines of one {@code bench/run-benchmarks.sh} run into {@code docs/benchmarks.md} and a PNG plot of
 * the per-iteration HIO times. Every number in the page comes from the JSON lines; nothing is typed in.
 * Usage: {@code BenchmarkReport results.jsonl docs/benchmarks.md docs/benchmarks.png}
 */
public final class BenchmarkReport {

	/** Backends in table order, with their column titles. */
	static final Map<String, String> COLUMNS = new LinkedHashMap<>();
	static {
		COLUMNS.put("c-fftw", "C + FFTW");
		COLUMNS.put("fftw", "Java + FFTW (`fftw`)");
		COLUMNS.put("jtransforms", "JTransforms (`jtransforms`)");
		COLUMNS.put("djl-cpu", "DJL/PyTorch CPU (`djl`)");
		COLUMNS.put("numpy", "numpy, cohere-style");
		COLUMNS.put("pyfftw", "pyfftw");
		COLUMNS.put("djl-gpu", "DJL/PyTorch GPU (`djl-gpu`)");
	}

	static final Color[] COLOURS = { new Color(0x33, 0x33, 0x33), new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e),
		new Color(0x2c, 0xa0, 0x2c), new Color(0xd6, 0x27, 0x28), new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b) };

	/** HIO goal of issue #6: Java on the CPU within this factor of C + FFTW, per iteration, at 128³ and 256³. */
	static final double CPU_GOAL_RATIO = 1.5;
	/** End-to-end goal of issue #6: 620 iterations at 216×256×256 in this many seconds on the 2-core machine. */
	static final double END_TO_END_GOAL_S = 150;

	/** The fixed part of the page: how backends are chosen, what the GPU path needs, caveats. */
	static final String NOTES = """

		## Notes

		**Backends and the automatic choice** (`sc.fiji.cdi.phasing.Backends.select`, parameter `backend` =
		`auto|fftw|jtransforms|djl|djl-gpu`). `auto` takes DJL/PyTorch on a GPU when the PyTorch engine loads and sees
		one; otherwise FFTW when its natives load (linux-x86_64 here; the `org.bytedeco:fftw` jars with classifiers
		`macosx-x86_64`, `macosx-arm64`, `windows-x86_64` provide the other platforms); otherwise JTransforms. The CPU
		rule is fixed rather than measured per run because FFTW was the fastest CPU backend at every size in every run
		so far (tables above); a short measurement would cost more than it could win. All backends run the same recipe
		code (`Phaser`, shrink-wrap, metrics) through the `PhasingBackend` seam; the tests
		`FftwEquivalenceTest` and `DjlBackendTest` check that each operation matches JTransforms to 1e-5 and that a whole
		run from the same seed ends at the same object to 1e-3 (HIO with shrink-wrap amplifies float rounding, so
		longer runs drift apart like two runs of the same code with different FFT libraries).

		**FFTW backend** (`sc.fiji.cdi.phasing.fftw`): FFTW 3.3.10 single precision from the JavaCPP presets
		(`org.bytedeco:fftw:3.3.10-1.5.10`, GPL — the project is GPL-3.0 like Fiji). ρ and the projection live in
		FFTW-aligned native memory; forward FFT out of place (ρ is kept for HIO), inverse in place; the elementwise steps
		are fused multithreaded Java loops over direct buffers (χ² in the projection pass, the outside-support energy in
		the update pass, |ρ| in the first blur pass) with reductions added in a fixed chunk order. MEASURE plans are
		found once per size and thread count and kept as FFTW wisdom (`~/.cache/cdi-fiji/fftwf-wisdom.txt`, or
		`${scijava.app.directory}/cache/` in Fiji), so only the first reconstruction of a size pays the planning time.

		**DJL backend** (`sc.fiji.cdi.phasing.djl`): complex64 NDArrays on the engine's device for the whole run; the
		3D FFT is one `fft2` over the three axes; the support updates are in-place multiply-adds with cached real
		coefficient arrays (no allocation); χ², maxima and counts come back as scalars only. PyTorch allocates a new
		array for each out-of-place op (FFT, |F|, the ratio), so on the CPU it is bound by memory traffic and
		allocation rather than by the FFT; tcmalloc is preloaded for its benchmark. Its place is the GPU.

		**GPU.** No GPU was lent to the session that wrote this code, so the GPU goal is unmeasured. The GPU path needs
		DJL's CUDA build of PyTorch 2.7.1: the `pytorch-jni` jar already contains the `cu128` JNI library; the CUDA
		natives (`ai.djl.pytorch:pytorch-native-cu128:2.7.1`, several GB) must be unpacked into a folder given by
		`PYTORCH_LIBRARY_PATH` (offline) or downloaded by DJL on a machine with network. Then `backend=auto` picks
		`djl-gpu`, and `bench/run-benchmarks.sh` measures it with `--backends djl-gpu` added to the Java benchmark.
		""";

	private final List<JsonObject> lines = new ArrayList<>();

	BenchmarkReport(final List<String> jsonLines) {
		for (final String l : jsonLines) if (l.trim().startsWith("{")) lines.add(JsonParser.parseString(l).getAsJsonObject());
	}

	private static String str(final JsonObject o, final String k) { return o.has(k) && !o.get(k).isJsonNull() ? o.get(k).getAsString() : ""; }

	private static double num(final JsonObject o, final String k) { return o.has(k) ? o.get(k).getAsDouble() : Double.NaN; }

	/** The median time of an operation (NaN when not measured); with several rounds of the same measurement, the lowest of their medians. */
	double ms(final String op, final String backend, final int n) {
		double best = Double.NaN;
		for (final JsonObject o : lines)
			if (str(o, "op").equals(op) && str(o, "backend").equals(backend) && (int) num(o, "n") == n && o.has("ms_median") && (Double.isNaN(best) || num(o, "ms_median") < best)) best = num(o, "ms_median");
		return best;
	}

	List<JsonObject> ofOp(final String op) {
		final List<JsonObject> r = new ArrayList<>();
		for (final JsonObject o : lines) if (str(o, "op").equals(op)) r.add(o);
		return r;
	}

	int[] sizes() {
		return lines.stream().filter(o -> str(o, "op").equals("hio")).mapToInt(o -> (int) num(o, "n")).distinct().sorted().toArray();
	}

	List<String> backends() {
		final List<String> b = new ArrayList<>();
		for (final String k : COLUMNS.keySet()) if (lines.stream().anyMatch(o -> str(o, "op").equals("hio") && str(o, "backend").equals(k))) b.add(k);
		return b;
	}

	static String f(final double v) {
		if (Double.isNaN(v)) return "–";
		return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
	}

	static String ratio(final double a, final double b) {
		return Double.isNaN(a) || Double.isNaN(b) ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
	}

	String timeTable(final String op) {
		final List<String> bs = backends();
		final StringBuilder s = new StringBuilder("| n³ |");
		for (final String b : bs) s.append(' ').append(COLUMNS.get(b)).append(" |");
		s.append(" fftw ÷ C | jtransforms ÷ C | djl ÷ C | numpy ÷ fftw |\n|---|");
		for (int i = 0; i < bs.size() + 4; i++) s.append("---:|");
		s.append('\n');
		for (final int n : sizes()) {
			s.append("| ").append(n).append(" |");
			for (final String b : bs) s.append(' ').append(f(ms(op, b, n))).append(" |");
			final double c = ms(op, "c-fftw", n), fw = ms(op, "fftw", n);
			s.append(' ').append(ratio(fw, c)).append(" | ").append(ratio(ms(op, "jtransforms", n), c)).append(" | ")
				.append(ratio(ms(op, "djl-cpu", n), c)).append(" | ").append(ratio(ms(op, "numpy", n), fw)).append(" |\n");
		}
		return s.toString();
	}

	/** The highest 1-minute load average recorded by the run's "machine" lines. */
	double maxLoad() {
		double m = 0;
		for (final JsonObject o : ofOp("machine")) {
			final String w = str(o, "what");
			final int i = w.indexOf("load average ");
			if (i < 0) continue;
			try {
				m = Math.max(m, Double.parseDouble(w.substring(i + 13).split(" ")[0]));
			}
			catch (final NumberFormatException e) {
				// not a load line
			}
		}
		return m;
	}

	String machine() {
		final StringBuilder s = new StringBuilder();
		for (final JsonObject o : ofOp("machine")) {
			s.append("- ").append(str(o, "when")).append(": ").append(str(o, "what")).append('\n');
		}
		return s.toString();
	}

	String render(final String pngName) {
		final StringBuilder s = new StringBuilder();
		final JsonObject run = ofOp("run").isEmpty() ? new JsonObject() : ofOp("run").get(0);
		s.append("# Phasing benchmarks\n\n");
		s.append("Generated by `bench/run-benchmarks.sh` (run `").append(str(run, "run")).append("`); every number below comes from ")
			.append("`docs/benchmarks.jsonl`, written by the same run. Do not edit by hand: run the command again.\n\n");
		s.append("## Machine and load\n\n");
		s.append("- CPU: ").append(str(run, "cpu")).append(", ").append(str(run, "cores")).append(" cores; Java ").append(str(run, "java"))
			.append("; threads per backend: ").append(str(run, "threads")).append('\n');
		s.append("- GPU: ").append(str(run, "gpu")).append('\n');
		s.append(machine());
		s.append("\nThe machine is shared: a 1-minute load average above the core count means other processes were running, and ")
			.append("every time below is inflated by them (FFTW's and PyTorch's thread pools suffer most when a core is taken). ")
			.append("Compare runs by the ratios, which are measured in the same run on the same problem.\n\n");
		s.append("## What is measured\n\n")
			.append("One iteration = modulus projection (forward 3D FFT, M·F/|F| where measured with a 3×3×3 unmeasured block at zero ")
			.append("frequency, χ² in the same pass, inverse FFT) + the ER or HIO update with a cubic support, on n³ complex64 arrays; ")
			.append("the median of 8–60 repetitions after a warm-up. C + FFTW and Java + FFTW, the pair the CPU goal compares, run in ")
			.append("interleaved rounds (`ROUNDS`, default 3) and the tables give the lowest of their medians: on this shared machine the ")
			.append("load changes from one minute to the next (one round measured C at 128³ in 13 ms, the next in 20–24 ms). The same problem in C (`bench/hio_fftw.c`: FFTW 3.3.10 single precision, ")
			.append("FFTW_MEASURE plans, FFTW threads + OpenMP loops, gcc -O3 -march=native), in Java on each backend ")
			.append("(`sc.fiji.cdi.bench.IterationBenchmark`), and cohere-style in numpy (`bench/hio_numpy.py`, Debian python3-numpy: ")
			.append("`np.fft.fftn` is single-threaded pocketfft in complex128, as cohere runs it on a CPU).\n\n");
		s.append("## HIO, ms per iteration\n\n").append(timeTable("hio")).append('\n');
		s.append("## ER, ms per iteration\n\n").append(timeTable("er")).append('\n');
		s.append("## Shrink-wrap, ms per update (blur σ = 1, max, threshold)\n\n| n³ |");
		final List<String> java = List.of("fftw", "jtransforms", "djl-cpu");
		for (final String b : java) s.append(' ').append(COLUMNS.get(b)).append(" |");
		s.append("\n|---|---:|---:|---:|\n");
		for (final int n : sizes()) {
			s.append("| ").append(n).append(" |");
			for (final String b : java) s.append(' ').append(f(ms("shrinkwrap", b, n))).append(" |");
			s.append('\n');
		}
		s.append("\n![HIO time per iteration](").append(pngName).append(")\n\n");
		s.append("## Session set-up (ms): FFTW plans, DJL buffers\n\n| n³ | backend | open_ms |\n|---|---|---:|\n");
		final java.util.Set<String> shown = new java.util.HashSet<>(); // the first round: Java's later rounds reuse the FFTW wisdom it saved
		for (final JsonObject o : ofOp("hio")) if (o.has("open_ms") && shown.add(str(o, "backend") + num(o, "n"))) s.append("| ").append((int) num(o, "n")).append(" | ").append(str(o, "backend")).append(" | ").append(f(num(o, "open_ms"))).append(" |\n");
		for (final JsonObject o : ofOp("hio")) if (str(o, "backend").equals("c-fftw") && shown.add("c" + num(o, "n"))) s.append("| ").append((int) num(o, "n")).append(" | c-fftw (plan_ms, FFTW_").append(str(o, "plan").toUpperCase(Locale.ROOT)).append(") | ").append(f(num(o, "plan_ms"))).append(" |\n");
		s.append("\n## End to end\n\n")
			.append("`sc.fiji.cdi.bench.EndToEndBenchmark`: a simulated faceted crystal (CrystalSimulator defaults, noise-free) on a 216×256×256 ")
			.append("(z, y, x) grid, phased from a random start by `Phaser` with the default parameters (cohere's recipe, shrink-wrap every ")
			.append("iteration, twin removal, average of the last 20); wall time of `Phaser.run` including set-up and plans.\n\n")
			.append("| backend | grid | recipe | iterations | threads | seconds | ms/iteration | final χ² | amplitude corr. | phase RMS (rad) |\n")
			.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (final JsonObject o : ofOp("end_to_end"))
			s.append("| ").append(str(o, "backend")).append(" | ").append(str(o, "grid")).append(" | `").append(str(o, "recipe")).append("` | ")
				.append((int) num(o, "iterations")).append(" | ").append((int) num(o, "threads")).append(" | ").append(f(num(o, "seconds"))).append(" | ")
				.append(f(num(o, "ms_per_iteration"))).append(" | ").append(String.format(Locale.ROOT, "%.3g", num(o, "final_chi2"))).append(" | ")
				.append(String.format(Locale.ROOT, "%.3f", num(o, "amplitude_correlation"))).append(" | ").append(String.format(Locale.ROOT, "%.3f", num(o, "phase_rms_rad"))).append(" |\n");
		if (ofOp("end_to_end").isEmpty()) s.append("| (not run) | | | | | | | | | |\n");
		for (final JsonObject c : ofOp("iteration_shrinkwrap"))
			s.append("\nThe same iteration in C (`bench/hio_fftw.c -g`: forward FFT, modulus projection, inverse FFT, HIO, then shrink-wrap — |ρ|, ")
				.append("periodic separable Gaussian σ = 1, max, threshold — every iteration) on the ").append(str(c, "grid")).append(" grid: ")
				.append(f(num(c, "ms_median"))).append(" ms per iteration, so 620 iterations take ").append(f(num(c, "seconds_620")))
				.append(" s in C on this machine in this run (without set-up, twin removal and averaging).\n");
		final double numpyHio256 = ms("hio", "numpy", 256);
		if (!Double.isNaN(numpyHio256)) s.append("\nFor scale: 620 cohere-style numpy HIO iterations at 256³ would take ").append(f(620 * numpyHio256 / 1000 * 216 / 256))
			.append(" s at 216×256×256 (numpy's 256³ time × 620 × 216/256, without shrink-wrap).\n");
		s.append("\n## Neural-network inference (default models, DJL/PyTorch CPU)\n\n| model | input | batch | ms (median) | ms per sample |\n|---|---|---:|---:|---:|\n");
		for (final JsonObject o : ofOp("nn_inference")) {
			if (o.has("available") && !o.get("available").getAsBoolean()) s.append("| ").append(str(o, "model")).append(" | not available: ").append(str(o, "reason")).append(" | | | |\n");
			else s.append("| ").append(str(o, "model")).append(" | ").append(str(o, "input")).append(" | ").append((int) num(o, "batch")).append(" | ")
				.append(f(num(o, "ms_median"))).append(" | ").append(f(num(o, "ms_per_sample"))).append(" |\n");
		}
		s.append("\n## Goals of issue #6\n\n");
		final double load = maxLoad();
		final int cores = run.has("cores") ? run.get("cores").getAsInt() : 0;
		final boolean loaded = cores > 0 && load > cores;
		if (loaded) s.append(String.format(Locale.ROOT, "**Caveat: measured under load** (1-minute load average up to %.1f on %d cores). The C, numpy and Java ", load, cores))
			.append("runs ran one after another, so they met different loads: the verdicts below are what this run measured, not a ")
			.append("conclusion. Rerun `bench/run-benchmarks.sh` on a quiet machine to settle them.\n\n");
		for (final int n : new int[] { 128, 256 }) {
			final double r = ms("hio", "fftw", n) / ms("hio", "c-fftw", n);
			s.append("- CPU, HIO at ").append(n).append("³ with ").append(str(run, "threads")).append(" threads: Java + FFTW ").append(f(ms("hio", "fftw", n)))
				.append(" ms vs C + FFTW ").append(f(ms("hio", "c-fftw", n))).append(" ms = ").append(Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%.2f×", r))
				.append(" (goal ≤ ").append(CPU_GOAL_RATIO).append("×): ").append(Double.isNaN(r) ? "not measured" : r <= CPU_GOAL_RATIO ? "**met**" : "**not met**").append('\n');
		}
		for (final JsonObject o : ofOp("end_to_end")) {
			if (!str(o, "recipe").equals("3*(20*ER+180*HIO)+20*ER") || !str(o, "grid").equals("216x256x256")) continue;
			final double sec = num(o, "seconds");
			s.append("- End to end, 620 iterations at 216×256×256 (").append(str(o, "backend")).append("): ").append(f(sec)).append(" s (goal ≤ ")
				.append(f(END_TO_END_GOAL_S)).append(" s): ").append(sec <= END_TO_END_GOAL_S ? "**met**" : "**not met**");
			for (final JsonObject c : ofOp("iteration_shrinkwrap"))
				if (str(c, "grid").equals("216x256x256")) s.append(String.format(Locale.ROOT, "; C + FFTW needs %s s for the same 620 iterations here (%.2f× of it)",
					f(num(c, "seconds_620")), sec / num(c, "seconds_620")));
			s.append('\n');
		}
		s.append("- GPU, ≤ 2 ms per HIO iteration at 256³: **not measured** — ").append(str(run, "gpu")).append('\n');
		s.append(NOTES);
		return s.toString();
	}

	/** Grouped bars of HIO ms per iteration, log scale, one group per size. */
	BufferedImage plot() {
		final int w = 900, h = 520, left = 80, right = 220, top = 50, bottom = 60;
		final BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
		final Graphics2D g = img.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, w, h);
		final int[] sizes = sizes();
		final List<String> bs = backends();
		double lo = Double.POSITIVE_INFINITY, hi = 0;
		for (final int n : sizes) for (final String b : bs) {
			final double v = ms("hio", b, n);
			if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
		}
		if (!(hi > 0)) { g.dispose(); return img; }
		final double l0 = Math.floor(Math.log10(lo)), l1 = Math.ceil(Math.log10(hi));
		final int ph = h - top - bottom, pw = w - left - right;
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		g.setColor(Color.BLACK);
		g.drawString("HIO iteration, ms (median, log scale) — same problem, same run", left, 28);
		for (double e = l0; e <= l1; e++) {
			final int y = top + ph - (int) Math.round((e - l0) / (l1 - l0) * ph);
			g.setColor(new Color(0xdd, 0xdd, 0xdd));
			g.drawLine(left, y, left + pw, y);
			g.setColor(Color.BLACK);
			g.drawString(String.format(Locale.ROOT, "%s", e >= 0 ? String.valueOf((long) Math.pow(10, e)) : String.valueOf(Math.pow(10, e))), 10, y + 5);
		}
		final int group = pw / Math.max(1, sizes.length), bar = Math.max(4, (group - 30) / Math.max(1, bs.size()));
		for (int si = 0; si < sizes.length; si++) {
			final int gx = left + si * group + 15;
			for (int bi = 0; bi < bs.size(); bi++) {
				final double v = ms("hio", bs.get(bi), sizes[si]);
				if (!(v > 0)) continue;
				final int bh = (int) Math.round((Math.log10(v) - l0) / (l1 - l0) * ph);
				g.setColor(COLOURS[List.copyOf(COLUMNS.keySet()).indexOf(bs.get(bi))]);
				g.fillRect(gx + bi * bar, top + ph - bh, bar - 2, bh);
			}
			g.setColor(Color.BLACK);
			g.drawString(sizes[si] + "³", gx + bs.size() * bar / 2 - 12, top + ph + 20);
		}
		g.setStroke(new BasicStroke(1f));
		g.drawLine(left, top + ph, left + pw, top + ph);
		for (int bi = 0; bi < bs.size(); bi++) {
			g.setColor(COLOURS[List.copyOf(COLUMNS.keySet()).indexOf(bs.get(bi))]);
			g.fillRect(left + pw + 20, top + 10 + bi * 24, 14, 14);
			g.setColor(Color.BLACK);
			g.drawString(COLUMNS.get(bs.get(bi)).replace("`", ""), left + pw + 40, top + 22 + bi * 24);
		}
		g.dispose();
		return img;
	}

	public static void main(final String[] args) throws IOException {
		if (args.length != 3) {
			System.err.println("Usage: BenchmarkReport results.jsonl benchmarks.md benchmarks.png");
			System.exit(2);
		}
		System.setProperty("java.awt.headless", "true");
		final BenchmarkReport r = new BenchmarkReport(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
		final Path md = Path.of(args[1]), png = Path.of(args[2]);
		AtomicOutput.write(png, out -> ImageIO.write(r.plot(), "png", out));
		final String text = r.render(png.getFileName().toString());
		AtomicOutput.write(md, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
	}
}
