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
 * @param psf                    the partial-coherence kernel the run ended with ({@link PartialCoherence#kernel}); null
 *                               for a fully coherent run. {@code finalChi2} is then χ² under that kernel
 */
public record PhasingResult(ComplexVolume object, boolean[] support, double[] chi2History, double[] outsideFractionHistory,
	double finalChi2, int iterations, double seconds, String backend, PhasingParameters parameters, PartialCoherence.Kernel psf) {

	/** The kernel's FWHM along z, y, x in pixels of the phasing grid, null for a fully coherent run. */
	public double[] psfFwhm() { return psf == null ? null : psf.fwhmZyx().clone(); }

	/** A fully coherent run's result. */
	public PhasingResult(final ComplexVolume object, final boolean[] support, final double[] chi2History, final double[] outsideFractionHistory,
		final double finalChi2, final int iterations, final double seconds, final String backend, final PhasingParameters parameters) {
		this(object, support, chi2History, outsideFractionHistory, finalChi2, iterations, seconds, backend, parameters, null);
	}
}
