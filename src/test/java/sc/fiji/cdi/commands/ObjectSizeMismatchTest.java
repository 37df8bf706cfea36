package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.testutil.HeadlessRun;

/** An amplitude and a phase of different sizes are named by file, not only by size. */
class ObjectSizeMismatchTest {

	@Test
	void thePhaseFileOfAnotherSizeIsNamed(@TempDir final Path tmp) {
		final Grid a = Grid.cube(16), p = new Grid(8, 16, 16);
		final float[] amp = new float[a.size()];
		java.util.Arrays.fill(amp, 1);
		final Path af = tmp.resolve("x_amplitude.tif"), pf = tmp.resolve("other_phase.tif");
		TiffWriter.write(af, new RealVolume(a, amp));
		TiffWriter.write(pf, new RealVolume(p, new float[p.size()]));
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Strain", "amplitude_file=\"" + af + "\",phase_file=\"" + pf + "\",voxel_size=\"10\"");
		assertEquals(1, r.code, r.err);
		assertTrue(r.err.contains("Parameter 'phase_file': " + pf) && r.err.contains("8x16x16") && r.err.contains(af.toString()), r.err);
	}
}
