package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ij.CompositeImage;
import ij.ImagePlus;
import sc.fiji.cdi.testutil.HeadlessRun;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.export.CxiWriter;
import sc.fiji.cdi.export.N5Writer;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Mat3;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.strain.KnownDisplacement;
import sc.fiji.cdi.strain.StrainAnalysis;

/** Strain, Export and Show in BigDataViewer run headless as a cluster job runs them, on files with a known answer. */
class StrainCommandsTest {

	private static final int N = 32;
	private static final double[] VOXEL = { 10, 10, 10 };
	private static final double RADIUS = 120, EPS0 = 1e-3;
	private static final double[] G_HAT = { 0, 1, 0 };

	private final KnownDisplacement crystal = new KnownDisplacement(N, VOXEL);
	/** ε = EPS0·y/RADIUS: strain graded along G = y. */
	private final KnownDisplacement.Field field = (z, y, x) -> EPS0 * y * y / (2 * RADIUS);
	private final boolean[] support = crystal.sphere(RADIUS);

	/** Reconstruct's file set for the crystal: scan_amplitude.tif, scan_phase.tif (rad), scan_support.tif, in nm. */
	private Path reconstruction(final Path dir) throws Exception {
		final ComplexVolume rho = crystal.object(support, field, 1, 0, new double[3], 0.7);
		Files.createDirectories(dir);
		TiffWriter.write(dir.resolve("scan_amplitude.tif"), rho.amplitude());
		TiffWriter.write(dir.resolve("scan_phase.tif"), rho.phase());
		final float[] s = new float[support.length];
		for (int i = 0; i < s.length; i++) s[i] = support[i] ? 1 : 0;
		TiffWriter.write(dir.resolve("scan_support.tif"), new RealVolume(crystal.grid, s, VOXEL, "nm"));
		return dir.resolve("scan_amplitude.tif");
	}

	private static RealVolume open(final Path p) {
		final ImagePlus imp = ij.IJ.openImage(p.toString());
		assertNotNull(imp, p.toString());
		return ImagePlusConverter.toVolume(imp);
	}

