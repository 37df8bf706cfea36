package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.workflow.Strain;

/**
 * Plugins › CDI › Strain: a reconstruction (amplitude + phase in radians) → displacement u (nm) and strain ε along G,
 * optionally after orthogonalising the detector-frame object into the lab frame with a beamline geometry. The work
 * (analysis, statistics, report, the result set in {@code output_dir}) is {@link Strain}; this command maps its
 * parameters to a request and shows the strain and displacement. Dialog: the reconstruction first, then the
 * sections Strain along G, Lab frame (geometry) and Output.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Strain", headless = true)
public class StrainCommand extends StrainParametersCommand {

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String output_section = DiffractionCommand.section("Output");

	@Parameter(label = "Output folder (optional)", style = "directory", required = false, persist = false)
	private File output_dir;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus strain;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus displacement;

	@Override
	protected void execute() {
		final ObjectInputs.Loaded in = loadReconstruction();
		final Path out = output_dir == null || output_dir.getPath().isBlank() ? null : output_dir.toPath();
		final String source = inputIdentity();
		Strain.checkOutput(out, in.name(), source, ObjectInputs.files(amplitude_file, phase_file, support_file));
		final BraggGeometry geo = geometry();
		final Map<String, Object> inputs = new LinkedHashMap<>();
		if (ObjectInputs.given(amplitude_file)) inputs.put("amplitude_file", amplitude_file.getAbsolutePath());
		final Strain.Result r = Strain.run(new Strain.Request(in.name(), ComplexVolume.fromAmplitudePhase(in.amplitude(), in.phase()), in.support(),
			strainParameters(geo, in.amplitude()), geo, geometry, lab_voxel_nm, out, inputs, source), progress());
		strain = ObjectInputs.divergingImage(r.strain().strain(), in.name() + " strain");
		displacement = ObjectInputs.divergingImage(r.strain().displacement(), in.name() + " displacement (nm)");
		log.info(r.summary() + (r.files().isEmpty() ? "" : "; " + r.files().size() + " files in " + out.toAbsolutePath().normalize()));
	}
}
