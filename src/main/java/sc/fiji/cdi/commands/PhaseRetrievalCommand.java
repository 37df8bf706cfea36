package sc.fiji.cdi.commands;

import java.io.File;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.pipeline.DataKind;
import sc.fiji.cdi.pipeline.ReconstructionPipeline;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.preprocess.PreprocessOptions;

/**
 * Plugins › CDI › Phase Retrieval: ER/HIO/RAAR with shrink-wrap on the open diffraction stack (peak near the
 * centre; or a file) as it is — no re-centring or padding by default ({@code centring=none}, {@code size=same}) —
 * → amplitude, phase (radians) and support images; optionally the files and report in an output folder.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Phase Retrieval", headless = true)
public class PhaseRetrievalCommand extends PhasingCommand {

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String output_section = section("Output");

	@Parameter(label = "Output folder (optional)", style = "directory", required = false, persist = false)
	private File output_dir;

	/** The open image is phased as it is (no re-centring, no padding) unless the preprocessing says otherwise. */
	public PhaseRetrievalCommand() {
		centring = "none";
		size = "same";
	}

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus amplitude;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus phase;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus support;

	@Override
	protected void execute() {
		final Source src = source();
		if (direct_beam != null && !direct_beam.isBlank())
			log.warn("direct_beam=" + direct_beam.trim() + " places the lab-frame geometry that Reconstruct and Import Diffraction write; Phase Retrieval writes none: ignored.");
		final String identity = src.file() != null ? sc.fiji.cdi.util.AtomicOutput.identity(src.file()) : src.describe();
		if (output_dir != null) {
			Inputs.checkOutsideInput(output_dir.toPath(), src.file()); // results inside a frame folder would be read as frames by the next run
			ResultWriter.checkWritable(output_dir.toPath());
			// before the phasing: a result of the same name made from another input is not replaced
			sc.fiji.cdi.util.AtomicOutput.ResultSet.requireSameInput(output_dir.toPath(), src.name(), identity);
		}
		final Diffraction read = read(src);
		final DataKind kind = DataKind.resolve(data_kind, read);
		final Diffraction d = kind.prepare(read);
		final int threadsUsed = threadCount();
		final PhasingParameters parameters = kind.adapt(phasingParameters(), positivityChoice());
		if (parameters.averageLastWarning() != null) log.warn(parameters.averageLastWarning());
		final ReconstructionPipeline.Outcome outcome = ReconstructionPipeline.run(d,
			new ReconstructionPipeline.Request(kind.centred(preprocessing(d)), parameters, backend, threadsUsed, random_starts), null, progress());
		final String title = diffraction != null && src.file() == null ? diffraction.getTitle() : src.name();
		show(outcome.result(), title);
		final java.util.List<java.nio.file.Path> files = output_dir == null ? java.util.List.of()
			: ResultWriter.write(output_dir.toPath(), src.name(), identity, outcome, Map.of("threads", threadsUsed));
		final PhasingResult r = outcome.result();
		log.info(String.format(java.util.Locale.ROOT, "%s: %d iterations, final chi2 = %.4g", title, r.iterations(), r.finalChi2())
			+ (output_dir == null ? "" : "; " + files.size() + " files in " + output_dir.toPath().toAbsolutePath().normalize()));
		warnIfNothingKept(output_dir, "Phase Retrieval", "the reconstruction is only an image output");
		rememberLastUsed();
	}

	@Override
	protected File outputFolder() { return output_dir; }

	@Override
	protected void setOutputFolder(final File folder) { output_dir = folder; }

	private void show(final PhasingResult r, final String title) {
		amplitude = ImagePlusConverter.toImagePlus(r.object().amplitude(), title + " amplitude");
		phase = ImagePlusConverter.toImagePlus(r.object().phase(), title + " phase (rad)");
		phase.setDisplayRange(-Math.PI, Math.PI);
		support = ImagePlusConverter.maskToImagePlus(r.object().grid, r.support(), title + " support", r.object().voxelSize, r.object().unit);
	}
}
