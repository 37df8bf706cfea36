package sc.fiji.cdi.phasing;

import sc.fiji.cdi.data.ComplexVolume;

/**
 * A starting point for phase retrieval, e.g. a neural-network prediction (AutoPhaseNN: the prediction as the
 * starting guess of ER/HIO) or an earlier reconstruction. Either part may be null: a null object means a random
 * start inside the support, a null support means the support from {@link PhasingParameters#initialSupport()}.
 * Arrays are in natural order (object near the array centre), on the grid of the diffraction data. {@code psf}, when
 * given, is the partial-coherence kernel an earlier run ended with: a run with {@code psf} goes on from it.
 */
public record InitialGuess(ComplexVolume object, boolean[] support, PartialCoherence.Kernel psf) {

	/** Without a partial-coherence kernel: a run with {@code psf} starts K from its setting. */
	public InitialGuess(final ComplexVolume object, final boolean[] support) { this(object, support, null); }
}
