package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.beamline.Aps34idcTest.assertMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;

/**
 * Raw 34-ID-C scans that differ from scan 54 where a detector or a beamline may: integer frames of other types with
 * the detectors' marker values, and scans aborted before their last point. The layout of {@link Aps34idcTest} (scan 7,
 * 3 points, frames of the region {@code #UIMR5 2 4 1 3}), without dark and flat fields so that values stay exact.
 */
public class Aps34idcRawScanTest {

	@TempDir
	Path dir;

	/** The scan's frames folder with {@code n} integer frames: value 10(z+1) + i at pixel i, {@code marker} at pixel (2, 3). */
	Path layout(final String spec, final int n, final int bits, final boolean signed, final long marker) throws IOException {
		return layout(dir, spec, n, bits, signed, marker);
	}

	static Path layout(final Path dir, final String spec, final int n, final int bits, final boolean signed, final long marker) throws IOException {
		final Path s = Files.writeString(Files.createDirectories(dir).resolve("test.spec"), spec);
		final Path frames = Files.createDirectories(dir.resolve("AD34idcTIM2_test").resolve("test_S0007"));
		for (int z = 0; z < n; z++) {
			final long[] v = new long[12];
			for (int i = 0; i < 12; i++) v[i] = 10 * (z + 1) + i;
			v[11] = marker;
			IntegerTiff.write(frames.resolve(String.format("test_S0007_%05d.tif", z)), 3, 4, bits, signed, v);
		}
		return s;
	}

	/**
	 * Scan 7 of {@link Aps34idcTest} in {@code dir}: 3 uint16 frames of 3x4 pixels, value 10(z+1) + i at pixel i, a
	 * saturated Bragg peak (65535) at pixel (2, 3) of every frame, and a dark field {@code dark.tif} next to the SPEC
	 * file with one hot pixel (dark 5 &gt; 1: cohere's bad pixel) at (1, 1). Returns the SPEC file.
	 */
	public static Path saturatedScanWithHotPixel(final Path dir) throws IOException {
		final Path spec = layout(dir, Aps34idcTest.specText("2 4 1 3"), 3, 16, false, 65535);
		final float[] dark = new float[12];
		dark[1 * 4 + 1] = 5;
		Aps34idcTest.tiff(dir.resolve("dark.tif"), 3, 4, dark);
		return spec;
	}

	/**
	 * The import keeps a detector's marker values apart from the other bad pixels ({@link Diffraction#markers}), so
	 * that a rule turning bad pixels into measured zeros can leave a saturated peak free: here the saturated pixel is a
	 * marker, the hot dark-field pixel only a bad pixel.
	 */
	@Test
	void markerValuesAreKeptApartFromTheOtherBadPixels() throws IOException {
		final Beamline.Scan s = load(saturatedScanWithHotPixel(dir));
		final Diffraction d = s.data();
		assertEquals(6, d.mask.unmeasuredCount(), "the saturated and the hot pixel, in each of 3 frames");
		assertEquals(3, d.markers.unmeasuredCount());
		for (int z = 0; z < 3; z++) {
			assertTrue(d.markers.isUnmeasured(d.grid().index(z, 2, 3)));
			assertTrue(d.mask.isUnmeasured(d.grid().index(z, 1, 1)) && !d.markers.isUnmeasured(d.grid().index(z, 1, 1)));
		}
		assertTrue(s.rules().badPixelsAsZero(), "34-ID-C: the other bad pixels become measured zeros (cohere)");
	}

	static Beamline.Scan load(final Path spec) {
		return new Aps34idc().load(new Beamline.Request(spec, null, "7", null, null, null, null, Quantity.INTENSITY));
	}

