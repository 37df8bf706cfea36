package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.workflow.Export;

/**
 * Plugins › CDI › Export: a reconstruction (amplitude, phase, optionally strain and support) → BigDataViewer XML + N5
 * (Fiji, large volumes), VTK .vti (ParaView) or CXI (HDF5, cxidb layout; the complex object, support, strain and
 * optionally the diffraction data). The work is {@link Export}; this command reads the inputs and maps its
 * parameters to a request. The output is complete or absent.
 * <p>
 * Without {@code format} (a macro or {@code --run} that leaves it out; the dialog always sets it) the format is the
 * one the output's extension names (.xml, .vti, .cxi/.h5/.hdf5); an output without extension gets the default,
 * bigdataviewer; another extension is refused. The log says which format was used and why.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Export", headless = true)
public class ExportCommand extends ReconstructionInputCommand {

	@Parameter(label = "Strain file (optional, same grid)", required = false, persist = false)
	private File strain_file;

	@Parameter(label = "Diffraction data for CXI (optional)", required = false, persist = false)
	private File diffraction_file;

	/** Null when a macro or the command line leaves it out: then {@link #format(File, String)} decides. */
	@Parameter(label = "Format", choices = { "bigdataviewer", "vti", "cxi" }, required = false, persist = false)
	private String format;

	@Parameter(label = "Output file (.xml, .vti or .cxi)", style = "save", persist = false)
	private File output;

	@Parameter(label = "Voxel size (nm; one value or z,y,x; empty = image calibration)", required = false, persist = false)
	private String voxel_size = "";

	@Override
	protected void execute() {
		if (!ObjectInputs.given(output))
			throw new CdiException("Parameter 'output' is missing: give the file to write (" + (format == null || format.isBlank() ? ".xml, .vti or .cxi" : Export.Format.parse(format, "format").extension) + ").");
		final Export.Format fmt = format(output, format);
		// only a CXI file holds the diffraction data: with another format the file was silently left out
		if (fmt != Export.Format.CXI && ObjectInputs.given(diffraction_file))
			throw new CdiException("Parameter 'diffraction_file' (" + diffraction_file + ") is only written into a CXI file, but the format is " + fmt.key()
				+ " (" + (format == null || format.isBlank() ? "from the output's name " + output.getName() : "format=" + format) + "), which has no place for it: expected format=cxi "
				+ "(an output ending in .cxi, .h5 or .hdf5) to export the data with the object, or no diffraction_file.");
		log.info("Export format: " + fmt.key() + " (" + (format == null || format.isBlank() ? Export.Format.ofExtension(output.toPath()) != null
			? "format not given: from the output's extension" : "format not given and the output has no extension: the default" : "given") + ")");
		final Path target = Export.target(output.toPath(), fmt);
		final Map<String, Path> files = ObjectInputs.files(amplitude_file, phase_file, support_file);
		if (ObjectInputs.given(strain_file)) files.put("strain_file", strain_file.toPath());
		if (ObjectInputs.given(diffraction_file)) files.put("diffraction_file", diffraction_file.toPath());
		Export.checkTarget(target, fmt, files); // before reading anything: the output must not replace an input or a user's N5 folder
		final ObjectInputs.Loaded in = loadReconstruction();
		final boolean nm = voxel_size != null && !voxel_size.isBlank();
		final double[] voxel = nm ? ObjectInputs.voxelSizeNm(voxel_size, in.amplitude()) : in.amplitude().voxelSize.clone();
		final RealVolume strain = ObjectInputs.given(strain_file) ? ObjectInputs.read(Inputs.existing(strain_file, "strain_file"), "strain_file") : null;
		final Diffraction d = fmt == Export.Format.CXI && ObjectInputs.given(diffraction_file) ? DiffractionReader.read(Inputs.existing(diffraction_file, "diffraction_file"), ImportOptions.defaults()) : null;
		final Map<String, Object> inputs = new LinkedHashMap<>();
		if (ObjectInputs.given(amplitude_file)) inputs.put("amplitude_file", amplitude_file.getAbsolutePath());
		final Export.Result r = Export.run(new Export.Request(in.name(), in.amplitude(), in.phase(), strain, in.support(), d, fmt, target, voxel,
			nm ? "nm" : in.amplitude().unit, inputs), progress());
		log.info("Exported " + in.name() + " (" + String.join(", ", r.channels()) + ") to " + r.target().toAbsolutePath());
	}

	/**
	 * The format to write: {@code format} when given; else the one {@code output}'s extension names; else, for an
	 * output without extension, the default bigdataviewer. Any other extension without {@code format} is refused.
	 */
	static Export.Format format(final File output, final String format) {
		if (format != null && !format.isBlank()) return Export.Format.parse(format, "format");
		final Export.Format byExtension = Export.Format.ofExtension(output.toPath());
		if (byExtension != null) return byExtension;
		final String n = output.getName();
		final int dot = n.lastIndexOf('.');
		if (dot <= 0) return Export.Format.BIGDATAVIEWER;
		throw new CdiException("Parameter 'format' is not given and output " + output + " has the extension " + n.substring(dot) + ", which names no export format;"
			+ " expected format=bigdataviewer (.xml), vti (.vti) or cxi (.cxi, .h5, .hdf5), or an output with one of those extensions.");
	}
}
