package sc.fiji.cdi.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.util.Progress;

/**
 * The files a strain run writes are exactly {@link Strain#fileNames}: the list the check against replacing an input
 * ({@link sc.fiji.cdi.pipeline.ResultWriter#checkNotReplaced}) relies on cannot fall behind what is written.
 */
class StrainFilesTest {

	@Test
	void aStrainRunWritesExactlyTheFilesItNames(@TempDir final Path tmp) throws Exception {
		final Grid g = Grid.cube(16);
		final float[] c = new float[2 * g.size()];
		for (int z = 4; z < 12; z++) for (int y = 4; y < 12; y++) for (int x = 4; x < 12; x++) {
			final int i = g.index(z, y, x);
			c[2 * i] = (float) Math.cos(0.05 * x);
			c[2 * i + 1] = (float) Math.sin(0.05 * x);
		}
		final Path out = tmp.resolve("out");
		final Strain.Result r = Strain.run(new Strain.Request("cube", new ComplexVolume(g, c), null, StrainParameters.defaults().withVoxelSize(10, 10, 10), null, null, 0, out, Map.of()),
			Progress.NONE);
		try (Stream<Path> s = Files.list(out)) {
			assertEquals(Strain.fileNames("cube").stream().sorted().toList(), s.map(p -> p.getFileName().toString()).sorted().toList());
		}
		assertEquals(Strain.fileNames("cube").size() - 1, r.files().size(), "every file but the manifest is returned: " + r.files());
	}
}
