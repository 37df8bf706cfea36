package sc.fiji.cdi.phasing.fftw;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Locale;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingBackend;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.phasing.Recipe;
import sc.fiji.cdi.phasing.TestObjects;
import sc.fiji.cdi.util.Progress;

/**
 * The FFTW backend runs the shared recipe (Phaser: ER/HIO/RAAR, shrink-wrap, twin removal, averaging) to the same
 * reconstruction as the JTransforms backend from the same seed, up to float rounding.
 */
public class FftwEquivalenceTest {

	/** A 3D test crystal and a short recipe exercising every seam operation. */
	public static final Grid GRID = Grid.cube(32);
	public static final PhasingParameters PARAMS = PhasingParameters.defaults().withRecipe("10*ER+15*HIO+5*RAAR+10*ER").withAverageLast(5).withSeed(7);

	public static TestObjects.Sample sample() {
		return TestObjects.ellipsoid(GRID, new double[] { 6, 7, 5 }, 2.0);
	}

	/** Asserts that two reconstructions agree to float tolerance; returns the relative object difference. */
	public static double assertSameReconstruction(final PhasingResult ref, final PhasingResult r, final double tol) {
		assertEquals(ref.iterations(), r.iterations());
		double max = 0, diff = 0;
		final float[] a = ref.object().data, b = r.object().data;
		for (int k = 0; k < a.length; k++) {
			max = Math.max(max, Math.abs(a[k]));
			diff = Math.max(diff, Math.abs(a[k] - b[k]));
		}
		final double rel = diff / max;
		int supportDiff = 0;
		for (int i = 0; i < ref.support().length; i++) if (ref.support()[i] != r.support()[i]) supportDiff++;
		double chi2Rel = 0;
		for (int it = 0; it < ref.chi2History().length; it++)
			chi2Rel = Math.max(chi2Rel, Math.abs(ref.chi2History()[it] - r.chi2History()[it]) / ref.chi2History()[it]);
		System.out.printf(Locale.ROOT, "%s vs %s: object max diff %.2e of max, chi2 history max rel diff %.2e, final chi2 %.4e vs %.4e, support voxels differing %d%n",
			r.backend(), ref.backend(), rel, chi2Rel, ref.finalChi2(), r.finalChi2(), supportDiff);
		assertTrue(rel < tol, "objects differ by " + rel + " of the maximum");
		assertTrue(chi2Rel < tol, "χ² histories differ by " + chi2Rel);
		assertTrue(supportDiff <= 2, supportDiff + " support voxels differ");
		assertEquals(ref.finalChi2(), r.finalChi2(), tol * ref.finalChi2());
		return rel;
	}

	public static PhasingResult run(final PhasingBackend b) {
		return new Phaser(b).run(sample().diffraction(), PARAMS, null, Progress.NONE);
	}

