package sc.fiji.cdi.commands;

import java.io.File;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;

/** Plugins › CDI › Import Diffraction: any supported file or frame folder → a 32-bit stack (+ its bad-pixel mask). */
@Plugin(type = Command.class, menuPath = "Plugins>CDI>Import Diffraction", headless = true)
public class ImportDiffractionCommand extends CdiCommand {

	@Parameter(label = "Diffraction file or folder of frames", style = "both", persist = false,
		description = "TIFF stack, folder of per-frame TIFFs, HDF5/CXI/NeXus (.h5/.cxi/.nxs), NPY or EDF")
	private File input;

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

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus diffraction;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus mask;

	@Override
	protected void execute() {
		final Diffraction d = DiffractionReader.read(Inputs.existing(input, "input"),
			Inputs.importOptions(quantity, dataset, dark_field, white_field, mask_file));
		diffraction = ImagePlusConverter.toImagePlus(d.values, input.getName() + " (" + d.quantity.name().toLowerCase() + ")");
		if (d.mask != null) mask = ImagePlusConverter.maskToImagePlus(d.grid(), d.mask, input.getName() + " mask (255 = bad)", d.values.voxelSize, d.values.unit);
	}
}
