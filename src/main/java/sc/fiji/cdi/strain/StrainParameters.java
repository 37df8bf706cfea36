package sc.fiji.cdi.strain;

import java.util.Arrays;

import sc.fiji.cdi.util.CdiException;

/**
 * Parameters of the phase → displacement → strain conversion.
 *
 * <h2>Phase-sign convention</h2>
 * Near a Bragg reflection G the object reconstructed by phase retrieval is ρ(r) = A(r)·exp(iφ(r)) with
 * φ = ±G·u(r), u the lattice displacement. The sign depends on two conventions: the scattering amplitude
 * written as ∫ρ·exp(+iQ·r) (Als-Nielsen) or exp(−iQ·r), and the forward FFT used in phasing. Our forward FFT is
 * exp(−2πi k·r) (numpy's, JTransforms'); with the exp(+iQ·r) scattering convention the solution that is not
 * spatially inverted has φ = −G·u, with the exp(−iQ·r) convention φ = +G·u. Here
 * <pre>  G·u = phaseSign · φ,   so  u_G = phaseSign · φ / |G|  and  ε = phaseSign · (∂φ/∂s) / |G|,</pre>
 * with s the coordinate along Ĝ. The default {@code phaseSign = +1} is the convention of PyNX, cdiutils and
 * bcdi (u = φ/|G|, bcdi writes u = d·φ/2π, the same); set −1 for φ = −G·u, e.g. when data processed with the
 * exp(+iQ·r) convention come out with inverted strain. A twin solution (conj(ρ(−r))) also flips the sign.
 *
 * @param hkl               Miller indices of the reflection (nullable when {@code gNormPerNm} is given)
 * @param latticeConstantNm cubic lattice constant a in nm (e.g. Au 0.40782, Pt 0.39242), NaN when not used
 * @param gNormPerNm        |G| = 2π/d in rad/nm; ≤ 0 or NaN: computed from hkl and a (cubic: d = a/√(h²+k²+l²))
 * @param gDirectionZyx     direction of G in the array frame (z, y, x), normalised here; after orthogonalisation
 *                          take it from {@code BraggGeometry.braggVectorLab()}
 * @param voxelSizeNm       voxel size (z, y, x) in nm; null: taken from the volume when its unit is nm
 * @param phaseSign         +1 or −1, see above
 * @param rampRemoval       how the phase ramp is removed
 */
