package sc.fiji.cdi.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.beamline.PeakPixelGeometry;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.predict.NnRefine;
import sc.fiji.cdi.nn.predict.Prediction;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.nn.train.FineTuning;
import sc.fiji.cdi.phasing.InitialGuess;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.Refinement;
import sc.fiji.cdi.pipeline.DataKind;
import sc.fiji.cdi.pipeline.MultiStart;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * The Reconstruct workflow without a user interface: import a diffraction file or frame folder → preprocess →
 * (optionally) a neural-network prediction, fine-tuned on the pattern first if asked, as the starting guess →
 * iterative phase retrieval → amplitude, phase, support, report and error plot written as one result set into the
 * output folder. The Reconstruct command, the headless runner and macros reach it through the command; scripts call
 * {@link #run} directly. Cancelled through {@link Progress#isCancelled()}: nothing is written then.
 */
public final class Reconstruct {

	/** Report keys: what {@code mode=auto} chose and why; true when it chose the network and fell back to phasing. */
	public static final String MODE_AUTO = "mode_auto", MODE_AUTO_FALLBACK = "mode_auto_fell_back";
	/** Report key: {@code average_last} longer than the recipe the data kind phased with ({@link PhasingParameters#averageLastWarning}). */
	public static final String AVERAGE_LAST_WARNING = "average_last_warning";

	/** Phase retrieval from a random start, a network prediction refined by a short recipe (NN + refine), or auto. */
	public enum Mode {
		PHASING, NN_REFINE,
		/** {@link #PHASING} or {@link #NN_REFINE}, whichever was measured to win on data like these ({@link Reconstruct#autoMode}). */
		AUTO;

		/** "auto", "phasing", "nn+refine" (or "nn"); anything else is refused with the value and the choices. */
		public static Mode parse(final String s) {
			return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
				case "auto" -> AUTO;
				case "phasing" -> PHASING;
				case "nn+refine", "nn" -> NN_REFINE;
				default -> throw new CdiException("mode='" + s + "' is not known: expected 'auto', 'phasing' or 'nn+refine'.");
			};
		}

		/** The name used in macros and reports. */
		public String key() { return this == PHASING ? "phasing" : this == NN_REFINE ? "nn+refine" : "auto"; }
	}

	/** The side lengths of 2D arrays on which {@code mode=auto} starts from the network: where it was measured to win. */
	public static final int AUTO_NN_MIN_SIDE = 128, AUTO_NN_MAX_SIDE = 256;

	/**
	 * {@code mode=auto}: NN + refine where it was measured to solve at least as often as Reconstruct's default phasing
	 * with χ² not worse in ≥ 80 % of cases in under a third of its time (issue 15's bars) — 2D Bragg patterns of 128² to
	 * 256² pixels on the held-out family (docs/models.md: 128², four seeds, 173 / 192 solved against 149, χ² not worse in
	 * 90 %; 256², two seeds, 38 / 48 against 33, 85 %) — and phasing everywhere else: 2D at 64² (more solved, 85 / 96 against 77,
	 * but χ² not worse in only 76 %), 3D data (the 3D network start solves one crystal in 48 fewer than eight random
	 * starts), forward CDI with a beam stop (the networks learnt Bragg crystals), a given support or
	 * recipe (the user asked for phasing from it), other sizes (not measured). A named model, fine-tuning or a
	 * refinement other than the default ask for the network: NN + refine on any data.
	 *
	 * @param phased the array that is phased (after binning and size=)
	 * @return the mode and why, in words for the log and the report
	 */
	static Map.Entry<Mode, String> autoMode(final DataKind kind, final Grid phased, final boolean supportGiven, final boolean recipeGiven, final String networkAsked) {
		if (networkAsked != null) return Map.entry(Mode.NN_REFINE, networkAsked + " given: nn+refine");
		if (!phased.is2D())
			return Map.entry(Mode.PHASING, "3D data: phasing (the 3D network start does not yet solve as often as phasing's random starts; docs/models.md)");
		if (kind == DataKind.FORWARD_2D)
			return Map.entry(Mode.PHASING, "forward CDI (beam stop): phasing (the networks were trained on Bragg crystals)");
		if (supportGiven) return Map.entry(Mode.PHASING, "support_file given: phasing from that support");
		if (recipeGiven) return Map.entry(Mode.PHASING, "recipe given: phasing with it (mode=nn+refine refines the network start with refinement=)");
		final int lo = Math.min(phased.ny, phased.nx), hi = Math.max(phased.ny, phased.nx);
		if (lo < AUTO_NN_MIN_SIDE || hi > AUTO_NN_MAX_SIDE)
			return Map.entry(Mode.PHASING, "a 2D array of " + phased.ny + "x" + phased.nx + ": phasing (the network start was measured on " + AUTO_NN_MIN_SIDE + " to "
				+ AUTO_NN_MAX_SIDE + " pixels a side only; mode=nn+refine tries it)");
		return Map.entry(Mode.NN_REFINE, "a 2D Bragg pattern of " + phased.ny + "x" + phased.nx + ": nn+refine (on such patterns the network start solved more "
			+ "crystals than phasing's random starts, in about a quarter of the time; docs/models.md; mode=phasing for phasing alone)");
	}

	/**
	 * What to reconstruct and how.
	 *
	 * @param input          a diffraction file or a folder of detector frames (null when the data are given to
	 *                       {@link #run(Request, Diffraction, Progress)})
	 * @param importOptions  quantity, HDF5 dataset, dark/white field, mask
	 * @param preprocess     threshold, centring, binning; its target size is replaced by {@code size} when given
	 * @param size           the array size after preprocessing: null or empty = the FFT-friendly size of each axis;
	 *                       one number = that size on every axis of the data (a cube, or a square for 2D data);
	 *                       two = (y, x) of a 2D array; three = (z, y, x)
	 * @param mode           {@link Mode#PHASING}, {@link Mode#NN_REFINE} or {@link Mode#AUTO} ({@link #autoMode}); null = phasing
	 * @param phasing        the phase-retrieval parameters (in NN + refine, {@link NnRefine#parameters} of these with
	 *                       {@code refinement} as the recipe)
	 * @param backend        "auto", "jtransforms", "fftw", "djl", … ({@link sc.fiji.cdi.phasing.Backends})
	 * @param threads        worker threads (≥ 1)
	 * @param randomStarts   random starts (phasing mode): ranked by free log-likelihood, the best averaged
	 *                       ({@link sc.fiji.cdi.pipeline.MultiStart}); 0 = automatic from the data size. In NN +
	 *                       refine the network start plus randomStarts − 1 random starts, ranked alike
	 * @param model          NN + refine: "auto" (3d or 2d by the data), "3d", "2d" or a model folder
	 * @param refinement     NN + refine: the refinement recipe
	 * @param fineTuneSteps  NN + refine: physics-loss fine-tuning steps on the pattern before the prediction (0 = none)
	 * @param device         NN + refine: "cpu", "gpu" or "auto"
	 * @param outputDir      the folder for the result set
	 * @param name           the base name of the result files ({@code <name>_amplitude.tif}, …)
	 * @param dataKind       "auto", "bragg" or "forward" ({@link DataKind}): chooses the beam-stop handling, the
	 *                       centring (when {@code preprocess} asks for the default, the maximum) and the defaults of
	 *                       the phasing parameters left at their 3D values
	 * @param positivity     null: the data kind's default; else on or off
	 * @param supportFile    an initial support (non-zero = inside) of the size of the phased array; null = none
	 */
	public record Request(Path input, ImportOptions importOptions, PreprocessOptions preprocess, int[] size, Mode mode,
		PhasingParameters phasing, String backend, int threads, int randomStarts, String model, String refinement,
		int fineTuneSteps, String device, Path outputDir, String name, String dataKind, Boolean positivity, Path supportFile) {

		/** Data kind auto, its positivity default, no support file. */
		public Request(final Path input, final ImportOptions importOptions, final PreprocessOptions preprocess, final int[] size, final Mode mode,
			final PhasingParameters phasing, final String backend, final int threads, final int randomStarts, final String model, final String refinement,
			final int fineTuneSteps, final String device, final Path outputDir, final String name) {
			this(input, importOptions, preprocess, size, mode, phasing, backend, threads, randomStarts, model, refinement, fineTuneSteps, device,
				outputDir, name, "auto", null, null);
		}

		public Request {
			if (outputDir == null) throw new CdiException("Parameter 'output_dir' is missing: give the folder for the results.");
			if (mode == null) mode = Mode.PHASING;
			if (name == null || name.isBlank()) throw new CdiException("The result name is empty: give a name for the result files.");
		}

		/**
		 * The network parameters given (a named model, fine-tuning, a refinement other than the default), each as
		 * {@code key=value} with what the phasing mode would say of it; empty when none is given.
		 */
		private Map<String, String> networkKeys() {
			final Map<String, String> k = new java.util.LinkedHashMap<>();
			if (fineTuneSteps > 0) k.put("fine_tune_steps=" + fineTuneSteps, "");
			if (model != null && !model.isBlank() && !ModelFolder.isAuto(model)) k.put("model=" + model.trim(), " (give mode=nn+refine to start from the network)");
			if (refinement != null && !refinement.isBlank() && !refinement.trim().equals(NnRefine.DEFAULT_REFINEMENT))
				k.put("refinement=" + refinement.trim(), " (its recipe is 'recipe')");
			return k;
		}

		/**
		 * The network parameters given, in words; null when none is: with {@code mode=auto} they ask for the network
		 * start whatever the data.
		 */
		String networkAsked() {
			final Map<String, String> k = networkKeys();
			return k.isEmpty() ? null : String.join(", ", k.keySet());
		}

		/** Parameters that are given but have no effect with this request (to be shown as warnings). */
		public List<String> ignoredParameters() {
			final List<String> w = new ArrayList<>();
			if (mode == Mode.PHASING)
				networkKeys().forEach((given, hint) -> w.add(given + " applies to mode=nn+refine only: ignored in mode=phasing" + hint + "."));
			return w;
		}
	}

	/**
	 * @param outcome  the preprocessed data, the phasing result and the seconds per stage (import included)
	 * @param files    the files written, in the output folder
	 * @param report   what was added to the JSON report beside the phasing result (input, mode, model, fine-tuning)
	 */
	public record Result(ReconstructionPipeline.Outcome outcome, List<Path> files, Map<String, Object> report) {

		/** The reconstructed complex object. */
		public ComplexVolume object() { return outcome.result().object(); }

		/** {@code mode=auto}: which mode ran and why ({@link Reconstruct#autoMode}); null when the mode was given. */
		public String autoModeNote() {
			return report.get(MODE_AUTO) == null ? null : "mode=auto: " + report.get(MODE_AUTO);
		}

		/** A warning when {@code average_last} asked for more iterates than the phasing recipe has; null when not. */
		public String averageLastWarning() { return (String) report.get(AVERAGE_LAST_WARNING); }

		/** Whether {@code mode=auto} chose the network start and, since it could not be made, ran phasing (a warning). */
		public boolean autoModeFellBack() { return Boolean.TRUE.equals(report.get(MODE_AUTO_FALLBACK)); }

		/** NN + refine: the trust verdict of the network's start ({@link sc.fiji.cdi.nn.predict.PredictionTrust}); null in phasing mode. */
		public String networkVerdict() {
			return report.get("nn_prediction") instanceof Map<?, ?> nn && nn.get("verdict") != null ? String.valueOf(nn.get("verdict")) : null;
		}

		/**
		 * NN + refine: why the pattern could not be binned to fit its crystal to the model, with the size to crop to
		 * ({@link sc.fiji.cdi.nn.predict.InputFitting#binningAdvice}); null when it was.
		 */
		public String networkBinningAdvice() {
			return report.get("nn_prediction") instanceof Map<?, ?> nn && nn.get(sc.fiji.cdi.nn.predict.InputFitting.BINNING_LIMITED) instanceof Map<?, ?> b
				? String.valueOf(b.get("advice")) : null;
		}

		/**
		 * NN + refine with k > 1 starts: a warning for the log when the network's start could not be made and ran as a
		 * random start (the result is then phasing alone); null when the network started or in phasing mode.
		 */
		public String networkStartWarning() {
			final MultiStart.Result ms = outcome.starts();
			if (!Mode.NN_REFINE.key().equals(report.get("mode")) || ms == null || ms.seededFailure() == null) return null;
			return "The network start could not be made (" + ms.seededFailure() + "): it ran as a random start, so the result is " + ms.starts().size()
				+ " random starts of phasing alone, without the network (nn_refine_starts.network_start_failed in the report).";
		}

		/**
		 * The starts and their iterations in words, for the log: "1 start of 620 iterations", "4 starts of 620
		 * iterations", or where they differ (NN + refine) each start's: "2 starts: network 970 iterations, random 620".
		 */
		public String startsSummary() {
			final MultiStart.Result ms = outcome.starts();
			if (ms == null) return describeStarts(List.of(outcome.result().iterations()), List.of(""));
			final boolean network = Mode.NN_REFINE.key().equals(report.get("mode")) && ms.seededFailure() == null;
			final List<String> origins = new ArrayList<>();
			for (final MultiStart.Start st : ms.starts()) origins.add(network ? (st.index() == 0 ? "network" : "random") : "");
			return describeStarts(ms.starts().stream().map(MultiStart.Start::iterations).toList(), origins);
		}
	}

	/**
	 * Refuses a support file that cannot be one: the input pattern itself, or a support over half of the array or more
	 * (phasing needs an oversampling ratio, array over support, of at least 2: Miao, Sayre &amp; Chapman 1998; a
	 * diffraction pattern read as a support is non-zero almost everywhere).
	 */
	static void requirePlausibleSupport(final Path supportFile, final Path input, final long inside, final long voxels) {
		if (input != null && ResultWriter.sameFile(supportFile, input))
			throw new CdiException("Support file " + supportFile + " (support_file) is the input pattern itself: expected a support in real space (non-zero = inside the object), e.g. a previous run's _support.tif.");
		if (2 * inside >= voxels)
			throw new CdiException(String.format(Locale.ROOT, "Support file %s (support_file) is non-zero in %d of %d voxels (%.0f %%): phasing needs the object "
				+ "in less than half of the array (oversampling at least 2), so this is not a support (a diffraction pattern or an amplitude not thresholded?). "
				+ "Expected a previous run's _support.tif or a mask that is non-zero only inside the object.", supportFile, inside, voxels, 100.0 * inside / voxels));
	}

	/** {@link Result#startsSummary} from each start's iterations and origin ("network", "random" or ""). */
	static String describeStarts(final List<Integer> iterations, final List<String> origins) {
		final int n = iterations.size();
		if (iterations.stream().distinct().count() == 1)
			return n + (n == 1 ? " start" : " starts") + " of " + iterations.get(0) + " iterations";
		final StringBuilder b = new StringBuilder(n + " starts: ");
		for (int k = 0; k < n; k++) {
			final String origin = origins.get(k).isEmpty() ? "start " + (k + 1) : origins.get(k);
			b.append(k == 0 ? "" : ", ").append(origin).append(' ').append(iterations.get(k)).append(k == 0 ? " iterations" : "");
		}
		return b.toString();
	}

	private Reconstruct() {}

	/**
	 * Checks before any other work (a parameter that fails later must not cost hours) that the output folder is given
	 * and can be created and written; returns it.
	 */
	public static Path outputFolder(final Path dir) {
		if (dir == null) throw new CdiException("Parameter 'output_dir' is missing: give the folder for the results.");
		ResultWriter.checkWritable(dir);
		return dir;
	}

	/** Runs the whole workflow; the result set is in {@code request.outputDir()} when this returns. */
	public static Result run(final Request request, final Progress progress) {
		return run(request, null, progress);
	}

	/**
	 * As {@link #run(Request, Progress)}, on data already in memory (e.g. the image open in Fiji) when {@code data} is
	 * given: then {@code request.input()} and its import options are not used and may be null.
	 */
	public static Result run(final Request request, final Diffraction given, final Progress progress) {
		return run(request, given, null, progress);
	}

	/**
	 * As {@link #run(Request, Diffraction, Progress)} on a scan a beamline reader imported ({@link Beamline#load}): its
	 * frames are the data, and the report gets a {@code geometry} block — what the beamline read, and the
	 * {@link BraggGeometry} keys for the array that was phased (binning scales the rocking step and the pixel) at the
	 * Bragg peak's pixel, the centre of the phased array ({@link PeakPixelGeometry}), which
	 * {@link BraggGeometry#fromReport(Path)} (Strain's {@code geometry=report}) reads back.
	 */
	public static Result runScan(final Request request, final Beamline.Scan scan, final Progress progress) {
		return run(request, scan.data(), scan.report().isEmpty() ? null : scan, progress);
	}

	/**
	 * The report's {@code geometry} block of a beamline scan phased after binning by {@code bin} (z, y, x), the phased
	 * array centred on the imported frames' pixel {@code frameRowColumn} ({@link PeakPixelGeometry#block}).
	 */
	public static Map<String, Object> geometryBlock(final Beamline.Scan scan, final int[] bin, final double[] frameRowColumn, final String how) {
		return PeakPixelGeometry.block(scan, bin, frameRowColumn, how);
	}

	/**
	 * {@link #geometryBlock(Beamline.Scan, PreprocessOptions, Diffraction)} once the phasing is done: the hours of
	 * phasing are never lost to the geometry. Should the peak's pixel not be found, the block keeps what the beamline
	 * read and says why in {@code geometry_pixel}.
	 */
	private static Map<String, Object> geometryAfterPhasing(final Beamline.Scan scan, final PreprocessOptions p, final Diffraction preprocessed) {
		try {
			return geometryBlock(scan, p, preprocessed);
		} catch (final RuntimeException e) {
			final Map<String, Object> g = new LinkedHashMap<>(scan.report());
			g.put("geometry_pixel", "not derived: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
			return g;
		}
	}

	/** The block of {@code scan} for the array phased from {@code preprocessed}: its centre's pixel undone through the preprocessing. */
	static Map<String, Object> geometryBlock(final Beamline.Scan scan, final PreprocessOptions p, final Diffraction preprocessed) {
		final double[] c = Preprocessor.sourceOfCentre(preprocessed);
		return geometryBlock(scan, new int[] { p.binZ(), p.binY(), p.binX() }, new double[] { c[1], c[2] },
			"the centre of the phased array (the preprocessing's centring, binning and crop/pad undone)");
	}

	private static Result run(final Request request, final Diffraction given, final Beamline.Scan scan, final Progress progress) {
		if (given == null && request.input() == null) throw new CdiException("Parameter 'input' is missing: give a file or folder.");
		if (request.outputDir() == null) throw new CdiException("Parameter 'output_dir' is missing: give the folder for the results.");
		if (request.input() != null) ResultWriter.checkOutsideInput(request.outputDir(), request.input());
		// the result is reserved before the work (a second run writing it is refused at once) and written as one set:
		// a failure, cancel or signal leaves nothing, not even a folder this run created
		try (AtomicOutput.ResultSet results = ResultWriter.open(request.outputDir(), request.name())) {
			results.cancelWhen(progress::isCancelled);
			// refuse early to replace a same-named result of another input (a/x.npy, then b/x.npy)
			results.input(request.input() != null ? AtomicOutput.identity(request.input()) : given != null ? given.source : null);
			final ImportOptions io = request.importOptions();
			ResultWriter.checkNotReplaced(results.folder(), results.name(), ResultWriter.fileNames(request.name()), ResultWriter.inputs("input", request.input(),
				"support_file", request.supportFile(), "mask_file", io == null ? null : io.maskPath(), "dark_field", io == null ? null : io.darkField(),
				"white_field", io == null ? null : io.whiteField()));
			return run(request, given, scan, results, progress);
		}
	}

	private static Result run(final Request request, final Diffraction given, final Beamline.Scan scan, final AtomicOutput.ResultSet results,
		final Progress progress) {
		progress.status("Importing " + (given != null ? given.source : request.input().getFileName()));
		final long t0 = System.nanoTime();
		final Diffraction imported = given != null ? given : DiffractionReader.read(request.input(), request.importOptions());
		final DataKind kind = DataKind.resolve(request.dataKind(), imported);
		final Diffraction data = kind.prepare(imported);
		final double importSeconds = (System.nanoTime() - t0) / 1e9;
		final PreprocessOptions prep = kind.centred(request.preprocess().withTargetSize(targetSize(request.size(), data.grid().is2D())));
		final PhasingParameters phasing = kind.adapt(request.phasing(), request.positivity());
		final Map.Entry<Grid, boolean[]> support = request.supportFile() == null ? null
			: DiffractionReader.readBinary(request.supportFile(), "/support", "Support file", "non-zero = inside");
		// an empty support constrains the object to zero: phasing from it cannot start, so refuse before the work
		if (support != null && Phaser.count(support.getValue()) == 0)
			throw new CdiException("Support file " + request.supportFile() + " (support_file) is all zero: expected a support with non-zero voxels inside the object (e.g. a previous run's _support.tif).");
		if (support != null) requirePlausibleSupport(request.supportFile(), request.input(), Phaser.count(support.getValue()), support.getValue().length);
		progress.checkCancelled();
		final Map<String, Object> extra = new LinkedHashMap<>();
		extra.put("input", given != null ? given.source : request.input().toAbsolutePath().toString());
		final Mode mode;
		if (request.mode() == Mode.AUTO) {
			// the array preprocessing will phase: binned, then size= or the FFT-friendly size (127 pixels are phased as 128)
			final Grid phased = Preprocessor.outputGrid(data.grid(), prep, data.source);
			final boolean recipeGiven = request.phasing() != null && !request.phasing().recipe().trim().equals(PhasingParameters.defaults().recipe());
			final Map.Entry<Mode, String> auto = autoMode(kind, phased, support != null, recipeGiven, request.networkAsked());
			mode = auto.getKey();
			extra.put(MODE_AUTO, auto.getValue());
		} else {
			mode = request.mode();
		}
		extra.put("mode", mode.key());
		extra.put("data_kind", kind.label());
		if (support != null) extra.put("support_file", request.supportFile().toAbsolutePath().toString());
		// same seed + same thread count = bit-identical result, so the count actually used belongs in the report
		extra.put("threads", ReconstructionPipeline.threads(request.threads()));
		final ReconstructionPipeline.Request phasingRequest = new ReconstructionPipeline.Request(prep, phasing, request.backend(), request.threads(),
			request.randomStarts());
		// the block's place in the report; its geometry is taken at the phased array's centre once that is known
		if (scan != null) extra.put("geometry", scan.report());
		ReconstructionPipeline.Outcome outcome = null;
		if (mode == Mode.NN_REFINE) {
			try {
				outcome = nnRefine(data, prep, phasing, request, extra, progress);
			} catch (final RuntimeException | LinkageError e) {
				// mode=auto chose the network: where it cannot start (no PyTorch natives on this computer — DJL's own
				// exceptions and link errors included —, a pattern the network cannot take), phasing runs as it would
				// have without it, and the log and report say why; a cancel stays a cancel
				if (request.mode() != Mode.AUTO || request.networkAsked() != null || e instanceof sc.fiji.cdi.util.CancelledException || progress.isCancelled()) throw e;
				extra.put(MODE_AUTO, extra.get(MODE_AUTO) + "; the network start failed (" + (e.getMessage() != null ? e.getMessage() : e.toString()) + "), so phasing ran instead");
				extra.put(MODE_AUTO_FALLBACK, true);
				extra.put("mode", Mode.PHASING.key());
				for (final String k : List.of("model", "nn_prediction", "nn_refine_starts", "fine_tuning")) extra.remove(k);
			}
		}
		// judged on the recipe phasing runs, after the data kind adapted it (forward CDI's is 900 iterations, not 620)
		if (outcome == null && phasing.averageLastWarning() != null) extra.put(AVERAGE_LAST_WARNING, phasing.averageLastWarning());
		if (outcome == null) outcome = support == null ? ReconstructionPipeline.run(data, phasingRequest, null, progress)
			: ReconstructionPipeline.runSeeded(data, phasingRequest, (pre, p) -> {
				if (!support.getKey().equals(pre.grid()))
					throw new CdiException("Support file " + request.supportFile() + " is " + support.getKey() + " but the phased array is " + pre.grid()
						+ ": expected a support of the array's size (set size= to match, or use a previous run's _support.tif).");
				return new InitialGuess(null, support.getValue());
			}, progress);
		outcome.seconds().put("import", importSeconds);
		if (scan != null) extra.put("geometry", geometryAfterPhasing(scan, prep, outcome.preprocessed()));
		final List<Path> files = ResultWriter.write(results, outcome, extra);
		return new Result(outcome, files, extra);
	}

	/**
	 * The network's prediction (after fine-tuning on the pattern when asked) seeds a refinement ({@link NnRefine#DEFAULT_REFINEMENT} unless another is given). With
	 * {@code randomStarts} = k > 1 the network start is the first of k {@link sc.fiji.cdi.pipeline.MultiStart} starts,
	 * the other k − 1 random ones with the full phasing recipe: free pixels are held out of all of them (and of the
	 * network's input), they are ranked by free log-likelihood, the best half averaged and polished, as in phasing
	 * mode. The report records the prediction (its binning, voxel scale and
	 * {@link sc.fiji.cdi.nn.predict.PredictionTrust} verdict), the network's time (fine-tuning, prediction, seed) and
	 * every start's origin, recipe, iterations and rank; {@code best_ranked} names the origin of the start ranked
	 * first (the presented result is the average of the best half, polished).
	 */
	private static ReconstructionPipeline.Outcome nnRefine(final Diffraction data, final PreprocessOptions prep, final PhasingParameters phasing, final Request request,
		final Map<String, Object> extra, final Progress progress) {
		final Refinement refinement = Refinement.parse(request.refinement() == null || request.refinement().isBlank() ? NnRefine.DEFAULT_REFINEMENT : request.refinement());
		final String recipe = refinement.toString();
		final int k = Math.max(1, request.randomStarts());
		final double[] networkSeconds = { 0 };
		// model=auto chooses the network for the array that is phased (after cropping/binning to size=), not the
		// imported one; a named model is loaded first, so that a wrong folder stops the run before any phasing
		final Predictor[] loaded = { ModelFolder.isAuto(request.model()) ? null : Predictor.load(request.model().trim(), request.device()) };
		if (loaded[0] != null) extra.put("model", loaded[0].source());
		final ReconstructionPipeline.Outcome outcome;
		try {
			// a named model of the other rank can never start: refused here, not turned into random starts (k > 1)
			if (loaded[0] != null) loaded[0].fitting().requireRank(data);
			outcome = ReconstructionPipeline.runSeeded(data, new ReconstructionPipeline.Request(prep, phasing, request.backend(), request.threads(), k),
				(pre, p) -> {
					final long t0 = System.nanoTime();
					if (loaded[0] == null) {
						loaded[0] = Predictor.load(ModelFolder.forData(request.model(), pre.grid()), request.device());
						extra.put("model", loaded[0].source());
					}
					final Predictor predictor = loaded[0];
					final Prediction prediction;
					if (request.fineTuneSteps() > 0) {
						final FineTuning.Tuned t = FineTuning.predictTuned(predictor, pre, request.fineTuneSteps(), p);
						extra.put("fine_tuning", t.toReport());
						prediction = t.prediction();
					} else prediction = predictor.predict(pre);
					extra.put("nn_prediction", predictionReport(prediction));
					if (!prediction.trust().trusted()) progress.status("Network prediction: " + prediction.trust().message());
					final InitialGuess guess = NnRefine.initialGuess(prediction, pre);
					networkSeconds[0] = (System.nanoTime() - t0) / 1e9;
					return guess;
				}, NnRefine.parameters(phasing), refinement, progress);
		} finally {
			if (loaded[0] != null) loaded[0].close();
		}
		final List<Map<String, Object>> starts = new ArrayList<>();
		final Map<String, Object> ranking = new LinkedHashMap<>();
		final MultiStart.Result ms = outcome.starts();
		if (ms == null) {
			starts.add(Map.of("start", "network", "recipe", recipe, "final_chi2", outcome.result().finalChi2(), "iterations", outcome.result().iterations()));
			ranking.put("metric", "none (one start)");
			ranking.put("best_ranked", "network");
		} else {
			for (final MultiStart.Start st : ms.starts()) {
				final Map<String, Object> e = new LinkedHashMap<>();
				final boolean network = st.index() == 0 && ms.seededFailure() == null;
				e.put("start", network ? "network" : "random");
				e.put("recipe", network ? recipe : phasing.recipe());
				e.put("iterations", st.iterations());
				e.put("chi2_fitted_pixels", st.chi2());
				e.put("free_llk", st.freeLlk());
				e.put("rank", st.rank());
				e.put("averaged", st.averaged());
				starts.add(e);
			}
			ranking.put("metric", ms.rankedBy() + " (lowest first; the best half averaged, then " + MultiStart.POLISH_RECIPE + " on all pixels)");
			if (ms.seededFailure() != null) {
				ranking.put("network_start_failed", ms.seededFailure());
				ranking.put("best_ranked", "random");
			} else {
				ranking.put("best_ranked", ms.best() == 0 ? "network" : "random");
				ranking.put("network_start_rank", ms.starts().get(0).rank());
			}
		}
		ranking.put("starts", starts);
		ranking.put("network_seconds", networkSeconds[0]);
		extra.put("nn_refine_starts", ranking);
		return outcome;
	}

	/** What the report says about a network prediction: preprocessing (binning), grids, voxel scale, trust. */
	static Map<String, Object> predictionReport(final Prediction p) {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("bin_zyx", p.binZyx());
		m.put("network_grid", p.amplitude().grid.toString());
		m.put("voxel_scale_zyx", p.voxelScaleZyx());
		m.put("network_ms", p.millis());
		m.put("chi2", p.trust().chi2());
		m.put("mirror_disagreement", p.trust().disagreement());
		m.put("trusted", p.trust().trusted());
		m.put("verdict", p.trust().message());
		for (final ProcessingLog.Step st : p.log().steps())
			if (st.name().startsWith("nn_")) m.put(st.name(), st.parameters());
		return m;
	}

	/**
	 * The preprocessing target size from a size given as numbers (see {@link Request#size()}) for data that are 2D
	 * or 3D; null = the FFT-friendly size of each axis. 2D data take one or two sizes, 3D data one or three.
	 */
	public static Grid targetSize(final int[] size, final boolean twoD) {
		if (size == null || size.length == 0) return null;
		// the number of sizes must match the data's dimensions: three on 2D data would silently turn one pattern into
		// a padded 3D array, two on 3D data would crop the volume to one slice
		if (twoD && size.length == 3)
			throw new CdiException("size='" + join(size) + "' gives three sizes (z, y, x), but the pattern is 2D; expected one size (a square, e.g. "
				+ size[2] + ") or two (y, x, e.g. " + size[1] + "," + size[2] + ") for a 2D pattern.");
		if (!twoD && size.length == 2)
			throw new CdiException("size='" + join(size) + "' gives two sizes (y, x), but the data are 3D; expected one size (a cube, e.g. "
				+ size[1] + ") or three (z, y, x, e.g. 64," + size[0] + "," + size[1] + ") for 3D data.");
		long voxels = 1;
		for (final int n : size) {
			if (n < 1) throw new CdiException("size " + java.util.Arrays.toString(size) + " has a size below 1; expected sizes of at least 1.");
			voxels *= n;
		}
		if (size.length == 1 && !twoD) voxels *= (long) size[0] * size[0];
		else if (size.length == 1) voxels *= size[0];
		if (voxels > Grid.MAX_VOXELS)
			throw new CdiException("size='" + join(size) + "' asks for " + voxels + " voxels" + (size.length == 1 ? " (" + size[0] + (twoD ? "²" : "³") + ")" : "")
				+ ", more than the limit of " + Grid.MAX_VOXELS + " (about 2^30) voxels per array; expected a smaller size, e.g. 512 or z,y,x such as 128,512,512 (or 'auto').");
		return switch (size.length) {
			case 1 -> twoD ? Grid.of2D(size[0], size[0]) : Grid.cube(size[0]);
			case 2 -> Grid.of2D(size[0], size[1]);
			case 3 -> new Grid(size[0], size[1], size[2]);
			default -> throw new CdiException("size has " + size.length + " numbers: expected one (a cube), (y, x) or (z, y, x).");
		};
	}


	private static String join(final int[] v) {
		final StringBuilder b = new StringBuilder();
		for (final int x : v) b.append(b.length() == 0 ? "" : ",").append(x);
		return b.toString();
	}
}
