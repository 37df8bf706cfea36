package sc.fiji.cdi.export;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.strain.StrainResult;
import sc.fiji.cdi.util.Progress;

/**
 * One-call exports of a {@link StrainResult} (amplitude, phase, displacement, strain, support) for the commands:
 * BigDataViewer XML/N5, ParaView .vti and CXI. Values outside the support are NaN in every format.
 */
public final class StrainExport {

	private StrainExport() {}

	/** The result's volumes by name, in display order. */
	public static Map<String, RealVolume> channels(final StrainResult r) {
		final Map<String, RealVolume> m = new LinkedHashMap<>();
		m.put("amplitude", r.amplitude());
		m.put("phase", r.phase());
		m.put("displacement", r.displacement());
		m.put("strain", r.strain());
		return m;
	}

	/** BigDataViewer XML + N5 (one ViewSetup per channel), calibrated in nm. */
	public static void bigDataViewer(final Path xml, final StrainResult r, final Progress progress) {
		final List<BdvExport.Channel> ch = channels(r).entrySet().stream().map(e -> BdvExport.Channel.of(e.getKey(), e.getValue())).toList();
		BdvExport.write(xml, ch, r.strain().voxelSize, "nm", progress);
	}

	/** ParaView .vti with Float32 point arrays amplitude/phase/displacement/strain and the UInt8 support. */
	public static void vti(final Path file, final StrainResult r) {
		VtiWriter.write(file, channels(r), r.support(), r.strain().voxelSize);
	}

	/**
	 * CXI with the complex object (as analysed: same grid as the result), the support, displacement and strain as
	 * extra images, the diffraction data if given, and the strain parameters as JSON.
	 */
	public static void cxi(final Path file, final ComplexVolume object, final StrainResult r, final Diffraction diffraction, final Map<String, ?> moreParameters) {
		final Map<String, RealVolume> images = new LinkedHashMap<>();
		images.put("displacement", r.displacement());
		images.put("strain", r.strain());
		images.put("phase_unwrapped", r.phase());
		final Map<String, Object> params = new LinkedHashMap<>();
		final StrainParameters p = r.parameters();
		params.put("hkl", p.hkl());
		params.put("lattice_constant_nm", p.latticeConstantNm());
		params.put("g_norm_per_nm", p.gNorm());
		params.put("g_direction_zyx", p.gDirectionZyx());
		params.put("voxel_size_nm_zyx", p.voxelSizeNm());
		params.put("phase_sign", p.phaseSign());
		params.put("phase_convention", "G·u = phase_sign · φ; forward FFT exp(−2πi k·r)");
		params.put("ramp_removal", p.rampRemoval().name());
		params.put("removed_ramp_rad_per_voxel_zyx", r.rampRadPerVoxel());
		params.put("removed_offset_rad", r.offsetRad());
		if (moreParameters != null) params.putAll(moreParameters);
		final ComplexVolume calibrated = new ComplexVolume(object.grid, object.data, r.strain().voxelSize, "nm");
		CxiWriter.write(file, calibrated, r.support(), diffraction, images, params);
	}
}
