package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.beamline.Aps34idcTest.assertMessage;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.Detector;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.io.TiffWriter;

/**
 * ESRF ID01 BLISS files: the committed fixture {@code id01/} (written once by its {@code make_id01_fixture.py} with
 * h5py): a dataset file {@code sample_0001/sample_0001.h5} with a loopscan (1), rocking curves in eta (2) and phi (3),
 * a scan whose frames are a virtual dataset over two Lima files (4) and one without detector (5), and a sample file
 * {@code hc0000_sample.h5} linking scans 2 and 3 as {@code sample_0001_<n>.1}. Frame values are 100·z + 10·row + col.
 */
class Id01BlissTest {

	@TempDir
	Path dir;

	static Path fixture(final String name) {
		try {
			return Path.of(Id01BlissTest.class.getResource("id01/" + name).toURI());
		} catch (final URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	static final Path DATASET = fixture("sample_0001/sample_0001.h5"), SAMPLE = fixture("hc0000_sample.h5");

	static Beamline.Request request(final Path file, final String scan) {
		return new Beamline.Request(file, null, scan, null, null, null, null, Quantity.INTENSITY);
	}

	static Beamline.Scan load(final Path file, final String scan) { return new Id01Bliss().load(request(file, scan)); }

	static void assertFrames(final Diffraction d, final int nz, final int y0, final int x0) {
		assertEquals(nz, d.grid().nz);
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < d.grid().ny; y++)
				for (int x = 0; x < d.grid().nx; x++) {
					if (!d.isMeasured(d.grid().index(z, y, x))) continue;
					assertEquals(100 * z + 10 * (y + y0) + x + x0, d.values.get(z, y, x), 0, "frame " + z + " pixel " + y + "," + x);
				}
	}

	@Test
	void recognisesBlissFilesByTheirScanEntries() throws IOException {
		assertTrue(Beamlines.select("auto", request(DATASET, "2")) instanceof Id01Bliss);
		assertTrue(Beamlines.select("auto", request(SAMPLE, null)) instanceof Id01Bliss);
		assertTrue(Beamlines.select("ID01", null) instanceof Id01Bliss);
		assertTrue(Beamlines.select("esrf-id01", null) instanceof Id01Bliss);
		final Path notHdf5 = Files.writeString(dir.resolve("notes.h5"), "not an HDF5 file");
		assertNull(Beamlines.select("auto", request(notHdf5, null)));
		assertFalse(new Id01Bliss().recognises(request(fixture("sample_0001/scan0004/mpx1x4_0000.h5"), null)), "a Lima file holds entry_0000, not a scan");
	}

	@Test
	void etaRockingCurveFramesInOrderAndTheGeometryOfTheMotors() {
		final Beamline.Scan s = load(DATASET, "2");
		assertEquals(new Grid(4, 6, 8), s.data().grid());
		assertFrames(s.data(), 4, 0, 0);
		assertEquals("scan2", s.name());
		final Map<String, Object> r = s.report();
		assertEquals("ascan eta 35.0 35.3 3 0.5", r.get("scan_command"));
		assertEquals("mpx1x4", r.get("detector"));
		assertEquals("/2.1/measurement/mpx1x4", r.get("frames_dataset"));
		assertEquals("eta", r.get("rocking_motor"));
		assertEquals(4, r.get("rocking_points"));
		final BraggGeometry g = s.geometry();
		assertNotNull(g, () -> String.valueOf(r.get("missing")));
		assertEquals(8, g.energyKeV(), 1e-9); // from the monochromator's wavelength
		assertTrue(String.valueOf(r.get("energy_source")).contains("monochromator/WaveLength"));
		assertEquals(0.83, g.distanceM(), 0);
		assertEquals(55, g.pixelSizeUm(), 1e-9);
		assertEquals(-1.2, g.inplaneDeg(), 0); // nu = 1.2 is clockwise: −1.2 in the lab frame
		assertEquals(35.4, g.outOfPlaneDeg(), 0);
		assertEquals(0.1, g.rockingStepDeg(), 1e-12);
		assertArrayEquals(new double[] { 0, 0, -1 }, g.rockingAxisLab(), 1e-15);
		assertMinusBcdi(g, bcdiId01(g, 1.2, 35.4, Double.NaN, 0.1));
		assertEquals(Beamline.DataRules.GENERIC, s.rules());
	}

	@Test
	void phiRockingCurveAboutTheAxisThatEtaTilts() {
		final Beamline.Scan s = load(DATASET, "3");
		assertEquals(new Grid(5, 6, 8), s.data().grid());
		assertFrames(s.data(), 5, 0, 0); // stored as uint16
		final Map<String, Object> r = s.report();
		final BraggGeometry g = s.geometry();
		assertNotNull(g, () -> String.valueOf(r.get("missing")));
		assertEquals("phi", r.get("rocking_motor"));
		assertEquals(9, g.energyKeV(), 0); // mononrj, keV
		assertEquals(1.2, g.distanceM(), 1e-15); // 1200 mm
		assertEquals(55, g.pixelSizeUm(), 0); // not recorded: the Maxipix's, from the name mpxgaas
		assertTrue(String.valueOf(r.get("pixel_source")).contains("mpxgaas"));
		assertEquals(0.1, g.rockingStepDeg(), 1e-12);
		final double eta = Math.toRadians(12);
		assertArrayEquals(new double[] { Math.sin(eta), -Math.cos(eta), 0 }, g.rockingAxisLab(), 1e-15);
		assertMinusBcdi(g, bcdiId01(g, -2, 24, 12, 0.1));
	}

	/**
	 * bcdi's ID01 transformation matrix ({@code BeamlineID01.transformation_matrix}, detector X along x+, Y along
	 * y−): columns detector column, detector row, rocking; rows (x, y, z); 1/nm per pixel and per rocking step.
	 * Rocking in eta when {@code etaDeg} is NaN ("outofplane"), else in phi at incidence eta ("inplane"); mu = 0.
	 */
	static double[][] bcdiId01(final BraggGeometry g, final double nuDeg, final double deltaDeg, final double etaDeg, final double stepDeg) {
		final double ip = Math.toRadians(nuDeg), op = Math.toRadians(deltaDeg), tilt = Math.toRadians(stepDeg);
		final double d = g.distanceM() * 1e9, p = g.pixelSizeUm() * 1e3, f = 2 * Math.PI / (g.wavelengthNm() * d);
		final double[] col = { f * -p * Math.cos(ip), 0, f * -p * Math.sin(ip) };
		final double[] row = { -f * -p * Math.sin(ip) * Math.sin(op), -f * -p * Math.cos(op), -f * p * Math.cos(ip) * Math.sin(op) };
		final double[] rock;
		if (Double.isNaN(etaDeg)) rock = new double[] { 0, f * tilt * d * (1 - Math.cos(ip) * Math.cos(op)), f * tilt * d * Math.sin(op) };
		else {
			final double eta = Math.toRadians(etaDeg);
			rock = new double[] { f * tilt * d * (Math.sin(eta) * Math.sin(op) + Math.cos(eta) * (Math.cos(ip) * Math.cos(op) - 1)),
				f * tilt * d * Math.sin(eta) * Math.sin(ip) * Math.cos(op), f * tilt * d * Math.cos(eta) * Math.sin(ip) * Math.cos(op) };
		}
		return new double[][] { col, row, rock };
	}

	/**
	 * Our reciprocal basis (columns rocking, row, column; rows z, y, x) against bcdi's transformation matrix: the
	 * detector columns with the opposite sign (bcdi writes them with q → −q), the rocking column with the same sign.
	 * The rocking column is the physical one (−Δω·â × q₀ for a right-handed rotation, as xrayutilities gives with
	 * cohere's circles: {@code BraggGeometryPeerTest}); bcdi's matrix is thus not −q in every column, and applied as
	 * such to our arrays it shears the crystal the wrong way (our basis until 1 Dec: scan 54's facets then missed the
	 * {100}/{110}/{111} directions by up to 15°, docs/strain.md). The same relation at APS 34-ID-C
	 * ({@link #ourBasisIsMinusBcdisFor34idcToo}).
	 */
	static void assertMinusBcdi(final BraggGeometry g, final double[][] bcdiColumns) {
		final double[][] b = g.reciprocalBasis();
		final int[] ours = { 2, 1, 0 }; // bcdi column j is our column ours[j]
		final int[] sign = { -1, -1, 1 }; // detector column, detector row: q -> -q; rocking: the same
		for (int j = 0; j < 3; j++) {
			double norm = 0;
			for (final double v : bcdiColumns[j]) norm = Math.max(norm, Math.abs(v));
			for (int i = 0; i < 3; i++)
				assertEquals(sign[j] * bcdiColumns[j][2 - i], b[i][ours[j]], 1e-12 * norm, "bcdi column " + j + ", component " + "zyx".charAt(i));
		}
	}

	@Test
	void ourBasisIsMinusBcdisFor34idcToo() {
		// bcdi's BeamlineID34.transformation_matrix, theta rocking ("inplane"), detector X along x+, Y along y−
		final BraggGeometry g = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 32.174, 12.6346, 0.01);
		final double ip = Math.toRadians(32.174), op = Math.toRadians(12.6346), tilt = Math.toRadians(0.01);
		final double d = 0.5e9, p = 55e3, f = 2 * Math.PI / (g.wavelengthNm() * d);
		final double[] col = { f * p * -Math.cos(ip), 0, f * p * Math.sin(ip) };
		final double[] row = { -f * p * Math.sin(ip) * Math.sin(op), -f * p * -Math.cos(op), -f * p * Math.cos(ip) * Math.sin(op) };
		final double[] rock = { f * tilt * d * (1 - Math.cos(ip) * Math.cos(op)), 0, f * tilt * d * Math.sin(ip) * Math.cos(op) };
		assertMinusBcdi(g, new double[][] { col, row, rock });
	}

