package sc.fiji.cdi.nn.model;

import sc.fiji.cdi.util.CdiException;

/**
 * What a phase-retrieval network looks like, enough to rebuild it from a model card before its weights are loaded.
 * All networks map one diffraction amplitude (batch, 1, [z,] y, x) to two maps of the same size: the object
 * amplitude in [0, 1] (sigmoid) and the phase in radians in (−π, π) (π·tanh), as in AutoPhaseNN.
 *
 * @param kind          {@link Kind}
 * @param rank          2 or 3 (spatial dimensions)
 * @param inputSize     edge length n of the cubic/square input (32 or 64)
 * @param baseChannels  channels of the first encoder level (AutoPhaseNN: 32)
 * @param depth         number of down-sampling steps (AutoPhaseNN: 4)
 * @param centralWindow both outputs are zero outside the central n/2 of every axis ({@link Networks#centralWindow}):
 *                      an object sampled at least twice (oversampling ≥ 2, Miao et al. 1998) fills at most half the
 *                      box, so nothing may be predicted nearer the box edge. AutoPhaseNN and LIGHT build this prior
 *                      into their decoders (n/2, zero-padded); a CDINN decoder mirrored to the full size does not, and
 *                      without it the bundled 32³ model of 22 Nov put a saturated, input-independent patch of ~80
 *                      voxels at the box edge into every prediction. Default: on for CDINN, off for the others;
 *                      cards without the field (older models) read as off.
 */
public record Architecture(Kind kind, int rank, int inputSize, int baseChannels, int depth, boolean centralWindow) {

	public enum Kind {
		/**
		 * AutoPhaseNN (Yao et al. 2022) as published: max-pooled encoder 32–256 with conv pairs
		 * (conv3 → LeakyReLU(0.01) → BatchNorm), bottleneck at 512, two up-sampling decoders that reach n/2 and are
		 * zero-padded to n (the object fills at most half the box, oversampling ≥ 2). ~24.7M parameters at 64³.
		 */
		AUTOPHASENN,
		/**
		 * A lighter AutoPhaseNN for CPUs: one conv per level, stride-2 convolutions instead of pooling, channels
		 * base·2^k, decoders that reach n/2 and are zero-padded to n (same prior as AutoPhaseNN).
		 */
		LIGHT,
		/**
		 * In the spirit of CDI NN (Cherukara et al. 2018): conv pairs with ReLU, max-pooling, channels base·2^k,
		 * decoders mirrored all the way to the full input size, then the {@link Architecture#centralWindow} prior.
		 */
		CDINN,
		/**
		 * A foreign TensorFlow SavedModel run by DJL's TensorFlow engine (inference only; {@code nn.predict.SavedModelRunner});
		 * only rank and input size are used.
		 */
		TENSORFLOW_SAVEDMODEL
	}

	public Architecture {
		if (rank != 2 && rank != 3) throw new CdiException("Network rank must be 2 or 3, got " + rank + ".");
		if (inputSize < 8 || Integer.bitCount(inputSize) != 1) throw new CdiException("Network input size must be a power of two >= 8 (32 or 64), got " + inputSize + ".");
		if (baseChannels < 1 || baseChannels > 512) throw new CdiException("Base channel count must be in 1..512, got " + baseChannels + ".");
		if (depth < 1 || (inputSize >> depth) < 2) throw new CdiException("Network depth " + depth + " is impossible for input size " + inputSize + ": the deepest level must be at least 2 voxels wide.");
		if (kind == Kind.AUTOPHASENN && depth < 2) throw new CdiException("AutoPhaseNN needs depth >= 2 (published: 4).");
	}

	/** The kinds a model card may name, for messages: "AUTOPHASENN, LIGHT, CDINN, TENSORFLOW_SAVEDMODEL". */
	public static String knownKinds() {
		return String.join(", ", java.util.Arrays.stream(Kind.values()).map(Kind::name).toList());
	}

	/** With the default {@link #centralWindow}: on for {@link Kind#CDINN}, whose decoder has no other support prior. */
	public Architecture(final Kind kind, final int rank, final int inputSize, final int baseChannels, final int depth) {
		this(kind, rank, inputSize, baseChannels, depth, kind == Kind.CDINN);
	}

	/** The published AutoPhaseNN at 64³. */
	public static Architecture autoPhaseNN() { return new Architecture(Kind.AUTOPHASENN, 3, 64, 32, 4); }

	/** A light 3D network for CPUs. */
	public static Architecture light3D(final int inputSize, final int baseChannels, final int depth) {
		return new Architecture(Kind.LIGHT, 3, inputSize, baseChannels, depth);
	}

	/** A CDI NN–like 2D network (published: 32², base 32, depth 3). */
	public static Architecture cdiNN2D(final int inputSize, final int baseChannels, final int depth) {
		return new Architecture(Kind.CDINN, 2, inputSize, baseChannels, depth);
	}

	/** Shape of one input sample without batch axis: (1, n, n[, n]). */
	public long[] sampleShape() {
		return rank == 3 ? new long[] { 1, inputSize, inputSize, inputSize } : new long[] { 1, inputSize, inputSize };
	}

	/** "light 3D 32³, base 16, depth 3". */
	public String describe() {
		return kind.name().toLowerCase() + " " + rank + "D " + inputSize + (rank == 3 ? "³" : "²") + ", base " + baseChannels + ", depth " + depth + (centralWindow ? ", central window" : "");
	}
}
