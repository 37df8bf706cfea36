package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.util.CdiException;

/**
 * A synthetic APS 34-ID-C experiment laid out as the beamline writes it: a SPEC file, a frames folder
 * {@code AD34idcTIM2_test/test_S0007/} holding a 3×4 region ({@code #UIMR5 2 4 1 3}) of a 6×8 detector, and dark and
 * flat fields of the whole detector beside the SPEC file.
 */
class Aps34idcTest {

	@TempDir
	Path dir;

	Path spec, frames;

	static final int ROWS = 6, COLS = 8; // whole detector
	static final DetectorRegion REGION = new DetectorRegion(2, 4, 1, 3); // minX sizeX minY sizeY

	static String specText(final String region5) {
		return String.join("\n",
			"#F /data/2020/test.spec", "#E 1580609738", "#D Sat Feb 01 20:15:38 2020", "#C sixc  User = cxduser", "",
			"#O0 Delta  Theta  Chi  Phi  Mu  Gamma  z-sample  rbverpos",
			"#O1 camdist  Energy",
			"#o0 del th chi phi mu gam z vp",
			"#o1 cam en",
			"",
			"#S 1  ascan  phi -4.1 -5.5  2 1",
			"#D Sat Feb 01 20:17:06 2020",
			"#P0 32.96 45.012001 94.6 -4.8 0 10.3813 10.04597 -0.0335",
			"#P1 500 9",
			"#N 2",
			"#L Phi  pm detector  Monitor",
			"-4.1 3 1000", "-4.8 2 1000", "-5.5 1 1000",
			"",
			"#S 7  dscan  th -0.01 0.01  2 0.25",
			"#D Tue Feb 04 12:28:23 2020",
			"#G0 0 0 0 0 0 1 0 0 0 0 0 0 600 0 0 0 143.6 0 0",
			"#P0 32.174 0.2200042 90 -5 0 12.6346 10.214 -0.0335",
			"#P1 500 9",
			"#UIMDET 34idcTIM2:",
			"#UIMR Name minX sizeX minY sizeY BgdWidth",
			"#Readout 0 8 0 6",
			"#UIMR1  0 2 0 2 1",
			"#UIMR5  " + region5 + " 1",
			"#N 3",
			"#L Theta  pm detector  Monitor",
			"0.2100042 3 1070", "0.2200042 2 1066", "0.2300042 2 1058",
			"") + "\n";
	}

	@BeforeEach
	void layout() throws IOException {
		spec = Files.writeString(dir.resolve("test.spec"), specText("2 4 1 3"));
		frames = Files.createDirectories(dir.resolve("AD34idcTIM2_test").resolve("test_S0007"));
		for (int z = 0; z < 3; z++) {
			final float[] f = new float[12];
			for (int i = 0; i < 12; i++) f[i] = 10 * (z + 1) + i;
			tiff(frames.resolve(String.format("test_S0007_%05d.tif", z)), 3, 4, f);
		}
		final float[] dark = new float[ROWS * COLS];
		dark[2 * COLS + 3] = 5; // hot: row 2, column 3 → (1, 1) of the region
		dark[5 * COLS + 7] = 9; // hot, outside the region
		tiff(dir.resolve("dark.tif"), ROWS, COLS, dark);
		final float[] flat = new float[ROWS * COLS];
		Arrays.fill(flat, 2f);
		flat[1 * COLS + 2] = 4f; // twice as sensitive: region pixel (0, 0)
		tiff(dir.resolve("whitefield.tif"), ROWS, COLS, flat);
	}

	static void tiff(final Path file, final int ny, final int nx, final float[] v) {
		TiffWriter.write(file, new RealVolume(Grid.of2D(ny, nx), v));
	}

	Beamline.Scan load(final Path input, final Path specFile, final String scan) {
		return new Aps34idc().load(new Beamline.Request(input, specFile, scan, null, null, null, null, Quantity.INTENSITY));
	}