	/**
	 * A rerun given the previous run's unwrapped phase as phase_file, into the same output_dir, would have replaced
	 * its own input: refused before any work (exit 1), every file as it was, no staging left.
	 */
	@Test
	void anInputThatTheStrainWouldReplaceIsRefused(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path out = tmp.resolve("strain");
		final String base = "amplitude_file=\"" + amp + "\",hkl=\"1 1 1\",lattice_constant=0.40782,ramp_removal=\"none\",output_dir=\"" + out + "\"";
		assertEquals(0, HeadlessRun.of("--headless", "--run", "Strain", base).code);
		final Path unwrapped = out.resolve("scan_phase_unwrapped.tif");
		final Map<String, String> before = checksums(out);
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", base + ",phase_file=\"" + unwrapped + "\"");
		assertEquals(sc.fiji.cdi.app.Main.FAILED, r.code, r.err);
		assertTrue(r.err.contains("Parameter 'phase_file': " + unwrapped + " is a file of the result 'scan_strain'") && r.err.contains("would be replaced by this run's scan_phase_unwrapped.tif"), r.err);
		assertFalse(r.err.contains("\tat "), r.err); // no stack trace
		assertEquals(before, checksums(out), "the earlier strain set is unchanged, nothing added");
	}

	/** An amplitude file not named <name>_amplitude.tif: "no x_phase.tif was found next to" it was said with x_phase.tif there. */
	@Test
	void anAmplitudeFileOfAnotherNameSaysWhyNoPhaseIsFound(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path other = Files.copy(amp, tmp.resolve("recon/crystal.tif"));
		Files.copy(tmp.resolve("recon/scan_phase.tif"), tmp.resolve("recon/crystal_phase.tif"));
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + other + "\",voxel_size=\"10\",output_dir=\"" + tmp.resolve("out") + "\"");
		assertEquals(sc.fiji.cdi.app.Main.FAILED, r.code, r.err);
		assertTrue(r.err.contains("amplitude_file " + other + " is not named <name>_amplitude.tif") && r.err.contains("phase_file="), r.err);
		assertFalse(Files.exists(tmp.resolve("out")));
	}

	private static Map<String, String> checksums(final Path dir) throws Exception {
		final Map<String, String> m = new java.util.TreeMap<>();
		try (Stream<Path> s = Files.list(dir)) {
			for (final Path p : (Iterable<Path>) s::iterator) m.put(p.getFileName().toString(), Files.isRegularFile(p) ? sc.fiji.cdi.io.Fixtures.sha256(p) : "<folder>");
		}
		return m;
	}

	@Test
	void strainFromReconstructFilesMatchesTheKnownField(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path out = tmp.resolve("strain");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + amp + "\",hkl=\"1 1 1\",lattice_constant=0.40782,g_direction=\"0 1 0\","
			+ "ramp_removal=\"none\",phase_sign=1,output_dir=\"" + out + "\"");
		assertEquals(0, r.code, r.err);
		final RealVolume eps = open(out.resolve("scan_strain.tif"));
		final RealVolume u = open(out.resolve("scan_displacement.tif"));
		final float[] truth = crystal.discreteStrain(field, G_HAT);
		final boolean[] inner = StrainAnalysis.erode(crystal.grid, support, 1);
		double maxErr = 0;
		for (int i = 0; i < support.length; i++) {
			if (!support[i]) { assertTrue(Float.isNaN(eps.data[i]) && Float.isNaN(u.data[i]), "NaN outside the support at " + i); continue; }
			if (inner[i]) maxErr = Math.max(maxErr, Math.abs(eps.data[i] - truth[i]));
		}
		System.out.printf(Locale.ROOT, "Strain command: max strain error %.2e for a ±%.1e graded strain%n", maxErr, EPS0);
		assertTrue(maxErr < 1e-3 * EPS0, "max strain error " + maxErr);
		// displacement = φ/|G| up to a constant: compare with the true u after removing the means
		final float[] uTrue = KnownDisplacement.minusMean(crystal.displacement(field), support), uGot = KnownDisplacement.minusMean(u.data, support);
		assertTrue(StrainAnalysis.rmsDifference(uTrue, uGot, support) < 1e-4, "displacement RMS error (nm)");
		assertEquals(10, eps.voxelSize[2], 1e-3);

		final JsonObject rep = JsonParser.parseString(Files.readString(out.resolve("scan_strain_report.json"))).getAsJsonObject();
		assertEquals(KnownDisplacement.G, rep.get("g_norm_rad_per_nm").getAsDouble(), 1e-9);
		long n = 0;
		for (final boolean b : support) if (b) n++;
		assertEquals(n, rep.get("support_voxels").getAsLong());
		assertEquals("support image", rep.get("support_source").getAsString());
		assertEquals(0, rep.getAsJsonObject("strain").get("mean").getAsDouble(), 0.05 * EPS0, "a graded strain about the centre averages to ~0");
		assertEquals(EPS0, rep.getAsJsonObject("strain").get("max").getAsDouble(), 0.1 * EPS0);

		final BufferedImage png = ImageIO.read(out.resolve("scan_strain.png").toFile());
		assertNotNull(png);
		assertTrue(png.getWidth() >= 600 && png.getHeight() >= 200, png.getWidth() + "×" + png.getHeight());
		try (Stream<Path> s = Files.list(out)) {
			assertEquals(7, s.count(), "tif×4, png, json, the manifest and no staging folder");
		}
	}

	@Test
	void strainImagesHaveADivergingLutAndNaNOutside(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp);
		try (Context ctx = new Context()) {
			final CommandModule m = ctx.service(CommandService.class).run(StrainCommand.class, true, Map.of("amplitude_file", amp.toFile(),
				"ramp_removal", "plane_fit", "phase_sign", -1)).get();
			assertEquals(null, ((StrainCommand) m.getCommand()).failure());
			final ImagePlus strain = (ImagePlus) m.getOutput("strain");
			final ImagePlus u = (ImagePlus) m.getOutput("displacement");
			assertEquals(N, strain.getStackSize());
			assertEquals(-strain.getDisplayRangeMax(), strain.getDisplayRangeMin(), 1e-12, "symmetric about 0");
			final byte[][] t = sc.fiji.cdi.view.Lut.DIVERGING.tables();
			final java.awt.image.IndexColorModel cm = (java.awt.image.IndexColorModel) strain.getProcessor().getColorModel();
			assertEquals(t[0][0] & 0xff, cm.getRed(0));
			assertEquals(t[2][255] & 0xff, cm.getBlue(255));
			assertTrue(Float.isNaN(strain.getStack().getProcessor(1).getf(0)), "corner is outside the crystal: NaN");
			// phase sign −1 flips the strain; plane fit removes the mean: the graded field remains, negated
			final RealVolume e = ImagePlusConverter.toVolume(strain);
			final float[] truth = KnownDisplacement.minusMean(crystal.discreteStrain(field, G_HAT), support);
			final float[] got = KnownDisplacement.minusMean(e.data, support);
			for (int i = 0; i < got.length; i++) got[i] = -got[i];
			assertTrue(StrainAnalysis.rmsDifference(got, truth, StrainAnalysis.erode(crystal.grid, support, 1)) < 1e-3 * EPS0);
			assertNotNull(u);
		}
	}

	@Test
	void strainInTheLabFrameWithThe34IdcGeometry(@TempDir final Path tmp) throws Exception {
		// the LabFrameStrainTest crystal: a 250 nm sphere with 0.1 % strain along G, described in the detector frame
		final BraggGeometry geo = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 31.0, 9.0, 0.01);
		final Grid det = Grid.cube(48);
		final double[][] r = geo.directBasis(det);
		final double[] gHat = geo.braggDirectionLab();
		final double gNorm = Mat3.norm(geo.braggVectorLab());
		final float[] amp = new float[det.size()], ph = new float[det.size()];
		for (int z = 0; z < 48; z++) for (int y = 0; y < 48; y++) for (int x = 0; x < 48; x++) {
			final double[] p = Mat3.multiply(r, new double[] { z - 24, y - 24, x - 24 });
			final int i = det.index(z, y, x);
			if (Mat3.norm(p) > 250) continue;
			amp[i] = 1;
			ph[i] = (float) Math.IEEEremainder(gNorm * 1e-3 * Mat3.dot(gHat, p), 2 * Math.PI);
		}
		TiffWriter.write(tmp.resolve("det_amplitude.tif"), new RealVolume(det, amp));
		TiffWriter.write(tmp.resolve("det_phase.tif"), new RealVolume(det, ph));
		final double a = 2 * Math.PI * Math.sqrt(3) / gNorm; // (111) of a cubic lattice with this |G|
		final Path out = tmp.resolve("out");
		final HeadlessRun run = HeadlessRun.of("--headless", "--run", "Strain", String.format(Locale.ROOT, "amplitude_file=\"%s\",lattice_constant=%.12f,ramp_removal=\"none\","
			+ "geometry=\"34-ID-C\",energy_kev=9,distance_m=0.5,pixel_um=55,inplane_deg=31,outofplane_deg=9,rocking_step_deg=0.01,lab_voxel_nm=12,output_dir=\"%s\"",
			tmp.resolve("det_amplitude.tif"), a, out));
		assertEquals(0, run.code, run.err);
		final RealVolume eps = open(out.resolve("det_strain.tif"));
		final boolean[] lab = new boolean[eps.data.length];
		for (int i = 0; i < lab.length; i++) lab[i] = !Float.isNaN(eps.data[i]);
		final boolean[] inner = StrainAnalysis.erode(eps.grid, lab, 2);
		double sum = 0;
		int n = 0;
		for (int i = 0; i < lab.length; i++) if (inner[i]) { sum += eps.data[i]; n++; }
		System.out.printf(Locale.ROOT, "Strain command, 34-ID-C lab frame: %d interior voxels, mean strain %.5e (true 1e-3), grid %s%n", n, sum / n, eps.grid);
		assertTrue(n > 1000);
		assertEquals(1e-3, sum / n, 1e-5);
		assertEquals(12, eps.voxelSize[0], 1e-3);
		final JsonObject rep = JsonParser.parseString(Files.readString(out.resolve("det_strain_report.json"))).getAsJsonObject();
		final var g = rep.getAsJsonArray("g_direction_zyx");
		for (int k = 0; k < 3; k++) assertEquals(gHat[k], g.get(k).getAsDouble(), 1e-9);
		assertEquals(geo.twoThetaDeg(), rep.getAsJsonObject("geometry").get("two_theta_deg").getAsDouble(), 1e-9);
		// the Bragg vector of the geometry, which a lattice spacing can be checked against (|G| = 2π/d)
		assertEquals(2 * Math.PI / geo.dSpacingNm(), Math.sqrt(java.util.stream.IntStream.range(0, 3)
			.mapToDouble(k -> Math.pow(rep.getAsJsonObject("geometry").getAsJsonArray("bragg_vector_lab_zyx").get(k).getAsDouble(), 2)).sum()), 1e-9);
	}

	@Test
	void badParametersFailWithTheirNameAndNoOutput(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path out = tmp.resolve("out");
		HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + amp + "\",hkl=\"1 1\",output_dir=\"" + out + "\"");
		assertEquals(2, r.code, "a malformed value is a bad command line (docs/cluster.md): " + r.err);
		assertTrue(r.err.contains("hkl='1 1'") && r.err.contains("three integers"), r.err);
		Files.delete(tmp.resolve("recon/scan_phase.tif"));
		r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + amp + "\",output_dir=\"" + out + "\"");
		assertEquals(1, r.code);
		// the set lost a file: refused as incomplete (its manifest lists scan_phase.tif)
		assertTrue((r.err.contains("phase_file") || r.err.contains("incomplete result set")) && r.err.contains("scan_phase.tif"), r.err);
		r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",format=\"vti\",output=\"" + out.resolve("x.tif") + "\"");
		assertEquals(1, r.code);
		assertTrue(r.err.contains(".vti"), r.err);
		assertFalse(Files.exists(out), "failed runs leave no output folder");
	}

	/**
	 * A lab-frame voxel as large as the crystal (lab_voxel_nm=1e9, a unit slip) resampled it to a voxel or two: the
	 * strain was NaN everywhere and the run succeeded with "strain mean NaN" and NaN maps; now refused naming the key.
	 */
	@Test
	void aLabVoxelLargerThanTheCrystalIsRefusedNotANanStrain(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final Path out = tmp.resolve("out");
		final String geo = "geometry=\"34-ID-C\",energy_kev=9,distance_m=0.5,pixel_um=55,two_theta_deg=30,rocking_step_deg=0.01";
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + amp + "\"," + geo + ",lab_voxel_nm=1e9,output_dir=\"" + out + "\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("lab_voxel_nm=1.0E9 is too large for the crystal") && r.err.contains("give a smaller lab_voxel_nm"), r.err);
		assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
		assertFalse(Files.exists(out), "nothing written");
		// the same without a geometry: a support file of one voxel
		final float[] one = new float[support.length];
		one[crystal.grid.index(N / 2, N / 2, N / 2)] = 1;
		final Path oneVoxel = tmp.resolve("one_voxel.tif");
		TiffWriter.write(oneVoxel, new RealVolume(crystal.grid, one, VOXEL, "nm"));
		final HeadlessRun single = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + amp + "\",support_file=\"" + oneVoxel + "\",output_dir=\"" + out + "\"");
		assertEquals(1, single.code, single.err);
		assertTrue(single.err.contains("undefined at every one of the 1 voxel of the support") && single.err.contains("check the support file"), single.err);
		assertFalse(Files.exists(out), "nothing written");
	}

	@Test
	void exportWritesEachFormatWithTheSameValues(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp.resolve("recon"));
		final RealVolume a = open(amp), p = open(tmp.resolve("recon/scan_phase.tif"));
		final Path strainTif = tmp.resolve("recon/scan_strain_in.tif");
		final float[] e = crystal.discreteStrain(field, G_HAT);
		TiffWriter.write(strainTif, new RealVolume(crystal.grid, e, VOXEL, "nm"));

		// CXI: the complex object comes back as amplitude·exp(iφ)
		HeadlessRun r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",strain_file=\"" + strainTif + "\",format=\"cxi\",output=\"" + tmp.resolve("o") + "\"");
		assertEquals(0, r.code, r.err);
		final ComplexVolume back = CxiWriter.readObject(tmp.resolve("o.cxi"));
		final ComplexVolume expected = ComplexVolume.fromAmplitudePhase(a, p);
		assertArrayEquals(expected.data, back.data, 1e-6f);
		assertArrayEquals(VOXEL, back.voxelSize, 1e-3);

		// BigDataViewer: XML + N5, the strain channel (setup 2) reads back identical
		r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",strain_file=\"" + strainTif + "\",format=\"bigdataviewer\",output=\"" + tmp.resolve("o.xml") + "\"");
		assertEquals(0, r.code, r.err);
		final String xml = Files.readString(tmp.resolve("o.xml"));
		assertTrue(xml.contains("bdv.n5") && xml.contains("strain"), xml);
		final float[] s = new float[crystal.grid.size()];
		N5Writer.reader(tmp.resolve("o.n5/setup2/timepoint0/s0")).read(new long[3], new int[] { N, N, N }, s);
		assertArrayEquals(e, s);

		// VTK: header names the arrays; the file holds 3 Float32 arrays + the UInt8 support
		r = HeadlessRun.of("--headless", "--run", "Export", "amplitude_file=\"" + amp + "\",strain_file=\"" + strainTif + "\",format=\"vti\",output=\"" + tmp.resolve("o.vti") + "\"");
		assertEquals(0, r.code, r.err);
		final byte[] vti = Files.readAllBytes(tmp.resolve("o.vti"));
		final String head = new String(vti, 0, 2000, StandardCharsets.ISO_8859_1);
		assertTrue(head.contains("Name=\"amplitude\"") && head.contains("Name=\"phase\"") && head.contains("Name=\"strain\"") && head.contains("Name=\"support\""), head);
		assertTrue(head.contains("Spacing=\"10.0 10.0 10.0\""), head);
		final int start = head.indexOf('_', head.indexOf("<AppendedData")) + 1;
		final long n = crystal.grid.size();
		assertEquals(3 * (8 + 4 * n) + 8 + n, vti.length - start - "\n  </AppendedData>\n</VTKFile>\n".length());
		final java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(vti, start, vti.length - start).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		assertEquals(4 * n, bb.getLong());
		final int centre = crystal.grid.index(N / 2, N / 2, N / 2);
		bb.position(start + 8 + 4 * centre);
		assertEquals(a.data[centre], bb.getFloat(), 0);
		try (Stream<Path> l = Files.list(tmp)) {
			assertEquals(6, l.count(), "recon, o.cxi, o.xml, o.n5 with o_bdv_manifest.json, o.vti and nothing temporary");
		}
	}

	@Test
	void showInBigDataViewerFallsBackToAHyperstackHeadless(@TempDir final Path tmp) throws Exception {
		final Path amp = reconstruction(tmp);
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Show in BigDataViewer", "amplitude_file=\"" + amp + "\"");
		assertEquals(0, r.code, r.err);
		try (Context ctx = new Context()) {
			final CommandModule m = ctx.service(CommandService.class).run(ShowBdvCommand.class, true, Map.of("amplitude_file", amp.toFile(), "voxel_size", "8,9,10")).get();
			assertEquals(null, ((ShowBdvCommand) m.getCommand()).failure());
			final ImagePlus h = (ImagePlus) m.getOutput("hyperstack");
			assertNotNull(h, "BigDataViewer is not on the test class path: the hyperstack is the fallback");
			assertTrue(h instanceof CompositeImage);
			assertEquals(2, h.getNChannels());
			assertEquals(N, h.getNSlices());
			assertEquals(8, h.getCalibration().pixelDepth, 1e-9);
			assertEquals(10, h.getCalibration().pixelWidth, 1e-9);
			assertEquals("nm", h.getCalibration().getUnit());
			final RealVolume a = open(amp);
			final int c = crystal.grid.index(N / 2, N / 2, N / 2);
			assertEquals(a.data[c], h.getStack().getProcessor(h.getStackIndex(1, N / 2 + 1, 1)).getf(c % (N * N)), 0);
		}
	}
}
