package sc.fiji.cdi.simulate;

import java.util.List;
import java.util.SplittableRandom;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.simulate.CrystalSimulator.Placement;
import sc.fiji.cdi.simulate.SimulationParameters.PhaseModel;

/**
 * The raw phase fields of {@link CrystalSimulator} (formulas there), evaluated row by row into the imaginary slots
 * of the interleaved object wherever the amplitude (real slot) is positive. Sines and Gaussians are separable, so
 * each is evaluated from per-axis tables with a few multiplications per voxel.
 */
abstract class PhaseField {

	/** Writes the raw phase for voxels x0..x1 of row (z, y) where rho's amplitude is > 0. */
	abstract void row(int z, int y, int x0, int x1, float[] rho, int rowOffset);

	/** Whether {@link CrystalSimulator} rescales the field to phaseRange peak-to-peak with zero mean. */
	boolean rescaled() { return true; }

	/** Told the factor the raw field was multiplied by (for the logged constants). */
	void rescaledBy(final double factor) {}

	/** Adds model-specific constants to the log as key, value pairs. */
	void describe(final List<Object> kv) {}

	static PhaseField create(final PhaseModel model, final Grid g, final Placement pl, final SplittableRandom rng) {
		return switch (model) {
			case NONE -> new PhaseField() {
				@Override void row(final int z, final int y, final int x0, final int x1, final float[] rho, final int r) {}
				@Override boolean rescaled() { return false; }
			};
			case SINES_GAUSSIANS -> new SinesGaussians(g, pl, rng);
			case LINEAR_STRAIN -> new LinearStrain(g, pl);
			case VORTEX -> new Vortex(g, pl, rng);
		};
	}

	/** CDI NN's phase: random sine gratings plus random Gaussians. */
	static final class SinesGaussians extends PhaseField {

		// per term and axis: cos / sin tables (sines) and Gaussian factors (Gaussians), indexed [term][coordinate]
		private final double[][] cz, sz, cy, sy, cx, sx;
		private final double[] sineOffset;
		private final double[][] gz, gy, gx;
		private final double[] weight;

		SinesGaussians(final Grid g, final Placement pl, final SplittableRandom rng) {
			final boolean is3D = !g.is2D();
			final int ns = 1 + rng.nextInt(3), ng = 1 + rng.nextInt(3);
			final double size = pl.size();
			final double[] c = pl.centre();
			cz = new double[ns][]; sz = new double[ns][]; cy = new double[ns][]; sy = new double[ns][]; cx = new double[ns][]; sx = new double[ns][];
			sineOffset = new double[ns];
			for (int t = 0; t < ns; t++) {
				final double[] dir = is3D ? ConvexBody.randomUnit3D(rng) : inPlane(rng);
				final double k = 2 * Math.PI / (size * rng.nextDouble(0.6, 2.0));
				sineOffset[t] = rng.nextDouble(2 * Math.PI);
				cz[t] = cosTable(g.nz, c[0], k * dir[0]); sz[t] = sinTable(g.nz, c[0], k * dir[0]);
				cy[t] = cosTable(g.ny, c[1], k * dir[1]); sy[t] = sinTable(g.ny, c[1], k * dir[1]);
				cx[t] = cosTable(g.nx, c[2], k * dir[2]); sx[t] = sinTable(g.nx, c[2], k * dir[2]);
			}
			gz = new double[ng][]; gy = new double[ng][]; gx = new double[ng][];
			weight = new double[ng];
			for (int t = 0; t < ng; t++) {
				final double s = size * rng.nextDouble(0.1, 0.3);
				final double half = 0.3 * size;
				weight[t] = (rng.nextBoolean() ? 1 : -1) * rng.nextDouble(0.5, 1.0);
				gz[t] = gaussTable(g.nz, is3D ? c[0] + rng.nextDouble(-half, half) : 0, s);
				gy[t] = gaussTable(g.ny, c[1] + rng.nextDouble(-half, half), s);
				gx[t] = gaussTable(g.nx, c[2] + rng.nextDouble(-half, half), s);
			}
		}

		private static double[] inPlane(final SplittableRandom rng) {
			final double t = rng.nextDouble(2 * Math.PI);
			return new double[] { 0, Math.cos(t), Math.sin(t) };
		}

		private static double[] cosTable(final int n, final double c, final double k) {
			final double[] t = new double[n];
			for (int i = 0; i < n; i++) t[i] = Math.cos(k * (i - c));
			return t;
		}

		private static double[] sinTable(final int n, final double c, final double k) {
			final double[] t = new double[n];
			for (int i = 0; i < n; i++) t[i] = Math.sin(k * (i - c));
			return t;
		}

