package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.strain.RampRemoval;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.workflow.Strain;

/**
 * Plugins › CDI › Strain: a reconstruction (amplitude + phase in radians) → displacement u (nm) and strain ε along G,
 * optionally after orthogonalising the detector-frame object into the lab frame with a beamline geometry. The work
 * (analysis, statistics, report, the result set in {@code output_dir}) is {@link Strain}; this command maps its
 * parameters to a request and shows the strain and displacement. Dialog: the reconstruction first, then the
 * sections Strain along G, Lab frame (geometry) and Output.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Strain", headless = true)
public class StrainCommand extends ReconstructionInputCommand {

	private static final StrainParameters DEFAULTS = StrainParameters.defaults();

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String strain_section = DiffractionCommand.section("Strain along G");

	@Parameter(label = "Reflection hkl", persist = false)
	private String hkl = "1,1,1";

	@Parameter(label = "Lattice constant a (nm, cubic)", min = "0", persist = false, description = "Au 0.40782, Pt 0.39242, Cu 0.36149")
	private double lattice_constant = DEFAULTS.latticeConstantNm();

	@Parameter(label = "Voxel size (nm; one value or z,y,x; empty = image calibration)", required = false, persist = false)
	private String voxel_size = "";

	@Parameter(label = "Direction of G in the array (z,y,x; without geometry)", persist = false)
	private String g_direction = "0,1,0";

	@Parameter(label = "Phase sign (G·u = sign·φ)", min = "-1", max = "1", persist = false,
		description = "+1: PyNX, bcdi, cdiutils convention u = φ/|G|; −1 for φ = −G·u (or a twin solution).")
	private int phase_sign = DEFAULTS.phaseSign();

	@Parameter(label = "Phase-ramp removal", choices = { "plane_fit", "fourier_com", "none" }, persist = false)
	private String ramp_removal = DEFAULTS.rampRemoval().name().toLowerCase(Locale.ROOT);

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String geometry_section = DiffractionCommand.section("Lab frame (optional: orthogonalise with the beamline geometry)");

	@Parameter(label = "Orthogonalise with geometry", choices = { "none", "report", "34-ID-C", "ID01" }, persist = false,
		description = "report: the geometry block of <name>_report.json next to the amplitude file (Reconstruct from a beamline scan); no retyping")
	private String geometry = "none";

	@Parameter(label = "Energy (keV)", min = "0", persist = false)
	private double energy_kev = 9;

	@Parameter(label = "Detector distance (m)", min = "0", persist = false)
	private double distance_m = 0.5;

	@Parameter(label = "Detector pixel (µm, after binning)", min = "0", persist = false)
	private double pixel_um = 55;

	@Parameter(label = "In-plane detector angle (°; 34-ID-C delta, ID01 nu)", persist = false)
	private double inplane_deg = 0;

	@Parameter(label = "Out-of-plane detector angle (°; 34-ID-C gamma, ID01 delta)", persist = false)
	private double outofplane_deg = 0;

	@Parameter(label = "2θ (°; used when both detector angles are 0)", persist = false,
		description = "34-ID-C: horizontal scattering (in-plane); ID01: vertical scattering (out-of-plane).")
	private double two_theta_deg = 0;

	@Parameter(label = "Rocking step (° per frame)", persist = false)
	private double rocking_step_deg = 0.01;

	@Parameter(label = "Lab-frame voxel (nm; 0 = finest detector-frame step)", min = "0", persist = false)
	private double lab_voxel_nm = 0;

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
		Strain.checkOutput(out);
		final BraggGeometry geo = geometry();
		final StrainParameters p = DEFAULTS.withReflection(ObjectInputs.hkl(hkl), lattice_constant).withPhaseSign(phase_sign).withRampRemoval(RampRemoval.parse(ramp_removal))
			.withGDirection(ObjectInputs.numbers(g_direction, "g_direction", "three numbers z,y,x (e.g. 0,1,0)"));
		final Map<String, Object> inputs = new LinkedHashMap<>();
		if (ObjectInputs.given(amplitude_file)) inputs.put("amplitude_file", amplitude_file.getAbsolutePath());
		final Strain.Result r = Strain.run(new Strain.Request(in.name(), ComplexVolume.fromAmplitudePhase(in.amplitude(), in.phase()), in.support(),
			geo == null ? p.withVoxelSize(ObjectInputs.voxelSizeNm(voxel_size, in.amplitude())) : p, geo, geometry, lab_voxel_nm, out, inputs), progress());
		strain = ObjectInputs.divergingImage(r.strain().strain(), in.name() + " strain");
		displacement = ObjectInputs.divergingImage(r.strain().displacement(), in.name() + " displacement (nm)");
		log.info(r.summary());
	}

	/** null for geometry = none. */
	private BraggGeometry geometry() {
		final String g = geometry == null ? "none" : geometry.trim();
		if (g.isEmpty() || g.equalsIgnoreCase("none")) return null;
		if (g.equalsIgnoreCase("report")) return BraggGeometry.fromReport(ObjectInputs.reportNextTo(amplitude_file));
		return BraggGeometry.of(BraggGeometry.Beamline.parse(g), energy_kev, distance_m, pixel_um, inplane_deg, outofplane_deg, two_theta_deg, rocking_step_deg);
	}
}
