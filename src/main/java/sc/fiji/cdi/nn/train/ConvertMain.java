package sc.fiji.cdi.nn.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;

import sc.fiji.cdi.djl.DjlRuntime;
import sc.fiji.cdi.nn.model.ModelCard;
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
 * With {@code --to-npz} first, the other way: a plugin model folder (a bundled default, e.g.
 * {@code src/main/resources/models/default-2d-128}) written as model.json + weights.npz, which
 * {@code tools/pytorch/train_cdinn.py --init} continues.
 */
public final class ConvertMain {

	private ConvertMain() {}

	public static void main(final String[] args) {
		try {
			if (args.length == 3 && args[0].equals("--to-npz")) {
				toNpz(Paths.get(args[1]), Paths.get(args[2]));
				System.err.println("Wrote " + Paths.get(args[2]).resolve(ModelFolder.CARD) + " and " + Paths.get(args[2]).resolve(ModelFolder.TORCH_WEIGHTS));
				return;
			}
			if (args.length != 2 && args.length != 3) throw new CdiException("Usage: ConvertMain <model folder with weights.npz> <output folder> [name], or ConvertMain --to-npz <model folder> <output folder>");
			final Path in = Paths.get(args[0]), out = Paths.get(args[1]);
			if (!Files.isRegularFile(in.resolve(ModelFolder.TORCH_WEIGHTS))) throw new CdiException("The model folder " + in + " has no " + ModelFolder.TORCH_WEIGHTS + ": nothing to convert.");
			convert(in, out, args.length == 3 ? args[2] : null);
			System.err.println("Wrote " + out.resolve(ModelFolder.CARD) + " and " + out.resolve(ModelFolder.WEIGHTS));
		} catch (final CdiException e) {
			System.err.println("Error: " + e.getMessage());
			System.exit(1);
		}
	}

	/** Writes the model folder {@code in} (either weights format) to {@code out} as model.json + weights.npz. */
	public static void toNpz(final Path in, final Path out) {
		DjlRuntime.init(null);
		final ModelCard card = ModelFolder.readCard(in);
		try (NDManager manager = NDManager.newBaseManager()) {
			final Block block = ModelFolder.loadBlock(in, card, manager);
			Files.createDirectories(out);
			// the weights first (written atomically), the card last: a folder with a card is a whole one
			ModelFolder.writeNpz(block, out.resolve(ModelFolder.TORCH_WEIGHTS));
			Files.copy(in.resolve(ModelFolder.CARD), out.resolve(ModelFolder.CARD), StandardCopyOption.REPLACE_EXISTING);
		} catch (final IOException e) {
			throw new CdiException("Cannot write the model folder " + out + ": " + e.getMessage() + ".", e);
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
