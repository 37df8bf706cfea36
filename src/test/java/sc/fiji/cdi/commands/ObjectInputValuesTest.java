package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.strain.StrainAnalysis;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.util.CdiException;

/** Values of the reconstruction inputs that Strain, Export and Show in BigDataViewer share (found by fuzzing). */
class ObjectInputValuesTest {

	private static final double NM = 10;

	@Test
	void voxelSizeMustBePositiveForEveryCommandThatTakesIt() {
		// Export used to accept these and write .vti Spacing 0 or negative
		for (final String bad : new String[] { "0", "-3", "10,0,10", "10,-1,10" }) {
			final CdiException e = assertThrows(CdiException.class, () -> ObjectInputs.voxelSizeNm(bad, null), bad);
			assertTrue(e.getMessage().contains("voxel_size='" + bad + "'") && e.getMessage().contains("positive"), e.getMessage());
		}
		assertArrayEquals(new double[] { 10, 10, 10 }, ObjectInputs.voxelSizeNm("10", null));
		assertArrayEquals(new double[] { 10, 8, 8 }, ObjectInputs.voxelSizeNm("10,8,8", null));
		// the strain parameters run the same check
		assertThrows(CdiException.class, () -> StrainParameters.defaults().withVoxelSize(0, 1, 1));
	}

	private static RealVolume volume(final float fill, final int nanAt) {
		final Grid g = Grid.cube(8);
		final float[] d = new float[g.size()];
		java.util.Arrays.fill(d, fill);
		if (nanAt >= 0) d[nanAt] = Float.NaN;
		return new RealVolume(g, d, new double[] { NM, NM, NM }, "nm");
	}

	@Test
	void aNaNInThePhaseOrAmplitudeFileIsNamedWithCountAndPosition(@TempDir final Path tmp) throws Exception {
		final Grid g = Grid.cube(8);
		final Path a = tmp.resolve("A.tif"), p = tmp.resolve("Pnan.tif"), anan = tmp.resolve("Anan.tif"), pok = tmp.resolve("P.tif");
		TiffWriter.write(a, volume(1, -1));
		TiffWriter.write(pok, volume(0.5f, -1));
		TiffWriter.write(p, volume(0.5f, g.index(4, 3, 2)));
		TiffWriter.write(anan, volume(1, g.index(1, 2, 3)));
		CdiException e = assertThrows(CdiException.class, () -> ObjectInputs.load(a.toFile(), p.toFile(), null, null, null));
		assertTrue(e.getMessage().contains("phase_file") && e.getMessage().contains("Pnan.tif") && e.getMessage().contains("1 NaN")
			&& e.getMessage().contains("(z=4, y=3, x=2)"), e.getMessage());
		e = assertThrows(CdiException.class, () -> ObjectInputs.load(anan.toFile(), pok.toFile(), null, null, null));
		assertTrue(e.getMessage().contains("amplitude_file") && e.getMessage().contains("Anan.tif") && e.getMessage().contains("(z=1, y=2, x=3)"), e.getMessage());
		// finite inputs still load
		assertTrue(ObjectInputs.load(a.toFile(), pok.toFile(), null, null, null).amplitude().grid.equals(g));
		// a NaN phase where the amplitude is 0 (outside the crystal, as exported phase maps often have) is set to 0
		final float[] outside = volume(1, -1).data.clone();
		outside[g.index(4, 3, 2)] = 0;
		final Path aHole = tmp.resolve("Ahole.tif");
		TiffWriter.write(aHole, volume(1, -1).with(outside));
		final var loaded = ObjectInputs.load(aHole.toFile(), p.toFile(), null, null, null);
		assertEquals(0f, loaded.phase().data[g.index(4, 3, 2)]);
		assertEquals(0.5f, loaded.phase().data[g.index(4, 3, 3)]);
	}

	@Test
	void theStrainAnalysisNamesANaNInsteadOfAnEmptySupport() {
		final Grid g = Grid.cube(8);
		final ComplexVolume o = ComplexVolume.fromAmplitudePhase(volume(1, -1), volume(0.5f, g.index(2, 2, 2)));
		final CdiException e = assertThrows(CdiException.class, () -> StrainAnalysis.analyse(o, null, StrainParameters.defaults().withVoxelSize(NM, NM, NM)));
		assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("(z=2, y=2, x=2)") && !e.getMessage().contains("support is empty"), e.getMessage());
	}
}