	/**
	 * Runs every seam operation on both backends in lockstep from the same state, with a mask of unmeasured pixels,
	 * comparing χ², ρ, the blurred modulus' maximum, the shrink-wrapped support, the outside fraction and the running
	 * sum after each step, then copies the reference state into the other backend so rounding differences cannot
	 * compound (HIO with shrink-wrap amplifies a 1e-7 difference to 1e-2 within ~40 iterations).
	 */
	public static void assertLockstep(final PhasingBackend refBackend, final PhasingBackend otherBackend, final double tol) {
		final TestObjects.Sample s = sample();
		final float[] amp = Phaser.unshiftedAmplitude(s.diffraction());
		final boolean[] bad = new boolean[amp.length];
		for (int i = 0; i < bad.length; i++) bad[i] = i % 97 == 0; // scattered unmeasured pixels, DC included
		final Mask unmeasured = Mask.fromUnmeasured(GRID, bad);
		final boolean[] support = Phaser.boxSupport(GRID, 0.5);
		final float[] start = Phaser.randomObject(GRID, support, 3);
		try (PhasingBackend.Session ref = refBackend.open(GRID, amp, unmeasured, start, support);
			PhasingBackend.Session o = otherBackend.open(GRID, amp, unmeasured, start, support))
		{
			// "+": with positivity; "SWR": the rms reference of PyNX's shrink-wrap
			final String[] ops = { "ER", "ER", "HIO", "HIO", "HIO", "RAAR", "SW", "HIO", "HIO", "SW", "ER", "HIO+", "RAAR+", "SWR", "HIO+", "ER+" };
			for (int k = 0; k < ops.length; k++) {
				final String what = ops[k] + " (step " + k + ")";
				if (ops[k].equals("SWR")) {
					ref.blurModulus(2.0);
					o.blurModulus(2.0);
					final double[] q1 = ref.workSquaresInSupport(), q2 = o.workSquaresInSupport();
					assertEquals(q1[1], q2[1], what + " support voxels");
					assertEquals(q1[0], q2[0], tol * q1[0], what + " Σ work² in the support");
				}
				else if (ops[k].equals("SW")) {
					ref.blurModulus(1.0);
					o.blurModulus(1.0);
					final double max = ref.workMax();
					assertEquals(max, o.workMax(), tol * max, what + " blurred max");
					final long n1 = ref.supportFromWork(0.1 * max), n2 = o.supportFromWork(0.1 * max);
					final boolean[] s1 = ref.readSupport(), s2 = o.readSupport();
					int differ = 0;
					for (int i = 0; i < s1.length; i++) if (s1[i] != s2[i]) differ++;
					assertTrue(differ <= 1, what + ": " + differ + " support voxels differ");
					assertTrue(Math.abs(n1 - n2) <= 1, what + ": support sizes " + n1 + " vs " + n2);
					assertTrue(n1 > 100 && n1 < s1.length / 4, what + ": implausible support size " + n1);
					o.writeSupport(s1);
				}
				else {
					final double c1 = ref.projectModulus(), c2 = o.projectModulus();
					assertEquals(c1, c2, tol * c1, what + " χ²");
					switch (ops[k]) {
						case "ER" -> { ref.er(); o.er(); }
						case "HIO" -> { ref.hio(0.9); o.hio(0.9); }
						case "RAAR" -> { ref.raar(0.75); o.raar(0.75); }
						default -> {
							final Recipe.Algorithm alg = Recipe.Algorithm.valueOf(ops[k].substring(0, ops[k].length() - 1));
							alg.apply(ref, 0.9, true);
							alg.apply(o, 0.9, true);
						}
					}
				}
				final double f1 = ref.fractionOutsideSupport(), f2 = o.fractionOutsideSupport();
				assertEquals(f1, f2, tol * Math.max(f1, 1e-3), what + " outside fraction");
				ref.accumulate();
				o.accumulate();
				final float[] r1 = ref.readObject(), r2 = o.readObject();
				assertClose(r1, r2, tol, what + " ρ");
				assertClose(ref.readAccumulated(), o.readAccumulated(), tol, what + " Σρ");
				o.writeObject(r1);
			}
			assertEquals(ops.length, o.accumulated());
		}
	}

	static void assertClose(final float[] a, final float[] b, final double tol, final String what) {
		assertEquals(a.length, b.length);
		double max = 0, diff = 0;
		for (int k = 0; k < a.length; k++) {
			max = Math.max(max, Math.abs(a[k]));
			diff = Math.max(diff, Math.abs(a[k] - b[k]));
		}
		assertTrue(max > 0, what + " is zero");
		assertTrue(diff <= tol * max, what + " differs by " + diff / max + " of its maximum");
	}

	@Test
	void everyOperationMatchesJTransformsToFloatRounding() {
		assertLockstep(new JTransformsBackend(2), new FftwBackend(2, Fftw.Rigour.ESTIMATE), 1e-5);
	}

	@Test
	void sameSeedSameResultAsJTransforms() {
		final PhasingResult ref = run(new JTransformsBackend(2));
		final PhasingResult r = run(new FftwBackend(2, Fftw.Rigour.ESTIMATE));
		assertEquals("fftw", r.backend());
		assertSameReconstruction(ref, r, 1e-3);
		// and it did reconstruct: the χ² fell by orders of magnitude from the random start
		assertTrue(r.finalChi2() < 1e-2 * r.chi2History()[0], "final χ² " + r.finalChi2() + " vs start " + r.chi2History()[0]);
	}
}
