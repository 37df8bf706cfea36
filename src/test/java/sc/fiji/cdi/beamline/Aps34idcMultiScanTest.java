package sc.fiji.cdi.beamline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.cdi.beamline.Aps34idcTest.assertMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.testutil.SharedData;
import sc.fiji.cdi.util.CdiException;

/**
 * Several APS 34-ID-C scans of one rocking curve combined as cohere combines them ({@code scan=11-13}): one Bragg
 * peak measured as Poisson counts, split photon by photon between three scans, each scan's frames displaced by a
 * known whole-pixel shift (the sample drifted between scans). Imported with a range, the scans are aligned to the
 * lowest-numbered one by the cross-correlation peak, the shifts come back, and the sum is the aligned sum: where every
 * scan measured a pixel, the counts of the original pattern exactly.
 */
class Aps34idcMultiScanTest {

	@TempDir
	Path dir;

	static final int NZ = 16, NY = 32, NX = 32, MARGIN = 4;
	/** The displacement of each scan's frames: aligning scan k moves its pixel n to n + SHIFT[k]. */
	static final int[][] SHIFT = { { 0, 0, 0 }, { 1, -2, 3 }, { -2, 1, -1 } };
	static final int[] SCANS = { 11, 12, 13 };
	/** The hot pixel of the dark field (row, column): a bad pixel in every frame of every scan. */
	static final int HOT_Y = 5, HOT_X = 6;

	/** One scan's SPEC lines: {@code ascan <motor> start end intervals 0.25}, its positions, region and energy. */
	static String scanText(final int number, final String motor, final double start, final double step, final int points, final int ny, final int nx, final double energy) {
		final StringBuilder b = new StringBuilder();
		b.append("#S ").append(number).append("  ascan  ").append(motor).append(' ').append(start).append(' ').append(start + step * (points - 1)).append("  ").append(points - 1).append(" 0.25\n");
		b.append("#D Tue Feb 04 12:28:23 2020\n");
		b.append("#P0 32.174 0.2200042 90 -5 0 12.6346 10.214 -0.0335\n");
		b.append("#P1 500 ").append(energy).append('\n');
		b.append("#UIMDET 34idcTIM2:\n");
		b.append("#Readout 0 ").append(nx).append(" 0 ").append(ny).append('\n');
		b.append("#UIMR5  0 ").append(nx).append(" 0 ").append(ny).append(" 1\n");
		b.append("#N 3\n#L ").append(motor.equals("th") ? "Theta" : Character.toUpperCase(motor.charAt(0)) + motor.substring(1)).append("  pm detector  Monitor\n");
		for (int i = 0; i < points; i++) b.append(start + step * i).append(" 2 1000\n");
		return b.append('\n').toString();
	}

	static String header() {
		return String.join("\n", "#F /data/2020/test.spec", "#E 1580609738", "#D Sat Feb 01 20:15:38 2020", "",
			"#O0 Delta  Theta  Chi  Phi  Mu  Gamma  z-sample  rbverpos", "#O1 camdist  Energy", "#o0 del th chi phi mu gam z vp", "#o1 cam en", "") + "\n";
	}

	static void frames(final Path root, final int scan, final float[][] stack, final int ny, final int nx) throws IOException {
		final Path f = Files.createDirectories(root.resolve("AD34idcTIM2_test").resolve(String.format("test_S%04d", scan)));
		for (int z = 0; z < stack.length; z++) TiffWriter.write(f.resolve(String.format("test_S%04d_%05d.tif", scan, z)), new RealVolume(Grid.of2D(ny, nx), stack[z]));
	}

	/** The pattern's photon counts on a box larger by MARGIN on every side, and their split between the scans. */
	static final class Measurement {
		final int bz = NZ + 2 * MARGIN, by = NY + 2 * MARGIN, bx = NX + 2 * MARGIN;
		final int[] counts = new int[bz * by * bx];
		final int[][] parts = new int[SCANS.length][bz * by * bx];

