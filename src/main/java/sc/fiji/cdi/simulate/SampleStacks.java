package sc.fiji.cdi.simulate;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.GsonBuilder;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.io.TiffEncoder;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.simulate.SimulationParameters.PhaseModel;
import sc.fiji.cdi.simulate.SimulationParameters.Shape;
import sc.fiji.cdi.util.AtomicOutput;

/**
 * Writes the small simulated examples of {@code sample-stacks/}: for each, the centred diffraction intensity, the
 * ground-truth amplitude and phase (radians) as 32-bit float TIFF stacks (ImageJ format, one slice per z), and a
 * JSON sidecar with the parameters and seed. Usage: {@code SampleStacks <output folder>}.
 */
public final class SampleStacks {

	private SampleStacks() {}

	/** One example: a name, a grid, parameters, a seed, and whether to write the truth (false: shared with another). */
	public record Example(String name, Grid grid, SimulationParameters parameters, long seed, String truthOf) {}

	/** The committed examples (about 5.5 MB in all). */
	public static Example[] examples() {
		final SimulationParameters d = SimulationParameters.defaults();
		return new Example[] {
			new Example("crystal64_sines", Grid.cube(64), d, 1, null),
			new Example("crystal64_sines_1e8photons", Grid.cube(64), d.withPhotons(1e8), 1, "crystal64_sines"),
			new Example("polygon128_2d", Grid.of2D(128, 128), d.withShape(Shape.POLYGON), 2, null),
			new Example("crystal48_vortex", Grid.cube(48), d.withPhaseModel(PhaseModel.VORTEX), 3, null) };
	}

	public static void main(final String[] args) {
		final Path dir = Paths.get(args.length > 0 ? args[0] : "sample-stacks");
		for (final Example e : examples()) {
			write(dir, e);
			System.out.println("wrote " + dir.resolve(e.name()) + "_*");
		}
	}

	/** Writes one example into {@code dir}; every file appears complete or not at all. */
	public static void write(final Path dir, final Example e) {
		final SimulatedCrystal c = CrystalSimulator.simulate(e.grid(), e.parameters(), e.seed());
		final Map<String, Object> meta = new LinkedHashMap<>();
		meta.put("description", "Simulated coherent diffraction of a crystal (sc.fiji.cdi.simulate.CrystalSimulator)");
		meta.put("generator", "java -cp target/classes:$(cat target/cp.txt) " + SampleStacks.class.getName() + " <folder>");
		meta.put("grid_zyx", e.grid().zyx());
		meta.put("seed", e.seed());
		final SimulationParameters p = e.parameters();
		final Map<String, Object> params = new LinkedHashMap<>();
		params.put("shape", p.shape().name()); params.put("size_fraction", p.sizeFraction()); params.put("phase_model", p.phaseModel().name());
		params.put("phase_range_rad", p.phaseRange()); params.put("photons", p.photons()); params.put("edge_sigma_voxels", p.edgeSigma());
		meta.put("parameters", params);
		meta.put("simulation_log", c.diffraction().log.steps().get(0).parameters());
		final Map<String, String> files = new LinkedHashMap<>();
		files.put("diffraction", e.name() + "_diffraction.tif");
		meta.put("diffraction_quantity", "INTENSITY, |fftshift(FFT(rho))|^2 with the unnormalised DFT, peak at n/2 per axis"
			+ (p.photons() > 0 ? ", Poisson counts scaled to the photon total" : ", noise-free"));
		final String truth = e.truthOf() != null ? e.truthOf() : e.name();
		files.put("truth_amplitude", truth + "_amplitude.tif");
		files.put("truth_phase", truth + "_phase.tif");
		meta.put("files", files);
		meta.put("conventions", "axes (z, y, x), x fastest; object centred at voxel n/2; phase in radians, 0 outside the support [A >= 0.1 max A]");

		writeTiff(dir.resolve(files.get("diffraction")), c.diffraction().values, "diffraction intensity");
		if (e.truthOf() == null) {
			writeTiff(dir.resolve(files.get("truth_amplitude")), c.amplitude(), "truth amplitude");
			writeTiff(dir.resolve(files.get("truth_phase")), c.phase(), "truth phase (rad)");
		}
		final String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(meta);
		AtomicOutput.write(dir.resolve(e.name() + ".json"), out -> {
			final Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
			w.write(json);
			w.write('\n');
			w.flush();
		});
	}

	/** A 32-bit float TIFF (a stack of z planes) in ImageJ's format, with the voxel size and unit. */
	static void writeTiff(final Path path, final RealVolume v, final String title) {
		final Grid g = v.grid;
		final ImageStack stack = new ImageStack(g.nx, g.ny);
		final int plane = g.ny * g.nx;
		for (int z = 0; z < g.nz; z++) {
			final float[] px = new float[plane];
			System.arraycopy(v.data, z * plane, px, 0, plane);
			stack.addSlice(null, new FloatProcessor(g.nx, g.ny, px));
		}
		final ImagePlus imp = new ImagePlus(title, stack);
		final Calibration cal = imp.getCalibration();
		cal.pixelDepth = v.voxelSize[0];
		cal.pixelHeight = v.voxelSize[1];
		cal.pixelWidth = v.voxelSize[2];
		cal.setUnit(v.unit);
		imp.resetDisplayRange();
		final FileInfo fi = imp.getFileInfo();
		fi.description = new FileSaver(imp).getDescriptionString();
		AtomicOutput.write(path, out -> new TiffEncoder(fi).write(out));
	}
}
