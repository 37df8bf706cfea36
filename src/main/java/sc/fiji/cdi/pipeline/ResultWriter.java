package sc.fiji.cdi.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import sc.fiji.cdi.util.Version;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.report.LinePlot;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;

/**
 * Writes a reconstruction into an output folder: {@code <name>_amplitude.tif}, {@code _phase.tif} (radians),
 * {@code _support.tif} (0/1), 32-bit and calibrated; {@code _report.json} (all parameters, preprocessing steps,
 * timings, error history) and {@code _error.png} (χ² and outside-support fraction per iteration).
 * and {@code _manifest.json} last. The files are staged and committed as one set ({@link AtomicOutput.ResultSet}):
 * after any failure, cancel or kill the set is complete (its manifest agrees) or absent.
 */
public final class ResultWriter {

	/** What follows the result set's name in each file of a reconstruction. */
	public static final String AMPLITUDE_SUFFIX = "_amplitude.tif", PHASE_SUFFIX = "_phase.tif", SUPPORT_SUFFIX = "_support.tif",
		REPORT_SUFFIX = "_report.json", ERROR_PLOT_SUFFIX = "_error.png";

	/** Every file suffix a reconstruction writes (its manifest included): results, never diffraction patterns. */
	public static final List<String> OUTPUT_SUFFIXES = List.of(AMPLITUDE_SUFFIX, PHASE_SUFFIX, SUPPORT_SUFFIX, REPORT_SUFFIX, ERROR_PLOT_SUFFIX,
		AtomicOutput.MANIFEST_SUFFIX);

	private ResultWriter() {}

	/** The files a reconstruction named {@code name} writes ({@link #OUTPUT_SUFFIXES}). */
	public static List<String> fileNames(final String name) {
		return OUTPUT_SUFFIXES.stream().map(x -> name + x).toList();
	}

	/**
	 * Checks early (before hours of work) that the folder can be created and written. Leaves no folder behind: a run
	 * that goes on reserves its result with {@link #open}.
	 */
	public static void checkWritable(final Path dir) {
		// a name of its own for every probe: with one shared name, two runs starting together into one folder (the tasks
		// of a job array) found each other's probe locked and one failed with "being written by another run"
		final String name = "cdi-write-test-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
		try (AtomicOutput.ResultSet probe = AtomicOutput.ResultSet.open(dir, name)) {
			Files.writeString(probe.file("probe"), "");
		} catch (final IOException | SecurityException e) {
			throw new CdiException("Output folder " + dir + " is not writable (" + e.getMessage() + "); choose a folder you can write to.");
		}
	}

	/**
	 * Refuses an output folder that is the input frame folder or lies inside it (the results would be taken for frames
	 * by the next run), or that is an existing file.
	 */
	public static void checkOutsideInput(final Path out, final Path in) {
		if (out == null || in == null) return;
		final Path o = real(out), i = real(in);
		if (Files.isDirectory(in) && (o.equals(i) || o.startsWith(i)))
			throw new CdiException("Parameter 'output_dir': " + out + (o.equals(i) ? " is" : " lies inside") + " the input frame folder " + in
				+ "; expected a folder outside it (the results would be taken for frames by the next run).");
		if (Files.exists(out) && !Files.isDirectory(out))
			throw new CdiException("Parameter 'output_dir': " + out + " is a file, not a folder; expected a folder for the results.");
	}

	/**
	 * Refuses an output folder that is the folder the input lies in: the input folder itself, or the folder holding an
	 * input file (real paths, links resolved, as {@link #checkOutsideInput}). For outputs that must not be mixed
	 * with the data, such as a model folder (Fine-tune Network); a folder elsewhere, even beside or under the data, is fine.
	 *
	 * @param key   the input's parameter ("input", "pattern_folder"), named in the message
	 * @param what  what is written ("the tuned model"), named in the message
	 */
	public static void checkNotInputFolder(final Path out, final Path in, final String key, final String what) {
		if (out == null || in == null) return;
		final boolean folder = Files.isDirectory(in);
		final Path dir = folder ? in : in.toAbsolutePath().normalize().getParent();
		if (dir == null || !real(out).equals(real(dir))) return;
		throw new CdiException("Parameter 'output_dir': " + out + " is " + (folder ? "the folder given as '" + key + "'" : "the folder of '" + key + "' " + in)
			+ "; expected another folder for " + what + ", so that it is not mixed with the data.");
	}

	/**
	 * Refuses an output file or folder that is one of the inputs, or a folder that holds one (real paths, links
	 * resolved, as {@link #checkOutsideInput}; a hard link to an input counts as the input): writing it would replace
	 * the data the result is made from. For commands that write one named file (Export's {@code output}); call it
	 * before any work, with every input file the command reads.
	 *
	 * @param out    the file or folder to be written (or replaced)
	 * @param outKey the output's parameter ("output"), named in the message
	 * @param inputs the input files (or folders) by parameter ("diffraction_file"); null values are skipped
	 */
	public static void checkNotAnInput(final Path out, final String outKey, final Map<String, Path> inputs) {
		if (out == null || inputs == null) return;
		final Path o = real(out);
		for (final Map.Entry<String, Path> e : inputs.entrySet()) {
			final Path in = e.getValue();
			if (in == null) continue;
			final Path i = real(in);
			final boolean same = o.equals(i) || sameFile(out, in);
			if (!same && !i.startsWith(o)) continue;
			throw new CdiException("Parameter '" + outKey + "': " + out + (same ? " is the same file as" : " would replace the folder holding") + " '" + e.getKey() + "' " + in
				+ "; expected an output that is not an input (writing it would destroy the data the result is made from). Choose another output name.");
		}
	}