	/**
	 * A detector's marker values (Eiger, Lambda: the type's maximum on gaps and dead pixels; a saturated counter;
	 * Pilatus: −1 on gaps) are bad pixels, not counts: before, 2³²−1 and −1 stopped the import as "negative values"
	 * (ImageJ reads 32-bit unsigned TIFFs as signed) and 65535 or 2³¹−1 were phased as the brightest counts.
	 */
	@Test
	void integerMarkerValuesAreBadPixels() throws IOException {
		// bits, signed, marker: uint16 at its maximum, uint32 at 2^32 - 1, int32 -1 and -2 (Pilatus), int32 at 2^31 - 1
		final long[][] cases = { { 16, 0, 65535 }, { 32, 0, 4294967295L }, { 32, 1, -1 }, { 32, 1, -2 }, { 32, 1, Integer.MAX_VALUE } };
		for (final long[] c : cases) {
			final String what = (c[1] == 1 ? "int" : "uint") + c[0] + " marker " + c[2];
			final Diffraction d = load(layout(dir.resolve(what.replace(' ', '_')), Aps34idcTest.specText("2 4 1 3"), 3, (int) c[0], c[1] == 1, c[2])).data();
			assertEquals(new Grid(3, 3, 4), d.grid(), what);
			assertEquals(3, d.mask.unmeasuredCount(), what + ": one marker pixel per frame");
			for (int z = 0; z < 3; z++) {
				assertTrue(d.mask.isUnmeasured(d.grid().index(z, 2, 3)), what);
				assertEquals(0f, d.values.get(z, 2, 3), what);
				assertEquals(10 * (z + 1) + 10, d.values.get(z, 2, 2), 0, what + ": the counts beside it are kept as read");
			}
			assertEquals(3, d.log.steps().get(0).parameters().get("markerPixels"), what);
		}
	}

	/**
	 * A rocking curve in Phi (or Chi) has a lab-frame geometry too: the Phi axis is +y turned by Chi about −z and by
	 * Theta about +y, as cohere's 34-ID-C circles say (checked against xrayutilities in BraggGeometryPeerTest); before,
	 * only Theta scans had one. Another motor still gets none, named in the report.
	 */
	@Test
	void phiAndChiRockingCurvesHaveTheirAxis() throws IOException {
		for (final String motor : new String[] { "phi", "chi", "mu" }) {
			final String spec = Aps34idcTest.specText("2 4 1 3").replace("#S 7  dscan  th -0.01 0.01  2 0.25", "#S 7  dscan  " + motor + " -0.01 0.01  2 0.25")
				.replace("#L Theta  pm detector  Monitor", "#L " + Character.toUpperCase(motor.charAt(0)) + motor.substring(1) + "  pm detector  Monitor");
			final Beamline.Scan s = load(layout(dir.resolve(motor), spec, 3, 32, true, 5));
			if (motor.equals("mu")) {
				assertNull(s.geometry());
				assertTrue(String.valueOf(s.report().get("missing")).contains("Theta (th), Chi or Phi"), () -> String.valueOf(s.report().get("missing")));
				continue;
			}
			assertNotNull(s.geometry(), () -> String.valueOf(s.report().get("missing")));
			final double[] expected = Aps34idc.rockingAxis(motor.equals("phi") ? Aps34idc.Circle.PHI : Aps34idc.Circle.CHI, 0.2200042, 90);
			for (int a = 0; a < 3; a++) assertEquals(expected[a], s.geometry().rockingAxisLab()[a], 1e-12, motor);
			// Chi 90: the Phi axis is horizontal, along x turned by Theta; the Chi axis is along −z turned by Theta
			final double t = Math.toRadians(0.2200042);
			final double[] closedForm = motor.equals("phi") ? new double[] { -Math.sin(t), 0, Math.cos(t) } : new double[] { -Math.cos(t), 0, -Math.sin(t) };
			for (int a = 0; a < 3; a++) assertEquals(closedForm[a], expected[a], 1e-12, motor + " axis");
		}
	}

	/** Without dark and flat fields next to the data the scan is imported, and the report says what was not done. */
	@Test
	void missingDarkAndFlatFieldsAreNamedInTheReport() throws IOException {
		final Beamline.Scan s = load(layout(Aps34idcTest.specText("2 4 1 3"), 3, 32, true, 5));
		assertTrue(String.valueOf(s.report().get("dark_field")).startsWith("none: no *dark*.tif next to test.spec"), () -> String.valueOf(s.report().get("dark_field")));
		assertTrue(String.valueOf(s.report().get("dark_field")).contains("dark_field=<file>"));
		assertTrue(String.valueOf(s.report().get("white_field")).contains("no flat-field correction (give white_field=<file>)"));
		assertNull(s.data().mask);
	}