	@Test
	void framesInLimaFilesBehindAVirtualDataset() {
		final Beamline.Scan s = load(DATASET, "4");
		assertEquals(new Grid(4, 6, 8), s.data().grid());
		assertFrames(s.data(), 4, 0, 0);
		assertEquals(2, ((List<?>) s.report().get("frames_files")).size());
		assertTrue(String.valueOf(s.report().get("frames_dataset")).contains("virtual dataset"));
		assertEquals("eta", s.report().get("rocking_motor"));
		// jHDF cannot list /4.1/instrument/mpx1x4, which holds the virtual dataset: its distance is out of reach, and said so
		assertNull(s.geometry());
		final String missing = String.valueOf(s.report().get("missing"));
		assertTrue(missing.startsWith("no detector distance: /4.1/instrument/mpx1x4 cannot be read") && missing.contains("virtual dataset")
			&& missing.contains("geometry=ID01"), missing);
		assertEquals(0.1, (Double) s.report().get("rocking_step_measured_deg"), 1e-12);
		assertEquals(8.0, ((Map<?, ?>) s.report().get("motors")).get("mononrj"));
	}

	@Test
	void aSampleFileLinksTheDatasetsScans() {
		final Beamline.Scan s = load(SAMPLE, "2");
		assertEquals("sample_0001_2.1", s.report().get("scan"));
		assertEquals("sample_0001_scan2", s.name());
		assertFrames(s.data(), 4, 0, 0);
		assertNotNull(s.geometry(), () -> String.valueOf(s.report().get("missing")));
		assertEquals(load(DATASET, "3").geometry().toString(), load(SAMPLE, "sample_0001_3").geometry().toString());
	}