	/**
	 * Refuses, before anything is written, an input file that committing the result set {@code setName} in {@code dir} would replace: one of the files
	 * the run writes ({@code fileNames}, in the set's folder; links resolved, hard links too), or a file of the earlier
	 * set of that name, which a rerun replaces as a whole ({@link AtomicOutput#belongsTo}). A previous run's
	 * {@code scan_support.tif} given as {@code support_file} to a rerun into the same folder was overwritten.
	 *
	 * @param dir       the output folder
	 * @param setName   the result set's name (its manifest: {@code <setName>_manifest.json})
	 * @param fileNames the names of the files the run writes (its manifest included)
	 * @param inputs    the input files by parameter ("support_file"); null values are skipped
	 */
	public static void checkNotReplaced(final Path dir, final String setName, final List<String> fileNames, final Map<String, Path> inputs) {
		if (dir == null) return;
		for (final Map.Entry<String, Path> e : inputs.entrySet()) {
			final Path in = e.getValue();
			if (in == null || !Files.isRegularFile(in)) continue;
			String replacedBy = null;
			for (final String f : fileNames) if (sameFile(dir.resolve(f), in)) replacedBy = "this run's " + f;
			final Path r = real(in);
			if (replacedBy == null && real(dir).equals(r.getParent()) && AtomicOutput.belongsTo(dir, setName, r.getFileName().toString()))
				replacedBy = "this run, which replaces the earlier result '" + setName + "' there as a whole";
			if (replacedBy != null)
				throw new CdiException("Parameter '" + e.getKey() + "': " + in + " is a file of the result '" + setName + "' in the output folder " + dir + " and would be replaced by "
					+ replacedBy + "; expected inputs outside the result set. Copy it elsewhere (or rename it) and give that copy, or choose another output_dir.");
		}
	}

	/** The inputs by parameter, in order, without the null ones (for {@link #checkNotReplaced} and {@link #checkNotAnInput}). */
	public static Map<String, Path> inputs(final Object... keysAndPaths) {
		final Map<String, Path> m = new LinkedHashMap<>();
		for (int i = 0; i + 1 < keysAndPaths.length; i += 2) if (keysAndPaths[i + 1] instanceof Path p) m.put((String) keysAndPaths[i], p);
		return m;
	}

	/** Whether both exist and are one file (a symbolic or hard link); false when either cannot be read. */
	public static boolean sameFile(final Path a, final Path b) {
		try {
			return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
		} catch (final IOException | SecurityException e) {
			return false;
		}
	}

	/** The real path of {@code p} or, if it does not exist yet, of its deepest existing ancestor plus the rest. */
	private static Path real(final Path p) {
		Path abs = p.toAbsolutePath().normalize(), rest = null;
		while (abs != null) {
			try {
				final Path r = abs.toRealPath();
				return rest == null ? r : r.resolve(rest);
			} catch (final IOException e) {
				if (abs.getFileName() == null) break;
				rest = rest == null ? abs.getFileName() : abs.getFileName().resolve(rest);
				abs = abs.getParent();
			}
		}
		return p.toAbsolutePath().normalize();
	}

	/**
	 * Reserves the result {@code name} in {@code dir} before the work starts: creates the folder, refuses a second run
	 * writing the same result there, removes what interrupted runs left. Close it (try-with-resources) after
	 * {@link #write}: a failed or cancelled run then leaves nothing, not even an empty folder it created.
	 */
	public static AtomicOutput.ResultSet open(final Path dir, final String name) {
		return AtomicOutput.ResultSet.open(dir, name);
	}

	/**
	 * Convenience for callers without a reservation: reserves, writes and commits at once.
	 *
	 * @param input the data's identity ({@link AtomicOutput#identity} of its file, or a label), so that another input's
	 *              results of the same name are not replaced; null = none recorded
	 */
	public static List<Path> write(final Path dir, final String name, final String input, final ReconstructionPipeline.Outcome outcome, final Map<String, Object> extra) {
		try (AtomicOutput.ResultSet set = open(dir, name)) {
			set.input(input);
			return write(set, outcome, extra);
		}
	}

