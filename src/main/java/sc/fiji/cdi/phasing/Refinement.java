package sc.fiji.cdi.phasing;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;
import sc.fiji.cdi.util.Progress;

/**
 * How a good starting guess (e.g. a network's prediction) is refined: a plain {@link Recipe}, or a branched one written
 * {@code TRUNK | Nx BRANCH | POLISH}, e.g. {@code 10*ER+600*HIO | 3x 40*ER | 200*CG}:
 * <ol>
 * <li>the trunk recipe runs from the guess;</li>
 * <li>N branches each run the branch recipe from the trunk's result, each with its own free pixels held out
 * ({@link FreePixels#select}, seed {@code seed + 1000·(b + 1)}): each fits a different part of the noise;</li>
 * <li>their average (each branch's global phase matched to the trunk's) is polished by the polish recipe on all
 * measured pixels, on the support most branches agree on, shrink-wrap off;</li>
 * <li>the trunk's result also runs the branch and polish recipes on all pixels (the plain trajectory), and of the two
 * ends the one with the lower χ² is kept.</li>
 * </ol>
 * The average plays the part of averaging several random starts (PyNX {@code nb_run_keep}, cohere's averaged
 * generations) at the cost of one start: on noisy patterns a single trajectory ends on a solution that fits its own
 * noise, and averaging branches that fitted different pixels lowers χ² below it; on noise-free patterns the plain
 * trajectory converges deeper, so it is kept there.
 *
 * @param trunk    the recipe from the guess
 * @param branches the number of branches (0: the trunk alone, a plain recipe)
 * @param branch   each branch's recipe (blank when none)
 * @param polish   the average's polishing recipe (blank when none)
 */
public record Refinement(String trunk, int branches, String branch, String polish) {

	/** More branches than this cost more than the random starts they replace. */
	public static final int MAX_BRANCHES = 16;

	private static final Pattern BRANCHES = Pattern.compile("\\s*(\\d+)\\s*[xX]\\s*(.+)");

	public Refinement {
		Recipe.parse(trunk);
		if (branches < 0 || branches > MAX_BRANCHES) throw new CdiException("Refinement has " + branches + " branches: expected 0 to " + MAX_BRANCHES + ".");
		if (branches > 0) {
			Recipe.parse(branch);
			Recipe.parse(polish);
		}
	}

	/**
	 * A plain recipe, or {@code TRUNK | Nx BRANCH | POLISH}.
	 *
	 * @throws CdiException naming the part that is wrong and the expected form
	 */
	public static Refinement parse(final String text) {
		if (text == null || text.isBlank()) throw new CdiException("The refinement is empty: expected a recipe such as 10*ER+600*HIO+40*ER+100*CG, or a branched one such as 10*ER+600*HIO | 3x 40*ER | 200*CG.");
		if (!text.contains("|")) return new Refinement(text.trim(), 0, "", "");
		final String[] parts = text.split("\\|", -1);
		if (parts.length != 3) throw new CdiException("The refinement '" + text + "' has " + parts.length + " parts separated by '|': expected three, TRUNK | Nx BRANCH | POLISH (e.g. 10*ER+600*HIO | 3x 40*ER | 200*CG).");
		final Matcher m = BRANCHES.matcher(parts[1]);
		if (!m.matches()) throw new CdiException("The middle part of the refinement '" + text + "' is '" + parts[1].trim() + "': expected the number of branches, 'x' and the branch recipe (e.g. 3x 40*ER).");
		final int n;
		try {
			n = Integer.parseInt(m.group(1));
		} catch (final NumberFormatException e) {
			throw new CdiException("The number of branches in the refinement '" + text + "' is too large: expected 1 to " + MAX_BRANCHES + ".");
		}
		if (n < 1 || n > MAX_BRANCHES) throw new CdiException("The refinement '" + text + "' has " + n + " branches: expected 1 to " + MAX_BRANCHES + ".");
		final String[] names = { "trunk (before the first '|')", "branch recipe (after '" + n + "x')", "polish (after the second '|')" };
		final String[] recipes = { parts[0].trim(), m.group(2).trim(), parts[2].trim() };
		for (int k = 0; k < 3; k++)
			if (recipes[k].isEmpty()) throw new CdiException("The " + names[k] + " of the refinement '" + text + "' is empty: expected a recipe there, as in 10*ER+600*HIO | 3x 40*ER | 100*CG.");
		return new Refinement(recipes[0], n, recipes[1], recipes[2]);
	}

	/**
	 * All iterations: the trunk's, every branch's and the plain trajectory's, and both polishes (one CG iteration
	 * counts one, as in {@link Recipe}).
	 */
	public int totalIterations() {
		final long t = Recipe.parse(trunk).totalIterations() + (branches == 0 ? 0 : (branches + 1L) * Recipe.parse(branch).totalIterations() + 2L * Recipe.parse(polish).totalIterations());
		return (int) Math.min(Integer.MAX_VALUE, t);
	}

	@Override
	public String toString() {
		return branches == 0 ? trunk : String.format(Locale.ROOT, "%s | %dx %s | %s", trunk, branches, branch, polish);
	}

