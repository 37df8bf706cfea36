package sc.fiji.cdi.nn.predict;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import sc.fiji.cdi.nn.model.ModelCard;
import sc.fiji.cdi.util.CdiException;

/**
 * A TensorFlow SavedModel (the published CDI NN, 3D-CDI-NN and AutoPhaseNN models are Keras/TensorFlow) run for
 * inference by DJL's TensorFlow engine, which this plugin does not bundle: the engine
 * ({@code ai.djl.tensorflow:tensorflow-engine:0.35.1} with {@code tensorflow-api} and {@code protobuf-java}) must be
 * on the class path and the TensorFlow 2.10.1 native library found through {@code TENSORFLOW_LIBRARY_PATH} (or the
 * {@code tensorflow-native-cpu} jar); DJL runs offline here, so nothing is downloaded. The engine cannot train, so
 * these models cannot be fine-tuned. The model's own {@code model.json} says how to feed it
 * ({@link ModelCard.SavedModel}).
 */
final class SavedModelRunner implements AutoCloseable {

	static final String ENGINE = "TensorFlow";
	static final String GRAPH = "saved_model.pb";

	static final String INSTALL = "DJL's TensorFlow engine is needed and is not bundled: put ai.djl.tensorflow:tensorflow-engine:0.35.1, "
		+ "ai.djl.tensorflow:tensorflow-api:0.35.1 and com.google.protobuf:protobuf-java into Fiji's jars/ folder, and the TensorFlow 2.10.1 native "
		+ "library (ai.djl.tensorflow:tensorflow-native-cpu:2.10.1 for your platform, unpacked) in a folder named by the environment variable "
		+ "TENSORFLOW_LIBRARY_PATH (docs/models.md, 'TensorFlow SavedModels')";

	private final ZooModel<NDList, NDList> model;
	private final ai.djl.inference.Predictor<NDList, NDList> predictor;
	private final ModelCard.SavedModel spec;
	private final long[] sampleShape;
	private final String source;

	private SavedModelRunner(final ZooModel<NDList, NDList> model, final ModelCard.SavedModel spec, final long[] sampleShape, final String source) {
		this.model = model;
		this.predictor = model.newPredictor();
		this.spec = spec;
		this.sampleShape = sampleShape;
		this.source = source;
	}

	static boolean isSavedModel(final Path folder) { return folder != null && Files.isRegularFile(folder.resolve(GRAPH)); }

	static SavedModelRunner load(final Path folder, final ModelCard card, final Device device) {
		final ModelCard.SavedModel spec = card.savedModel != null ? card.savedModel : new ModelCard.SavedModel();
		spec.check(folder);
		final int n = card.architecture.inputSize();
		final long[] spatial = card.architecture.rank() == 3 ? new long[] { n, n, n } : new long[] { n, n };
		final long[] sample = new long[spatial.length + 1];
		// one channel: (1, z, y, x) and (z, y, x, 1) hold the same values in the same order, only the shape differs
		if (spec.channelsLast()) { System.arraycopy(spatial, 0, sample, 0, spatial.length); sample[spatial.length] = 1; }
		else { sample[0] = 1; System.arraycopy(spatial, 0, sample, 1, spatial.length); }
		final ZooModel<NDList, NDList> m;
		try {
			m = Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(folder).optEngine(ENGINE).optDevice(device).build().loadModel();
		} catch (final Exception | LinkageError e) {
			throw new CdiException("Cannot load the TensorFlow SavedModel in " + folder + ": " + INSTALL + ". Cause: " + e.getMessage(), e);
		}
		try {
			return new SavedModelRunner(m, spec, sample, folder.toString());
		} catch (final RuntimeException e) {
			m.close();
			throw new CdiException("Cannot prepare the TensorFlow SavedModel in " + folder + " for prediction: " + e.getMessage() + ".", e);
		}
	}

	/** {amplitude[sample][voxel], phase in radians[sample][voxel]} for a batch of network inputs. */
	float[][][] forward(final float[][] inputs) {
		final int b = inputs.length, per = inputs[0].length;
		final long[] shape = new long[sampleShape.length + 1];
		shape[0] = b;
		System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
		try (NDManager m = model.getNDManager().newSubManager()) {
			final FloatBuffer buf = FloatBuffer.allocate(per * b);
			for (final float[] x : inputs) buf.put(x, 0, per);
			buf.flip();
			final NDArray x = m.create(buf, new Shape(shape));
			final NDList out = predictor.predict(new NDList(x));
			if (out.size() <= Math.max(spec.amplitudeOutput, spec.phaseOutput)) throw new CdiException("The TensorFlow SavedModel " + source + " returned " + out.size()
				+ " output(s): its model.json names outputs " + spec.amplitudeOutput + " (amplitude) and " + spec.phaseOutput + " (phase).");
			final float[] a = out.get(spec.amplitudeOutput).toFloatArray(), p = out.get(spec.phaseOutput).toFloatArray();
			if (a.length != per * b || p.length != per * b) throw new CdiException("The TensorFlow SavedModel " + source + " returned " + a.length / b + " and " + p.length / b
				+ " values per pattern: expected " + per + " (the input size in its model.json).");
			final float[][][] r = new float[2][b][];
			for (int i = 0; i < b; i++) {
				r[0][i] = Arrays.copyOfRange(a, i * per, (i + 1) * per);
				r[1][i] = Arrays.copyOfRange(p, i * per, (i + 1) * per);
				if (spec.phaseInUnitRange()) for (int k = 0; k < per; k++) r[1][i][k] = (float) ((r[1][i][k] - 0.5) * 2 * Math.PI); // CDI NN, 3D-CDI-NN
			}
			return r;
		} catch (final TranslateException e) {
			throw new CdiException("The TensorFlow SavedModel " + source + " failed to predict: " + e.getMessage() + ".", e);
		}
	}

	@Override
	public void close() {
		predictor.close();
		model.close();
	}
}
