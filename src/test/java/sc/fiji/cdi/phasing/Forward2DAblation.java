package sc.fiji.cdi.phasing;

import sc.fiji.cdi.pipeline.DataKind;

/** Not a test: what each part of the 2D defaults contributes on {@link Forward2DTest}'s data (5 seeds each). */
public final class Forward2DAblation {
	public static void main(final String[] a) {
		final PhasingParameters f = PhasingParameters.forward2D();
		run("3D (cohere) defaults, no beam-stop mask, centring on the maximum", PhasingParameters.defaults(), DataKind.BRAGG_3D);
		run("forward defaults without the beam-stop mask", f, DataKind.BRAGG_3D);
		run("forward defaults without positivity", f.withPositivity(false), DataKind.FORWARD_2D);
	}

	static void run(final String what, final PhasingParameters p, final DataKind kind) {
		int ok = 0;
		for (long s = 1; s <= 5; s++) if (Forward2DTest.reconstruct(s, p, false, kind).amplitudeCorrelation() >= 0.9) ok++;
		System.out.println("ABLATION " + ok + "/5: " + what);
	}
}
