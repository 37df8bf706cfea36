package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The headless progress line: its ETA follows the step that reports, not the time of the steps before it. */
class StatusProgressTest {

	private static final long S = 1_000_000_000L;

	@Test
	void aSilentNetworkStepBeforeTheIterationsGivesNoAbsurdEta() {
		final long[] now = { 0 };
		final StatusProgress p = new StatusProgress(null, true, () -> now[0]);
		final PrintStream err = System.err;
		final ByteArrayOutputStream buf = new ByteArrayOutputStream();
		System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
		try {
			// preprocessing in 0.4 s, then 9 s of network prediction that reports nothing, then 380 iterations at 100 per s
			for (int k = 1; k <= 4; k++) { now[0] = k * S / 10; p.status("Preprocessing " + k); p.progress(k, 4); }
			now[0] = 94 * S / 10;
			p.status("Network prediction: do not use this prediction without refinement");
			for (int it = 1; it <= 380; it++) {
				now[0] = 94 * S / 10 + it * S / 100;
				p.status("ER " + it + "/380");
				p.progress(it, 380);
			}
		} finally {
			System.setErr(err);
		}
		final List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
		// the first line of the iterations has its own status and no ETA yet (no rate measured)
		final String first = lines.stream().filter(l -> l.contains("ER 1/380")).findFirst().orElseThrow(() -> new AssertionError(lines.toString()));
		assertFalse(first.contains("ETA"), first);
		// every ETA is at most the 3.8 s the iterations take (the old rate over all 9.4 s elapsed gave ~3,500 s)
		final Pattern eta = Pattern.compile("ETA ([0-9.]+) s");
		int etas = 0;
		for (final String l : lines) {
			final Matcher m = eta.matcher(l);
			if (m.find()) { etas++; assertTrue(Double.parseDouble(m.group(1)) <= 3.8, l); }
			assertFalse(l.contains("NaN"), l);
		}
		assertTrue(etas >= 3, lines.toString());
		assertTrue(lines.get(lines.size() - 1).startsWith("[100%] ER 380/380"), lines.toString());
		assertEquals(1, lines.stream().filter(l -> l.startsWith("[100%] ER")).count(), lines.toString());
	}
}
