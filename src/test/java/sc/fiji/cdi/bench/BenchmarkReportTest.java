package sc.fiji.cdi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** docs/benchmarks.md is rendered from the JSON lines of one run: rounds, the C floor and the goal verdicts. */
class BenchmarkReportTest {

	private static final List<String> RUN = List.of(
		"{\"run\":\"r\",\"op\":\"run\",\"cpu\":\"test cpu\",\"cores\":2,\"java\":\"17\",\"threads\":2,\"gpu\":\"none\"}",
		"{\"run\":\"r\",\"op\":\"hio\",\"backend\":\"c-fftw\",\"n\":128,\"ms_median\":20.0,\"plan\":\"measure\",\"plan_ms\":3000}",
		"{\"run\":\"r\",\"op\":\"hio\",\"backend\":\"fftw\",\"n\":128,\"ms_median\":16.0,\"open_ms\":900}",
		// a second round: the machine was quieter for C, noisier for Java; a third line without a time
		"{\"run\":\"r\",\"op\":\"hio\",\"backend\":\"c-fftw\",\"n\":128,\"ms_median\":14.0,\"plan\":\"measure\",\"plan_ms\":2900}",
		"{\"run\":\"r\",\"op\":\"hio\",\"backend\":\"fftw\",\"n\":128,\"ms_median\":25.0,\"open_ms\":10}",
		"{\"run\":\"r\",\"op\":\"hio\",\"backend\":\"fftw\",\"n\":128}",
		"{\"run\":\"r\",\"op\":\"hio\",\"backend\":\"c-fftw\",\"n\":256,\"ms_median\":100.0}",
		"{\"run\":\"r\",\"op\":\"hio\",\"backend\":\"fftw\",\"n\":256,\"ms_median\":200.0}",
		"{\"run\":\"r\",\"op\":\"end_to_end\",\"backend\":\"fftw\",\"grid\":\"216x256x256\",\"threads\":2,\"recipe\":\"3*(20*ER+180*HIO)+20*ER\",\"iterations\":620,"
			+ "\"seconds\":120.0,\"ms_per_iteration\":190,\"final_chi2\":2e-5,\"amplitude_correlation\":0.998,\"phase_rms_rad\":0.05}",
		"{\"run\":\"r\",\"op\":\"iteration_shrinkwrap\",\"backend\":\"c-fftw\",\"grid\":\"216x256x256\",\"threads\":2,\"ms_median\":160.0,\"seconds_620\":99.2}");

	@Test
	void roundsKeepTheLowestMedianAndTheGoalsAreJudgedOnThem() {
		final BenchmarkReport r = new BenchmarkReport(RUN);
		assertEquals(14.0, r.ms("hio", "c-fftw", 128), 0);
		assertEquals(16.0, r.ms("hio", "fftw", 128), 0, "the lowest median; a line without a time is ignored");
		assertTrue(Double.isNaN(r.ms("hio", "fftw", 64)), "not measured");
		final String md = r.render("plot.png");
		assertTrue(md.contains("Java + FFTW 16.0 ms vs C + FFTW 14.0 ms = 1.14× (goal ≤ 1.5×): **met**"), md);
		assertTrue(md.contains("Java + FFTW 200 ms vs C + FFTW 100 ms = 2.00× (goal ≤ 1.5×): **not met**"), md);
		assertTrue(md.contains("120 s (goal ≤ 150 s): **met**; C + FFTW needs 99.2 s for the same 620 iterations here (1.21× of it)"), md);
		assertTrue(md.contains("| 128 | fftw | 900 |"), "the set-up table shows the first round (planning), not the wisdom-reusing second");
	}
}
