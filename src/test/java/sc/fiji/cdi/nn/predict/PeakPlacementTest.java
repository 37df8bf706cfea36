package sc.fiji.cdi.nn.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.nn.model.CrystalRecipe;
import sc.fiji.cdi.phasing.ErrorMetrics;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.util.CdiException;

/**
 * Where the pattern's peak is: a pattern rolled off the centre is centred before the network sees it (as Reconstruct
 * centres it), and an FFT-shifted one (peak in the corner) is refused with the fix, by Predict and by Reconstruct's
 * centring alike.
 */
class PeakPlacementTest {

	private static final Grid G = Grid.of2D(64, 64);
	private static Predictor network;

	@BeforeAll
	static void load() { network = Predictor.load("2d", "cpu"); }

	@AfterAll
	static void close() { network.close(); }

	/** The pattern rolled (with wrap-around) by dy, dx pixels. */
	private static Diffraction rolled(final Diffraction d, final int dy, final int dx, final String name) {
		final float[] v = d.values.data, out = new float[v.length];
		for (int y = 0; y < G.ny; y++)
			for (int x = 0; x < G.nx; x++) out[G.index(0, Math.floorMod(y + dy, G.ny), Math.floorMod(x + dx, G.nx))] = v[G.index(0, y, x)];
		return new Diffraction(d.values.with(out), d.quantity, null, d.log, name);
	}

	private static boolean logged(final Prediction p) {
		return p.log().steps().stream().anyMatch(s -> s.name().equals("nn_centre_on_peak"));
	}

	@Test
	void anOffCentrePatternIsCentredBeforeTheNetwork() {
		final Diffraction centred = CrystalRecipe.defaults(2).crystal(G, 5, 0).diffraction();
		final Diffraction off = rolled(centred, 6, -5, "off-centre.tif");
		final Prediction a = network.predict(centred), b = network.predict(off);
		assertTrue(logged(b), "the centring is logged");
		assertTrue(!logged(a), "a centred pattern is left as it is");
		// a hot pixel brighter than the peak (where the brightest pixel would move the pattern), far from it, moves nothing: the centre of mass decides
		final float[] hot = centred.values.data.clone();
		float max = 0;
		for (final float v : hot) max = Math.max(max, v);
		hot[G.index(0, 10, 50)] = 1.5f * max;
		assertTrue(!logged(network.predict(new Diffraction(centred.values.with(hot), centred.quantity, null, centred.log, "hot.tif"))), "a hot pixel does not move the pattern");
		// the same prediction up to the few pixels the shift dropped at the edges, judged against the pattern as given:
		// the seed carries the ramp that moves its pattern back where it was measured (else chi2 is near 1)
		assertEquals(a.trust().chi2(), b.trust().chi2(), 0.2 * a.trust().chi2(), "chi2 of the off-centre pattern's prediction");
		assertEquals(b.trust().chi2(), ErrorMetrics.chi2(NnRefine.initialGuess(b, off).object(), off), 1e-9, "the trust chi2 is the seed's against the pattern as given");
		assertTrue(java.util.Arrays.equals(new int[] { 0, -6, 5 }, b.patternShiftZyx()), java.util.Arrays.toString(b.patternShiftZyx()));
	}

	@Test
	void anFftShiftedPatternIsRefusedByPredictAndByCentring() {
		final Diffraction centred = CrystalRecipe.defaults(2).crystal(G, 5, 0).diffraction();
		final Diffraction shifted = rolled(centred, -32, -32, "shifted.tif");
		final CdiException e = assertThrows(CdiException.class, () -> network.predict(shifted));
		assertTrue(e.getMessage().contains("shifted.tif") && e.getMessage().contains("FFT-shifted") && e.getMessage().contains("fftshift"), e.getMessage());
		final CdiException r = assertThrows(CdiException.class, () -> Preprocessor.centreOnPeak(shifted, PreprocessOptions.Centring.MAX));
		assertEquals(e.getMessage(), r.getMessage());
		// a hot pixel in a corner, brighter than the peak, is not an FFT-shifted pattern
		final float[] zinger = centred.values.data.clone();
		zinger[G.index(0, 1, 62)] = 1e9f;
		Preprocessor.centreOnPeak(new Diffraction(centred.values.with(zinger), centred.quantity, null, centred.log, "zinger.tif"), PreprocessOptions.Centring.CENTRE_OF_MASS);
		// one axis at the edge (a Bragg peak at the end of a scan) is not a corner
		Preprocessor.centreOnPeak(rolled(centred, -32, 3, "edge.tif"), PreprocessOptions.Centring.MAX);
	}
}
