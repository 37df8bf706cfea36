package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.nn.Prediction;
import sc.fiji.cdi.nn.Predictor;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.util.CdiException;

/**
 * Plugins › CDI › Predict (NN): amplitude, phase and support predicted by a network in milliseconds, for the open
 * pattern, one file, or every pattern in a folder (batched). The bundled default models or a user's model folder.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Predict (NN)", headless = true)
public class PredictCommand extends CdiCommand {

	@Parameter(label = "Diffraction pattern (open image)", required = false)
	private ImagePlus diffraction;

	@Parameter(label = "Or: a file, or a folder of patterns", style = "both", required = false, persist = false)
	private File input;

	@Parameter(label = "Data are", choices = { "intensity", "amplitude" }, persist = false)
	private String quantity = "intensity";

	@Parameter(label = "Network: auto, 3d, 2d or a model folder", persist = false)
	private String model = "auto";

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" }, persist = false)
	private String device = "auto";

	@Parameter(label = "Batch size", min = "1", persist = false)
	private int batch_size = 16;

	@Parameter(label = "Output folder (optional)", style = "directory", required = false, persist = false)
	private File output_dir;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus amplitude;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus phase;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus support;

	@Override
	protected void execute() {
		final List<Diffraction> data = new ArrayList<>();
		final List<String> names = new ArrayList<>();
		if (input != null && !input.getPath().isBlank()) {
			final Path in = Inputs.existing(input, "input");
			for (final Path p : Inputs.patternFiles(in)) {
				data.add(DiffractionReader.read(p, Inputs.importOptions(quantity, null, null, null, null)));
				names.add(Inputs.baseName(p));
			}
		} else if (diffraction != null) {
			data.add(new Diffraction(ImagePlusConverter.toVolume(diffraction), Quantity.parse(quantity), null,
				new ProcessingLog().add("from image", "title", diffraction.getTitle()), "image '" + diffraction.getTitle() + "'"));
			names.add(Inputs.baseName(Path.of(diffraction.getTitle())));
		} else {
			throw new CdiException("Predict (NN) needs a pattern: open one, or give 'input' (a file or a folder of patterns).");
		}
		if (output_dir != null) ResultWriter.checkWritable(output_dir.toPath());
		final String name = model.trim().equalsIgnoreCase("auto") ? (data.get(0).grid().is2D() ? "2d" : "3d") : model.trim();
		final List<Prediction> predictions;
		try (Predictor predictor = Predictor.load(name, device(device))) {
			predictions = predictor.predictAll(data, batch_size, progress());
			if (output_dir != null)
				for (int i = 0; i < predictions.size(); i++) write(output_dir.toPath(), names.get(i), predictions.get(i), predictor.source());
		}
		final Prediction first = predictions.get(0);
		amplitude = ImagePlusConverter.toImagePlus(first.amplitude(), names.get(0) + " NN amplitude");
		phase = ImagePlusConverter.toImagePlus(first.phase(), names.get(0) + " NN phase (rad)");
		phase.setDisplayRange(-Math.PI, Math.PI);
		support = ImagePlusConverter.maskToImagePlus(first.amplitude().grid, first.support(), names.get(0) + " NN support", first.amplitude().voxelSize, first.amplitude().unit);
		double ms = 0;
		for (final Prediction p : predictions) ms += p.millis();
		log.info(String.format(Locale.ROOT, "Predicted %d pattern(s) with %s, %.1f ms per pattern", predictions.size(), name, ms / predictions.size()));
	}

	private static void write(final Path dir, final String name, final Prediction p, final String model) {
		final float[] sup = new float[p.support().length];
		for (int i = 0; i < sup.length; i++) sup[i] = p.support()[i] ? 1f : 0f;
		TiffWriter.write(dir.resolve(name + "_nn_amplitude.tif"), p.amplitude());
		TiffWriter.write(dir.resolve(name + "_nn_phase.tif"), p.phase());
		TiffWriter.write(dir.resolve(name + "_nn_support.tif"), p.amplitude().with(sup));
		final Map<String, Object> report = new LinkedHashMap<>();
		report.put("model", model);
		report.put("network_ms", p.millis());
		report.put("voxel_scale_zyx", p.voxelScaleZyx());
		report.put("processing", ResultWriter.steps(p.log()));
		Json.write(dir.resolve(name + "_nn_report.json"), report);
	}
}