public record StrainParameters(int[] hkl, double latticeConstantNm, double gNormPerNm, double[] gDirectionZyx,
	double[] voxelSizeNm, int phaseSign, RampRemoval rampRemoval)
{
	public StrainParameters {
		if (phaseSign != 1 && phaseSign != -1) throw new CdiException("Phase sign must be +1 (u = φ/|G|) or -1 (u = −φ/|G|), got " + phaseSign + ".");
		if (rampRemoval == null) throw new CdiException("Phase-ramp removal must be given: none, fourier_com or plane_fit.");
		if (gDirectionZyx == null || gDirectionZyx.length != 3) throw new CdiException("The direction of G must have three components (z, y, x), got " + Arrays.toString(gDirectionZyx) + ".");
		final double n = Math.sqrt(gDirectionZyx[0] * gDirectionZyx[0] + gDirectionZyx[1] * gDirectionZyx[1] + gDirectionZyx[2] * gDirectionZyx[2]);
		if (!(n > 0) || !Double.isFinite(n)) throw new CdiException("The direction of G " + Arrays.toString(gDirectionZyx) + " has zero or undefined length; expected a non-zero (z, y, x) vector.");
		gDirectionZyx = new double[] { gDirectionZyx[0] / n, gDirectionZyx[1] / n, gDirectionZyx[2] / n };
		if (hkl != null) {
			if (hkl.length != 3) throw new CdiException("Miller indices hkl must have three integers, got " + Arrays.toString(hkl) + ".");
			hkl = hkl.clone();
		}
		if (voxelSizeNm != null) {
			voxelSizeNm = checkVoxelSizeNm(voxelSizeNm, "The voxel size");
		}
		if (!(gNormPerNm > 0)) {
			if (hkl == null || !(latticeConstantNm > 0)) throw new CdiException("Give the reflection either as |G| (1/nm, > 0) or as hkl together with a lattice constant a (nm, > 0, e.g. 0.40782 for Au); got hkl "
				+ Arrays.toString(hkl) + ", a = " + latticeConstantNm + " nm.");
			if (hkl[0] == 0 && hkl[1] == 0 && hkl[2] == 0) throw new CdiException("Miller indices (0 0 0) do not define a reflection; expected e.g. (1 1 1).");
		}
	}

	/**
	 * The one check of a voxel size (z, y, x) in nm, shared by the strain parameters and the commands that take a
	 * {@code voxel_size} (Strain, Export, Show in BigDataViewer): three positive finite values. Returns a copy.
	 *
	 * @param what names the value in the message, e.g. {@code voxel_size='0'}
	 */
	public static double[] checkVoxelSizeNm(final double[] voxelSizeNm, final String what) {
		if (voxelSizeNm == null || voxelSizeNm.length != 3) throw new CdiException(what + " must have three values (z, y, x) in nm, got " + Arrays.toString(voxelSizeNm) + ".");
		for (final double v : voxelSizeNm)
			if (!(v > 0) || !Double.isFinite(v)) throw new CdiException(what + " (" + Arrays.toString(voxelSizeNm) + " nm) is invalid: every voxel edge must be a positive, finite number of nm (e.g. 10).");
		return voxelSizeNm.clone();
	}

	/** Au (111), |G| from a = 0.40782 nm, G along y, 1 nm voxels (set yours), φ = +G·u, no ramp removal. */
	public static StrainParameters defaults() {
		return new StrainParameters(new int[] { 1, 1, 1 }, 0.40782, Double.NaN, new double[] { 0, 1, 0 }, null, 1, RampRemoval.PLANE_FIT);
	}

	/** |G| = 2π/d in rad/nm (cubic lattice when computed from hkl and a). */
	public double gNorm() {
		if (gNormPerNm > 0) return gNormPerNm;
		final double h2 = hkl[0] * hkl[0] + hkl[1] * hkl[1] + hkl[2] * hkl[2];
		return 2 * Math.PI * Math.sqrt(h2) / latticeConstantNm;
	}

	/** Lattice-plane spacing d = 2π/|G| in nm. */
	public double dSpacingNm() { return 2 * Math.PI / gNorm(); }

	public StrainParameters withReflection(final int[] newHkl, final double aNm) { return new StrainParameters(newHkl, aNm, Double.NaN, gDirectionZyx, voxelSizeNm, phaseSign, rampRemoval); }

	public StrainParameters withGNorm(final double gPerNm) { return new StrainParameters(hkl, latticeConstantNm, gPerNm, gDirectionZyx, voxelSizeNm, phaseSign, rampRemoval); }

	public StrainParameters withGDirection(final double... zyx) { return new StrainParameters(hkl, latticeConstantNm, gNormPerNm, zyx, voxelSizeNm, phaseSign, rampRemoval); }

	public StrainParameters withVoxelSize(final double... zyxNm) { return new StrainParameters(hkl, latticeConstantNm, gNormPerNm, gDirectionZyx, zyxNm, phaseSign, rampRemoval); }

	public StrainParameters withPhaseSign(final int sign) { return new StrainParameters(hkl, latticeConstantNm, gNormPerNm, gDirectionZyx, voxelSizeNm, sign, rampRemoval); }

	public StrainParameters withRampRemoval(final RampRemoval r) { return new StrainParameters(hkl, latticeConstantNm, gNormPerNm, gDirectionZyx, voxelSizeNm, phaseSign, r); }

	@Override
	public String toString() {
		return "StrainParameters[hkl=" + Arrays.toString(hkl) + ", a=" + latticeConstantNm + " nm, |G|=" + gNorm() + " rad/nm, Ĝ(zyx)=" + Arrays.toString(gDirectionZyx)
			+ ", voxel(zyx)=" + Arrays.toString(voxelSizeNm) + " nm, phaseSign=" + phaseSign + ", ramp=" + rampRemoval + "]";
	}
}
