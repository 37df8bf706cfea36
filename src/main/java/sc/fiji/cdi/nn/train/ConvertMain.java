package sc.fiji.cdi.nn.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.ModelFolder;
import sc.fiji.cdi.nn.predict.Predictor;
import sc.fiji.cdi.util.CdiException;

/**
 * Writes a model folder trained with PyTorch ({@code tools/pytorch}: model.json + weights.npz) as this plugin's own
 * (model.json + weights.params), e.g. to bundle it as a default model:
 * <pre>
 * java -cp "target/classes:$(cat cp.txt)" sc.fiji.cdi.nn.train.ConvertMain pt-3d src/main/resources/models/default-3d default-3d
 * </pre>
 * The network is loaded exactly as Predict loads it, so what the output folder computes is what the input computed.
 */
public final class ConvertMain {

	private ConvertMain() {}

	public static void main(final String[] args) {
		try {
			if (args.length != 2 && args.length != 3) throw new CdiException("Usage: ConvertMain <model folder with weights.npz> <output folder> [name]");
			final Path in = Paths.get(args[0]), out = Paths.get(args[1]);
			if (!Files.isRegularFile(in.resolve(ModelFolder.TORCH_WEIGHTS))) throw new CdiException("The model folder " + in + " has no " + ModelFolder.TORCH_WEIGHTS + ": nothing to convert.");
			convert(in, out, args.length == 3 ? args[2] : null);
			System.err.println("Wrote " + out.resolve(ModelFolder.CARD) + " and " + out.resolve(ModelFolder.WEIGHTS));
		} catch (final CdiException e) {
			System.err.println("Error: " + e.getMessage());
			System.exit(1);
		}
	}

	/** Loads {@code in} (either weights format) and writes it to {@code out} with weights.params, named {@code name} (null: as before). */
	public static void convert(final Path in, final Path out, final String name) {
		DjlRuntime.init(null);
		try (Predictor p = Predictor.load(in, "cpu")) {
			p.save(out, name);
		}
	}
}