	@Test
	void regionOfInterestDarkAndMaskAreApplied() {
		final float[] dark = new float[6 * 8], mask = new float[6 * 8];
		dark[2 * 8 + 3] = 5; // hot (> 1): row 2, column 3 → (1, 1) of the region
		mask[3 * 8 + 5] = 1; // bad: row 3, column 5 → (2, 3) of the region
		TiffWriter.write(dir.resolve("dark.tif"), new RealVolume(Grid.of2D(6, 8), dark));
		TiffWriter.write(dir.resolve("mask.tif"), new RealVolume(Grid.of2D(6, 8), mask));
		final Beamline.Scan s = new Id01Bliss().load(new Beamline.Request(DATASET, null, "2", dir.resolve("dark.tif"), null, dir.resolve("mask.tif"),
			new DetectorRegion(2, 4, 1, 3), Quantity.INTENSITY));
		final Diffraction d = s.data();
		assertEquals(new Grid(4, 3, 4), d.grid());
		assertFrames(d, 4, 1, 2);
		assertEquals(8, d.unmeasuredCount(), "two bad pixels per frame");
		assertTrue(d.mask.isUnmeasured(d.grid().index(3, 1, 1)) && d.mask.isUnmeasured(d.grid().index(0, 2, 3)));
		assertEquals("2,4,1,3 (minX,sizeX,minY,sizeY, given as roi=)", s.report().get("detector_region"));
	}

	@Test
	void errorsNameTheFileTheScanAndWhatWasLookedFor() {
		final String f = DATASET.getFileName().toString();
		assertMessage(() -> load(DATASET, null), f, "scan=", "5 scans", "2.1 'ascan eta 35.0 35.3 3 0.5'", "3.1 'ascan phi -0.2 0.2 4 0.1'");
		assertMessage(() -> load(DATASET, "9"), "Scan 9 is not in", f, "/9.1", "1.1 'loopscan 3 0.1'");
		assertMessage(() -> load(DATASET, "two"), "scan='two'", "scan=12");
		assertMessage(() -> load(DATASET, "5"), "scan 5", f, "no detector frames", "/5.1/measurement/", "mpx1x4_roi1");
		assertMessage(() -> load(DATASET, "1"), "scan 1 ('loopscan 3 0.1')", f, "moved no motor", "not a rocking curve", "beamline=none dataset=/1.1/measurement/mpx1x4");
		assertMessage(() -> new Id01Bliss().load(new Beamline.Request(DATASET, null, "2", null, null, null, null, Quantity.INTENSITY, "eiger2M")),
			"dataset=eiger2M", "/2.1/measurement/", "mpx1x4");
		assertMessage(() -> load(dir, "2"), "expects input=<BLISS HDF5 file>");
	}

