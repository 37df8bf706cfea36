package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * Plugins › CDI › Simulate Crystal: a random faceted crystal with a phase field → its diffraction intensity and
 * the ground truth (amplitude, phase in radians). Also the source of training data for the networks.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Simulate Crystal", headless = true)
public class SimulateCrystalCommand extends CdiCommand {

	private static final SimulationParameters DEFAULTS = SimulationParameters.defaults();

	@Parameter(label = "Dimensions", choices = { "3D", "2D" }, persist = false)
	private String dimensions = "3D";

	// 1023³ is the largest cube below Grid's 1,073,741,819 (about 2^30) voxels (1024³ cannot be allocated as a complex array)
	@Parameter(label = "Array size (voxels per axis)", min = "8", max = "1023", persist = false)
	private int size = 64;

	@Parameter(label = "Shape", choices = { "polyhedron", "polygon", "sphere", "cube" }, persist = false)
	private String shape = DEFAULTS.shape().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Phase field", choices = { "sines_gaussians", "linear_strain", "vortex", "none" }, persist = false)
	private String phase_model = DEFAULTS.phaseModel().name().toLowerCase(Locale.ROOT);

	@Parameter(label = "Phase range (rad, peak-to-peak)", min = "0", persist = false)
	private double phase_range = DEFAULTS.phaseRange();

	@Parameter(label = "Object size (fraction of the box)", min = "0.01", max = "1", persist = false)
	private double size_fraction = DEFAULTS.sizeFraction();

	@Parameter(label = "Photons (0 = no noise)", min = "0", max = "1e35", persist = false)
	private double photons = DEFAULTS.photons();

	@Parameter(label = "Random seed", persist = false)
	private long seed = 1;

	@Parameter(label = "Output folder (optional)", style = "directory", required = false, persist = false)
	private File output_dir;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus diffraction;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus amplitude;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus phase;

	@Override
	protected void execute() {
		final Grid grid = "2D".equalsIgnoreCase(dimensions.trim()) ? Grid.of2D(size, size) : Grid.cube(size);
		final SimulationParameters p = new SimulationParameters(SimulationParameters.Shape.valueOf(shape.trim().toUpperCase(Locale.ROOT)), size_fraction,
			SimulationParameters.PhaseModel.valueOf(phase_model.trim().toUpperCase(Locale.ROOT)), phase_range, photons, DEFAULTS.edgeSigma());
		final String name = "crystal" + size + "_seed" + seed;
		// the set's name holds only the size and seed: its manifest records every parameter, so that a simulation with
		// other parameters (2D, another shape, noise) does not silently replace files a reconstruction may have been made from
		final String made = String.format(Locale.ROOT, "Simulate Crystal dimensions=%s size=%d shape=%s phase_model=%s phase_range=%s size_fraction=%s photons=%s seed=%d",
			grid.is2D() ? "2D" : "3D", size, p.shape().name().toLowerCase(Locale.ROOT), p.phaseModel().name().toLowerCase(Locale.ROOT), phase_range, size_fraction, photons, seed);
		if (output_dir != null) {
			ResultWriter.checkWritable(output_dir.toPath());
			AtomicOutput.ResultSet.requireSameInput(output_dir.toPath(), name, made);
		}
		final SimulatedCrystal c = CrystalSimulator.simulate(grid, p, seed);
		diffraction = ImagePlusConverter.toImagePlus(c.diffraction().values, name + " intensity");
		amplitude = ImagePlusConverter.toImagePlus(c.object().amplitude(), name + " true amplitude");
		phase = ImagePlusConverter.toImagePlus(c.object().phase(), name + " true phase (rad)");
		if (output_dir != null) {
			try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(output_dir.toPath(), name).input(made)) {
				TiffWriter.write(set.file(name + "_intensity.tif"), c.diffraction().values);
				TiffWriter.write(set.file(name + "_true_amplitude.tif"), c.object().amplitude());
				TiffWriter.write(set.file(name + "_true_phase.tif"), c.object().phase());
				final int files = set.commit().size();
				log.info("Simulated " + name + " (" + grid + "): " + files + " files in " + set.folder());
			}
		}
		warnIfNothingKept(output_dir, "Simulate Crystal", "the simulated pattern and object are only image outputs");
	}
}
