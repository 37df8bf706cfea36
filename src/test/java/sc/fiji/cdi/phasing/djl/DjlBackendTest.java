package sc.fiji.cdi.phasing.djl;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.PhasingBackend;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.fftw.FftwEquivalenceTest;

/** The DJL (PyTorch, CPU) backend runs the shared recipe to the JTransforms result from the same seed. */
class DjlBackendTest {

	@Test
	void everyOperationMatchesJTransformsToFloatRounding() {
		final DjlBackend djl = new DjlBackend("cpu", 2);
		assertEquals("djl-cpu", djl.name());
		FftwEquivalenceTest.assertLockstep(new JTransformsBackend(2), djl, 1e-5);
	}

	@Test
	void sameSeedSameResultAsJTransforms() {
		final PhasingResult ref = FftwEquivalenceTest.run(new JTransformsBackend(2));
		final PhasingResult r = FftwEquivalenceTest.run(new DjlBackend("cpu", 2));
		assertEquals("djl-cpu", r.backend());
		FftwEquivalenceTest.assertSameReconstruction(ref, r, 1e-3);
	}

	@Test
	void aClosedSessionRefusesWork() {
		final PhasingBackend.Session s = new DjlBackend("cpu", 1).open(FftwEquivalenceTest.GRID, new float[FftwEquivalenceTest.GRID.size()], null,
			new float[2 * FftwEquivalenceTest.GRID.size()], new boolean[FftwEquivalenceTest.GRID.size()]);
		assertThrows(IllegalStateException.class, s::er); // no projection yet
		s.close();
		assertThrows(IllegalStateException.class, s::readObject);
		assertThrows(IllegalStateException.class, s::projectModulus);
	}
}