	/** Counts of a 32-bit unsigned frame from 2³¹ up are read as such, not as negative numbers; float data have no markers. */
	@Test
	void unsigned32BitCountsAndFloatFramesKeepTheirValues() throws IOException {
		final long[] v = new long[12];
		for (int i = 0; i < 12; i++) v[i] = i + 1;
		v[4] = 3_000_000_000L;
		final Path u32 = IntegerTiff.write(dir.resolve("u32.tif"), 3, 4, 32, false, v);
		final Diffraction d = DiffractionReader.read(u32, ImportOptions.defaults());
		assertEquals(3e9, d.values.data[4], 1e3);
		assertNull(d.mask);
		assertEquals("uint32", d.log.steps().get(0).parameters().get("dtype"));
		final float[] f = new float[12];
		for (int i = 0; i < 12; i++) f[i] = i + 1;
		f[4] = 65535;
		final Path f32 = dir.resolve("f32.tif");
		Aps34idcTest.tiff(f32, 3, 4, f);
		final Diffraction g = DiffractionReader.read(f32, ImportOptions.defaults());
		assertEquals(65535, g.values.data[4], 0);
		assertNull(g.mask);
	}

	/**
	 * clamp_negative=true says the negatives are noise to set to 0 (background-subtracted counts): they are clamped as
	 * the option says, not masked as detector markers (before, the option did nothing on signed integer frames: every
	 * negative pixel became unmeasured). The type's maximum is a marker either way.
	 */
	@Test
	void clampNegativeSetsTheNegativesOfSignedIntegerFramesToZero() throws IOException {
		final long[] v = new long[12];
		for (int i = 0; i < 12; i++) v[i] = 20 + i;
		v[1] = -3;
		v[6] = -1;
		v[9] = Integer.MAX_VALUE;
		final Path i32 = IntegerTiff.write(dir.resolve("subtracted.tif"), 3, 4, 32, true, v);
		final Diffraction clamped = DiffractionReader.read(i32, ImportOptions.defaults().withClampNegative(true));
		assertEquals(0f, clamped.values.data[1]);
		assertEquals(0f, clamped.values.data[6]);
		assertEquals(1, clamped.mask.unmeasuredCount(), "only the type's maximum is a marker");
		assertTrue(clamped.mask.isUnmeasured(9));
		assertEquals(2, clamped.log.steps().get(0).parameters().get("clampedNegative"));
		final Diffraction masked = DiffractionReader.read(i32, ImportOptions.defaults());
		assertEquals(3, masked.mask.unmeasuredCount(), "without clamp_negative the negatives are markers");
	}

