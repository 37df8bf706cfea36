package sc.fiji.cdi.simulate;

import sc.fiji.cdi.util.CdiException;

/**
 * What {@link CrystalSimulator} draws. All lengths in voxels, phases in radians.
 *
 * @param shape        the particle: {@link Shape}
 * @param sizeFraction largest extent of the object's support divided by the box size, along every axis; 0.45
 *                     (default) keeps the linear oversampling above 2, the minimum phase retrieval needs
 * @param phaseModel   the phase field φ inside the particle: {@link PhaseModel}
 * @param phaseRange   peak-to-peak phase inside the support in radians (default 2.0); ignored by {@link PhaseModel#VORTEX}
 *                     and {@link PhaseModel#NONE}
 * @param photons      total photon count of the diffraction pattern, at most {@link PoissonNoise#MAX_PHOTONS} (1e35); 0 = noise-free intensities (default)
 * @param edgeSigma    width σ of the soft particle edge in voxels (Gaussian-blurred edge; CDI NN uses 1 pixel); 0 = sharp
 * @param aspect       stretch of the particle along a random direction before it is scaled into the box (1 = none;
 *                     rods and platelets of real crystals); faceted shapes only
 */
public record SimulationParameters(Shape shape, double sizeFraction, PhaseModel phaseModel, double phaseRange, double photons, double edgeSigma, double aspect) {

	/** Without stretching (aspect 1). */
	public SimulationParameters(final Shape shape, final double sizeFraction, final PhaseModel phaseModel, final double phaseRange, final double photons, final double edgeSigma) {
		this(shape, sizeFraction, phaseModel, phaseRange, photons, edgeSigma, 1);
	}

	/** Particle shapes. */
	public enum Shape {
		/** A faceted crystal: a randomly oriented, randomly truncated octahedron ({111} and {100} facets) cut by a few random extra facets. On a 2D grid: {@link #POLYGON}. */
		POLYHEDRON,
		/** 2D only: convex hull of random points in a disc, as in CDI NN (Cherukara et al. 2018). */
		POLYGON,
		/** A sphere (a disc in 2D). */
		SPHERE,
		/** A randomly oriented cube (square in 2D). */
		CUBE
	}

	/** Phase fields φ(r) inside the particle (ρ = A·exp(iφ)); see {@link CrystalSimulator} for the formulas. */
	public enum PhaseModel {
		/** φ = 0. */
		NONE,
		/** A random mix of sine gratings and Gaussians (CDI NN), mean zero, rescaled to {@code phaseRange} peak-to-peak. */
		SINES_GAUSSIANS,
		/** φ = κ·s²/2 + const with s the coordinate along z (y in 2D): a strain that grows linearly along that axis. */
		LINEAR_STRAIN,
		/** A screw-dislocation-like vortex, φ = atan2 about a line through the centre: winds by 2π around the core. */
		VORTEX
	}

	public SimulationParameters {
		if (shape == null) throw new CdiException("Simulation shape is missing: expected one of POLYHEDRON, POLYGON, SPHERE, CUBE.");
		if (phaseModel == null) throw new CdiException("Simulation phase model is missing: expected one of NONE, SINES_GAUSSIANS, LINEAR_STRAIN, VORTEX.");
		if (!(sizeFraction > 0 && sizeFraction <= 1)) throw new CdiException("Simulation size fraction " + sizeFraction + " is out of range: expected a value in (0, 1], 0.45 or less for an oversampling of at least 2.");
		if (!(phaseRange >= 0) || Double.isInfinite(phaseRange)) throw new CdiException("Simulation phase range " + phaseRange + " is invalid: expected a finite peak-to-peak phase >= 0 in radians.");
		if (!(photons >= 0) || !(photons <= PoissonNoise.MAX_PHOTONS))
			throw new CdiException("Simulation photon count " + photons + " is invalid: expected a number >= 0 (0 = no noise) and at most " + PoissonNoise.MAX_PHOTONS + ".");
		if (aspect == 0) aspect = 1; // model cards written before aspects existed have none
		if (!(aspect >= 1 && aspect <= 4)) throw new CdiException("Simulation aspect " + aspect + " is invalid: expected a stretch factor between 1 (none) and 4.");
		if (shape == Shape.SPHERE && aspect != 1) throw new CdiException("Simulation aspect " + aspect + " needs a faceted shape: a SPHERE is not stretched.");
		if (!(edgeSigma >= 0) || edgeSigma > 100) throw new CdiException("Simulation edge sigma " + edgeSigma + " is invalid: expected a width in voxels between 0 and 100.");
	}

	/** Faceted 3D crystal (polygon in 2D), 0.45 of the box, CDI NN sines-and-Gaussians phase of 2 rad peak-to-peak, no noise, 1-voxel edge. */
	public static SimulationParameters defaults() {
		return new SimulationParameters(Shape.POLYHEDRON, 0.45, PhaseModel.SINES_GAUSSIANS, 2.0, 0, 1.0);
	}

	public SimulationParameters withShape(final Shape s) { return new SimulationParameters(s, sizeFraction, phaseModel, phaseRange, photons, edgeSigma, aspect); }

	public SimulationParameters withSizeFraction(final double f) { return new SimulationParameters(shape, f, phaseModel, phaseRange, photons, edgeSigma, aspect); }

	public SimulationParameters withPhaseModel(final PhaseModel m) { return new SimulationParameters(shape, sizeFraction, m, phaseRange, photons, edgeSigma, aspect); }

	public SimulationParameters withPhaseRange(final double r) { return new SimulationParameters(shape, sizeFraction, phaseModel, r, photons, edgeSigma, aspect); }

	public SimulationParameters withPhotons(final double n) { return new SimulationParameters(shape, sizeFraction, phaseModel, phaseRange, n, edgeSigma, aspect); }

	/** Stretched by this factor along a random direction (1 = not stretched; faceted shapes only). */
	public SimulationParameters withAspect(final double a) { return new SimulationParameters(shape, sizeFraction, phaseModel, phaseRange, photons, edgeSigma, a); }

	public SimulationParameters withEdgeSigma(final double s) { return new SimulationParameters(shape, sizeFraction, phaseModel, phaseRange, photons, s, aspect); }
}
