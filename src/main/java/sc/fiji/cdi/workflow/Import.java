package sc.fiji.cdi.workflow;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.preprocess.Preprocessor;
import sc.fiji.cdi.report.Json;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.Progress;

/**
 * The result set of Import Diffraction without a user interface: an imported data set (a file, a frame folder or a
 * beamline scan) → {@code <name>_diffraction.tif} (32-bit), {@code <name>_mask.tif} (1 = bad; when the data have a
 * mask) and {@code <name>_import_report.json} (input, quantity, grid, processing steps, the scan's geometry), written
 * as one result set ({@link AtomicOutput.ResultSet}): all files or none.
 */
public final class Import {

	/** The bad-pixel mask's file after the scan's name (1 = bad): a mask, never a pattern to read back. */
	public static final String MASK_SUFFIX = "_mask.tif", DIFFRACTION_SUFFIX = "_diffraction.tif", REPORT_SUFFIX = "_import_report.json";

	private Import() {}

	/** Checks, before the import, that the output folder can be created and written. */
	public static void checkOutput(final Path dir) {
		ResultWriter.checkWritable(dir);
	}

	/**
	 * The import report's {@code geometry} block: the geometry at the Bragg peak's pixel as Reconstruct takes it by
	 * default, the brightest pixel that is not a lone spike (its centring {@code centre=max}).
	 */
	public static Map<String, Object> geometryBlock(final Beamline.Scan imported) {
		if (imported.geometry() == null) return imported.report();
		final int[] peak = Preprocessor.peak(imported.data());
		return Reconstruct.geometryBlock(imported, new int[] { 1, 1, 1 }, new double[] { peak[1], peak[2] },
			"the brightest pixel that is not a lone spike, on which Reconstruct centres the array by default (frame " + peak[0] + ")");
	}

	/**
	 * @param dir      the output folder
	 * @param setName  the result set's name (its staging folder and manifest)
	 * @param input    the file or folder the data came from (recorded in the report)
	 * @param imported the imported data, its name and the scan's geometry
	 * @param inputs   the files the import read, by parameter ({@link ResultWriter#inputs}): none may be a file this
	 *                 run would replace (a previous import's {@code _mask.tif} given as {@code mask_file})
	 * @return the files written
	 */
	public static List<Path> write(final Path dir, final String setName, final Path input, final Beamline.Scan imported, final Map<String, Path> inputs,
		final Progress progress) {
		final Diffraction d = imported.data();
		final String name = imported.name();
		ResultWriter.checkNotReplaced(dir, setName, List.of(name + DIFFRACTION_SUFFIX, name + MASK_SUFFIX, name + REPORT_SUFFIX), inputs);
		try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(dir, setName)) {
			set.cancelWhen(progress::isCancelled);
			set.input(input == null ? null : AtomicOutput.identity(input)); // another input of the same name must not replace this one's files
			TiffWriter.write(set.file(name + DIFFRACTION_SUFFIX), d.values);
			if (d.mask != null) {
				final float[] m = new float[d.grid().size()];
				for (int i = 0; i < m.length; i++) m[i] = d.mask.isUnmeasured(i) ? 1f : 0f;
				TiffWriter.write(set.file(name + MASK_SUFFIX), d.values.with(m));
			}
			final Map<String, Object> report = new LinkedHashMap<>();
			report.put("input", input.toAbsolutePath().toString());
			report.put("quantity", d.quantity.name().toLowerCase(Locale.ROOT));
			report.put("grid_zyx", d.grid().zyx());
			report.put("processing", ResultWriter.steps(d.log));
			if (!imported.report().isEmpty()) report.put("geometry", geometryBlock(imported));
			Json.write(set.file(name + REPORT_SUFFIX), report);
			return set.commit();
		}
	}
}
