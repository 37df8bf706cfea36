package sc.fiji.cdi.phasing;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.fftw.FftwBackend;
import sc.fiji.cdi.util.CdiException;

class BackendsTest {

	private static final Grid G = Grid.cube(16);

	@Test
	void autoPicksFftwOnACpuOnlyMachine() {
		// this build has DJL's CPU natives only: no GPU, so the documented CPU rule applies
		final PhasingBackend b = Backends.select("auto", G, 2);
		assertEquals("fftw", b.name());
		assertEquals(2, ((FftwBackend) b).threads());
		assertEquals("fftw", Backends.select(null, G, 1).name());
		assertEquals("fftw", Backends.select("  AUTO ", Grid.of2D(32, 32), 1).name());
	}

	@Test
	void explicitChoicesAreHonoured() {
		assertEquals("jtransforms", Backends.select("JTransforms", G, 1).name());
		assertEquals("fftw", Backends.select("fftw", G, 1).name());
		assertEquals("djl-cpu", Backends.select("djl", G, 1).name());
	}

	@Test
	void impossibleChoicesSayWhy() {
		final CdiException gpu = assertThrows(CdiException.class, () -> Backends.select("djl-gpu", G, 1));
		assertTrue(gpu.getMessage().contains("GPU"), gpu.getMessage());
		final CdiException unknown = assertThrows(CdiException.class, () -> Backends.select("cuda", G, 1));
		assertTrue(unknown.getMessage().contains("'cuda'") && unknown.getMessage().contains("jtransforms"), unknown.getMessage());
		assertThrows(CdiException.class, () -> Backends.select("fftw", G, 0));
	}
}