		Measurement(final long seed) {
			final Random rnd = new Random(seed);
			final double[] weight = { 0.5, 0.3, 0.2 };
			for (int z = 0; z < bz; z++)
				for (int y = 0; y < by; y++)
					for (int x = 0; x < bx; x++) {
						final double dz = z - MARGIN - 7.3, dy = y - MARGIN - 14.6, dx = x - MARGIN - 17.2;
						// an asymmetric Bragg peak with a streak, on a weak background
						final double lambda = 3000 * Math.exp(-dz * dz / 8 - dy * dy / 18 - dx * dx / 12) + 300 * Math.exp(-dz * dz / 4 - (dy - dx) * (dy - dx) / 3 - (dy + dx) * (dy + dx) / 200) + 0.3;
						final int i = (z * by + y) * bx + x, n = poisson(rnd, lambda);
						counts[i] = n;
						for (int p = 0; p < n; p++) {
							final double u = rnd.nextDouble();
							parts[u < weight[0] ? 0 : u < weight[0] + weight[1] ? 1 : 2][i]++;
						}
					}
		}

		/** Scan k's frames: its part seen displaced, pixel n holding the part's counts at n + SHIFT[k]. */
		float[][] stack(final int k) {
			final float[][] s = new float[NZ][NY * NX];
			for (int z = 0; z < NZ; z++)
				for (int y = 0; y < NY; y++)
					for (int x = 0; x < NX; x++)
						s[z][y * NX + x] = parts[k][((z + SHIFT[k][0] + MARGIN) * by + y + SHIFT[k][1] + MARGIN) * bx + x + SHIFT[k][2] + MARGIN];
			return s;
		}

		int count(final int z, final int y, final int x) { return counts[((z + MARGIN) * by + y + MARGIN) * bx + x + MARGIN]; }
	}

	static int poisson(final Random rnd, final double lambda) {
		if (lambda > 50) return Math.max(0, (int) Math.round(lambda + Math.sqrt(lambda) * rnd.nextGaussian()));
		final double l = Math.exp(-lambda);
		int k = 0;
		for (double p = rnd.nextDouble(); p > l; p *= rnd.nextDouble()) k++;
		return k;
	}

	/** Scans 11–13 of one curve (16 frames of 32x32, theta step 0.005°, 9 keV), a dark field with one hot pixel. */
	Path layout(final Measurement m, final String extraScans) throws IOException {
		final StringBuilder spec = new StringBuilder(header());
		for (int k = 0; k < SCANS.length; k++) {
			spec.append(scanText(SCANS[k], "th", 0.18, 0.005, NZ, NY, NX, 9));
			frames(dir, SCANS[k], m.stack(k), NY, NX);
		}
		spec.append(extraScans);
		final float[] dark = new float[NY * NX];
		dark[HOT_Y * NX + HOT_X] = 5;
		Aps34idcTest.tiff(dir.resolve("dark.tif"), NY, NX, dark);
		return Files.writeString(dir.resolve("test.spec"), spec.toString());
	}

	static Beamline.Scan load(final Path input, final Path spec, final String scan) {
		return new Aps34idc().load(new Beamline.Request(input, spec, scan, null, null, null, null, Quantity.INTENSITY));
	}