		private static double[] gaussTable(final int n, final double c, final double s) {
			final double[] t = new double[n];
			for (int i = 0; i < n; i++) t[i] = Math.exp(-0.5 * (i - c) * (i - c) / (s * s));
			return t;
		}

		@Override
		void row(final int z, final int y, final int x0, final int x1, final float[] rho, final int r) {
			final int ns = sineOffset.length, ng = weight.length;
			// row factors: exp(i(θ_z + θ_y + ψ)) for sines, w·g_z·g_y for Gaussians
			final double[] rc = new double[ns], rs = new double[ns], rg = new double[ng];
			for (int t = 0; t < ns; t++) {
				final double a = cz[t][z] * cy[t][y] - sz[t][z] * sy[t][y], b = sz[t][z] * cy[t][y] + cz[t][z] * sy[t][y];
				final double co = Math.cos(sineOffset[t]), so = Math.sin(sineOffset[t]);
				rc[t] = a * co - b * so; rs[t] = b * co + a * so;
			}
			for (int t = 0; t < ng; t++) rg[t] = weight[t] * gz[t][z] * gy[t][y];
			for (int x = x0; x <= x1; x++) {
				final int i = 2 * (r + x);
				if (rho[i] <= 0) continue;
				double ph = 0;
				for (int t = 0; t < ns; t++) ph += rs[t] * cx[t][x] + rc[t] * sx[t][x]; // sin(θ_row + θ_x)
				for (int t = 0; t < ng; t++) ph += rg[t] * gx[t][x];
				rho[i + 1] = (float) ph;
			}
		}

		@Override
		void describe(final List<Object> kv) {
			kv.add("sine_gratings"); kv.add(sineOffset.length);
			kv.add("gaussians"); kv.add(weight.length);
		}
	}

	/** φ ∝ s², s the coordinate along z (y in 2D) from the centre: linear strain along that axis. */
	static final class LinearStrain extends PhaseField {

		private final boolean is3D;
		private final double c;
		private double curvature = 2; // d²φ/ds² of the raw field s²

		LinearStrain(final Grid g, final Placement pl) {
			is3D = !g.is2D();
			c = is3D ? pl.centre()[0] : pl.centre()[1];
		}

		@Override
		void row(final int z, final int y, final int x0, final int x1, final float[] rho, final int r) {
			final double s = (is3D ? z : y) - c;
			final float ph = (float) (s * s);
			for (int x = x0; x <= x1; x++) if (rho[2 * (r + x)] > 0) rho[2 * (r + x) + 1] = ph;
		}

		@Override void rescaledBy(final double factor) { curvature = 2 * factor; }

		@Override
		void describe(final List<Object> kv) {
			kv.add("strain_axis"); kv.add(is3D ? "z" : "y");
			kv.add("strain_centre_voxel"); kv.add(c);
			kv.add("phase_curvature_rad_per_voxel2"); kv.add(curvature);
		}
	}

	/** Phase winding once around a line through the centre. */
	static final class Vortex extends PhaseField {

		private final double[] axis, e1, e2, c;

		Vortex(final Grid g, final Placement pl, final SplittableRandom rng) {
			c = pl.centre();
			if (g.is2D()) { axis = new double[] { 1, 0, 0 }; e1 = new double[] { 0, 1, 0 }; e2 = new double[] { 0, 0, 1 }; }
			else {
				axis = ConvexBody.randomUnit3D(rng);
				// any unit vector not parallel to the axis, orthogonalised
				final double[] helper = Math.abs(axis[0]) < 0.9 ? new double[] { 1, 0, 0 } : new double[] { 0, 1, 0 };
				final double[] a = ConvexBody.crossV(axis, helper);
				final double l = Math.sqrt(ConvexBody.dot(a, a));
				for (int i = 0; i < 3; i++) a[i] /= l;
				e1 = a;
				e2 = ConvexBody.crossV(axis, e1);
			}
		}

		@Override
		void row(final int z, final int y, final int x0, final int x1, final float[] rho, final int r) {
			final double dz = z - c[0], dy = y - c[1];
			final double u0 = e1[0] * dz + e1[1] * dy, v0 = e2[0] * dz + e2[1] * dy;
			for (int x = x0; x <= x1; x++) {
				if (rho[2 * (r + x)] <= 0) continue;
				final double dx = x - c[2];
				rho[2 * (r + x) + 1] = (float) Math.atan2(v0 + e2[2] * dx, u0 + e1[2] * dx);
			}
		}

		@Override boolean rescaled() { return false; }

		@Override
		void describe(final List<Object> kv) {
			kv.add("vortex_axis_zyx"); kv.add(String.format(java.util.Locale.ROOT, "%.6f,%.6f,%.6f", axis[0], axis[1], axis[2]));
			kv.add("vortex_winding"); kv.add(1);
		}
	}
}
