package sc.fiji.cdi.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ProgressPartTest {

	@Test
	void aPartMapsItsOwnTotalOntoItsSpanAndPrefixesItsStatus() {
		final List<String> lines = new ArrayList<>();
		final List<long[]> steps = new ArrayList<>();
		final boolean[] cancel = { false };
		final Progress whole = new Progress() {
			@Override public void status(final String m) { lines.add(m); }
			@Override public void progress(final long done, final long total) { steps.add(new long[] { done, total }); }
			@Override public boolean isCancelled() { return cancel[0]; }
		};
		// a part of 200 units starting at 600 of 1000, reporting against its own total of 50
		final Progress part = whole.part("branch 2/3: ", 600, 200, 1000);
		part.status("ER 10/50");
		part.progress(0, 50);
		part.progress(25, 50);
		part.progress(50, 50);
		assertEquals(List.of("branch 2/3: ER 10/50"), lines);
		assertEquals(List.of(600L, 700L, 800L), steps.stream().map(s -> s[0]).toList());
		steps.forEach(s -> assertEquals(1000, s[1]));
		cancel[0] = true;
		assertThrows(CancelledException.class, part::checkCancelled);
	}

	@Test
	void forwardOnlyNeverReportsBackwards() {
		final java.util.List<Long> seen = new java.util.ArrayList<>();
		final Progress p = new Progress() {
			@Override public void status(final String m) {}
			@Override public void progress(final long done, final long total) { seen.add(done); }
			@Override public boolean isCancelled() { return false; }
		}.forwardOnly();
		for (final long d : new long[] { 1, 5, 9, 2, 6, 10 }) p.progress(d, 10); // a second try from the start
		org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(1L, 5L, 9L, 10L), seen);
	}
}