	@Test
	void threeScansAreAlignedByTheCorrelationPeakAndSummed() throws IOException {
		final Measurement m = new Measurement(54);
		final Path spec = layout(m, "");
		final Beamline.Scan c = load(spec, null, "11-13");
		assertEquals("scan11-13", c.name());
		assertEquals("11-13", c.report().get("scan"));
		final Diffraction d = c.data();
		assertEquals(new Grid(NZ, NY, NX), d.grid());

		// the shifts come back, each scan's listed with its correlation error
		@SuppressWarnings("unchecked")
		final List<Map<String, Object>> listed = (List<Map<String, Object>>) c.report().get("scans");
		assertEquals(3, listed.size());
		for (int k = 0; k < 3; k++) {
			assertEquals(Integer.toString(SCANS[k]), listed.get(k).get("scan"));
			assertArrayEquals(SHIFT[k], (int[]) listed.get(k).get("shift_zyx"), "shift of scan " + SCANS[k]);
			if (k > 0) assertTrue((Double) listed.get(k).get("correlation_error") < 0.2, () -> "correlation error " + listed);
		}
		assertEquals(Boolean.TRUE, listed.get(0).get("reference"));
		final var step = d.log.steps().get(d.log.steps().size() - 1);
		assertEquals("Combine scans", step.name());
		assertEquals("11", step.parameters().get("reference"));

		// the aligned sum of the scans as each imports alone: a pixel is measured where every scan measured it after its shift
		final Diffraction[] alone = new Diffraction[3];
		for (int k = 0; k < 3; k++) alone[k] = load(spec, null, Integer.toString(SCANS[k])).data();
		int unmeasured = 0, compared = 0;
		for (int z = 0; z < NZ; z++)
			for (int y = 0; y < NY; y++)
				for (int x = 0; x < NX; x++) {
					final int t = d.grid().index(z, y, x);
					float expected = 0;
					boolean measured = true;
					for (int k = 0; k < 3; k++) {
						final int sz = z - SHIFT[k][0], sy = y - SHIFT[k][1], sx = x - SHIFT[k][2];
						if (sz < 0 || sz >= NZ || sy < 0 || sy >= NY || sx < 0 || sx >= NX) { measured = false; continue; }
						final int i = d.grid().index(sz, sy, sx);
						if (alone[k].isMeasured(i)) expected += alone[k].values.data[i];
						else measured = false;
					}
					assertEquals(measured, d.isMeasured(t), "measured at " + z + "," + y + "," + x);
					if (!measured) {
						unmeasured++;
						assertEquals(0f, d.values.data[t]);
						continue;
					}
					assertEquals(expected, d.values.data[t], 0, "aligned sum at " + z + "," + y + "," + x);
					// and it is the pattern's counts: the three Poisson parts add back up
					assertEquals(m.count(z, y, x), d.values.data[t], 0);
					compared++;
				}
		assertEquals(unmeasured, d.unmeasuredCount());
		assertTrue(compared > 0.6 * d.grid().size(), "most pixels are measured by all three scans: " + compared);
		// the hot pixel, wherever each scan's shift put it, is unmeasured in the sum
		for (int k = 0; k < 3; k++) {
			final int y = HOT_Y + SHIFT[k][1], x = HOT_X + SHIFT[k][2];
			for (int z = Math.max(0, SHIFT[k][0]); z < Math.min(NZ, NZ + SHIFT[k][0]); z++) assertFalse(d.isMeasured(d.grid().index(z, y, x)));
		}
		// geometry and rules of the first scan
		assertEquals(0.005, c.geometry().rockingStepDeg(), 1e-12);
		assertTrue(c.rules().badPixelsAsZero());
	}

