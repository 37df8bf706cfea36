package sc.fiji.cdi.commands;

import java.util.Locale;

import org.scijava.plugin.Parameter;

import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.strain.RampRemoval;
import sc.fiji.cdi.strain.StrainParameters;

/**
 * The dialog sections of Strain after the reconstruction: "Strain along G" and "Lab frame", mapped to the core's
 * {@link StrainParameters} and {@link BraggGeometry}. Declared in a superclass, as {@link DiffractionCommand} does for
 * Reconstruct, so that they come before the subclass's Output section (SciJava lists a superclass's parameters first).
 */
public abstract class StrainParametersCommand extends ReconstructionInputCommand {

	private static final StrainParameters DEFAULTS = StrainParameters.defaults();

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String strain_section = DiffractionCommand.section("Strain along G");

	@Parameter(label = "Reflection hkl", persist = false)
	protected String hkl = "1,1,1";

	@Parameter(label = "Lattice constant a (nm, cubic)", min = "0", persist = false, description = "Au 0.40782, Pt 0.39242, Cu 0.36149")
	protected double lattice_constant = DEFAULTS.latticeConstantNm();

	@Parameter(label = "Voxel size (nm; one value or z,y,x; empty = image calibration)", required = false, persist = false)
	protected String voxel_size = "";

	@Parameter(label = "Direction of G in the array (z,y,x; without geometry)", persist = false)
	protected String g_direction = "0,1,0";

	@Parameter(label = "Phase sign (G·u = sign·φ)", min = "-1", max = "1", persist = false,
		description = "+1: PyNX, bcdi, cdiutils convention u = φ/|G|; −1 for φ = −G·u (or a twin solution).")
	protected int phase_sign = DEFAULTS.phaseSign();

	@Parameter(label = "Phase-ramp removal", choices = { "plane_fit", "fourier_com", "none" }, persist = false)
	protected String ramp_removal = DEFAULTS.rampRemoval().name().toLowerCase(Locale.ROOT);

	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String geometry_section = DiffractionCommand.section("Lab frame (optional: orthogonalise with the beamline geometry)");

	@Parameter(label = "Orthogonalise with geometry", choices = { "none", "report", "34-ID-C", "ID01" }, persist = false,
		description = "report: the geometry block of <name>_report.json next to the amplitude file (Reconstruct from a beamline scan); no retyping")
	protected String geometry = "none";

	@Parameter(label = "Energy (keV)", min = "0", max = "100", persist = false)
	protected double energy_kev = 9;

	@Parameter(label = "Detector distance (m)", min = "0", max = "100", persist = false)
	protected double distance_m = 0.5;

	@Parameter(label = "Detector pixel (µm, after binning)", min = "0", persist = false)
	protected double pixel_um = 55;

	@Parameter(label = "In-plane detector angle (°; 34-ID-C delta, ID01 nu)", min = "-180", max = "180", persist = false)
	protected double inplane_deg = 0;

	@Parameter(label = "Out-of-plane detector angle (°; 34-ID-C gamma, ID01 delta)", min = "-180", max = "180", persist = false)
	protected double outofplane_deg = 0;

	@Parameter(label = "2θ (°; used when both detector angles are 0)", min = "-180", max = "180", persist = false,
		description = "34-ID-C: horizontal scattering (in-plane); ID01: vertical scattering (out-of-plane).")
	protected double two_theta_deg = 0;

	@Parameter(label = "Rocking step (° per frame)", persist = false)
	protected double rocking_step_deg = 0.01;

	@Parameter(label = "Lab-frame voxel (nm; 0 = finest detector-frame step)", min = "0", persist = false)
	protected double lab_voxel_nm = 0;

	/** The strain parameters; without a lab-frame geometry the voxel size comes from {@code voxel_size} or {@code amplitude}. */
	protected StrainParameters strainParameters(final BraggGeometry geo, final RealVolume amplitude) {
		final StrainParameters p = DEFAULTS.withReflection(ObjectInputs.hkl(hkl), lattice_constant).withPhaseSign(phase_sign).withRampRemoval(RampRemoval.parse(ramp_removal))
			.withGDirection(ObjectInputs.numbers(g_direction, "g_direction", ObjectInputs.G_DIRECTION_SYNTAX));
		return geo == null ? p.withVoxelSize(ObjectInputs.voxelSizeNm(voxel_size, amplitude)) : p;
	}

	/** null for geometry = none. */
	protected BraggGeometry geometry() {
		final String g = geometry == null ? "none" : geometry.trim();
		if (g.isEmpty() || g.equalsIgnoreCase("none")) return null;
		if (g.equalsIgnoreCase("report")) return BraggGeometry.fromReport(ObjectInputs.reportNextTo(amplitude_file));
		return BraggGeometry.of(BraggGeometry.Beamline.parse(g), energy_kev, distance_m, pixel_um, inplane_deg, outofplane_deg, two_theta_deg, rocking_step_deg);
	}
}
