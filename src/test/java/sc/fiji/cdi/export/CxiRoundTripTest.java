package sc.fiji.cdi.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;

/** A CXI file written by {@link CxiWriter} is read back by the project's importer with identical diffraction values. */
class CxiRoundTripTest {

	@Test
	void theImporterReadsTheWrittenDiffractionBitForBit(@TempDir final Path tmp) {
		final Grid g = new Grid(12, 10, 14); // not a cube: catches any axis swap
		final Random r = new Random(3);
		final float[] intensity = new float[g.size()];
		for (int i = 0; i < intensity.length; i++) intensity[i] = (float) (1e4 * r.nextDouble() * r.nextDouble());
		final boolean[] bad = new boolean[g.size()];
		for (int i = 0; i < bad.length; i += 37) bad[i] = true;
		final Diffraction d = new Diffraction(new RealVolume(g, intensity), Quantity.INTENSITY, Mask.fromUnmeasured(g, bad), new ProcessingLog(), "test");
		final float[] obj = new float[2 * g.size()];
		for (int i = 0; i < obj.length; i++) obj[i] = (float) r.nextGaussian();
		final Path f = tmp.resolve("recon.cxi");
		CxiWriter.write(f, new ComplexVolume(g, obj, new double[] { 5, 6, 7 }, "nm"), null, d, null, Map.of("recipe", "20*ER"));

		final Diffraction back = DiffractionReader.read(f, ImportOptions.defaults());
		assertEquals(g, back.grid());
		assertEquals(Quantity.INTENSITY, back.quantity);
		// the CXI mask (1 = bad) comes back as the importer's mask; measured pixels are identical
		assertArrayEquals(bad, back.mask.toArray());
		for (int i = 0; i < intensity.length; i++) if (!bad[i]) assertEquals(intensity[i], back.values.data[i], 0f, "pixel " + i);
		// and the object through the writer's own reader
		assertArrayEquals(obj, CxiWriter.readObject(f).data, 0f);
	}
}
