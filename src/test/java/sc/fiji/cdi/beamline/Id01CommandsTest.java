package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulatedCrystal;
import sc.fiji.cdi.simulate.SimulationParameters;

/**
 * Reconstruct from a BLISS file and a scan number, then Strain in the lab frame with the geometry of the report, on a
 * simulated 16³ crystal written (with jHDF) as ID01 writes a scan: entry {@code 7.1}, title {@code ascan eta …},
 * frames in {@code measurement/mpx1x4}, motors in {@code instrument/positioners}, the detector calibration in
 * {@code instrument/mpx1x4} and the wavelength in {@code instrument/monochromator}.
 */
class Id01CommandsTest {

	/** A one-scan BLISS dataset file of the crystal's 16 frames: eta 17.00 … 17.15, nu −5 (5° outboard), delta 30, 9 keV, 0.5 m. */
	static Path blissFile(final Path file, final float[] intensity) {
		final float[][][] frames = new float[16][16][16];
		for (int z = 0; z < 16; z++) for (int y = 0; y < 16; y++) System.arraycopy(intensity, (z * 16 + y) * 16, frames[z][y], 0, 16);
		final double[] eta = new double[16];
		for (int z = 0; z < 16; z++) eta[z] = 17 + 0.01 * z;
		try (WritableHdfFile h = HdfFile.write(file)) {
			final WritableGroup e = h.putGroup("7.1");
			e.putDataset("title", "ascan eta 17.0 17.15 15 1");
			e.putDataset("start_time", "2024-03-07T10:00:00.000000+01:00");
			e.putGroup("measurement").putDataset("mpx1x4", frames);
			final WritableGroup inst = e.putGroup("instrument");
			final WritableGroup pos = inst.putGroup("positioners");
			pos.putDataset("eta", eta);
			for (final String[] m : new String[][] { { "mu", "0" }, { "phi", "0" }, { "nu", "-5" }, { "delta", "30" }, { "mononrj", "9" } })
				pos.putDataset(m[0], new double[] { Double.parseDouble(m[1]) });
			final WritableGroup det = inst.putGroup("mpx1x4");
			det.putDataset("distance", new double[] { 0.5 }).putAttribute("units", "m");
			det.putDataset("x_pixel_size", new double[] { 55e-6 }).putAttribute("units", "m");
			det.putDataset("y_pixel_size", new double[] { 55e-6 }).putAttribute("units", "m");
			inst.putGroup("monochromator").putDataset("WaveLength", new double[] { BraggGeometry.HC_KEV_NM / 9 * 1e-9 }).putAttribute("units", "m");
		}
		return file;
	}

	@Test
	void reconstructFromTheBlissFileThenStrainWithTheReportsGeometry(@TempDir final Path dir) throws Exception {
		final SimulatedCrystal c = CrystalSimulator.simulate(Grid.cube(16), SimulationParameters.defaults(), 5);
		// counts as a Maxipix records them: the peak at 1e5, below bcdi's saturation level 1e6
		final float[] counts = c.diffraction().values.data.clone();
		float max = 0;
		for (final float v : counts) max = Math.max(max, v);
		for (int i = 0; i < counts.length; i++) counts[i] *= 1e5f / max;
		final Path h5 = blissFile(dir.resolve("sim_0001.h5"), counts);

		final Path out = dir.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct", "input=\"" + h5 + "\",scan=\"7\",output_dir=\"" + out + "\",recipe=\"20*ER+60*HIO+20*ER\",threads=1");
		assertEquals(0, r.code, r.err);
		final JsonObject report = JsonParser.parseString(Files.readString(out.resolve("scan7_report.json"))).getAsJsonObject();
		assertTrue(report.get("final_chi2").getAsDouble() < 0.01, report.get("final_chi2").toString()); // 7.1e-4 measured
		final JsonObject g = report.getAsJsonObject("geometry");
		assertEquals("esrf-id01", g.get("beamline").getAsString());
		assertEquals(9, g.get("energy_kev").getAsDouble(), 1e-9);
		assertEquals(0.5, g.get("distance_m").getAsDouble(), 0);
		assertEquals(55, g.get("pixel_um").getAsDouble(), 1e-9);
		assertEquals(5, g.get("inplane_deg_lab").getAsDouble(), 0);
		assertEquals(30, g.get("outofplane_deg").getAsDouble(), 0);
		assertEquals(0.01, g.get("rocking_step_deg").getAsDouble(), 1e-12);
		assertEquals("eta", g.get("rocking_motor").getAsString());
		assertEquals("ascan eta 17.0 17.15 15 1", g.get("scan_command").getAsString());
		assertFalse(g.has("missing"), g.toString());
		assertTrue(g.get("saturated_pixels").getAsString().startsWith("0 detector pixels"), g.toString());
		// the generic data rules: no threshold
		final String steps = report.get("processing").toString();
		assertFalse(steps.contains("\"step\":\"threshold\",\"level\":2.0"), steps);

		final Path strain = dir.resolve("strain");
		final HeadlessRun s = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + out.resolve("scan7_amplitude.tif") + "\",geometry=\"report\",output_dir=\"" + strain + "\"");
		assertEquals(0, s.code, s.err);
		final JsonObject sr = JsonParser.parseString(Files.readString(strain.resolve("scan7_strain_report.json"))).getAsJsonObject();
		assertEquals(9, sr.getAsJsonObject("geometry").get("energy_kev").getAsDouble(), 1e-9);
		assertEquals(30, sr.getAsJsonObject("geometry").get("outofplane_deg").getAsDouble(), 0);
		assertTrue(Files.size(strain.resolve("scan7_strain.png")) > 1000);
	}
}
