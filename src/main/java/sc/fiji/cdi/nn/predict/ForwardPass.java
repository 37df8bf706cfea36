package sc.fiji.cdi.nn.predict;

import java.nio.FloatBuffer;
import java.util.Arrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.util.CdiException;

/**
 * A loaded network's forward pass: a batch of network inputs → the raw outputs {amplitude, phase}. This plugin's own
 * networks run as a DJL block in inference mode (BatchNorm with its running statistics); a foreign TensorFlow
 * SavedModel runs through {@link SavedModelRunner}. Owns the network's native memory until closed.
 */
public final class ForwardPass implements AutoCloseable {

	private final ModelCard card;
	private final NDManager manager;
	private final Block block;
	/** A TensorFlow SavedModel instead of block and manager (which are then null). */
	private final SavedModelRunner savedModel;
	private final String source;

	ForwardPass(final ModelCard card, final NDManager manager, final Block block, final SavedModelRunner savedModel, final String source) {
		this.card = card; this.manager = manager; this.block = block; this.savedModel = savedModel; this.source = source;
	}

	/** The network's block, for fine-tuning and saving; a SavedModel has none. */
	public Block block() { requireOwnNetwork(); return block; }

	/** The manager of the block's parameters; a SavedModel has none. */
	public NDManager manager() { requireOwnNetwork(); return manager; }

	private void requireOwnNetwork() {
		if (savedModel != null) throw new CdiException("The model " + source + " is a TensorFlow SavedModel, which DJL's TensorFlow engine runs for inference only: it cannot be fine-tuned or re-saved.");
	}

	/** Raw network outputs {amplitude[sample][voxel], phase[sample][voxel]} for a batch of network inputs. */
	public float[][][] forward(final float[][] inputs) {
		if (savedModel != null) return savedModel.forward(inputs);
		final int b = inputs.length;
		final long[] s = card.architecture.sampleShape();
		final long[] shape = new long[s.length + 1];
		shape[0] = b;
		System.arraycopy(s, 0, shape, 1, s.length);
		final int per = (int) new Shape(s).size();
		try (NDManager m = manager.newSubManager()) {
			final FloatBuffer buf = FloatBuffer.allocate(per * b);
			for (final float[] x : inputs) buf.put(x, 0, per);
			buf.flip();
			final NDArray x = m.create(buf, new Shape(shape));
			final NDList out = block.forward(new ParameterStore(m, false), new NDList(x), false);
			final float[] a = out.get(0).toFloatArray(), p = out.get(1).toFloatArray();
			final float[][][] r = new float[2][b][];
			for (int i = 0; i < b; i++) {
				r[0][i] = Arrays.copyOfRange(a, i * per, (i + 1) * per);
				r[1][i] = Arrays.copyOfRange(p, i * per, (i + 1) * per);
			}
			return r;
		}
	}

	@Override
	public void close() {
		if (savedModel != null) savedModel.close();
		else manager.close();
	}
}