	/** Through the command line as a user types it: the result set is named after the list, its report lists each scan's shift. */
	@Test
	void importDiffractionTakesAScanListAndReportsTheShifts() throws IOException {
		final Path spec = layout(new Measurement(11), "");
		final Path out = dir.resolve("imported");
		final var r = sc.fiji.cdi.testutil.HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + spec + "\",scan=\"11, 13\",output_dir=\"" + out + "\"");
		assertEquals(0, r.code, r.err);
		assertTrue(Files.isRegularFile(out.resolve("scan11_13_diffraction.tif")), () -> "files: " + java.util.Arrays.toString(out.toFile().list()));
		final String report = Files.readString(out.resolve("scan11_13_import_report.json"));
		for (final String s : new String[] { "\"Combine scans\"", "\"scans\"", "\"shift_zyx\"", "\"correlation_error\"", "\"scan\": \"11,13\"" })
			assertTrue(report.contains(s), () -> "report lacks " + s + ": " + report);
		// and the log says it too, shifts included
		final String logged = r.out + r.err;
		assertTrue(logged.contains("2 scans summed after aligning each to scan 11; shifts (z, y, x): 11 [0, 0, 0], 13 ["), logged);
	}

	@Test
	void shiftsOfTheCorrelationPeakAreWholePixelsInCoheresLagRange() {
		// a single bright pixel moved by (2, -3, 5): the peak of the cross-correlation is that shift
		final Grid g = new Grid(7, 9, 12);
		final float[] a = new float[g.size()], b = new float[g.size()];
		a[g.index(4, 3, 8)] = 10;
		a[g.index(1, 1, 1)] = 1;
		b[g.index(2, 6, 3)] = 5;
		b[g.index(6, 8, 8)] = 0.5f; // (1,1,1) moved by (-5, -7, -7): outside the lag range, so it does not count
		final Diffraction ref = new Diffraction(new RealVolume(g, a), Quantity.INTENSITY, null, null, "ref");
		final Diffraction scan = new Diffraction(new RealVolume(g, b), Quantity.INTENSITY, null, null, "scan");
		final double[] err = new double[1];
		assertArrayEquals(new int[] { 2, -3, 5 }, Aps34idc.peakShift(ref, scan, err));
		assertTrue(err[0] > 0 && err[0] < 0.2, "correlation error " + err[0]);
		assertEquals(new Grid(10, 15, 18), Aps34idc.correlationGrid(g, "ref"));
	}

	/** Scans too large to align (the padded correlation over the largest array) are refused by name, not by an internal error. */
	@Test
	void scansTooLargeToCorrelateAreRefusedNamingTheFix() {
		assertEquals(new Grid(96, 384, 384), Aps34idc.correlationGrid(new Grid(64, 256, 256), "scan 54"));
		final CdiException e = assertThrows(CdiException.class, () -> Aps34idc.correlationGrid(new Grid(400, 1024, 1024), "scan 54"));
		assertTrue(e.getMessage().contains("scan 54") && e.getMessage().contains("600x1536x1536") && e.getMessage().contains("roi="), e.getMessage());
	}

	@Test
	void aListSkipsRangeScansWithoutFramesButNotScansGivenAlone() throws IOException {
		final Measurement m = new Measurement(7);
		// scan 14 is in the SPEC file but has no frames folder; scan 10 is not in the file
		final Path spec = layout(m, scanText(14, "th", 0.18, 0.005, NZ, NY, NX, 9));
		final Beamline.Scan c = load(spec, null, "11, 13");
		assertEquals("scan11_13", c.name());
		@SuppressWarnings("unchecked")
		final List<Map<String, Object>> listed = (List<Map<String, Object>>) c.report().get("scans");
		assertEquals(List.of("11", "13"), listed.stream().map(e -> e.get("scan")).toList());
		assertArrayEquals(SHIFT[2], (int[]) listed.get(1).get("shift_zyx"));

		final Beamline.Scan r = load(spec, null, "10-12,13-14");
		assertEquals("scan10-12_13-14", r.name());
		assertEquals(Map.of("10", "not in the SPEC file", "14", "no frames folder named after it"), r.report().get("scans_skipped"));
		@SuppressWarnings("unchecked")
		final List<Map<String, Object>> all = (List<Map<String, Object>>) r.report().get("scans");
		assertEquals(3, all.size());
		assertArrayEquals(c.data().grid().zyx(), r.data().grid().zyx());

		assertMessage(() -> load(spec, null, "11, 14"), "No frames folder for scan 14");
		assertMessage(() -> load(spec, null, "11-13, 12"), "names scan 12 twice");
		assertMessage(() -> load(spec, null, "20-25"), "names no scan with frames", "20 not in the SPEC file");
		// a frames folder holds one scan
		assertMessage(() -> load(dir.resolve("AD34idcTIM2_test").resolve("test_S0011"), spec, "11-13"), "names several scans", "input=" + spec);
	}

	@Test
	void aSingleScanIsImportedAsBefore() throws IOException {
		final Path spec = layout(new Measurement(3), "");
		final Beamline.Scan one = load(spec, null, "12");
		assertEquals("scan12", one.name());
		assertEquals("12", one.report().get("scan"));
		assertNull(one.report().get("scans"));
		assertFalse(one.data().log.steps().stream().anyMatch(s -> s.name().equals("Combine scans")));
		// the frames as written, the hot pixel masked
		final float[][] frames = new Measurement(3).stack(1);
		for (int z = 0; z < NZ; z++)
			for (int i = 0; i < NY * NX; i++)
				assertEquals(i == HOT_Y * NX + HOT_X ? 0f : frames[z][i], one.data().values.data[z * NY * NX + i]);
		// a range of one scan: the same data, named after the range
		final Beamline.Scan range = load(spec, null, "12-12");
		assertEquals("scan12-12", range.name());
		assertArrayEquals(one.data().values.data, range.data().values.data);
		assertEquals(one.data().unmeasuredCount(), range.data().unmeasuredCount());
	}

	@Test
	void scansOfAnotherCurveAreRefusedNamingBothAndWhatDiffers() throws IOException {
		final Measurement m = new Measurement(5);
		final String other = scanText(15, "th", 0.18, 0.005, NZ - 4, NY, NX, 9) // fewer frames
			+ scanText(16, "phi", 0.18, 0.005, NZ, NY, NX, 9) // another motor
			+ scanText(17, "th", 0.18, 0.01, NZ, NY, NX, 9) // another step
			+ scanText(18, "th", 0.18, 0.005, NZ, NY, NX, 10) // another energy
			+ scanText(19, "th", 0.18, 0.005, NZ, NY / 2, NX, 9); // smaller frames
		final Path spec = layout(m, other);
		frames(dir, 15, java.util.Arrays.copyOf(m.stack(1), NZ - 4), NY, NX);
		for (final int s : new int[] { 16, 17, 18 }) frames(dir, s, m.stack(2), NY, NX);
		final float[][] half = new float[NZ][];
		for (int z = 0; z < NZ; z++) half[z] = java.util.Arrays.copyOf(m.stack(2)[z], NY / 2 * NX);
		frames(dir, 19, half, NY / 2, NX);
		assertMessage(() -> load(spec, null, "11,15"), "Scan 15 cannot be summed with scan 11 (scan=11,15)", "scan 11 (line", "has 16 frames", "has 12",
			"cohere cannot sum these either", "leave scan 15 out of scan=");
		assertMessage(() -> load(spec, null, "11,16"), "Scan 16 cannot be summed with scan 11", "rocking motor is Theta", "but Phi");
		assertMessage(() -> load(spec, null, "11,17"), "Scan 17 cannot be summed with scan 11", "rocking step is", "more than 1 in 10^4 apart");
		assertMessage(() -> load(spec, null, "11,18"), "Scan 18 cannot be summed with scan 11", "energy is 9.0 keV", "but 10.0 keV");
		assertMessage(() -> load(spec, null, "11, 19"), "Scan 19 cannot be summed with scan 11", "32x32 pixels", "but 16x32");
		// the lowest-numbered scan is the reference whatever the order given
		assertMessage(() -> load(spec, null, "15, 11"), "Scan 15 cannot be summed with scan 11");
	}

	@Test
	void scanListsAreParsedAsCoheresScanParameter() {
		assertEquals(List.of(new SpecFile.ScanItem("54-57", 54, 57, true)), SpecFile.parseScanList("54-57"));
		assertEquals(List.of(new SpecFile.ScanItem("54", 54, 54, false), new SpecFile.ScanItem("56", 56, 56, false)), SpecFile.parseScanList("54,56"));
		assertEquals(List.of(new SpecFile.ScanItem("2-7", 2, 7, true), new SpecFile.ScanItem("10", 10, 10, false), new SpecFile.ScanItem("15", 15, 15, false)),
			SpecFile.parseScanList(" 2 - 7, 10 ,15"));
		assertEquals(List.of(new SpecFile.ScanItem("54.2", 54, 54, false), new SpecFile.ScanItem("55-57", 55, 57, true)), SpecFile.parseScanList("54.2, 55-57"));
		assertTrue(SpecFile.isScanList("54-57") && SpecFile.isScanList("54,56"));
		assertFalse(SpecFile.isScanList("54") || SpecFile.isScanList("54.2") || SpecFile.isScanList(null));
		assertMessage(() -> SpecFile.parseScanList("57-54"), "scan='57-54'", "runs backwards", "(54-57)");
		assertMessage(() -> SpecFile.parseScanList("54-"), "scan='54-'", "has no last scan", "first-last");
		assertMessage(() -> SpecFile.parseScanList("-57"), "has no first scan");
		assertMessage(() -> SpecFile.parseScanList("a-b"), "scan='a-b'", "'a'", "not a scan number");
		assertMessage(() -> SpecFile.parseScanList("54,,56"), "empty item");
		assertMessage(() -> SpecFile.parseScanList("54,"), "empty item");
		assertMessage(() -> SpecFile.parseScanList("54-56-58"), "more than one '-'");
		assertMessage(() -> SpecFile.parseScanList("54.2-57"), "whole scan numbers");
		assertMessage(() -> SpecFile.parseScanList("54, x"), "'x' is not a scan number");
		assertMessage(() -> SpecFile.parseScanList("54-100000"), "spans 99947 scan numbers");
	}

	/** The real scan 54 given as a range of one scan is the single scan, bit for bit (the combination adds nothing). */
	@Test
	@Tag("slow")
	void realScan54AsARangeOfOneIsTheSingleScan() {
		final Path spec = SharedData.require("data/aps-34idc-scan54/example.spec");
		final Beamline.Scan one = load(spec, null, "54"), range = load(spec, null, "54-54");
		assertEquals("scan54", one.name());
		assertArrayEquals(one.data().values.data, range.data().values.data);
		final List<Integer> a = new ArrayList<>(), b = new ArrayList<>();
		for (int i = 0; i < one.data().grid().size(); i++) {
			if (!one.data().isMeasured(i)) a.add(i);
			if (!range.data().isMeasured(i)) b.add(i);
		}
		assertEquals(a, b);
		assertEquals(one.geometry().toString(), range.geometry().toString());
		assertArrayEquals(one.geometry().rockingAxisLab(), range.geometry().rockingAxisLab(), 0);
	}
}
