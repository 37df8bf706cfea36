package sc.fiji.cdi.commands;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.util.Version;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.strain.RampRemoval;
import sc.fiji.cdi.strain.StrainAnalysis;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.strain.StrainResult;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;
import sc.fiji.cdi.view.Figure;

/**
 * Plugins › CDI › Strain: a reconstruction (amplitude + phase in radians) → displacement u (nm) and strain ε along G,
 * optionally after orthogonalising the detector-frame object into the lab frame with a beamline geometry. All
 * algorithms are in {@link StrainAnalysis}; this command only gathers parameters, shows and writes the results.
 * <p>
 * With {@code output_dir}: {@code <name>_displacement.tif} (nm), {@code _strain.tif}, {@code _phase_unwrapped.tif}
 * (radians), {@code _strain_support.tif} (0/1), {@code _strain.png} (orthogonal slices through the support's centre of
 * mass, diverging colour map, colour and scale bars) and {@code _strain_report.json}; NaN outside the support. The
 * set is written to a hidden staging folder and moved in at the end: all files or none.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Strain", headless = true)
public class StrainCommand extends ReconstructionInputCommand {

	private static final StrainParameters DEFAULTS = StrainParameters.defaults();

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

	@Parameter(label = "Orthogonalise with geometry", choices = { "none", "34-ID-C", "ID01" }, persist = false)
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
		if (out != null) ResultWriter.checkWritable(out);
		if (phase_sign != 1 && phase_sign != -1) throw new CdiException("phase_sign=" + phase_sign + " is not allowed: expected +1 (u = φ/|G|) or -1 (u = −φ/|G|).");
		if (!(lattice_constant > 0)) throw new CdiException("lattice_constant=" + lattice_constant + " nm: expected a positive cubic lattice constant in nm (e.g. 0.40782 for Au).");
		final double[] gDir = ObjectInputs.numbers(g_direction, "g_direction", "three numbers z,y,x (e.g. 0,1,0)");
		if (gDir.length != 3) throw new CdiException("g_direction='" + g_direction + "' has " + gDir.length + " values; expected three numbers z,y,x (e.g. 0,1,0).");
		final RampRemoval ramp = switch (ramp_removal.trim().toLowerCase(Locale.ROOT)) {
			case "plane_fit" -> RampRemoval.PLANE_FIT;
			case "fourier_com" -> RampRemoval.FOURIER_COM;
			case "none" -> RampRemoval.NONE;
			default -> throw new CdiException("ramp_removal='" + ramp_removal + "' is not known: expected plane_fit, fourier_com or none.");
		};
		final BraggGeometry geo = geometry();
		final StrainParameters p0 = DEFAULTS.withReflection(ObjectInputs.hkl(hkl), lattice_constant).withGDirection(gDir).withPhaseSign(phase_sign).withRampRemoval(ramp);
		final ComplexVolume object = ComplexVolume.fromAmplitudePhase(in.amplitude(), in.phase());
		final Progress progress = progress();
		progress.status("Strain of " + in.name());
		final StrainResult r;
		double labVoxel = Double.NaN;
		if (geo == null) {
			r = StrainAnalysis.analyse(object, in.support(), p0.withVoxelSize(ObjectInputs.voxelSizeNm(voxel_size, in.amplitude())));
		} else {
			labVoxel = lab_voxel_nm > 0 ? lab_voxel_nm : finestStep(geo, object);
			r = StrainAnalysis.analyseInLabFrame(object, in.support(), geo, labVoxel, p0, progress);
		}
		strain = ObjectInputs.divergingImage(r.strain(), in.name() + " strain");
		displacement = ObjectInputs.divergingImage(r.displacement(), in.name() + " displacement (nm)");
		final Map<String, Object> report = report(in, r, geo, labVoxel);
		log.info(String.format(Locale.ROOT, "Strain of %s: %d voxels in the support, strain mean %.3e, RMS %.3e, |G| = %.4f rad/nm along %s (z,y,x)",
			in.name(), (Long) report.get("support_voxels"), stats(r.strain()).get("mean"), stats(r.strain()).get("rms"), r.parameters().gNorm(),
			ObjectInputs.format(r.parameters().gDirectionZyx())));
		if (out != null) write(out, in.name(), r, report);
	}

	/** null for geometry = none. */
	private BraggGeometry geometry() {
		final String g = geometry == null ? "none" : geometry.trim();
		if (g.isEmpty() || g.equalsIgnoreCase("none")) return null;
		final BraggGeometry.Beamline b = BraggGeometry.Beamline.parse(g);
		double ip = inplane_deg, op = outofplane_deg;
		if (ip == 0 && op == 0) {
			if (!(two_theta_deg > 0)) throw new CdiException("geometry=" + g + " needs the detector angles: give inplane_deg and outofplane_deg, or two_theta_deg.");
			if (b == BraggGeometry.Beamline.APS_34IDC) ip = two_theta_deg; else op = two_theta_deg;
		}
		return BraggGeometry.of(b, energy_kev, distance_m, pixel_um, ip, op, rocking_step_deg);
	}

	/** The shortest lab-frame length of one detector-frame voxel step (nm): no detail is lost at this sampling. */
	static double finestStep(final BraggGeometry geo, final ComplexVolume object) {
		final double[][] r = geo.directBasis(object.grid);
		double min = Double.POSITIVE_INFINITY;
		for (int j = 0; j < 3; j++) {
			if (object.grid.zyx()[j] == 1) continue;
			min = Math.min(min, Math.sqrt(r[0][j] * r[0][j] + r[1][j] * r[1][j] + r[2][j] * r[2][j]));
		}
		return min;
	}

	private Map<String, Object> report(final ObjectInputs.Loaded in, final StrainResult r, final BraggGeometry geo, final double labVoxel) {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", in.name());
		m.put("software", "CDI for Fiji " + Version.get());
		m.put("date", OffsetDateTime.now().toString());
		if (ObjectInputs.given(amplitude_file)) m.put("amplitude_file", amplitude_file.getAbsolutePath());
		m.put("input_grid_zyx", in.amplitude().grid.zyx());
		m.put("grid_zyx", r.strain().grid.zyx());
		m.put("voxel_size_nm_zyx", r.parameters().voxelSizeNm());
		m.put("hkl", r.parameters().hkl());
		m.put("lattice_constant_nm", r.parameters().latticeConstantNm());
		m.put("d_spacing_nm", r.parameters().dSpacingNm());
		m.put("g_norm_rad_per_nm", r.parameters().gNorm());
		m.put("g_direction_zyx", r.parameters().gDirectionZyx());
		m.put("phase_sign", r.parameters().phaseSign());
		m.put("phase_convention", "G·u = phase_sign · φ; u = phase_sign·φ/|G|; forward FFT exp(−2πi k·r)");
		m.put("ramp_removal", r.parameters().rampRemoval().name().toLowerCase(Locale.ROOT));
		m.put("removed_ramp_rad_per_voxel_zyx", r.rampRadPerVoxel());
		m.put("removed_offset_rad", r.offsetRad());
		m.put("support_source", in.support() != null ? "support image" : "amplitude ≥ " + StrainAnalysis.DEFAULT_SUPPORT_THRESHOLD + "·max");
		if (geo != null) {
			final Map<String, Object> g = new LinkedHashMap<>();
			g.put("beamline", geometry);
			g.put("energy_kev", geo.energyKeV());
			g.put("distance_m", geo.distanceM());
			g.put("pixel_um", geo.pixelSizeUm());
			g.put("inplane_deg_lab", geo.inplaneDeg());
			g.put("outofplane_deg", geo.outOfPlaneDeg());
			g.put("two_theta_deg", geo.twoThetaDeg());
			g.put("rocking_axis_lab_zyx", geo.rockingAxisLab());
			g.put("rocking_step_deg", geo.rockingStepDeg());
			g.put("lab_voxel_nm", labVoxel);
			g.put("lab_frame", "z downstream, y up, x outboard (bcdi, CXI)");
			m.put("geometry", g);
		}
		long n = 0;
		for (final boolean b : r.support()) if (b) n++;
		m.put("support_voxels", n);
		m.put("strain", stats(r.strain()));
		m.put("displacement_nm", stats(r.displacement()));
		return m;
	}

	/** mean, RMS, min, max and 1st/99th percentiles of the finite values (inside the support). */
	static Map<String, Double> stats(final RealVolume v) {
		final float[] f = finite(v.data);
		final Map<String, Double> m = new LinkedHashMap<>();
		double s = 0, s2 = 0;
		for (final float x : f) { s += x; s2 += (double) x * x; }
		java.util.Arrays.sort(f);
		m.put("mean", f.length > 0 ? s / f.length : Double.NaN);
		m.put("rms", f.length > 0 ? Math.sqrt(s2 / f.length) : Double.NaN);
		m.put("min", f.length > 0 ? (double) f[0] : Double.NaN);
		m.put("p01", f.length > 0 ? (double) f[(int) (0.01 * (f.length - 1))] : Double.NaN);
		m.put("p99", f.length > 0 ? (double) f[(int) Math.ceil(0.99 * (f.length - 1))] : Double.NaN);
		m.put("max", f.length > 0 ? (double) f[f.length - 1] : Double.NaN);
		return m;
	}

	private static float[] finite(final float[] a) {
		int k = 0;
		for (final float x : a) if (!Float.isNaN(x)) k++;
		final float[] f = new float[k];
		k = 0;
		for (final float x : a) if (!Float.isNaN(x)) f[k++] = x;
		return f;
	}

	private static void write(final Path dir, final String name, final StrainResult r, final Map<String, Object> report) {
		final Path staging;
		try {
			staging = Files.createTempDirectory(dir, "." + name + "-strain-partial-");
		} catch (final IOException e) {
			throw new CdiException("Cannot create a staging folder in " + dir + ": " + e.getMessage());
		}
		try {
			TiffWriter.write(staging.resolve(name + "_displacement.tif"), r.displacement());
			TiffWriter.write(staging.resolve(name + "_strain.tif"), r.strain());
			TiffWriter.write(staging.resolve(name + "_phase_unwrapped.tif"), r.phase());
			final float[] sup = new float[r.support().length];
			for (int i = 0; i < sup.length; i++) sup[i] = r.support()[i] ? 1f : 0f;
			TiffWriter.write(staging.resolve(name + "_strain_support.tif"), r.strain().with(sup));
			Figure.savePng(Figure.render(r.strain(), r.support(), Figure.Options.strain().withTitle(name + ": strain along G")), staging.resolve(name + "_strain.png"));
			final List<String> files = new ArrayList<>();
			try (Stream<Path> s = Files.list(staging)) { s.forEach(p -> files.add(p.getFileName().toString())); }
			files.add(name + "_strain_report.json");
			report.put("files", files.stream().sorted().toList());
			Json.write(staging.resolve(name + "_strain_report.json"), report);
			try (Stream<Path> s = Files.list(staging)) {
				for (final Path p : (Iterable<Path>) s::iterator) Files.move(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
			}
		} catch (final IOException e) {
			throw new CdiException("Cannot write the strain results into " + dir + ": " + e.getMessage());
		} finally {
			deleteQuietly(staging);
		}
	}

	static void deleteQuietly(final Path dir) {
		if (!Files.exists(dir)) return;
		try (Stream<Path> s = Files.walk(dir)) {
			s.sorted(Comparator.reverseOrder()).forEach(p -> { try { Files.delete(p); } catch (final IOException ignored) { /* best effort */ } });
		} catch (final IOException ignored) { /* best effort */ }
	}
}
