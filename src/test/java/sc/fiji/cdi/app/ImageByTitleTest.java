package sc.fiji.cdi.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.testutil.HeadlessRun;

/** --run naming an image that is not open says so, as the macro path does (it was "grid dimensions must be >= 1"). */
class ImageByTitleTest {

	@Test
	void anImageThatIsNotOpenIsNamed() {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Phase Retrieval", "diffraction=\"x\"");
		assertEquals(2, r.code, r.err);
		assertTrue(r.err.contains("diffraction=[x] names no open image; open images: none"), r.err);
	}
}
