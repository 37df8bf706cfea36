package sc.fiji.cdi.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The reciprocal-space basis against xrayutilities 1.7.4 (Debian's python3-xrayutilities), the library cohere uses for
 * its orthogonalisation, with cohere's circles: 34-ID-C sample (Theta y+, Chi z−, Phi y+), detector (Delta y+, Gamma
 * x−), 34idcTIM2 pixels (x+, y−); ID01 sample (Mu y−, Eta x−, Phi y−), detector (Nu y−, Delta x−); beam along +z.
 * {@code QConversion.area} gives q in the sample frame at each frame; turned into the lab frame of frame 0 (the sample
 * rotation at frame 0 applied), the step from frame 0 to frame 1 at the central pixel is the basis's rocking column,
 * and the step to the next pixel along y− (along x+) its row (column) column (1/Å × 10 = rad/nm; z, y, x). The numbers
 * were computed once and are written here, so the test needs no Python. Until 1 Dec the rocking column had the wrong
 * sign at both beamlines (a cross product taken on (z, y, x) arrays as if they were (x, y, z)); in the lab frame the
 * scan-54 crystal's facets then missed a rotated set of {100}/{110}/{111} directions by up to 15° (docs/strain.md).
 */
class BraggGeometryPeerTest {

	private static void assertColumn(final double[] expected, final double[][] basis, final int column, final double tol, final String what) {
		for (int i = 0; i < 3; i++) assertEquals(expected[i], basis[i][column], tol, what + ", component " + "zyx".charAt(i));
	}

