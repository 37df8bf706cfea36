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
			{ "inplane_deg=-200", "inplane_deg" }, { "energy_kev=0", "energy_kev" }, { "distance_m=0", "distance_m" }, { "pixel_um=0", "pixel_um" },
			{ "rocking_step_deg=0", "rocking_step_deg" } }) {
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"/nonexistent.tif\",geometry=\"ID01\"," + c[0]);
			assertEquals(2, r.code, r.err);
			assertTrue(r.err.contains("Parameter '" + c[1] + "'") && r.err.contains("out of range"), r.err);
		}
		// without a geometry these keys are not used: 0 is no error there
		final HeadlessRun none = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"/nonexistent.tif\",energy_kev=0,rocking_step_deg=0");
		assertEquals(1, none.code, none.err);
		assertTrue(none.err.contains("nonexistent.tif"), none.err);
	}

	/**
	 * A malformed hkl, g_direction, voxel_size, phase_sign (Strain, Export), psf or roi (Reconstruct, Import) was a failed
	 * run (exit 1, after reading the input) while a malformed recipe or size is a bad command line (exit 2, docs/cluster.md):
	 * a job script could not tell a typo in its line from bad data. Now each is exit 2, before any input is read (the
	 * inputs here do not exist), naming the key.
	 */
	@Test
	void malformedStructuredValuesAreABadCommandLine() {
		for (final String[] c : new String[][] { { "Strain", "hkl=\"1,1\"", "Parameter 'hkl'", "has 2 values" }, { "Strain", "hkl=\"a,b,c\"", "Parameter 'hkl'", "three integers" },
			{ "Strain", "g_direction=\"0,1\"", "Parameter 'g_direction'", "three components" }, { "Strain", "g_direction=\"0,0,0\"", "Parameter 'g_direction'", "non-zero" },
			{ "Strain", "voxel_size=\"10nm\"", "Parameter 'voxel_size'", "one size or z,y,x" }, { "Strain", "voxel_size=\"1,5\"", "Parameter 'voxel_size'", "has 2 values" },
			{ "Strain", "phase_sign=0", "Parameter 'phase_sign'", "expected 1 or -1" }, { "Strain", "lattice_constant=0", "Parameter 'lattice_constant'", "above 0 nm" }, { "Export", "voxel_size=\"-10\",output=\"/nonexistent/x.vti\"", "Parameter 'voxel_size'", "positive" },
			{ "Reconstruct", "psf=\"gauss,1\"", "Parameter 'psf'", "psf='gauss,1' is not known" }, { "Reconstruct", "roi=\"1,2,3\"", "Parameter 'roi'", "four whole numbers" },
			{ "Import Diffraction", "roi=\"0,64,0,-64\"", "Parameter 'roi'", "sizeY=-64" } }) {
			final String input = c[0].equals("Strain") || c[0].equals("Export") ? "amplitude_file=\"/nonexistent.tif\"," : "input=\"/nonexistent.tif\",";
			final HeadlessRun r = HeadlessRun.of("--headless", "--run", c[0], input + c[1]);
			assertEquals(2, r.code, c[1] + ": " + r.err);
			assertTrue(r.err.contains("bad command line") && r.err.contains(c[2]) && r.err.contains(c[3]), c[1] + ": " + r.err);
		}
		// well-formed values pass the check (and fail later on the missing input, exit 1)
		final HeadlessRun ok = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"/nonexistent.tif\",hkl=111,g_direction=\"0 1 0\",voxel_size=10,phase_sign=-1");
		assertEquals(1, ok.code, ok.err);
		assertTrue(ok.err.contains("nonexistent.tif"), ok.err);
	}
}
