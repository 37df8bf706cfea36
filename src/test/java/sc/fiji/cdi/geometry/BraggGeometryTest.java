package sc.fiji.cdi.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.util.CdiException;

/** {@link BraggGeometry#of} from 2θ alone: the detector in the beamline's scattering plane. */
class BraggGeometryTest {

	@Test
	void twoThetaAlonePutsTheDetectorInTheScatteringPlane() {
		// 34-ID-C scatters horizontally: 2θ = 33° is the in-plane angle; ID01 vertically: the out-of-plane angle
		final BraggGeometry aps = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 0, 0, 33, 0.01);
		final BraggGeometry apsMotors = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 33, 0, 0.01);
		assertEquals(apsMotors.inplaneDeg(), aps.inplaneDeg(), 0);
		assertEquals(0, aps.outOfPlaneDeg(), 0);
		assertArrayEquals(apsMotors.braggVectorLab(), aps.braggVectorLab(), 0);
		final BraggGeometry id01 = BraggGeometry.of(BraggGeometry.Beamline.ESRF_ID01, 9, 0.5, 55, 0, 0, 33, 0.01);
		assertEquals(33, id01.outOfPlaneDeg(), 0);
		assertEquals(0, id01.inplaneDeg(), 0);
		assertEquals(33, id01.twoThetaDeg(), 1e-12);
		assertEquals(33, aps.twoThetaDeg(), 1e-12);
		// motor angles, when given, win over 2θ
		assertEquals(10, BraggGeometry.of(BraggGeometry.Beamline.ESRF_ID01, 9, 0.5, 55, 0, 10, 33, 0.01).outOfPlaneDeg(), 0);
		final CdiException none = assertThrows(CdiException.class, () -> BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 0, 0, 0, 0.01));
		assertTrue(none.getMessage().contains("two_theta_deg") && none.getMessage().contains("inplane_deg"), none.getMessage());
	}
}
