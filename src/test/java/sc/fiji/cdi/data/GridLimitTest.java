package sc.fiji.cdi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.scijava.plugin.Parameter;

import sc.fiji.cdi.commands.SimulateCrystalCommand;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Orthogonalizer;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;
import sc.fiji.cdi.workflow.Strain;

/** The grid limit, its message and the sizes the commands advertise agree (found by fuzzing). */
class GridLimitTest {

	@Test
	void theLimitLetsTheLargestComplexArrayBeAllocated() {
		// 2·n interleaved floats must fit one Java array, whose largest length on HotSpot is a few short of
		// Integer.MAX_VALUE (new float[Integer.MAX_VALUE - 1] fails with "Requested array size exceeds VM limit")
		assertTrue(2 * Grid.MAX_VOXELS <= Integer.MAX_VALUE - 8, "2 x " + Grid.MAX_VOXELS);
		assertTrue(2 * (Grid.MAX_VOXELS + 1) > Integer.MAX_VALUE - 8, "the limit is the largest such grid");
		assertEquals(1023 * 1023 * 1023, Grid.cube(1023).size());
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Grid.cube(1024));
		assertTrue(e.getMessage().contains("1073741824 voxels") && e.getMessage().contains(Grid.MAX_VOXELS + " (about 2^30)"), e.getMessage());
	}

	@Test
	void simulateAdvertisesOnlySizesTheGridHolds() throws Exception {
		final Parameter p = SimulateCrystalCommand.class.getDeclaredField("size").getAnnotation(Parameter.class);
		final long max = Long.parseLong(p.max());
		assertTrue(max * max * max <= Grid.MAX_VOXELS, "max " + max);
		assertTrue((max + 1) * (max + 1) * (max + 1) > Grid.MAX_VOXELS, "max " + max + " is the largest cube");
	}

	@Test
	void aTooSmallLabVoxelNamesLabVoxelNm() {
		final BraggGeometry geo = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 30.0, 5.0, 0.01);
		final Grid g = Grid.cube(16);
		final float[] amp = new float[g.size()], ph = new float[g.size()];
		for (int z = 6; z < 10; z++) for (int y = 6; y < 10; y++) for (int x = 6; x < 10; x++) amp[g.index(z, y, x)] = 1;
		final ComplexVolume o = ComplexVolume.fromAmplitudePhase(new RealVolume(g, amp), new RealVolume(g, ph));
		final CdiException e = assertThrows(CdiException.class, () -> Strain.run(new Strain.Request("x", o, null, StrainParameters.defaults(), geo, "34-ID-C", 0.001, null, Map.of()),
			Progress.NONE));
		assertTrue(e.getMessage().contains("lab_voxel_nm=0.001") && e.getMessage().contains("512³") && !e.getMessage().contains("Invalid parameter"), e.getMessage());
		assertTrue(e.getCause() instanceof Orthogonalizer.GridTooLargeException);
		// a sensible voxel still works
		assertTrue(Strain.run(new Strain.Request("x", o, null, StrainParameters.defaults(), geo, "34-ID-C", 0, null, Map.of()), Progress.NONE).strain() != null);
	}
}
