package sc.fiji.cdi.pipeline;

import java.util.Locale;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.phasing.PhasingParameters;
import sc.fiji.cdi.preprocess.ForwardCdi;
import sc.fiji.cdi.preprocess.PreprocessOptions;
import sc.fiji.cdi.preprocess.PreprocessOptions.Centring;
import sc.fiji.cdi.util.CdiException;

/**
 * The kind of measurement, which chooses the defaults a user should not have to tune ({@code data_kind} = auto:
 * 2D with a beam stop → forward CDI, otherwise Bragg CDI).
 * <ul>
 * <li>{@link #BRAGG_3D}: cohere's 34-ID-C configuration ({@link PhasingParameters#defaults()}), centring on the
 * brightest pixel.</li>
 * <li>{@link #FORWARD_2D}: the beam-stop shadow masked as unmeasured ({@link ForwardCdi#maskBeamStop}), centring on
 * the centre of Friedel symmetry, and PyNX-like phasing with positivity ({@link PhasingParameters#forward2D()}).</li>
 * </ul>
 */
public enum DataKind {
	BRAGG_3D, FORWARD_2D;

	/**
	 * {@code auto} (or blank), {@code bragg} or {@code forward}. Auto: 2D data with a beam-stop shadow at the centre
	 * ({@link ForwardCdi#hasBeamStop}: near-zero or masked pixels there) are forward CDI; everything else, 2D slices of
	 * Bragg patterns included (their centre is the brightest part), is Bragg CDI. {@code forward} on 3D data is refused
	 * (forward CDI is 2D only).
	 */
	public static DataKind resolve(final String choice, final Diffraction data) {
		final String c = choice == null || choice.isBlank() ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
		return switch (c) {
			case "auto" -> data.grid().is2D() && ForwardCdi.hasBeamStop(data) ? FORWARD_2D : BRAGG_3D;
			case "bragg", "bragg_3d", "bragg-3d" -> BRAGG_3D;
			case "forward", "forward_2d", "forward-2d" -> {
				// forward CDI here is 2D only (beam-stop masking, Friedel centring, positivity of a thin object): 3D
				// data phased with these defaults would be silently wrong, so refuse rather than fall back to Bragg
				if (!data.grid().is2D())
					throw new CdiException("data_kind='" + choice + "' is 2D forward CDI only, but the data are 3D (" + data.grid()
						+ "): expected data_kind=bragg or auto for 3D data.");
				yield FORWARD_2D;
			}
			default -> throw new CdiException("data_kind='" + choice + "' is not known: expected auto (2D with a beam stop = forward, otherwise Bragg), bragg or forward.");
		};
	}

	/** The name in reports ("bragg-3d", "forward-2d"). */
	public String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

	/** This kind's phasing defaults. */
	public PhasingParameters phasingDefaults() {
		return this == FORWARD_2D ? PhasingParameters.forward2D() : PhasingParameters.defaults();
	}

	/** This kind's centring (the brightest pixel for Bragg data, the centre of symmetry for forward CDI). */
	public Centring centring() { return this == FORWARD_2D ? Centring.SYMMETRY : Centring.MAX; }

	/** {@code o} with this kind's centring when {@code o} asks for the default one (the maximum). */
	public PreprocessOptions centred(final PreprocessOptions o) {
		return o.centre() == PreprocessOptions.defaults().centre() ? o.withCentre(centring()) : o;
	}

	/** The imported data prepared for this kind: for forward CDI, the beam-stop shadow masked (logged). */
	public Diffraction prepare(final Diffraction imported) {
		return this == FORWARD_2D ? ForwardCdi.maskBeamStop(imported) : imported;
	}

	/**
	 * The parameters with every value that a user left at the 3D (cohere) default replaced by this kind's default;
	 * values the user changed are kept. For {@link #BRAGG_3D} this is {@code given} itself.
	 */
	public PhasingParameters adapt(final PhasingParameters given) { return adapt(given, null); }

	/** {@link #adapt(PhasingParameters)} with positivity as given (null: this kind's default). */
	public PhasingParameters adapt(final PhasingParameters given, final Boolean positivity) {
		if (this == BRAGG_3D) return positivity == null ? given : given.withPositivity(positivity);
		final PhasingParameters d3 = PhasingParameters.defaults(), k = phasingDefaults();
		return new PhasingParameters(
			pick(given.recipe(), d3.recipe(), k.recipe()),
			pick(given.hioBeta(), d3.hioBeta(), k.hioBeta()),
			pick(given.raarBeta(), d3.raarBeta(), k.raarBeta()),
			pick(given.shrinkWrapSigma(), d3.shrinkWrapSigma(), k.shrinkWrapSigma()),
			pick(given.shrinkWrapThreshold(), d3.shrinkWrapThreshold(), k.shrinkWrapThreshold()),
			pick(given.shrinkWrapPeriod(), d3.shrinkWrapPeriod(), k.shrinkWrapPeriod()),
			pick(given.initialSupport(), d3.initialSupport(), k.initialSupport()),
			pick(given.supportBoxFraction(), d3.supportBoxFraction(), k.supportBoxFraction()),
			pick(given.twinRemoval(), d3.twinRemoval(), k.twinRemoval()),
			pick(given.averageLast(), d3.averageLast(), k.averageLast()),
			given.seed(),
			positivity == null ? k.positivity() : positivity,
			pick(given.shrinkWrapMethod(), d3.shrinkWrapMethod(), k.shrinkWrapMethod()),
			given.shrinkWrapSigmaEnd() == given.shrinkWrapSigma() && given.shrinkWrapSigma() == d3.shrinkWrapSigma() ? k.shrinkWrapSigmaEnd() : given.shrinkWrapSigmaEnd(),
			given.psf());
	}

	private static <T> T pick(final T given, final T default3d, final T kind) { return given.equals(default3d) ? kind : given; }
}
