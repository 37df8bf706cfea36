package sc.fiji.cdi.simulate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ij.ImagePlus;
import ij.io.Opener;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.simulate.SampleStacks.Example;

class SampleStacksTest {

	private static float[] readStack(final Path p, final Grid g) {
		final ImagePlus imp = new Opener().openImage(p.toString());
		assertEquals(g.nx, imp.getWidth()); assertEquals(g.ny, imp.getHeight()); assertEquals(g.nz, imp.getStackSize());
		assertEquals(ImagePlus.GRAY32, imp.getType());
		final float[] out = new float[g.size()];
		for (int z = 0; z < g.nz; z++) System.arraycopy((float[]) imp.getStack().getPixels(z + 1), 0, out, z * g.ny * g.nx, g.ny * g.nx);
		return out;
	}

	@Test
	void writesFloatStacksThatReadBackExactlyWithASidecar(@TempDir final Path dir) throws Exception {
		final Grid g = new Grid(20, 24, 28);
		final Example e = new Example("small", g, SimulationParameters.defaults().withPhotons(1e6), 8, null);
		SampleStacks.write(dir, e);
		final SimulatedCrystal c = CrystalSimulator.simulate(g, e.parameters(), e.seed());
		assertArrayEquals(c.diffraction().values.data, readStack(dir.resolve("small_diffraction.tif"), g));
		assertArrayEquals(c.amplitude().data, readStack(dir.resolve("small_amplitude.tif"), g));
		assertArrayEquals(c.phase().data, readStack(dir.resolve("small_phase.tif"), g));
		final JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("small.json"))).getAsJsonObject();
		assertEquals(8, json.get("seed").getAsLong());
		assertEquals(1e6, json.getAsJsonObject("parameters").get("photons").getAsDouble());
		try (var files = Files.list(dir)) { assertFalse(files.anyMatch(f -> f.toString().endsWith(".part")), "no temporary files left"); }
	}

	@Test
	void twoDimensionalExampleIsASingleFloatPlane(@TempDir final Path dir) {
		final Grid g = Grid.of2D(32, 40);
		SampleStacks.write(dir, new Example("flat", g, SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 1, null));
		final float[] d = readStack(dir.resolve("flat_diffraction.tif"), g);
		float max = 0;
		for (final float v : d) max = Math.max(max, v);
		assertTrue(max > 0);
	}
}
