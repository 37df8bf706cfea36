package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import sc.fiji.cdi.util.Version;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.export.BdvExport;
import sc.fiji.cdi.export.CxiWriter;
import sc.fiji.cdi.export.VtiWriter;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.util.CdiException;

/**
 * Plugins › CDI › Export: a reconstruction (amplitude, phase, optionally strain and support) → BigDataViewer XML + N5
 * (Fiji, large volumes), VTK .vti (ParaView) or CXI (HDF5, cxidb layout; the complex object, support, strain and
 * optionally the diffraction data). The writers in {@code sc.fiji.cdi.export} write to a temporary file or folder
 * and move it into place: the output is complete or absent.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Export", headless = true)
public class ExportCommand extends ReconstructionInputCommand {

	@Parameter(label = "Strain file (optional, same grid)", required = false, persist = false)
	private File strain_file;

	@Parameter(label = "Diffraction data for CXI (optional)", required = false, persist = false)
	private File diffraction_file;

	@Parameter(label = "Format", choices = { "bigdataviewer", "vti", "cxi" }, persist = false)
	private String format = "bigdataviewer";

	@Parameter(label = "Output file (.xml, .vti or .cxi)", style = "save", persist = false)
	private File output;

	@Parameter(label = "Voxel size (nm; one value or z,y,x; empty = image calibration)", required = false, persist = false)
	private String voxel_size = "";

	@Override
	protected void execute() {
		final String fmt = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
		final String ext = switch (fmt) {
			case "bigdataviewer", "bdv", "n5" -> ".xml";
			case "vti", "vtk" -> ".vti";
			case "cxi" -> ".cxi";
			default -> throw new CdiException("format='" + format + "' is not known: expected bigdataviewer, vti or cxi.");
		};
		if (!ObjectInputs.given(output)) throw new CdiException("Parameter 'output' is missing: give the file to write (" + ext + ").");
		final Path target = target(output.toPath(), ext);
		final ObjectInputs.Loaded in = loadReconstruction();
		final double[] voxel;
		final String unit;
		if (voxel_size != null && !voxel_size.isBlank()) { voxel = ObjectInputs.voxelSizeNm(voxel_size, in.amplitude()); unit = "nm"; }
		else { voxel = in.amplitude().voxelSize.clone(); unit = in.amplitude().unit; }
		final Map<String, RealVolume> channels = new LinkedHashMap<>();
		channels.put("amplitude", calibrated(in.amplitude(), voxel, unit));
		channels.put("phase", calibrated(in.phase(), voxel, unit));
		if (ObjectInputs.given(strain_file)) {
			final RealVolume s = ObjectInputs.read(Inputs.existing(strain_file, "strain_file"), "strain_file");
			if (!s.grid.equals(in.amplitude().grid)) throw new CdiException("The strain file " + strain_file + " is " + s.grid + " but the amplitude is " + in.amplitude().grid
				+ "; expected the same grid (export the strain with the object it was computed from).");
			channels.put("strain", calibrated(s, voxel, unit));
		}
		switch (ext) {
			case ".xml" -> {
				final List<BdvExport.Channel> ch = new ArrayList<>();
				for (final Map.Entry<String, RealVolume> e : channels.entrySet()) ch.add(BdvExport.Channel.of(e.getKey(), e.getValue()));
				BdvExport.write(target, ch, voxel, unit, progress());
			}
			case ".vti" -> VtiWriter.write(target, channels, in.support(), voxel);
			default -> {
				final Diffraction d = ObjectInputs.given(diffraction_file) ? DiffractionReader.read(Inputs.existing(diffraction_file, "diffraction_file"), ImportOptions.defaults()) : null;
				final Map<String, RealVolume> images = new LinkedHashMap<>();
				if (channels.containsKey("strain")) images.put("strain", channels.get("strain"));
				final Map<String, Object> params = new LinkedHashMap<>();
				params.put("software", "CDI for Fiji " + Version.get());
				params.put("name", in.name());
				if (ObjectInputs.given(amplitude_file)) params.put("amplitude_file", amplitude_file.getAbsolutePath());
				final ComplexVolume obj = ComplexVolume.fromAmplitudePhase(channels.get("amplitude"), channels.get("phase"));
				CxiWriter.write(target, new ComplexVolume(obj.grid, obj.data, voxel, unit), in.support(), d, images, params);
			}
		}
		log.info("Exported " + in.name() + " (" + String.join(", ", channels.keySet()) + ") to " + target.toAbsolutePath());
	}

	/** Adds the format's extension when the name has none; refuses a different one (a .tif written as .vti helps nobody). */
	static Path target(final Path p, final String ext) {
		final String n = p.getFileName().toString();
		final int dot = n.lastIndexOf('.');
		if (dot <= 0) return p.resolveSibling(n + ext);
		final String has = n.substring(dot).toLowerCase(Locale.ROOT);
		if (has.equals(ext) || ext.equals(".cxi") && (has.equals(".h5") || has.equals(".hdf5"))) return p;
		throw new CdiException("Output file " + p + " has the extension " + has + " but the format needs " + ext + "; rename it or choose the matching format.");
	}

	private static RealVolume calibrated(final RealVolume v, final double[] voxel, final String unit) {
		return new RealVolume(v.grid, v.data, voxel, unit);
	}
}