	/**
	 * Writes the files into the set's staging folder and commits them as one set, the manifest last
	 * ({@link AtomicOutput.ResultSet#commit}); returns the final paths.
	 */
	public static List<Path> write(final AtomicOutput.ResultSet set, final ReconstructionPipeline.Outcome outcome, final Map<String, Object> extra) {
		final String name = set.name();
		final PhasingResult r = outcome.result();
		final ComplexVolume obj = r.object();
		final RealVolume amplitude = obj.amplitude(), phase = obj.phase();
		final float[] sup = new float[r.support().length];
		for (int i = 0; i < sup.length; i++) sup[i] = r.support()[i] ? 1f : 0f;
		TiffWriter.write(set.file(name + AMPLITUDE_SUFFIX), amplitude);
		TiffWriter.write(set.file(name + PHASE_SUFFIX), phase);
		TiffWriter.write(set.file(name + SUPPORT_SUFFIX), amplitude.with(sup));
		Json.write(set.file(name + REPORT_SUFFIX), report(name, outcome, extra));
		new LinePlot(name + ": error per iteration", "iteration", "error", true)
			.add("χ² (cohere)", r.chi2History())
			.add("fraction outside support", r.outsideFractionHistory())
			.savePng(set.file(name + ERROR_PLOT_SUFFIX));
		return set.commit();
	}

	/** The JSON report: everything needed to reproduce and judge the run. */
	public static Map<String, Object> report(final String name, final ReconstructionPipeline.Outcome outcome, final Map<String, Object> extra) {
		final PhasingResult r = outcome.result();
		final Diffraction d = outcome.preprocessed();
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", name);
		m.put("software", "CDI for Fiji " + Version.get());
		m.put("date", OffsetDateTime.now().toString());
		m.put("source", d.source);
		m.put("grid_zyx", d.grid().zyx());
		m.put("data_quantity", d.quantity.name().toLowerCase());
		m.put("unmeasured_pixels", d.unmeasuredCount()); // of the phased grid, left free by the modulus projection (free pixels not counted)
		m.put("processing", steps(d.log));
		final MultiStart.Result ms = outcome.starts();
		// the seed the user gave (start k ran with seed + k): r.parameters() are the best start's, seed included
		m.put("phasing_parameters", ms == null || ms.starts().isEmpty() ? r.parameters()
			: r.parameters().withSeed(ms.starts().get(0).seed() - ms.starts().get(0).index()));
		m.put("backend", r.backend());
		// the ranked-best start's (its chi2_history is the one reported); starts may run different recipes (NN + refine)
		m.put("iterations", r.iterations());
		m.put("final_chi2", r.finalChi2());
		if (r.psfFwhm() != null) m.put("psf_fwhm_zyx", r.psfFwhm()); // the refined partial-coherence kernel, detector pixels
		final int allIterations = ms == null ? r.iterations() : ms.starts().stream().mapToInt(MultiStart.Start::iterations).sum();
		if (ms != null) {
			m.put("iterations_all_starts", allIterations);
			m.put("random_starts", ms.starts().size());
			m.put("ranked_by", ms.rankedBy());
			m.put("free_pixels", ms.freePixels());
			m.put("starts_averaged", ms.averaged());
			m.put("best_start", ms.best());
			m.put("best_start_seed", r.parameters().seed());
			m.put("best_start_chi2", ms.bestStartChi2());
			m.put("average_chi2_before_polish", ms.averageChi2());
			final List<Map<String, Object>> starts = new ArrayList<>();
			for (final MultiStart.Start st : ms.starts()) {
				final Map<String, Object> e = new LinkedHashMap<>();
				e.put("index", st.index());
				e.put("seed", st.seed());
				e.put("rank", st.rank());
				e.put("iterations", st.iterations());
				e.put("chi2_fitted_pixels", st.chi2());
				e.put("free_llk", st.freeLlk());
				e.put("seconds", st.seconds());
				e.put("averaged", st.averaged());
				e.put("correlation_to_best", st.correlationToBest());
				starts.add(e);
			}
			m.put("starts", starts);
			if (ms.prtf() != null) {
				final Map<String, Object> pr = new LinkedHashMap<>();
				pr.put("reconstructions", ms.prtf().reconstructions());
				pr.put("resolution_voxels", ms.prtf().resolutionVoxels());
				pr.put("resolution_cycles_per_voxel", ms.prtf().resolutionFrequency());
				pr.put("reached_1_over_e", ms.prtf().reachedThreshold());
				pr.put("frequency_cycles_per_voxel", ms.prtf().frequency());
				pr.put("prtf", ms.prtf().prtf());
				m.put("prtf", pr);
			}
			m.put("centring_shift_zyx", ms.centringShiftZyx());
		}
		long support = 0;
		for (final boolean b : r.support()) if (b) support++;
		m.put("support_voxels", support);
		m.put("seconds", outcome.seconds());
		// the seconds are all starts' iterations: divided by all of them
		m.put("phasing_ms_per_iteration", allIterations > 0 ? 1000 * r.seconds() / allIterations : 0);
		if (extra != null) m.putAll(extra);
		m.put("chi2_history", r.chi2History());
		m.put("outside_support_fraction_history", r.outsideFractionHistory());
		return m;
	}

	public static List<Map<String, Object>> steps(final ProcessingLog log) {
		final List<Map<String, Object>> out = new ArrayList<>();
		for (final ProcessingLog.Step s : log.steps()) {
			final Map<String, Object> m = new LinkedHashMap<>();
			m.put("step", s.name());
			m.putAll(s.parameters());
			out.add(m);
		}
		return out;
	}
}