	/** The marker pixels are said in the command's log, not only counted in the report: a user sees the change. */
	@Test
	void markerPixelsAreSaidInTheLog() throws IOException {
		final long[] v = new long[12];
		for (int i = 0; i < 12; i++) v[i] = 100 + i;
		v[5] = 65535;
		final Path u16 = IntegerTiff.write(dir.resolve("scaled.tif"), 3, 4, 16, false, v);
		final sc.fiji.cdi.testutil.HeadlessRun r = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + u16 + "\",output_dir=\"" + dir.resolve("out") + "\"");
		assertEquals(0, r.code, r.err);
		final String said = r.out + r.err;
		assertTrue(said.contains("1 pixel of the uint16 data holds the type's largest value or a negative one") && said.contains("scaled.tif"), said);
	}

	/** Scan 7 aborted during its last point: SPEC recorded 2 of the 3 points. */
	static String aborted() {
		final String spec = Aps34idcTest.specText("2 4 1 3");
		final String last = "0.2300042 2 1058\n";
		assertTrue(spec.contains(last));
		return spec.replace(last, "#C Tue Feb 04 12:28:40 2020.  Scan aborted after 2 points.\n");
	}

	/**
	 * areaDetector saves the frame of the point the scan was aborted in, SPEC writes no data line for it: the frames
	 * of the recorded points are imported, the extra one named in the report. Before, the import stopped ("holds 3
	 * frames but recorded 2 points … a partial copy?").
	 */
	@Test
	void anAbortedScanImportsTheRecordedPoints() throws IOException {
		final Beamline.Scan s = load(layout(aborted(), 3, 32, true, 5));
		assertEquals(new Grid(2, 3, 4), s.data().grid());
		assertEquals(20 + 2, s.data().values.get(1, 0, 2), 0, "frames 0 and 1, in order");
		assertTrue(String.valueOf(s.report().get("frames_ignored")).startsWith("test_S0007_00002.tif"), () -> String.valueOf(s.report().get("frames_ignored")));
		assertEquals("after 2 of 3 points (SPEC recorded 2 data lines)", s.report().get("scan_aborted"));
		assertEquals(2, s.report().get("rocking_points"));
		assertEquals(0.2200042, (Double) s.report().get("rocking_end_deg"), 1e-12);
		assertEquals(0.01, s.geometry().rockingStepDeg(), 1e-12);
	}

	@Test
	void anAbortedScanWithAsManyFramesAsPointsNeedsNothingLeftOut() throws IOException {
		final Beamline.Scan s = load(layout(aborted(), 2, 32, true, 5));
		assertEquals(new Grid(2, 3, 4), s.data().grid());
		assertFalse(s.report().containsKey("frames_ignored"));
	}

	@Test
	void otherFrameCountsAreRefusedSayingWhatIsWrong() throws IOException {
		assertMessage(() -> load(layout(aborted(), 4, 32, true, 5)), "holds 4 frames", "recorded 2 points (aborted after 2 of 3)", "or one more from the point the scan was aborted in",
			"not this scan's frames");
		Files.delete(dir.resolve("AD34idcTIM2_test/test_S0007/test_S0007_00003.tif"));
		Files.delete(dir.resolve("AD34idcTIM2_test/test_S0007/test_S0007_00002.tif"));
		Files.delete(dir.resolve("AD34idcTIM2_test/test_S0007/test_S0007_00001.tif"));
		assertMessage(() -> load(dir.resolve("test.spec")), "holds 1 frames (test_S0007_00000.tif … test_S0007_00000.tif)", "recorded 2 points", "Frames are missing");
		final Path complete = layout(Aps34idcTest.specText("2 4 1 3"), 4, 32, true, 5);
		assertMessage(() -> load(complete), "holds 4 frames", "recorded 3 points; expected one frame per point.", "input=<folder> with spec=test.spec and scan=7");
	}

	/**
	 * A SPEC file logs a whole experiment: a line of another scan that is not numbers (a crash mid-write) must not
	 * stop the import of this one, and printf's {@code nan}/{@code -inf} (a counter divided by 0) are numbers. Before,
	 * either stopped SpecFile.read for every scan of the file.
	 */
	@Test
	void anUnreadableLineOfAnotherScanDoesNotStopThisOne() throws IOException {
		final String spec = Aps34idcTest.specText("2 4 1 3").replace("-4.8 2 1000\n", "-4.8 nan -inf\n-5.1 2 1O00\n");
		final Path s = layout(spec, 3, 32, true, 5);
		assertEquals(new Grid(3, 3, 4), load(s).data().grid());
		final SpecFile f = SpecFile.read(s);
		assertMessage(() -> f.scan("1"), "test.spec", "scan 1 (line 11)", "line 19: '1O00' is not a number", "expected numbers", "mend that line");
		final String nan = Aps34idcTest.specText("2 4 1 3").replace("-4.8 2 1000\n", "-4.8 nan -inf\n");
		final SpecFile g = SpecFile.read(Files.writeString(dir.resolve("nan.spec"), nan));
		final double[] pm = g.scan("1").column("pm detector");
		assertEquals(3, pm.length);
		assertTrue(Double.isNaN(pm[1]));
		assertEquals(Double.NEGATIVE_INFINITY, g.scan("1").column("Monitor")[1]);
	}

	/**
	 * Energy and detector distance in other units than 34-ID-C's keV and mm are recognised by their size, and the
	 * report says so: 9000 (eV) and 0.5 (m) give the geometry of 9 keV and 500 mm. Before, camdist 0.5 was read as
	 * 0.5 mm, a geometry 1000 times off.
	 */
	@Test
	void energyInEvAndDistanceInMetresAreRecognised() throws IOException {
		final String spec = Aps34idcTest.specText("2 4 1 3");
		final Beamline.Scan mm = load(layout(dir.resolve("keV_mm"), spec, 3, 32, true, 5));
		final String other = spec.replace("#P1 500 9\n#UIMDET", "#P1 0.5 9000\n#UIMDET");
		assertTrue(other.contains("#P1 0.5 9000"));
		final Beamline.Scan m = load(layout(dir.resolve("eV_m"), other, 3, 32, true, 5));
		assertEquals(0.5, m.geometry().distanceM(), 1e-12);
		assertEquals(9, m.geometry().energyKeV(), 1e-12);
		assertEquals(mm.geometry().distanceM(), m.geometry().distanceM(), 1e-12);
		assertTrue(String.valueOf(m.report().get("distance_unit")).contains("read as m"));
		assertTrue(String.valueOf(m.report().get("energy_unit")).contains("read as eV"));
		assertFalse(mm.report().containsKey("distance_unit"));
	}

	/**
	 * What another scan may do differently and is read right already (a guard): a comment inside the data, the #L
	 * columns in another order, a rocking curve run downwards (negative step), a frames folder named S7 without
	 * zero padding.
	 */
	@Test
	void commentsColumnOrderNegativeStepAndUnpaddedFolderName() throws IOException {
		final String spec = Aps34idcTest.specText("2 4 1 3")
			.replace("dscan  th -0.01 0.01  2 0.25", "ascan  th 0.2300042 0.2100042  2 0.25")
			.replace("#L Theta  pm detector  Monitor\n0.2100042 3 1070\n0.2200042 2 1066\n0.2300042 2 1058",
				"#L Monitor  pm detector  Theta\n1070 3 0.2300042\n#C Tue Feb 04 12:28:30 2020.  beam check\n1066 2 0.2200042\n1058 2 0.2100042");
		assertTrue(spec.contains("#L Monitor"));
		final Path s = layout(spec, 3, 32, true, 5);
		Files.move(dir.resolve("AD34idcTIM2_test/test_S0007"), dir.resolve("AD34idcTIM2_test/test_S7"));
		final Beamline.Scan scan = load(s);
		assertEquals(new Grid(3, 3, 4), scan.data().grid());
		assertEquals(-0.01, scan.geometry().rockingStepDeg(), 1e-12);
		assertEquals(-0.01, (Double) scan.report().get("rocking_step_measured_deg"), 1e-12);
		assertEquals(3, scan.report().get("rocking_points"));
	}

	/**
	 * A dark or flat field found next to the SPEC file that cannot be this detector's (it does not contain the frames'
	 * region of #UIMR5) is refused naming the file, both sizes and the key that gives the right one.
	 */
	@Test
	void aDarkFieldOfAnotherDetectorNamesTheKeyToGiveTheRightOne() throws IOException {
		final Path s = layout(Aps34idcTest.specText("2 4 1 3"), 3, 32, true, 5);
		Aps34idcTest.tiff(dir.resolve("dark.tif"), 3, 3, new float[9]);
		assertMessage(() -> load(s), "dark.tif", "3x3 pixels", "region 2,4,1,3", "#UIMR5", "frames' size 3x4", "dark_field=<file>");
	}

	/** Tabs instead of SPEC's spaces (a file written or edited by another program) are read as separators. */
	@Test
	void tabsSeparateAsSpacesDo() throws IOException {
		final String spec = Aps34idcTest.specText("2 4 1 3").replace("#UIMR5  2 4 1 3 1", "#UIMR5\t2\t4\t1\t3\t1")
			.replace("#P0 32.174 0.2200042", "#P0\t32.174\t0.2200042").replace("#L Theta  pm detector  Monitor", "#L\tTheta\tpm detector\tMonitor")
			.replace("#S 7  dscan", "#S\t7\tdscan");
		assertTrue(spec.contains("#UIMR5\t2"));
		final Beamline.Scan scan = load(layout(spec, 3, 32, true, 5));
		assertEquals("2,4,1,3 (minX,sizeX,minY,sizeY, SPEC #UIMR)", scan.report().get("detector_region"));
		assertEquals(32.174, scan.geometry().inplaneDeg(), 0);
		assertEquals(0.01, (Double) scan.report().get("rocking_step_measured_deg"), 1e-9);
	}
}
