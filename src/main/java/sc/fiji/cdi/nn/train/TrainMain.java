package sc.fiji.cdi.nn.train;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.nn.model.Architecture;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Command-line training, the reproducible route to the bundled default models:
 * <pre>
 * java -cp "target/classes:$(cat cp.txt)" sc.fiji.cdi.nn.train.TrainMain --kind cdinn --rank 3 --size 32 --base 8 --depth 3 \
 *      --loss combined --train 1600 --val 100 --epochs 4 --batch 16 --lr 2e-3 --halve-every 2 --seed 1 --out my-model
 * </pre>
 * Unknown options are an error; every option has a default, the same as Train Network's: {@link TrainingConfig#defaults}.
 */
public final class TrainMain {

	private TrainMain() {}

	public static void main(final String[] args) {
		try {
			final TrainingConfig c = config(args);
			System.err.println("Training: " + commandLine(c));
			final long t0 = System.nanoTime();
			final NetworkTrainer.Result r = NetworkTrainer.train(c, new ConsoleProgress());
			System.err.printf(Locale.ROOT, "%nDone in %.0f s: %s%n", (System.nanoTime() - t0) / 1e9, r.summary());
		} catch (final CdiException e) {
			System.err.println();
			System.err.println("Error: " + e.getMessage());
			System.exit(1);
		}
	}

	/** Parses {@code --key value} pairs into a configuration. */
	public static TrainingConfig config(final String[] args) {
		final Map<String, String> o = new HashMap<>();
		for (int i = 0; i < args.length; i++) {
			if (!args[i].startsWith("--") || i + 1 >= args.length) throw new CdiException("Training option '" + args[i] + "' is not understood: expected --key value pairs.");
			o.put(args[i].substring(2), args[++i]);
		}
		final TrainingConfig def = TrainingConfig.defaults(3);
		final Architecture a = def.architecture();
		final String kind = take(o, "kind", a.kind().name().toLowerCase(Locale.ROOT));
		final int rank = Integer.parseInt(take(o, "rank", "3"));
		final int size = Integer.parseInt(take(o, "size", Integer.toString(a.inputSize())));
		final int base = Integer.parseInt(take(o, "base", Integer.toString(a.baseChannels())));
		final int depth = Integer.parseInt(take(o, "depth", Integer.toString(a.depth())));
		final Architecture arch = new Architecture(Architecture.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), rank, size, base, depth);
		final CrystalRecipe d = CrystalRecipe.defaults(rank);
		final CrystalRecipe recipe = new CrystalRecipe(d.base(), dbl(o, "size-min", d.sizeMin()), dbl(o, "size-max", d.sizeMax()),
			dbl(o, "phase-min", d.phaseMin()), dbl(o, "phase-max", d.phaseMax()), dbl(o, "photons-min", d.photonsMin()), dbl(o, "photons-max", d.photonsMax()),
			flag(o, "mixed"), flag(o, "fixed-phase"), flag(o, "domains"), flag(o, "gaps"));
		final TrainingConfig c = new TrainingConfig(arch, TrainingConfig.LossKind.valueOf(take(o, "loss", def.loss().name()).toUpperCase(Locale.ROOT)), recipe,
			Integer.parseInt(take(o, "train", Integer.toString(def.trainSamples()))), Integer.parseInt(take(o, "val", Integer.toString(def.validationSamples()))),
			Long.parseLong(take(o, "seed", Long.toString(def.seed()))), Integer.parseInt(take(o, "epochs", Integer.toString(def.epochs()))),
			Integer.parseInt(take(o, "batch", Integer.toString(def.batchSize()))), Double.parseDouble(take(o, "lr", Double.toString(def.learningRate()))),
			Integer.parseInt(take(o, "halve-every", Integer.toString(def.halveEvery()))), Integer.parseInt(take(o, "threads", Integer.toString(def.threads()))),
			take(o, "device", def.device()), Paths.get(take(o, "out", def.output().toString())), o.remove("name"), o.remove("init"));
		if (!o.isEmpty()) throw new CdiException("Unknown training option(s) " + o.keySet() + ".");
		return c;
	}

	private static String take(final Map<String, String> o, final String k, final String def) {
		final String v = o.remove(k);
		return v == null ? def : v;
	}

	/** A true/false option (default false); anything else is an error, not a silent false. */
	private static boolean flag(final Map<String, String> o, final String k) {
		final String v = take(o, k, "false").trim().toLowerCase(Locale.ROOT);
		if (!v.equals("true") && !v.equals("false")) throw new CdiException("Training option --" + k + " is '" + v + "': expected true or false.");
		return v.equals("true");
	}

	private static double dbl(final Map<String, String> o, final String k, final double def) { return Double.parseDouble(take(o, k, Double.toString(def))); }

	/** The command line that reproduces a configuration. */
	public static String commandLine(final TrainingConfig c) {
		final Architecture a = c.architecture();
		final CrystalRecipe r = c.recipe();
		return String.format(Locale.ROOT, "sc.fiji.cdi.nn.train.TrainMain --kind %s --rank %d --size %d --base %d --depth %d --loss %s --train %d --val %d --seed %d "
			+ "--epochs %d --batch %d --lr %s --halve-every %d --size-min %s --size-max %s --phase-min %s --phase-max %s --photons-min %s --photons-max %s%s%s%s%s%s --name %s --out %s",
			a.kind().name().toLowerCase(Locale.ROOT), a.rank(), a.inputSize(), a.baseChannels(), a.depth(), c.loss().name().toLowerCase(Locale.ROOT),
			c.trainSamples(), c.validationSamples(), c.seed(), c.epochs(), c.batchSize(), c.learningRate(), c.halveEvery(),
			r.sizeMin(), r.sizeMax(), r.phaseMin(), r.phaseMax(), r.photonsMin(), r.photonsMax(), r.mixed() ? " --mixed true" : "", r.fixedPhase() ? " --fixed-phase true" : "",
			r.domains() ? " --domains true" : "", r.gaps() ? " --gaps true" : "",
			c.init() != null ? " --init " + c.init() : "", c.name(), c.output().getFileName());
	}

	/** Progress on stderr, one line rewritten in place. */
	static final class ConsoleProgress implements Progress {
		private long last;

		@Override public synchronized void status(final String message) {
			final long now = System.currentTimeMillis();
			if (message.startsWith("Epoch") && message.contains("batch") && now - last < 2000) return;
			last = now;
			System.err.println(message);
		}

		@Override public void progress(final long done, final long total) {}

		@Override public boolean isCancelled() { return false; }
	}
}