	/** Scan 54 of the cohere example data: 9 keV, 0.5 m, 55 µm, Delta 32.174°, Gamma 12.6346°, θ step 0.005° (Chi 90°, Phi −5°). */
	@Test
	void apsThetaRockingMatchesXrayutilities() {
		final BraggGeometry g = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9.0, 0.5, 55, 32.174, 12.6346, 0.005);
		final double[][] b = g.reciprocalBasis();
		final double[] q0 = g.braggVectorLab();
		assertColumn(new double[] { -7.93887843, 9.9762986, 23.69863796 }, new double[][] { { q0[0] }, { q0[1] }, { q0[2] } }, 0, 1e-6, "Bragg vector");
		assertColumn(new double[] { 2.06812653e-03, 0, 6.92707599e-04 }, b, 0, 1e-3 * 2.07e-3, "rocking step");
		// xrayutilities' flat detector against the basis's linear step: agreement to 2e-3 of a pixel step
		assertColumn(new double[] { 0.00092864, -0.00489563, 0.00058421 }, b, 1, 2e-3 * 4.9e-3, "detector row step");
		assertColumn(new double[] { -2.67176985e-03, 0, 4.24646565e-03 }, b, 2, 2e-3 * 4.2e-3, "detector column step");
	}

	/**
	 * 34-ID-C rocking in Phi or Chi (scan 54's angles: Theta 0.2200042°, Chi 90°, Phi −5°; step 0.005°): the axis of the
	 * inner circle turned by the outer ones ({@link sc.fiji.cdi.beamline.Aps34idc#rockingAxis}).
	 */
	@Test
	void apsPhiAndChiRockingMatchXrayutilities() {
		for (final var c : new Object[][] { { sc.fiji.cdi.beamline.Aps34idc.Circle.PHI, new double[] { -8.70559987e-04, -6.84889665e-04, -3.34279063e-06 } },
			{ sc.fiji.cdi.beamline.Aps34idc.Circle.CHI, new double[] { 3.34325231e-06, 2.07070326e-03, -8.70680222e-04 } } }) {
			final double[] axis = sc.fiji.cdi.beamline.Aps34idc.rockingAxis((sc.fiji.cdi.beamline.Aps34idc.Circle) c[0], 0.2200042, 90);
			final BraggGeometry g = new BraggGeometry(9.0, 0.5, 55, 32.174, 12.6346, axis, 0.005);
			assertColumn((double[]) c[1], g.reciprocalBasis(), 0, 1e-3 * 2.1e-3, c[0] + " rocking step");
		}
	}

	/** ID01: 9 keV, 0.8 m, 55 µm, Nu 5°, Delta 30°, Eta step 0.01° (Mu 0, Eta 15°, Phi 0); the lab in-plane angle is −Nu. */
	@Test
	void id01EtaRockingMatchesXrayutilities() {
		final BraggGeometry g = BraggGeometry.of(BraggGeometry.Beamline.ESRF_ID01, 9.0, 0.8, 55, 5, 30, 0.01);
		final double[][] b = g.reciprocalBasis();
		final double[] q0 = g.braggVectorLab();
		assertColumn(new double[] { -6.26083041, 22.80478822, -3.4425692 }, new double[][] { { q0[0] }, { q0[1] }, { q0[2] } }, 0, 1e-6, "Bragg vector");
		assertColumn(new double[] { 0.00398028, 0.00109237, 0 }, b, 0, 1e-3 * 4e-3, "rocking step");
		assertColumn(new double[] { 0.00156177, -0.00271561, -0.00013664 }, b, 1, 2e-3 * 3.1e-3, "detector row step");
	}
	/**
	 * The q of a pixel away from the centre channel against xrayutilities' {@code QConversion.area} at that pixel
	 * ({@code tools/geometry/xrayutilities_peak_pixel.py}): scan 54's Bragg peak, whole-detector pixel (row 127, column
	 * 128) of the 34idcTIM2, whose centre channel (256, 256) cohere puts past the chip seam (+5 rows, +4 columns), so
	 * 134 rows up and 132 columns left of the reference. G is exact. The row and column steps are those of a detector
	 * facing the pixel (bcdi's corrected angles feed its matrices the same way); the true detector is turned against it
	 * about the ray by about sin(out-of-plane)·Δ(in-plane), 3.5e-3 of a step here.
	 */
	@Test
	void apsPeakPixelMatchesXrayutilities() {
		final BraggGeometry ref = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9.0, 0.5, 55, 32.174, 12.6346, 0.005);
		final double[] pitches = sc.fiji.cdi.io.Detector.APS_34IDC_TIM2.pitchesBetween(new sc.fiji.cdi.io.DetectorPixel(256, 256), new sc.fiji.cdi.io.DetectorPixel(127, 128));
		org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] { -134, -132 }, pitches);
		final BraggGeometry g = ref.atPixelOffset(pitches[0], pitches[1]);
		final double[] q = g.braggVectorLab();
		assertColumn(new double[] { -7.718813299, 10.630029164, 23.054847899 }, new double[][] { { q[0] }, { q[1] }, { q[2] } }, 0, 1e-6, "q at the peak pixel");
		assertEquals(0.236789032333425, g.dSpacingNm(), 1e-9);
		final double[][] b = g.reciprocalBasis();
		assertColumn(new double[] { 0.000989855, -0.004877361, 0.000621455 }, b, 1, 5e-3 * 4.9e-3, "detector row step at the peak pixel");
		assertColumn(new double[] { -2.610710321e-03, 1.690677350e-05, 4.282375226e-03 }, b, 2, 5e-3 * 4.3e-3, "detector column step at the peak pixel");
		// bcdi's correct_detector_angles, p/D per pixel: the out-of-plane angle to 1e-3°, the in-plane angle without
		// its 1/cos(out-of-plane)
		final double perPixel = Math.toDegrees(55e-6 / 0.5);
		assertEquals(12.6346 + 134 * perPixel, g.outOfPlaneDeg(), 0.02);
		assertEquals(32.174 - 132 * perPixel / Math.cos(Math.toRadians(g.outOfPlaneDeg())), g.inplaneDeg(), 2e-3);
	}

	/**
	 * ID01 (Nu 5°, Delta 30°, 9 keV, 0.8 m, Maxipix 55 µm): a pixel 100 rows above and 150 columns right of the centre
	 * channel (258, 258). The row step differs from the tilted true detector's by its turn about the ray,
	 * sin 30°·0.7° (6e-3 of a step).
	 */
	@Test
	void id01PixelAwayFromTheCentreMatchesXrayutilities() {
		final BraggGeometry g = BraggGeometry.of(BraggGeometry.Beamline.ESRF_ID01, 9.0, 0.8, 55, 5, 30, 0.01).atPixelOffset(-100, 150);
		final double[] q = g.braggVectorLab();
		assertColumn(new double[] { -6.379036173, 23.074571992, -2.960118385 }, new double[][] { { q[0] }, { q[1] }, { q[2] } }, 0, 1e-6, "q at the pixel");
		assertColumn(new double[] { 0.001580191, -0.002704502, -0.000138027 }, g.reciprocalBasis(), 1, 7e-3 * 3.1e-3, "detector row step at the pixel");
	}
}
