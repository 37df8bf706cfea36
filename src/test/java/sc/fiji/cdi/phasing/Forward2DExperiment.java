package sc.fiji.cdi.phasing;

/** Not a test: {@code Forward2DExperiment recipe init threshold sigma sigmaEnd positivity seeds} prints each seed's quality. */
public final class Forward2DExperiment {
	public static void main(final String[] a) {
		PhasingParameters p = PhasingParameters.forward2D().withRecipe(a[0])
			.withInitialSupport(PhasingParameters.InitialSupport.valueOf(a[1])).withShrinkWrapThreshold(Double.parseDouble(a[2]))
			.withShrinkWrapSigma(Double.parseDouble(a[3])).withShrinkWrapSigmaEnd(Double.parseDouble(a[4])).withPositivity(Boolean.parseBoolean(a[5]));
		if (a.length > 7) p = p.withSupportBoxFraction(Double.parseDouble(a[7]));
		if (a.length > 8) p = p.withTwinRemoval(Boolean.parseBoolean(a[8]));
		if (a.length > 9) p = p.withShrinkWrapMethod(PhasingParameters.ShrinkWrapMethod.valueOf(a[9]));
		int ok = 0;
		final int seeds = Integer.parseInt(a[6]);
		for (long s = 1; s <= seeds; s++) if (Forward2DTest.reconstruct(s, p, false).amplitudeCorrelation() >= 0.9) ok++;
		System.out.println("OK " + ok + "/" + seeds + " for " + String.join(" ", a));
	}
}
