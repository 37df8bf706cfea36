package sc.fiji.cdi.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.phasing.FftShift;
import org.jtransforms.fft.FloatFFT_3D;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

class OrthogonalizerTest {

	/** 34-ID-C-like: 9 keV, 0.5 m, 55 µm Timepix pixels, Au (111) near 2θ ≈ 33°, θ rocking in 0.01° steps. */
	static BraggGeometry aps() { return BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 31.0, 9.0, 0.01); }

	@Test
	void reciprocalBasisHasTheDetectorAndRockingStepsOfTheGeometry() {
		final BraggGeometry g = aps();
		final double k = 2 * Math.PI * 9 / BraggGeometry.HC_KEV_NM;
		final double[][] b = g.reciprocalBasis();
		final double[] d = g.detectorDirection();
		final double pixelStep = k * 55e-6 / 0.5;
		for (int j = 1; j <= 2; j++) {
			assertEquals(pixelStep, Mat3.norm(Mat3.column(b, j)), 1e-12 * pixelStep, "detector step along axis " + j);
			assertEquals(0, Mat3.dot(Mat3.column(b, j), d), 1e-12, "detector axes lie in the detector plane");
		}
		assertEquals(0, Mat3.dot(Mat3.column(b, 1), Mat3.column(b, 2)), 1e-12, "rows ⟂ columns");
		// |q0| = 4π sin θ / λ
		final double theta = Math.toRadians(g.twoThetaDeg() / 2);
		assertEquals(4 * Math.PI * Math.sin(theta) / g.wavelengthNm(), Mat3.norm(g.braggVectorLab()), 1e-9);
		// rocking about the vertical axis moves q horizontally, by Δω·|q0|·sin(angle(axis, q0))
		final double[] rock = Mat3.column(b, 0);
		assertEquals(0, rock[1], 1e-15, "θ rocking about y keeps q_y");
		final double[] q0 = g.braggVectorLab();
		assertEquals(Math.toRadians(0.01) * Math.hypot(q0[0], q0[2]), Mat3.norm(rock), 1e-12);
		// ID01: η rocking about x keeps q_x; ν enters with the opposite sign
		final BraggGeometry id01 = BraggGeometry.of(BraggGeometry.Beamline.ESRF_ID01, 8, 1.0, 55, 5, 35, 0.005);
		assertEquals(0, id01.reciprocalBasis()[2][0], 1e-15);
		assertTrue(id01.detectorDirection()[2] < 0, "ν is clockwise: positive ν points inboard (−x)");
		// real-space voxel: λD/(N·p) across the detector (≈ 19.6 nm for 64 pixels here)
		final double[][] r = g.directBasis(Grid.cube(64));
		final double expected = g.wavelengthNm() * 0.5e9 / (64 * 55e3);
		// the component of the real-space step along the detector column axis equals λD/(Np)
		assertEquals(expected, Mat3.dot(Mat3.column(r, 2), Mat3.normalise(Mat3.column(b, 2))), 1e-9 * expected);
	}

	@Test
	void aCubeImagedAtA34IDCGeometryComesOutACubeOfTheRightEdge() {
		final BraggGeometry geo = aps();
		final Grid det = Grid.cube(64);
		final double[][] r = geo.directBasis(det);
		final double edge = 400; // nm
		// The detector measures the Fourier transform of a lab-frame cube at q(m) = B·(m − N/2) (analytic: a product
		// of sincs, F(q) = Π L·sinc(q_a·L/2)); the inverse DFT of those samples is the reconstruction in the detector
		// frame. Nothing of the direct-space basis is used to build it.
		final double[][] b = geo.reciprocalBasis();
		final float[] f = new float[2 * det.size()];
		for (int z = 0; z < 64; z++) for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) {
			final double[] q = Mat3.multiply(b, new double[] { z - 32, y - 32, x - 32 });
			double amp = 1;
			for (int a = 0; a < 3; a++) { final double t = q[a] * edge / 2; amp *= t == 0 ? 1 : Math.sin(t) / t; }
			final int i = det.index(z, y, x);
			f[2 * i] = (float) (amp * Math.cos(0.3)); f[2 * i + 1] = (float) (amp * Math.sin(0.3));
		}
		final float[] unshifted = FftShift.ifftshift(det, f, 2);
		new FloatFFT_3D(64, 64, 64).complexInverse(unshifted, true);
		final float[] rec = FftShift.fftshift(det, unshifted, 2);
		// normalise by the value at the centre (the band-limited edges ring above it)
		final int centreIn = det.index(32, 32, 32);
		final float norm = (float) Math.hypot(rec[2 * centreIn], rec[2 * centreIn + 1]);
		final float[] c = new float[rec.length];
		for (int i = 0; i < rec.length; i++) c[i] = rec[i] / norm;
		final double v = 10;
		final Orthogonalizer o = new Orthogonalizer(det, r, v, Grid.cube(64)); // a 640 nm box around the 400 nm cube
		assertTrue(Orthogonalizer.of(geo, det, v).outputGrid().size() > 64 * 64 * 64, "the automatic grid holds the whole sheared box");
		final ComplexVolume lab = o.resample(new ComplexVolume(det, c), Progress.NONE);
		final RealVolume a = lab.amplitude();
		final Grid g = o.outputGrid();
		// edge length along each lab axis, on lines through the centre and 100 nm off it
		final int[] centre = { g.nz / 2, g.ny / 2, g.nx / 2 };
		for (int axis = 0; axis < 3; axis++)
			for (final int off : new int[] { -10, 0, 10 }) {
				int count = 0;
				final int[] p = centre.clone();
				p[(axis + 1) % 3] += off;
				for (int t = 0; t < g.zyx()[axis]; t++) {
					p[axis] = t;
					if (a.get(p[0], p[1], p[2]) >= 0.5) count++;
				}
				assertEquals(edge, count * v, v, "edge along lab axis " + axis + " (offset " + off + ")");
				System.out.printf("orthogonalised cube: edge along lab axis %d (offset %d voxels) = %.0f nm (true %.0f nm)%n", axis, off, count * v, edge);
			}
		// volume within 10 % (the band limit rounds edges and corners), phase kept
		int n = 0;
		for (final float x : a.data) if (x >= 0.5) n++;
		assertEquals(edge * edge * edge, n * v * v * v, 0.10 * edge * edge * edge);
		final int ci = g.index(centre[0], centre[1], centre[2]);
		assertEquals(0.3, Math.atan2(lab.data[2 * ci + 1], lab.data[2 * ci]), 1e-5);
		// a support resampled the same way
		final boolean[] s = new boolean[det.size()];
		for (int i = 0; i < s.length; i++) s[i] = Math.hypot(c[2 * i], c[2 * i + 1]) >= 0.5;
		final boolean[] sl = o.resample(s);
		int agree = 0;
		for (int i = 0; i < sl.length; i++) if (sl[i] == (a.data[i] >= 0.5)) agree++;
		assertTrue(agree > 0.99 * sl.length);
	}

	@Test
	void nanOutsideTheSupportStaysOutside() {
		final Grid det = Grid.cube(16);
		final float[] e = new float[det.size()];
		for (int i = 0; i < e.length; i++) e[i] = (i / 16) % 16 < 8 ? 1e-3f : Float.NaN; // lower half in y
		final double[][] identity = { { 10, 0, 0 }, { 0, 10, 0 }, { 0, 0, 10 } };
		final Orthogonalizer o = new Orthogonalizer(det, identity, 10, det);
		final RealVolume r = o.resample(new RealVolume(det, e), Float.NaN);
		for (int i = 0; i < e.length; i++) {
			if (Float.isNaN(e[i])) assertTrue(Float.isNaN(r.data[i]));
			else assertEquals(1e-3f, r.data[i], 1e-9f);
		}
	}

	@Test
	void impossibleGeometriesAreRejected() {
		assertThrows(CdiException.class, () -> BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, -9, 0.5, 55, 30, 10, 0.01));
		assertThrows(CdiException.class, () -> BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 0, 0, 0.01));
		assertThrows(CdiException.class, () -> BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 30, 10, 0));
		// rocking about an axis parallel to G
		final double[] q = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 30, 10, 0.01).braggVectorLab();
		assertThrows(CdiException.class, () -> new BraggGeometry(9, 0.5, 55, 30, 10, q, 0.01));
		assertEquals(BraggGeometry.Beamline.ESRF_ID01, BraggGeometry.Beamline.parse("esrf id01"));
		assertEquals(BraggGeometry.Beamline.APS_34IDC, BraggGeometry.Beamline.parse("34-ID-C"));
	}
}
