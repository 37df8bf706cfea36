package sc.fiji.cdi.nn.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import sc.fiji.cdi.util.CdiException;

/**
 * Builds the DJL blocks of an {@link Architecture}. Layout NC(D)HW; output {@code NDList(amplitude, phase)}, each
 * (batch, 1, [z,] y, x). DJL has no 3D transposed convolution, so decoders up-sample by nearest-neighbour
 * interpolation followed by a convolution, as AutoPhaseNN does.
 */
public final class Networks {

	private Networks() {}

	public static Block build(final Architecture a) {
		final Block net = unwindowed(a);
		return a.centralWindow() ? new CentralWindow(net, a) : net;
	}

	private static Block unwindowed(final Architecture a) {
		final int r = a.rank(), n = a.inputSize(), b = a.baseChannels(), d = a.depth();
		final SequentialBlock net = new SequentialBlock();
		switch (a.kind()) {
			case AUTOPHASENN -> {
				for (int k = 0; k < d; k++) {
					pair(net, r, b << k, true);
					net.add(r == 3 ? Pool.maxPool3dBlock(cube(r, 2), cube(r, 2)) : Pool.maxPool2dBlock(cube(r, 2), cube(r, 2)));
				}
				pair(net, r, b << d, true);
				net.add(heads(autoPhaseDecoder(a, false), autoPhaseDecoder(a, true)));
			}
			case LIGHT -> {
				convUnit(net, r, b, 1, true);
				for (int k = 1; k <= d; k++) convUnit(net, r, Math.min(b << k, 256), 2, true);
				net.add(heads(lightDecoder(a, false), lightDecoder(a, true)));
			}
			case CDINN -> {
				for (int k = 0; k < d; k++) {
					pair(net, r, b << k, false);
					net.add(r == 3 ? Pool.maxPool3dBlock(cube(r, 2), cube(r, 2)) : Pool.maxPool2dBlock(cube(r, 2), cube(r, 2)));
				}
				net.add(heads(cdiDecoder(a, false), cdiDecoder(a, true)));
			}
			case TENSORFLOW_SAVEDMODEL -> throw new CdiException("A TensorFlow SavedModel is loaded by DJL's TensorFlow engine from its folder, not built or trained here.");
		}
		return net;
	}

	/** AutoPhaseNN decoder: up + pair at base·2^k for k = d−1 … 1 (phase capped at base·4: 128, 128, 64), pad n/4, two convs, output. */
	private static Block autoPhaseDecoder(final Architecture a, final boolean phase) {
		final int r = a.rank(), b = a.baseChannels();
		final SequentialBlock s = new SequentialBlock();
		for (int k = a.depth() - 1; k >= 1; k--) {
			s.add(upsample());
			pair(s, r, phase ? Math.min(b << k, b * 4) : b << k, true);
		}
		s.add(padBlock(a.inputSize() / 4));
		for (int i = 0; i < 2; i++) {
			s.add(conv(r, b, 1));
			s.add(Activation.reluBlock());
			s.add(BatchNorm.builder().build());
		}
		s.add(conv(r, 1, 1));
		s.add(output(phase));
		return s;
	}

	private static Block lightDecoder(final Architecture a, final boolean phase) {
		final int r = a.rank(), b = a.baseChannels();
		final SequentialBlock s = new SequentialBlock();
		for (int k = a.depth() - 1; k >= 1; k--) {
			s.add(upsample());
			convUnit(s, r, Math.min(b << k, 256), 1, true);
		}
		s.add(padBlock(a.inputSize() / 4));
		s.add(conv(r, 1, 1)); // no full-resolution feature layer: it would cost more than the rest of the decoder
		s.add(output(phase));
		return s;
	}

	private static Block cdiDecoder(final Architecture a, final boolean phase) {
		final int r = a.rank(), b = a.baseChannels();
		final SequentialBlock s = new SequentialBlock();
		for (int k = a.depth() - 1; k >= 0; k--) {
			pair(s, r, b << k, false);
			s.add(upsample());
		}
		s.add(conv(r, 1, 1));
		s.add(output(phase));
		return s;
	}

	/** Sigmoid amplitude in [0, 1]; π·tanh phase in (−π, π) (AutoPhaseNN). */
	private static Block output(final boolean phase) {
		return phase ? LambdaBlock.singleton(x -> x.tanh().mul(Math.PI), "pi_tanh") : LambdaBlock.singleton(Activation::sigmoid, "sigmoid");
	}

