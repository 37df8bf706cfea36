package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.testutil.HeadlessRun;

/** Geometry outside what a diffractometer can be is a bad command line naming the key, not a strain map of nonsense. */
class StrainRangesTest {

	@Test
	void absurdGeometryIsRefusedNamingTheKey() {
		for (final String[] c : new String[][] { { "energy_kev=1e9", "energy_kev" }, { "two_theta_deg=400", "two_theta_deg" }, { "distance_m=1000", "distance_m" },
			{ "inplane_deg=-200", "inplane_deg" } }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"/nonexistent.tif\",geometry=\"ID01\"," + c[0]);
			assertEquals(2, r.code, r.err);
			assertTrue(r.err.contains("Parameter '" + c[1] + "'") && r.err.contains("out of range"), r.err);
		}
	}
}