	/**
	 * Runs the refinement from {@code guess} on {@code data} with {@code p}'s settings (its recipe replaced by the
	 * parts'); progress is reported over all iterations, cancellation honoured between and inside the runs.
	 */
	public PhasingResult run(final PhasingBackend backend, final Diffraction data, final PhasingParameters p, final InitialGuess guess, final Progress progress) {
		final Phaser phaser = new Phaser(backend);
		if (branches == 0) return phaser.run(data, p.withRecipe(trunk), guess, progress);
		// beyond one run: the trunk's and the plain end's objects and the branches' sum are kept (3 complex arrays)
		MemoryGuard.require(Phaser.estimateBytes(data.grid(), backend) + 3L * 2 * Float.BYTES * data.grid().size(),
			"the branched refinement " + this + " of " + data.source + " on a " + data.grid() + " grid", "use a plain refinement recipe (e.g. 10*ER+600*HIO+40*ER+100*CG), or bin or crop the data");
		final long total = totalIterations(), nTrunk = Recipe.parse(trunk).totalIterations(), nBranch = Recipe.parse(branch).totalIterations(),
			nPolish = Recipe.parse(polish).totalIterations();
		final PhasingResult t = phaser.run(data, p.withRecipe(trunk), guess, progress.part("refinement trunk: ", 0, nTrunk, total));
		// every later run goes on from the trunk's partial-coherence kernel (null when coherent)
		final PhasingResult plain = phaser.run(data, p.withRecipe("(" + branch + ")+(" + polish + ")"), new InitialGuess(t.object(), t.support(), t.psf()),
			progress.part("refinement plain trajectory: ", nTrunk, nBranch + nPolish, total));
		final long afterPlain = nTrunk + nBranch + nPolish;
		final int n = data.grid().size();
		final float[] sum = new float[2 * n];
		final int[] votes = new int[n];
		final float[] reference = t.object().data;
		double seconds = t.seconds() + plain.seconds();
		for (int b = 0; b < branches; b++) {
			progress.checkCancelled();
			final Mask free = FreePixels.select(data, p.seed() + 1000L * (b + 1));
			final PhasingResult r = phaser.run(FreePixels.holdOut(data, free), p.withRecipe(branch), new InitialGuess(t.object(), t.support(), t.psf()),
				progress.part(String.format(Locale.ROOT, "refinement branch %d/%d: ", b + 1, branches), afterPlain + b * nBranch, nBranch, total));
			seconds += r.seconds();
			addPhaseMatched(sum, reference, r.object().data);
			final boolean[] s = r.support();
			for (int i = 0; i < n; i++) if (s[i]) votes[i]++;
		}
		final boolean[] support = new boolean[n];
		final float inv = 1f / branches;
		for (int i = 0; i < n; i++) {
			support[i] = 2 * votes[i] > branches;
			sum[2 * i] *= inv;
			sum[2 * i + 1] *= inv;
		}
		if (Phaser.count(support) == 0) {
			// branches that share no support voxel have no average worth polishing: the plain end is the answer
			progress.status("refinement: the branches share no support voxel; kept the plain trajectory");
			progress.progress(total, total);
			return new PhasingResult(plain.object(), plain.support(), concat(t.chi2History(), plain.chi2History()),
				concat(t.outsideFractionHistory(), plain.outsideFractionHistory()), plain.finalChi2(), (int) total, seconds, plain.backend(), p, plain.psf());
		}
		final PhasingResult avg = phaser.run(data, p.withRecipe(polish).withShrinkWrapPeriod(0), new InitialGuess(new ComplexVolume(data.grid(), sum), support, t.psf()),
			progress.part("refinement polish of the average: ", afterPlain + branches * nBranch, nPolish, total));
		// NaN (a failed metric) never wins
		final boolean averageKept = avg.finalChi2() < plain.finalChi2() || Double.isNaN(plain.finalChi2()) && !Double.isNaN(avg.finalChi2());
		final PhasingResult r = averageKept ? avg : plain;
		progress.status(String.format(Locale.ROOT, "refinement: kept %s (chi2 %.4g; %s %.4g)", averageKept ? "the average of " + branches + " branches" : "the plain trajectory",
			r.finalChi2(), averageKept ? "plain trajectory" : "average of the branches", (averageKept ? plain : avg).finalChi2()));
		progress.progress(total, total); // progress lines carry the status: the choice is shown
		final double[] chi2 = concat(t.chi2History(), r.chi2History()), outside = concat(t.outsideFractionHistory(), r.outsideFractionHistory());
		return new PhasingResult(r.object(), r.support(), chi2, outside, r.finalChi2(), (int) total, seconds + avg.seconds(), r.backend(), p, r.psf());
	}

	/** Adds {@code o} to {@code sum} with its global phase turned to match {@code ref}'s (arg Σ ref*·o removed). */
	private static void addPhaseMatched(final float[] sum, final float[] ref, final float[] o) {
		double re = 0, im = 0;
		for (int i = 0; i < o.length; i += 2) {
			re += (double) ref[i] * o[i] + (double) ref[i + 1] * o[i + 1];
			im += (double) ref[i] * o[i + 1] - (double) ref[i + 1] * o[i];
		}
		final double a = -Math.atan2(im, re);
		final float c = (float) Math.cos(a), s = (float) Math.sin(a);
		for (int i = 0; i < o.length; i += 2) {
			sum[i] += c * o[i] - s * o[i + 1];
			sum[i + 1] += s * o[i] + c * o[i + 1];
		}
	}

	private static double[] concat(final double[] a, final double[] b) {
		final double[] c = new double[a.length + b.length];
		System.arraycopy(a, 0, c, 0, a.length);
		System.arraycopy(b, 0, c, a.length, b.length);
		return c;
	}
}