	private static Block heads(final Block amplitude, final Block phase) {
		return new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow(), list.get(1).singletonOrThrow()), Arrays.asList(amplitude, phase));
	}

	/** conv3 → activation → BatchNorm, twice (AutoPhaseNN uses LeakyReLU(0.01); CDI NN ReLU). */
	private static void pair(final SequentialBlock s, final int rank, final int channels, final boolean leaky) {
		convUnit(s, rank, channels, 1, leaky);
		convUnit(s, rank, channels, 1, leaky);
	}

	private static void convUnit(final SequentialBlock s, final int rank, final int channels, final int stride, final boolean leaky) {
		s.add(conv(rank, channels, stride, 3));
		s.add(leaky ? Activation.leakyReluBlock(0.01f) : Activation.reluBlock());
		s.add(BatchNorm.builder().build());
	}

	private static Block conv(final int rank, final int channels, final int stride) { return conv(rank, channels, stride, 3); }

	private static Block conv(final int rank, final int channels, final int stride, final int kernel) {
		final Shape k = cube(rank, kernel), st = cube(rank, stride), p = cube(rank, kernel / 2);
		return rank == 3
			? Conv3d.builder().setKernelShape(k).optStride(st).optPadding(p).setFilters(channels).build()
			: Conv2d.builder().setKernelShape(k).optStride(st).optPadding(p).setFilters(channels).build();
	}

	private static Shape cube(final int rank, final long v) {
		final long[] s = new long[rank];
		Arrays.fill(s, v);
		return new Shape(s);
	}

	/** Nearest-neighbour up-sampling ×2 along every spatial axis. */
	static Block upsample() {
		return LambdaBlock.singleton(x -> {
			final long[] sh = x.getShape().getShape();
			final long[] size = new long[sh.length - 2];
			for (int i = 0; i < size.length; i++) size[i] = 2 * sh[i + 2];
			return x.getNDArrayInternal().interpolation(size, 0, false);
		}, "upsample2");
	}

	/**
	 * 1 inside the central n/2 of every spatial axis (indices n/4 … 3n/4 − 1, the object centred at n/2), 0 outside;
	 * shape (1, 1, [n,] n, n) so that it broadcasts over a batch.
	 */
	static float[] centralWindow(final Architecture a) {
		final int n = a.inputSize(), lo = n / 4, hi = n - n / 4;
		final int nz = a.rank() == 3 ? n : 1;
		final float[] w = new float[nz * n * n];
		for (int z = 0, i = 0; z < nz; z++)
			for (int y = 0; y < n; y++)
				for (int x = 0; x < n; x++, i++)
					w[i] = (a.rank() == 2 || (z >= lo && z < hi)) && y >= lo && y < hi && x >= lo && x < hi ? 1f : 0f;
		return w;
	}

	/**
	 * A network whose amplitude and phase are multiplied by {@link #centralWindow}. It adds no parameters and writes
	 * exactly its network's parameter file, so weights trained with or without the window load either way.
	 */
	static final class CentralWindow extends AbstractBlock {
		private final Block net;
		private final float[] window;
		private final Shape windowShape;

		CentralWindow(final Block net, final Architecture a) {
			this.net = addChildBlock("network", net);
			this.window = centralWindow(a);
			final long n = a.inputSize();
			this.windowShape = a.rank() == 3 ? new Shape(1, 1, n, n, n) : new Shape(1, 1, n, n);
		}

		@Override
		protected NDList forwardInternal(final ParameterStore ps, final NDList inputs, final boolean training, final PairList<String, Object> params) {
			final NDList out = net.forward(ps, inputs, training, params);
			final NDArray w = out.get(0).getManager().create(window, windowShape);
			return new NDList(out.get(0).mul(w), out.get(1).mul(w));
		}

		@Override
		public Shape[] getOutputShapes(final Shape[] inputShapes) { return net.getOutputShapes(inputShapes); }

		@Override
		protected void initializeChildBlocks(final NDManager manager, final DataType dataType, final Shape... inputShapes) {
			net.initialize(manager, dataType, inputShapes);
		}

		@Override
		public void saveParameters(final DataOutputStream os) throws IOException { net.saveParameters(os); }

		@Override
		public void loadParameters(final NDManager manager, final DataInputStream is) throws IOException, MalformedModelException { net.loadParameters(manager, is); }
	}

	/** Zero-padding by {@code p} on both sides of every spatial axis (n/2 → n). */
	static Block padBlock(final int p) {
		return LambdaBlock.singleton(x -> {
			final long[] pads = new long[2 * ((int) x.getShape().dimension() - 2)];
			Arrays.fill(pads, p);
			return x.pad(new Shape(pads), 0);
		}, "zeropad" + p);
	}
}
