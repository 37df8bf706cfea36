package sc.fiji.cdi.io;

import java.nio.file.Path;

import sc.fiji.cdi.data.Quantity;

/**
 * How to import a diffraction data set.
 *
 * @param quantity what the file holds: photon counts (INTENSITY, the usual detector output) or amplitudes |F|;
 *        null means INTENSITY
 * @param hdf5DatasetPath dataset inside an HDF5/CXI/NeXus file; the CXI default {@code entry_1/data_1/data}
 *        (soft links are followed); null or blank means the default
 * @param darkField a dark-field TIFF for a folder of detector frames (APS 34-ID-C): pixels &gt; 1 are bad; nullable
 * @param whiteField a white-field (flat) TIFF: frames are divided by it, normalised to its mean; nullable
 * @param maskPath a mask file (TIFF or NPY, non-zero = bad pixel), 2D (per detector frame) or of the data's size;
 *        nullable
 * @param clampNegative negative values are an error by default (intensities and amplitudes are non-negative; a
 *        negative value usually means a wrong data type or a background subtraction); when true they are set
 *        to 0 instead and the count is recorded in the import log
 * @param roi where the frames lie on the detector ({@link DetectorRegion}); full-detector dark, flat and mask files
 *        are cut to it, and full-detector frames are cropped to it; null = frames, dark, flat and mask are the same size
 * @param detector the detector, for its known-bad pixels in the flat field; nullable
 */
public record ImportOptions(Quantity quantity, String hdf5DatasetPath, Path darkField, Path whiteField, Path maskPath,
		boolean clampNegative, DetectorRegion roi, Detector detector) {

	/** The commands' parameter (macro key) for {@link #clampNegative}: the negative-values error names it. */
	public static final String CLAMP_NEGATIVE_KEY = "clamp_negative";

	/** The CXI convention (cxidb): the data, often a soft link to {@code entry_1/instrument_1/detector_1/data}. */
	public static final String DEFAULT_HDF5_DATASET = "entry_1/data_1/data";

	public ImportOptions {
		if (quantity == null) quantity = Quantity.INTENSITY;
		if (hdf5DatasetPath == null || hdf5DatasetPath.isBlank()) hdf5DatasetPath = DEFAULT_HDF5_DATASET;
	}

	/** The agreed five-argument form; negative values are an error. */
	public ImportOptions(final Quantity quantity, final String hdf5DatasetPath, final Path darkField, final Path whiteField, final Path maskPath) {
		this(quantity, hdf5DatasetPath, darkField, whiteField, maskPath, false, null, null);
	}

	/** Intensities, CXI dataset path, no dark/flat/mask, negative values rejected. */
	public static ImportOptions defaults() { return new ImportOptions(Quantity.INTENSITY, DEFAULT_HDF5_DATASET, null, null, null, false, null, null); }

	public ImportOptions withQuantity(final Quantity q) { return new ImportOptions(q, hdf5DatasetPath, darkField, whiteField, maskPath, clampNegative, roi, detector); }

	public ImportOptions withHdf5DatasetPath(final String p) { return new ImportOptions(quantity, p, darkField, whiteField, maskPath, clampNegative, roi, detector); }

	public ImportOptions withDarkField(final Path p) { return new ImportOptions(quantity, hdf5DatasetPath, p, whiteField, maskPath, clampNegative, roi, detector); }

	public ImportOptions withWhiteField(final Path p) { return new ImportOptions(quantity, hdf5DatasetPath, darkField, p, maskPath, clampNegative, roi, detector); }

	public ImportOptions withMaskPath(final Path p) { return new ImportOptions(quantity, hdf5DatasetPath, darkField, whiteField, p, clampNegative, roi, detector); }

	public ImportOptions withClampNegative(final boolean c) { return new ImportOptions(quantity, hdf5DatasetPath, darkField, whiteField, maskPath, c, roi, detector); }

	public ImportOptions withRoi(final DetectorRegion r) { return new ImportOptions(quantity, hdf5DatasetPath, darkField, whiteField, maskPath, clampNegative, r, detector); }

	public ImportOptions withDetector(final Detector d) { return new ImportOptions(quantity, hdf5DatasetPath, darkField, whiteField, maskPath, clampNegative, roi, d); }
}
