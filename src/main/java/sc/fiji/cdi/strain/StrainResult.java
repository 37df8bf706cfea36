package sc.fiji.cdi.strain;

/**
 * The outcome of {@link StrainAnalysis}. All volumes share the input grid and carry the voxel size in nm; values
 * outside the support are NaN (so that displays and statistics ignore them; ImageJ shows NaN as background).
 *
 * @param amplitude      |ρ| inside the support (NaN outside)
 * @param phase          unwrapped phase in radians after ramp and offset removal (mean 0 inside the support)
 * @param displacement   u along Ĝ in nm, {@code phaseSign · phase / |G|}
 * @param strain         ε = ∂u/∂s along Ĝ, dimensionless (multiply by 100 for %)
 * @param support        the support used (a copy)
 * @param rampRadPerVoxel the removed phase ramp, radians per voxel along (z, y, x)
 * @param offsetRad      the removed phase offset in radians (after ramp removal, before unwrapping: circular mean)
 * @param parameters     the parameters used (voxel size filled in)
 */
public record StrainResult(sc.fiji.cdi.data.RealVolume amplitude, sc.fiji.cdi.data.RealVolume phase, sc.fiji.cdi.data.RealVolume displacement,
	sc.fiji.cdi.data.RealVolume strain, boolean[] support, double[] rampRadPerVoxel, double offsetRad, StrainParameters parameters) {}
