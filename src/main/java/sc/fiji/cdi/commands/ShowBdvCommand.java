package sc.fiji.cdi.commands;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.view.BdvDisplay;

/**
 * Plugins › CDI › Show in BigDataViewer: amplitude, phase and optionally strain of a reconstruction in one
 * BigDataViewer window (scaled to nm, diverging/cyclic colour tables) via {@link BdvDisplay}; when BigDataViewer is
 * not installed (or headless) a composite hyperstack with Orthogonal Views, and a message saying why.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Show in BigDataViewer", headless = true)
public class ShowBdvCommand extends ReconstructionInputCommand {

	@Parameter(label = "Strain file (optional, same grid)", required = false, persist = false)
	private File strain_file;

	@Parameter(label = "Voxel size (nm; one value or z,y,x; empty = image calibration)", required = false, persist = false)
	private String voxel_size = "";

	/** The fallback hyperstack (null when BigDataViewer showed the data). */
	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus hyperstack;

	@Override
	protected void execute() {
		final ObjectInputs.Loaded in = loadReconstruction();
		final boolean calibrate = voxel_size != null && !voxel_size.isBlank();
		final double[] voxel = calibrate ? ObjectInputs.voxelSizeNm(voxel_size, in.amplitude()) : in.amplitude().voxelSize;
		final String unit = calibrate ? "nm" : in.amplitude().unit;
		final Map<String, RealVolume> channels = new LinkedHashMap<>();
		channels.put(in.name() + " amplitude", new RealVolume(in.amplitude().grid, in.amplitude().data, voxel, unit));
		channels.put(in.name() + " phase", new RealVolume(in.phase().grid, in.phase().data, voxel, unit));
		if (ObjectInputs.given(strain_file)) {
			final RealVolume s = ObjectInputs.read(Inputs.existing(strain_file, "strain_file"), "strain_file");
			if (!s.grid.equals(in.amplitude().grid)) throw new CdiException("The strain file " + strain_file + " is " + s.grid + " but the amplitude is "
				+ in.amplitude().grid + "; expected the same grid (the strain of this reconstruction, computed without orthogonalisation).");
			channels.put(in.name() + " strain", new RealVolume(s.grid, s.data, voxel, unit));
		}
		final BdvDisplay.Shown shown = BdvDisplay.show(channels);
		if (shown.viewer() == BdvDisplay.Viewer.HYPERSTACK) hyperstack = (ImagePlus) shown.handle();
		if (!shown.message().isEmpty()) log.warn(shown.message());
		else log.info("Showing " + String.join(", ", channels.keySet()) + " in BigDataViewer.");
	}
}
