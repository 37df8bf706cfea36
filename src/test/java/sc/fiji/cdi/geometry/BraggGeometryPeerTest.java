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
}
