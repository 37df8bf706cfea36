package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.workflow.Import;

/**
 * Plugins › CDI › Import Diffraction: any supported file or frame folder → a 32-bit stack (+ its bad-pixel mask);
 * with {@code output_dir} also {@code <name>_diffraction.tif}, {@code <name>_mask.tif} (1 = bad) and
 * {@code <name>_import_report.json}, written as one result set ({@link Import}).
 */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Import Diffraction", headless = true)
public class ImportDiffractionCommand extends CdiCommand {

	@Parameter(label = "Diffraction file or folder of frames", style = "both", persist = false,
		description = "TIFF stack, folder of per-frame TIFFs, HDF5/CXI/NeXus (.h5/.cxi/.nxs), NPY/NPZ, EDF, or an APS 34-ID-C SPEC file with scan=")
	private File input;

	@Parameter(label = "Beamline", choices = { "auto", "none", "aps-34idc", "esrf-id01" }, persist = false)
	private String beamline = "auto";

	@Parameter(label = "SPEC file (with a frames folder as input)", required = false, persist = false)
	private File spec;

	@Parameter(label = "Scan number (SPEC)", required = false, persist = false)
	private String scan = "";

	@Parameter(label = "Frames' detector region minX,sizeX,minY,sizeY (empty = from the beamline or none)", required = false, persist = false)
	private String roi = "";

	@Parameter(label = "Direct beam pixel row,column (empty = the detector's centre)", required = false, persist = false,
		description = "The pixel of the whole, unbinned detector the detector arm points at (bcdi's direct_beam at zero detector angles); the geometry is taken at the Bragg peak's pixel from it")
	private String direct_beam = "";

	@Parameter(label = "Data are", choices = { "intensity", "amplitude" }, persist = false)
	private String quantity = "intensity";

	@Parameter(label = "HDF5 dataset path", required = false, persist = false)
	private String dataset = ImportOptions.DEFAULT_HDF5_DATASET;

	@Parameter(label = "Dark field (frame folders; pixels > 1 are bad)", required = false, persist = false)
	private File dark_field;

	@Parameter(label = "White field (flat)", required = false, persist = false)
	private File white_field;

	@Parameter(label = "Mask file (non-zero = bad)", required = false, persist = false)
	private File mask_file;

	@Parameter(label = Inputs.CLAMP_NEGATIVE_LABEL, persist = false, description = Inputs.CLAMP_NEGATIVE_DESCRIPTION)
	private boolean clamp_negative = false;

	@Parameter(label = "Output folder (optional: writes <name>_diffraction.tif and <name>_mask.tif)", style = "directory", required = false, persist = false,
		description = "Headless runs have no image window: give a folder to keep the imported stack (32-bit TIFF) and its bad-pixel mask (32-bit, 1 = bad).")
	private File output_dir;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus diffraction;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus mask;

	@Override
	protected void execute() {
		final Path in = Inputs.notOwnResult(Inputs.existing(input, "input"), "input");
		final Path out = output_dir == null || output_dir.getPath().isBlank() ? null : output_dir.toPath();
		if (out != null) {
			Inputs.checkOutsideInput(out, in);
			Import.checkOutput(out);
		}
		final sc.fiji.cdi.io.ImportOptions options = Inputs.importOptions(quantity, dataset, dark_field, white_field, mask_file, clamp_negative);
		final Beamline.Scan imported = Inputs.importData(in, beamline, spec, scan, roi, direct_beam, options);
		final Diffraction d = imported.data();
		final String name = imported.name();
		warnOfMarkers(d, clamp_negative);
		logCombinedScans(d);
		final String geometry = imported.geometry() != null ? sc.fiji.cdi.beamline.PeakPixelGeometry.describe(sc.fiji.cdi.workflow.Import.geometryBlock(imported)) : null;
		if (geometry != null) log.info("Geometry of " + name + ": " + geometry);
		else if (imported.report().get("missing") != null) log.warn("No lab-frame geometry for " + name + ": " + imported.report().get("missing"));
		if (out != null) {
			// one set per scan: two scans of one SPEC file (or frames folder) get their own manifest and lock
			final List<Path> files = Import.write(out, name + "_import", in, imported, sc.fiji.cdi.pipeline.ResultWriter.inputs("input", in, "spec", spec == null ? null : spec.toPath(),
				"mask_file", options.maskPath(), "dark_field", options.darkField(), "white_field", options.whiteField()), progress());
			log.info("Imported " + in.getFileName() + " (" + d.grid() + "): " + files.size() + " files in " + out.toAbsolutePath().normalize());
		} else warnIfNothingKept(output_dir, "Import Diffraction", "the imported stack is only an image output");
		diffraction = ImagePlusConverter.toImagePlus(d.values, name + " (" + d.quantity.name().toLowerCase() + ")");
		if (d.mask != null) mask = ImagePlusConverter.maskToImagePlus(d.grid(), d.mask.unmeasuredArray(), name + " mask (255 = bad)", d.values.voxelSize, d.values.unit);
	}
}