	/** Imported from a SPEC file, the result set is the scan's: two scans of one file do not share a manifest. */
	@Test
	void importingAScanNamesItsManifestAfterTheScan() throws IOException {
		final Path out = dir.resolve("imported");
		final var r = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + spec + "\",scan=\"7\",output_dir=\"" + out + "\"");
		assertEquals(0, r.code, r.err);
		assertTrue(Files.isRegularFile(out.resolve("scan7_import_manifest.json")), "files: " + java.util.Arrays.toString(out.toFile().list()));
		assertTrue(Files.isRegularFile(out.resolve("scan7_diffraction.tif")));
		assertFalse(Files.exists(out.resolve("test_import_manifest.json")));
	}

	@Test
	void specFileAndScanNumberFindTheFramesRegionDarkAndFlat() {
		final Beamline.Scan s = load(spec, null, "7");
		final Diffraction d = s.data();
		assertEquals(new Grid(3, 3, 4), d.grid());
		assertEquals("scan7", s.name());
		// flat: mean over the whole detector (47·2 + 4)/48, gain mean/flat; dark > 1 masked
		final double mean = (47 * 2 + 4) / 48.0;
		for (int z = 0; z < 3; z++) {
			assertEquals((10 * (z + 1)) * mean / 4, d.values.get(z, 0, 0), 1e-4);
			assertEquals((10 * (z + 1) + 6) * mean / 2, d.values.get(z, 1, 2), 1e-4);
			assertTrue(d.mask.isUnmeasured(d.grid().index(z, 1, 1)), "hot pixel of the dark field masked at its place in the region");
			assertEquals(0f, d.values.get(z, 1, 1));
		}
		int bad = 0;
		bad += d.mask.unmeasuredCount();
		assertEquals(3, bad, "one bad pixel per frame; the hot pixel outside the region does not count");
		assertEquals("2,4,1,3 (minX,sizeX,minY,sizeY, SPEC #UIMR)", s.report().get("detector_region"));
	}

	@Test
	void geometryFromTheMotorsAndTheRelativeScan() {
		final Beamline.Scan s = load(spec, null, "7");
		final BraggGeometry g = s.geometry();
		assertNotNull(g, () -> String.valueOf(s.report().get("missing")));
		assertEquals(9, g.energyKeV(), 0);
		assertEquals(0.5, g.distanceM(), 0);
		assertEquals(55, g.pixelSizeUm(), 0);
		assertEquals(32.174, g.inplaneDeg(), 0);
		assertEquals(12.6346, g.outOfPlaneDeg(), 0);
		assertEquals(0.01, g.rockingStepDeg(), 1e-12); // dscan th -0.01 0.01 2: relative, step 0.01
		assertEquals("Theta", s.report().get("rocking_motor"));
		assertEquals(0.2100042, (Double) s.report().get("rocking_start_deg"), 1e-12);
		assertArrayEquals(new double[] { 0, 1, 0 }, g.rockingAxisLab(), 0);
	}

	@Test
	void framesFolderWithSpecFileAndScanFromTheFolderName() {
		final Beamline.Scan s = load(frames, spec, null);
		assertEquals(new Grid(3, 3, 4), s.data().grid());
		assertEquals("7", s.report().get("scan"));
		assertTrue(Beamlines.select("auto", new Beamline.Request(frames, spec, null, null, null, null, null, null)) instanceof Aps34idc);
		assertTrue(Beamlines.select("auto", new Beamline.Request(spec, null, "7", null, null, null, null, null)) instanceof Aps34idc);
		assertNull(Beamlines.select("auto", new Beamline.Request(frames, null, null, null, null, null, null, null)));
		assertTrue(Beamlines.select("34-ID-C", null) instanceof Aps34idc);
	}

	@Test
	void reportGeometryRoundTripAndBinning() throws IOException {
		final BraggGeometry g = load(spec, null, "7").geometry();
		final Path json = dir.resolve("r_report.json");
		Json.write(json, Map.of("geometry", g.binned(2, 2, 2).toReport()));
		final BraggGeometry back = BraggGeometry.fromReport(json);
		assertEquals(110, back.pixelSizeUm(), 1e-12);
		assertEquals(0.02, back.rockingStepDeg(), 1e-12);
		assertEquals(g.inplaneDeg(), back.inplaneDeg(), 0);
		assertEquals(g.energyKeV(), back.energyKeV(), 0);
		final Path none = Files.writeString(dir.resolve("n_report.json"), "{\"final_chi2\": 0.1}");
		assertMessage(() -> BraggGeometry.fromReport(none), "no 'geometry' block", "n_report.json");
		assertMessage(() -> g.binned(1, 1, 2), "oblong");
	}

	@Test
	void aMissingScanNamesTheRange() {
		assertMessage(() -> load(spec, null, "99"), "Scan 99 is not in", "test.spec", "2 scans, numbered 1 to 7");
		assertMessage(() -> load(spec, null, null), "scan=", "numbered 1 to 7");
		assertMessage(() -> load(spec, null, "seven"), "scan='seven'", "whole number");
	}

	@Test
	void missingFramesSayWhereTheyWereLookedFor() {
		assertMessage(() -> load(spec, null, "1"), "No frames folder for scan 1", "'*_S0001'", dir.toAbsolutePath().toString(), "input=<folder> with spec=");
	}

	@Test
	void aFrameCountOrSizeMismatchIsNamed() throws IOException {
		Files.writeString(spec, specText("0 5 0 5"));
		assertMessage(() -> load(spec, null, "7"), "frames of scan 7", "3x4 pixels", "none has that size", "roi=");
		Files.writeString(spec, specText("2 4 1 3"));
		Files.delete(frames.resolve("test_S0007_00002.tif"));
		assertMessage(() -> load(spec, null, "7"), "holds 2 frames", "recorded 3 points");
	}

	@Test
	void genericRegionOfInterestCutsDarkAndFlatForAnyFramesFolder() {
		final ImportOptions o = ImportOptions.defaults().withDarkField(dir.resolve("dark.tif")).withWhiteField(dir.resolve("whitefield.tif"));
		assertMessage(() -> DiffractionReader.read(frames, o), "dark.tif", "6x8", "3x4", "roi=minX,sizeX,minY,sizeY");
		final Diffraction d = DiffractionReader.read(frames, o.withRoi(REGION));
		assertEquals(new Grid(3, 3, 4), d.grid());
		assertTrue(d.mask.isUnmeasured(d.grid().index(0, 1, 1)));
		// full-detector frames are cropped to the region
		final Path full = dir.resolve("full.tif");
		final float[] f = new float[ROWS * COLS];
		for (int i = 0; i < f.length; i++) f[i] = i;
		tiff(full, ROWS, COLS, f);
		final Diffraction c = DiffractionReader.read(full, ImportOptions.defaults().withRoi(REGION));
		assertEquals(Grid.of2D(3, 4), c.grid());
		assertEquals(1 * COLS + 2, c.values.get(0, 0, 0), 0);
		assertEquals(3 * COLS + 5, c.values.get(0, 2, 3), 0);
		assertMessage(() -> DiffractionReader.read(full, ImportOptions.defaults().withRoi(new DetectorRegion(6, 4, 0, 2))), "roi=6,4,0,2", "6x8");
		assertMessage(() -> DetectorRegion.parse("1,2,3", "roi"), "roi='1,2,3'", "minX,sizeX,minY,sizeY");
	}

	@Test
	void repeatedScanNumbersNeedAnOccurrence() throws IOException {
		final String twice = specText("2 4 1 3") + "\n" + specText("2 4 1 3").replace("#S 1  ", "#S 3  ");
		final Path p = Files.writeString(dir.resolve("twice.spec"), twice);
		final SpecFile f = SpecFile.read(p);
		assertEquals(4, f.scans().size());
		assertMessage(() -> f.scan("7"), "holds scan 7 2 times", "7.1 at line", "7.2 at line");
		assertEquals(2, f.scan("7.2").occurrence());
		assertFalse(f.scan("7.2").line() == f.scan("7.1").line());
		assertEquals(32.174, f.scan("7.2").motor("del"), 0);
	}

	static void assertMessage(final org.junit.jupiter.api.function.Executable e, final String... fragments) {
		final CdiException x = assertThrows(CdiException.class, e);
		for (final String f : fragments) assertTrue(x.getMessage().contains(f), () -> "message lacks '" + f + "': " + x.getMessage());
	}
}
