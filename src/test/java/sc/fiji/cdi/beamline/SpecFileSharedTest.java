package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.Detector;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.testutil.SharedData;

/**
 * The SPEC file of the real APS 34-ID-C experiment ({@code ../shared/data/aps-34idc-scan54/example.spec}). The
 * expected numbers were read independently with xrayutilities 1.7 ({@code xrayutilities.io.spec.SPECFile}, Debian's
 * python3-xrayutilities): 498 scans; scan 54 {@code ascan th -0.279996 0.720004 200 0.25}, 201 points, Theta column
 * −0.2799992 … 0.7200076 (mean step 0.005000034°); initial positions Delta 32.174, Theta 0.2200042, Chi 90, Phi −5,
 * Gamma 12.6346, camdist 500, Energy 9; UIMDET '34idcTIM2:'; UIMR5 ' 0 256 0 256 1'.
 */
class SpecFileSharedTest {

	static SpecFile spec;

	@BeforeAll
	static void read() {
		final Path p = SharedData.require("data/aps-34idc-scan54/example.spec");
		spec = SpecFile.read(p);
	}

	@Test
	void allScansAreFound() {
		assertEquals(498, spec.scans().size());
	}

	@Test
	void scan54MotorsEnergyAndDistance() {
		final SpecFile.Scan s = spec.scan(54);
		assertEquals("ascan  th -0.279996 0.720004  200 0.25", s.command());
		assertEquals(32.174, s.motor("Delta"), 0);
		assertEquals(0.2200042, s.motor("th"), 0); // mnemonic of Theta
		assertEquals(90, s.motor("Chi"), 0);
		assertEquals(-5, s.motor("Phi"), 0);
		assertEquals(12.6346, s.motor("Gamma"), 0);
		assertEquals(500, s.motor("camdist"), 0);
		assertEquals(9, s.motor("Energy"), 0);
		assertEquals("Theta", s.motorName("th"));
		assertEquals("34idcTIM2", s.detector());
		assertEquals(Detector.APS_34IDC_TIM2, Detector.find(s.detector()));
	}

	@Test
	void scan54DetectorRegions() {
		final SpecFile.Scan s = spec.scan(54);
		assertEquals(new DetectorRegion(0, 256, 0, 256), s.region(5));
		assertEquals(new DetectorRegion(300, 120, 15, 60), s.region(1));
		assertEquals(new DetectorRegion(0, 512, 0, 512), s.readout());
		assertEquals(5, s.regions().size());
	}

	@Test
	void scan54RockingCurve() {
		final SpecFile.Scan s = spec.scan(54);
		final SpecFile.ScanCommand c = s.scanCommand();
		assertEquals("th", c.motor());
		assertEquals(-0.279996, c.start(), 0);
		assertEquals(0.720004, c.end(), 0);
		assertEquals(200, c.intervals());
		assertEquals(0.005, c.step(), 1e-12);
		assertEquals(0.25, c.countTime(), 0);
		assertEquals(201, s.points());
		final double[] theta = s.column("Theta");
		assertNotNull(theta);
		assertEquals(-0.2799992, theta[0], 0);
		assertEquals(0.7200076, theta[200], 0);
		double mean = 0;
		for (int i = 1; i < theta.length; i++) mean += theta[i] - theta[i - 1];
		assertEquals(0.005000034, mean / 200, 1e-9);
		assertEquals(25, s.columns().size());
		assertTrue(s.columns().contains("pm detector"), "two-space label separation keeps 'pm detector' whole");
	}

	@Test
	void geometryOfScan54() {
		final java.util.Map<String, Object> report = new java.util.LinkedHashMap<>();
		final SpecFile.Scan s = spec.scan(54);
		final BraggGeometry g = Aps34idc.geometry(s, Detector.find(s.detector()), report);
		assertNotNull(g, () -> "geometry missing: " + report.get("missing"));
		assertEquals(9, g.energyKeV(), 0);
		assertEquals(0.5, g.distanceM(), 0);
		assertEquals(55, g.pixelSizeUm(), 0);
		assertEquals(32.174, g.inplaneDeg(), 0);
		assertEquals(12.6346, g.outOfPlaneDeg(), 0);
		assertEquals(0.005, g.rockingStepDeg(), 1e-12);
		// 2θ of the detector centre: cos 2θ = cos δ · cos γ = 34.32°
		assertEquals(34.316, g.twoThetaDeg(), 1e-3);
		// Au 111 at 9 keV (d = 0.40782/√3 nm): 2θ = 2·asin(λ/2d) = 34.02°; the peak sits ~145 pixels (0.9°) from the
		// detector centre, in the corner region the frames hold, so the centre's 2θ is within 0.5° of it
		final double twoTheta = 2 * Math.toDegrees(Math.asin(g.wavelengthNm() / (2 * 0.40782 / Math.sqrt(3))));
		assertEquals(twoTheta, g.twoThetaDeg(), 0.5);
	}
}
