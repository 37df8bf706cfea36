package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;

/**
 * Reconstruct from a SPEC file and a scan number, then Strain in the lab frame with the geometry read back from the
 * report (no retyping), on a simulated 16³ crystal laid out as APS 34-ID-C writes a scan: 16 frames of a 16×16
 * region ({@code #UIMR5 8 16 4 16}) of a 32×32 detector, dark and flat fields of the whole detector.
 */
class BeamlineCommandsTest {

	@Test
	void reconstructFromTheSpecFileThenStrainWithTheReportsGeometry(@TempDir final Path dir) throws Exception {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.cube(16), SimulationParameters.defaults(), 5);
		final float[] I = c.diffraction().values.data;
		final Path frames = Files.createDirectories(dir.resolve("AD34idcTIM2_sim").resolve("sim_S0003"));
		for (int z = 0; z < 16; z++)
			TiffWriter.write(frames.resolve(String.format("sim_S0003_%05d.tif", z)), new RealVolume(Grid.of2D(16, 16), Arrays.copyOfRange(I, z * 256, (z + 1) * 256)));
		final float[] dark = new float[32 * 32];
		dark[10 * 32 + 10] = 5; // one hot pixel (dark > 1: bad), inside the frames' region
		TiffWriter.write(dir.resolve("dark.tif"), new RealVolume(Grid.of2D(32, 32), dark));
		final float[] flat = new float[32 * 32];
		Arrays.fill(flat, 100f);
		TiffWriter.write(dir.resolve("whitefield.tif"), new RealVolume(Grid.of2D(32, 32), flat));
		final StringBuilder spec = new StringBuilder(String.join("\n", "#F sim.spec", "#E 1", "",
			"#O0 Delta  Theta  Chi  Phi  Mu  Gamma", "#O1 camdist  Energy", "#o0 del th chi phi mu gam", "#o1 cam en", "",
			"#S 3  ascan  th 0 0.15  15 1", "#P0 32.174 0 90 -5 0 12.6346", "#P1 500 9", "#UIMDET 34idcTIM2:", "#Readout 0 32 0 32",
			"#UIMR5  8 16 4 16 1", "#L Theta  Monitor", ""));
		for (int z = 0; z < 16; z++) spec.append(z * 0.01).append(" 1000\n");
		final Path specFile = Files.writeString(dir.resolve("sim.spec"), spec.append('\n').toString());

		final Path out = dir.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + specFile + "\",scan=\"3\",output_dir=\"" + out + "\",recipe=\"20*ER+60*HIO+20*ER\",threads=1");
		assertEquals(0, r.code, r.err);
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan3_report.json"))).getAsJsonObject();
		final JsonObject g = report.getAsJsonObject("geometry");
		// the log says which geometry the report holds: the Bragg peak's pixel, how far G turned from the arm's
		final String log = r.out + r.err;
		assertTrue(log.contains(String.format(java.util.Locale.ROOT, "Geometry of scan3: in-plane %.4f°, out-of-plane %.4f°", g.get("inplane_deg_lab").getAsDouble(),
			g.get("outofplane_deg").getAsDouble())) && log.contains("at the Bragg peak's detector pixel (") && log.contains("from that of the arm's pixel (256, 256)"), log);
		assertEquals(9, g.get("energy_kev").getAsDouble(), 0);
		assertEquals(0.5, g.get("distance_m").getAsDouble(), 0);
		assertEquals(55, g.get("pixel_um").getAsDouble(), 0);
		assertEquals(0.01, g.get("rocking_step_deg").getAsDouble(), 1e-12);
		assertEquals("Theta", g.get("rocking_motor").getAsString());
		assertEquals("8,16,4,16 (minX,sizeX,minY,sizeY, SPEC #UIMR)", g.get("detector_region").getAsString());
		// data_threshold and bad_pixels left on auto: the beamline's rules (2 counts, bad pixels as zeros), logged
		final String steps = report.get("processing").toString();
		assertTrue(steps.contains("\"step\":\"threshold\",\"level\":2.0"), steps);
		assertTrue(steps.contains("\"step\":\"badPixelsAsZero\",\"pixels\":16,") && steps.contains("cohere's 34-ID-C configuration"), steps);
		assertEquals(0, report.get("unmeasured_pixels").getAsInt(), "bad pixels as zeros and zero padding: every phased pixel is measured");

		final Path strain = dir.resolve("strain");
		final HeadlessRun s = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + out.resolve("scan3_amplitude.tif") + "\",geometry=\"report\",output_dir=\"" + strain + "\"");
		assertEquals(0, s.code, s.err);
		assertFalse(s.err.contains("Ignoring unsupported output"), "the headless runner writes files and shows nothing: " + s.err);
		final JsonObject sr = JsonParser.parseString(Files.readString(strain.resolve("scan3_strain_report.json"))).getAsJsonObject();
		assertEquals(9, sr.getAsJsonObject("geometry").get("energy_kev").getAsDouble(), 0);
		// Strain reads the geometry Reconstruct wrote: that of the Bragg peak's pixel, not the arm's 32.174° (kept beside it)
		assertEquals(g.get("inplane_deg_lab").getAsDouble(), sr.getAsJsonObject("geometry").get("inplane_deg_lab").getAsDouble(), 0);
		assertEquals(32.174, g.getAsJsonObject("at_reference_pixel").get("inplane_deg_lab").getAsDouble(), 0);
		assertTrue(Files.size(strain.resolve("scan3_strain.png")) > 1000);

		final Path other = Files.createDirectories(dir.resolve("other"));
		Files.copy(out.resolve("scan3_amplitude.tif"), other.resolve("x_amplitude.tif"));
		Files.copy(out.resolve("scan3_phase.tif"), other.resolve("x_phase.tif"));
		Files.writeString(other.resolve("x_report.json"), "{\"final_chi2\": 0.01}");
		final HeadlessRun bad = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + other.resolve("x_amplitude.tif") + "\",geometry=\"report\",output_dir=\"" + other + "\"");
		assertEquals(1, bad.code, bad.err);
		assertTrue(bad.err.contains("x_report.json") && bad.err.contains("no 'geometry' block"), bad.err);
	}
}
