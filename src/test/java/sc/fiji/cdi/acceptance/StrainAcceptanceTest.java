package sc.fiji.cdi.acceptance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.align.Alignment;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.fft.Fft;
import sc.fiji.cdi.phasing.JTransformsBackend;
import sc.fiji.cdi.phasing.Phaser;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.phasing.PhasingResult;
import sc.fiji.cdi.strain.KnownDisplacement;
import sc.fiji.cdi.strain.RampRemoval;
import sc.fiji.cdi.strain.StrainAnalysis;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.strain.StrainResult;
import sc.fiji.cdi.util.Progress;

/**
 * Issue #4 acceptance: a crystal with a known displacement field → its diffraction intensity → phase retrieval
 * from a random start (cohere's default recipe) → alignment to the truth (the twin conj(ρ(−r)) flips φ and r, so
 * compare after {@link Alignment#match}) → strain. The strain error inside the support, without a 2-voxel skin and
 * the vortex core, must be ≤ 10 % RMS of the true strain range.
 */
class StrainAcceptanceTest {

	private static final int N = 48;
	private static final double VOXEL_NM = 10;
	private static final double RADIUS_NM = 105; // diameter 21 voxels < N/2: oversampling > 2 per axis
	private static final double CUT_NM = -0.5 * RADIUS_NM;
	private static final double EPS0 = 1e-3; // 0.1 % strain
	/**
	 * Oblique in the (y, x) plane. No z component: the true displacement of the vortex has its 2π branch cut in the
	 * plane z = 0, which a central difference along z would cross (the analysis uses wrapped differences and does
	 * not see it; the continuous-field truth would).
	 */
	private static final double[] G_HAT = normalise(0, 1, 0.4);

	private static double[] normalise(final double... v) {
		final double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
		return new double[] { v[0] / n, v[1] / n, v[2] / n };
	}

	/**
	 * A sphere of radius {@link #RADIUS_NM} cut flat at y = {@link #CUT_NM} (a crystal on a substrate: not
	 * centrosymmetric, so the twin cannot share its support and stall the phasing) with a soft surface (logistic profile, ~1 voxel wide, like the simulator's
	 * edge σ of 1 voxel: a measured crystal is never sharper than the resolution) and the phase |G|·u + 0.4 rad.
	 */
	static ComplexVolume smoothSphere(final KnownDisplacement crystal, final KnownDisplacement.Field field) {
		final ComplexVolume rho = crystal.object(crystal.sphere(RADIUS_NM + 4 * VOXEL_NM), field, 1, 0, new double[3], 0.4);
		final var g = crystal.grid;
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
			final double dz = z - crystal.centre, dy = y - crystal.centre, dx = x - crystal.centre;
			final double r = Math.sqrt(dz * dz + dy * dy + dx * dx) * VOXEL_NM;
			final double a = 1 / (1 + Math.exp((r - RADIUS_NM) / (0.6 * VOXEL_NM))) / (1 + Math.exp((CUT_NM - dy * VOXEL_NM) / (0.6 * VOXEL_NM)));
			final int i = g.index(z, y, x);
			rho.data[2 * i] *= (float) a;
			rho.data[2 * i + 1] *= (float) a;
		}
		return rho;
	}

	private record Errors(double reconstructed, double truthAnalysed, double range, boolean twin, double chi2, double correlation) {}

	private static Errors run(final String name, final KnownDisplacement crystal, final KnownDisplacement.Field field, final double coreRadius, final long seed) {
		final ComplexVolume truth = smoothSphere(crystal, field);
		final boolean[] support = StrainAnalysis.defaultSupport(truth);
		final Diffraction data = new Diffraction(Fft.diffractionIntensity(truth), Quantity.INTENSITY, null, new ProcessingLog(), name);
		final PhasingResult r = new Phaser(new JTransformsBackend(2)).run(data, PhasingParameters.defaults().withSeed(seed), null, Progress.NONE);
		final Alignment.Match m = Alignment.match(r.object(), truth);
		final ComplexVolume aligned = new ComplexVolume(m.object().grid, m.object().data, crystal.voxelNm, "nm");

		final StrainParameters p = StrainParameters.defaults().withGNorm(KnownDisplacement.G).withGDirection(G_HAT)
			.withVoxelSize(crystal.voxelNm).withRampRemoval(RampRemoval.PLANE_FIT);
		final StrainResult fromTruth = StrainAnalysis.analyse(truth, support, p);
		final StrainResult fromReconstruction = StrainAnalysis.analyse(aligned, null, p); // support = [A ≥ 0.1·max]

		final boolean[] judged = crystal.judgedRegion(support, 2, coreRadius);
		for (int i = 0; i < judged.length; i++) judged[i] &= fromReconstruction.support()[i];
		final float[] exact = KnownDisplacement.minusMean(crystal.discreteStrain(field, G_HAT), judged);
		final double range = KnownDisplacement.range(exact, judged);
		final double eRec = StrainAnalysis.rmsDifference(KnownDisplacement.minusMean(fromReconstruction.strain().data, judged), exact, judged);
		final double eTruth = StrainAnalysis.rmsDifference(KnownDisplacement.minusMean(fromTruth.strain().data, judged), exact, judged);
		final Errors e = new Errors(eRec, eTruth, range, m.twin(), r.finalChi2(), m.correlation());
		System.out.printf(Locale.ROOT, "%s (%d^3, seed %d): chi2 %.2e, correlation %.4f, twin %b; strain range %.3e, RMS error %.3e (%.1f %% of range) "
			+ "[truth analysed: %.3e]; %.1f s phasing%n", name, N, seed, e.chi2, e.correlation, e.twin, range, eRec, 100 * eRec / range, eTruth, r.seconds());
		return e;
	}

	@Test
	void linearStrainAlongGIsRecoveredFromAFullReconstruction() {
		final KnownDisplacement crystal = new KnownDisplacement(N, new double[] { VOXEL_NM, VOXEL_NM, VOXEL_NM });
		// ε = EPS0·s/R along Ĝ: ±0.1 % at the surface
		final KnownDisplacement.Field f = (z, y, x) -> {
			final double s = G_HAT[0] * z + G_HAT[1] * y + G_HAT[2] * x;
			return EPS0 * s * s / (2 * RADIUS_NM);
		};
		final Errors e = run("linear strain", crystal, f, 0, 1);
		assertTrue(e.correlation > 0.95, "reconstruction correlation " + e.correlation);
		assertTrue(e.reconstructed <= 0.10 * e.range, "RMS strain error " + e.reconstructed + " > 10 % of the range " + e.range);
	}

	@Test
	void strainAroundAVortexIsRecoveredFromAFullReconstruction() {
		final KnownDisplacement crystal = new KnownDisplacement(N, new double[] { VOXEL_NM, VOXEL_NM, VOXEL_NM });
		final Errors e = run("graded strain + vortex", crystal, crystal.gradedWithVortex(EPS0, RADIUS_NM, G_HAT), 3, 2);
		assertTrue(e.correlation > 0.95, "reconstruction correlation " + e.correlation);
		assertTrue(e.reconstructed <= 0.10 * e.range, "RMS strain error " + e.reconstructed + " > 10 % of the range " + e.range);
	}
}