	@Test
	void theDatasetParameterNamesTheDetector() {
		final Beamline.Scan s = new Id01Bliss().load(new Beamline.Request(DATASET, null, "2", null, null, null, null, Quantity.INTENSITY, "/2.1/measurement/mpx1x4"));
		assertFrames(s.data(), 4, 0, 0);
	}

	@Test
	void scannedMotorFromTheTitle() {
		assertEquals("eta", Id01Bliss.scannedMotor("ascan eta 35.0 35.3 3 0.5"));
		assertEquals("phi", Id01Bliss.scannedMotor("dscan phi -1 1 100 0.5"));
		assertEquals("eta", Id01Bliss.scannedMotor("a2scan eta 1 2 phi 3 4 10 1"));
		assertNull(Id01Bliss.scannedMotor("loopscan 3 0.1"));
		assertNull(Id01Bliss.scannedMotor(""));
	}

	@Test
	void maxipixChipGapsAreUnmeasured() {
		// whole 516×516 detector: rows and columns 255–260 (bcdi), 6·516·2 − 36 pixels
		int n = 0;
		for (final boolean b : Id01Bliss.maxipixGaps(null, 516, 516)) if (b) n++;
		assertEquals(6 * 516 * 2 - 36, n);
		// a 10×10 region from (250, 250): rows and columns 255–259 inside it
		n = 0;
		for (final boolean b : Id01Bliss.maxipixGaps(new DetectorRegion(250, 10, 250, 10), 10, 10)) if (b) n++;
		assertEquals(5 * 10 * 2 - 25, n);
		// applied to Maxipix frames of the whole detector only, counted in the report
		final Grid grid = new Grid(2, 516, 516);
		final float[] v = new float[grid.size()];
		java.util.Arrays.fill(v, 3f);
		final Diffraction d = new Diffraction(new RealVolume(grid, v), Quantity.INTENSITY, null, new ProcessingLog(), "test");
		final Map<String, Object> report = new HashMap<>();
		final Diffraction m = Id01Bliss.maskMaxipixGaps(d, Detector.find("mpx1x4"), new long[] { 2, 516, 516 }, null, report);
		assertTrue(m.mask.isUnmeasured(grid.index(1, 257, 10)) && m.mask.isUnmeasured(grid.index(0, 10, 260)) && !m.mask.isUnmeasured(grid.index(0, 254, 261)));
		assertEquals(0f, m.values.get(1, 257, 10));
		assertTrue(String.valueOf(report.get("maxipix_gaps")).startsWith((6 * 516 * 2 - 36) + " pixels per frame"));
		assertNull(Id01Bliss.maskMaxipixGaps(d, Detector.find("eiger2M"), new long[] { 2, 516, 516 }, null, report).mask);
	}

	@Test
	void saturatedPixelsAreUnmeasuredInEveryFrame() {
		final Grid grid = new Grid(3, 4, 5);
		final float[] v = new float[grid.size()];
		java.util.Arrays.fill(v, 10f);
		v[grid.index(1, 2, 3)] = 4.294967295e9f; // an Eiger gap marker (largest uint32)
		v[grid.index(2, 0, 0)] = 2e6f; // above a Maxipix's 1e6, below an Eiger's 1e7
		final Diffraction d = new Diffraction(new RealVolume(grid, v), Quantity.INTENSITY, null, new ProcessingLog(), "test");
		final Map<String, Object> report = new HashMap<>();
		final Diffraction e = Id01Bliss.maskSaturated(d, Detector.find("eiger2M"), report);
		for (int z = 0; z < 3; z++) {
			assertTrue(e.mask.isUnmeasured(grid.index(z, 2, 3)), "the saturated pixel in every frame");
			assertEquals(0f, e.values.get(z, 2, 3));
			assertFalse(e.mask.isUnmeasured(grid.index(z, 0, 0)));
		}
		assertTrue(String.valueOf(report.get("saturated_pixels")).startsWith("1 detector pixels above 1.0E7"));
		final Diffraction m = Id01Bliss.maskSaturated(d, Detector.find("mpx1x4"), report);
		assertEquals(6, m.unmeasuredCount(), "two pixels above a Maxipix's 1e6, in each of 3 frames");
	}
}
