package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.ComplexVolume;

/**
 * The outcome of {@link Phaser#run}.
 *
 * @param object                 reconstructed ρ (natural order): the average of the last
 *                               {@link PhasingParameters#averageLast()} iterates
 * @param support                the final support (natural order)
 * @param chi2History            cohere's χ² = Σ(|F| − M)² / Σ M² over measured pixels, per iteration (of the iterate
 *                               entering that iteration)
 * @param outsideFractionHistory Σ|ρ|² outside S / Σ|ρ|² after each iteration's update
 * @param finalChi2              χ² of the returned {@code object}
 * @param iterations             iterations run
 * @param seconds                wall time of the iterations
 * @param backend                backend name
 * @param parameters             the parameters used
 */
public record PhasingResult(ComplexVolume object, boolean[] support, double[] chi2History, double[] outsideFractionHistory,
	double finalChi2, int iterations, double seconds, String backend, PhasingParameters parameters) {}
