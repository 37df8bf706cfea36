package sc.fiji.cdi.strain;

import java.util.Random;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;

/**
 * Test fixture: a spherical Au (111) crystal with a known displacement field, for strain tests here and for the
 * full-reconstruction acceptance test (simulate its diffraction, phase it, compare the strain with
 * {@link #discreteStrain} inside {@link #judgedRegion}).
 */
public final class KnownDisplacement {

	/** Au (111): |G| = 2π√3/0.40782 nm = 26.68 rad/nm. */
	public static final double G = 2 * Math.PI * Math.sqrt(3) / 0.40782;

	/** Displacement along Ĝ in nm at a position (z, y, x) in nm from the crystal centre. */
	public interface Field { double u(double z, double y, double x); }

	public final Grid grid;
	public final double[] voxelNm;
	/** Crystal (and vortex) centre in voxels, between voxels so that no voxel sits on the vortex core. */
	public final double centre;

	public KnownDisplacement(final int n, final double[] voxelNm) {
		this.grid = Grid.cube(n);
		this.voxelNm = voxelNm.clone();
		this.centre = n / 2 + 0.5;
	}

	/** Voxels within {@code radiusNm} of the centre. */
	public boolean[] sphere(final double radiusNm) {
		final boolean[] s = new boolean[grid.size()];
		for (int z = 0; z < grid.nz; z++) for (int y = 0; y < grid.ny; y++) for (int x = 0; x < grid.nx; x++) {
			final double dz = (z - centre) * voxelNm[0], dy = (y - centre) * voxelNm[1], dx = (x - centre) * voxelNm[2];
			s[grid.index(z, y, x)] = dz * dz + dy * dy + dx * dx <= radiusNm * radiusNm;
		}
		return s;
	}

	/** Homogeneous strain ε0 along Ĝ: u = ε0·(r·Ĝ). */
	public static Field homogeneous(final double eps0, final double[] gHat) {
		return (z, y, x) -> eps0 * (gHat[0] * z + gHat[1] * y + gHat[2] * x);
	}

	/**
	 * Strain varying linearly along Ĝ, ε = eps0·s/L (±eps0 at s = ±L nm), plus an edge-dislocation-like phase
	 * vortex (one 2π winding, Burgers vector d along G) whose line runs along x through the centre.
	 */
	public Field gradedWithVortex(final double eps0, final double lengthNm, final double[] gHat) {
		final double d = 2 * Math.PI / G;
		return (z, y, x) -> {
			final double s = gHat[0] * z + gHat[1] * y + gHat[2] * x;
			return eps0 * s * s / (2 * lengthNm) + d * Math.atan2(z / voxelNm[0], y / voxelNm[1]) / (2 * Math.PI);
		};
	}

	/** ρ = S·exp(i(sign·|G|·u + noise + ramp + offset)), with the ramp in radians per voxel about the array centre. */
	public ComplexVolume object(final boolean[] s, final Field f, final int sign, final double noiseRad, final double[] rampRadPerVoxel, final double offset) {
		final float[] c = new float[2 * grid.size()];
		final Random r = new Random(7);
		final int h = grid.nx / 2;
		for (int z = 0; z < grid.nz; z++) for (int y = 0; y < grid.ny; y++) for (int x = 0; x < grid.nx; x++) {
			final int i = grid.index(z, y, x);
			if (!s[i]) continue;
			double phi = sign * G * f.u((z - centre) * voxelNm[0], (y - centre) * voxelNm[1], (x - centre) * voxelNm[2]) + noiseRad * r.nextGaussian() + offset;
			phi += rampRadPerVoxel[0] * (z - h) + rampRadPerVoxel[1] * (y - h) + rampRadPerVoxel[2] * (x - h);
			c[2 * i] = (float) Math.cos(phi);
			c[2 * i + 1] = (float) Math.sin(phi);
		}
		return new ComplexVolume(grid, c, voxelNm, "nm");
	}

	/** The true displacement (nm) on the voxels. */
	public float[] displacement(final Field f) {
		final float[] u = new float[grid.size()];
		for (int z = 0; z < grid.nz; z++) for (int y = 0; y < grid.ny; y++) for (int x = 0; x < grid.nx; x++)
			u[grid.index(z, y, x)] = (float) f.u((z - centre) * voxelNm[0], (y - centre) * voxelNm[1], (x - centre) * voxelNm[2]);
		return u;
	}

	/** Strain ∂u/∂s along Ĝ by central differences of the continuous field, in double (the discrete truth). */
	public float[] discreteStrain(final Field f, final double[] gHat) {
		final float[] e = new float[grid.size()];
		final double[] v = voxelNm;
		for (int z = 0; z < grid.nz; z++) for (int y = 0; y < grid.ny; y++) for (int x = 0; x < grid.nx; x++) {
			final double pz = (z - centre) * v[0], py = (y - centre) * v[1], px = (x - centre) * v[2];
			final double dz = (f.u(pz + v[0], py, px) - f.u(pz - v[0], py, px)) / (2 * v[0]);
			final double dy = (f.u(pz, py + v[1], px) - f.u(pz, py - v[1], px)) / (2 * v[1]);
			final double dx = (f.u(pz, py, px + v[2]) - f.u(pz, py, px - v[2])) / (2 * v[2]);
			e[grid.index(z, y, x)] = (float) (gHat[0] * dz + gHat[1] * dy + gHat[2] * dx);
		}
		return e;
	}

	/** The acceptance region: the support without a {@code skin}-voxel surface layer and without the vortex core (radius in voxels). */
	public boolean[] judgedRegion(final boolean[] support, final int skin, final double coreRadiusVoxels) {
		final boolean[] j = StrainAnalysis.erode(grid, support, skin);
		for (int z = 0; z < grid.nz; z++) for (int y = 0; y < grid.ny; y++) for (int x = 0; x < grid.nx; x++) {
			final double zv = z - centre, yv = y - centre;
			if (zv * zv + yv * yv < coreRadiusVoxels * coreRadiusVoxels) j[grid.index(z, y, x)] = false;
		}
		return j;
	}

	/** max − min of {@code v} where {@code m}. */
	public static double range(final float[] v, final boolean[] m) {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (int i = 0; i < v.length; i++) if (m[i] && !Float.isNaN(v[i])) { lo = Math.min(lo, v[i]); hi = Math.max(hi, v[i]); }
		return hi - lo;
	}

	/** {@code v} minus its mean over {@code m} (ramp removal also removes the mean strain). */
	public static float[] minusMean(final float[] v, final boolean[] m) {
		double s = 0;
		int k = 0;
		for (int i = 0; i < v.length; i++) if (m[i] && !Float.isNaN(v[i])) { s += v[i]; k++; }
		final float[] o = v.clone();
		for (int i = 0; i < o.length; i++) o[i] -= (float) (s / k);
		return o;
	}
}
