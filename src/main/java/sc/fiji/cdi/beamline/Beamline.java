package sc.fiji.cdi.beamline;

import java.nio.file.Path;
import java.util.Map;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.io.DetectorRegion;

/**
 * How one beamline lays out a measurement: given where the data are, the frames in rocking order, the detector
 * region they cover, the detector corrections and the diffraction geometry. One class per beamline
 * ({@link Aps34idc}, {@link Id01Bliss}); {@link Beamlines} finds them by name or recognises the input.
 */
public interface Beamline {

	/** Short id used as {@code beamline=} value, e.g. {@code aps-34idc}. */
	String id();

	/** Other accepted names (lower case), e.g. {@code 34-id-c}. */
	default java.util.List<String> aliases() { return java.util.List.of(); }

	/** One line for messages and docs. */
	String description();

	/** Whether the input is laid out as this beamline writes it (used by {@code beamline=auto}). */
	boolean recognises(Request request);

	/**
	 * The beamline's rules for its detector's counts, used where the user leaves {@code data_threshold} and
	 * {@code bad_pixels} on {@code auto}. Generic data: no threshold, bad pixels masked.
	 */
	default DataRules dataRules() { return DataRules.GENERIC; }

	/** Reads the scan: frames, corrections, geometry. Every failure is a CdiException naming what was looked for. */
	Scan load(Request request);

	/**
	 * Where the data are and what the user said.
	 *
	 * @param input      the file or folder given as {@code input} (a SPEC file, a frames folder, an HDF5 file…)
	 * @param spec       a SPEC file given separately ({@code spec=}), or null
	 * @param scan       the scan number as text ({@code scan=}: "54", "54.2"; at APS 34-ID-C also a range or list of
	 *                   scans to combine, "54-57", "2-7, 10"), or null
	 * @param darkField  dark field given by the user, or null (a beamline may look for it next to the data)
	 * @param whiteField white (flat) field, or null
	 * @param maskFile   bad-pixel mask, or null
	 * @param roi        the detector region of the frames given by the user (overrides the beamline's), or null
	 * @param quantity   what the frames hold (intensity for detector frames)
	 * @param dataset    the detector or HDF5 dataset the user named ({@code dataset=}), or null: the beamline chooses
	 * @param clampNegative negative values set to 0 instead of refused ({@code clamp_negative=true},
	 *                   {@link sc.fiji.cdi.io.ImportOptions#clampNegative()})
	 */
	record Request(Path input, Path spec, String scan, Path darkField, Path whiteField, Path maskFile, DetectorRegion roi, Quantity quantity, String dataset,
		boolean clampNegative) {

		/** Negative values refused. */
		public Request(final Path input, final Path spec, final String scan, final Path darkField, final Path whiteField, final Path maskFile,
			final DetectorRegion roi, final Quantity quantity, final String dataset)
		{
			this(input, spec, scan, darkField, whiteField, maskFile, roi, quantity, dataset, false);
		}

		/** A request without a dataset name: the beamline chooses the detector. */
		public Request(final Path input, final Path spec, final String scan, final Path darkField, final Path whiteField, final Path maskFile,
			final DetectorRegion roi, final Quantity quantity)
		{
			this(input, spec, scan, darkField, whiteField, maskFile, roi, quantity, null);
		}
	}

	/**
	 * A loaded scan.
	 *
	 * @param data      the frames (z = rocking point, y = detector row, x = detector column), corrected, bad pixels masked
	 * @param name      a short name for output files, e.g. {@code scan54}
	 * @param geometry  the diffraction geometry of the frames as read (no binning), or null when it could not be derived
	 * @param report    what the beamline read, for the reconstruction report's {@code geometry} block: the
	 *                  {@link BraggGeometry#toReport()} keys when {@code geometry} is known, the motor values and their
	 *                  source always, and {@code missing} saying why when {@code geometry} is null
	 * @param rules     the beamline's {@link #dataRules()}: what {@code auto} means for these counts
	 * @param placement where the frames lie on the detector and which pixel the arm points at, or null when not known:
	 *                  {@code geometry} is that of the arm's pixel, and {@link PeakPixelGeometry} moves it to the
	 *                  Bragg peak's pixel
	 */
	record Scan(Diffraction data, String name, BraggGeometry geometry, Map<String, Object> report, DataRules rules, DetectorPlacement placement) {

		/** A scan with the generic rules. */
		public Scan(final Diffraction data, final String name, final BraggGeometry geometry, final Map<String, Object> report) {
			this(data, name, geometry, report, DataRules.GENERIC, null);
		}

		/** The same scan with other data. */
		public Scan withData(final Diffraction d) { return new Scan(d, name, geometry, report, rules, placement); }

		/** The same scan with the pixel the detector arm points at given ({@code direct_beam=}); null changes nothing. */
		public Scan withDirectBeam(final sc.fiji.cdi.io.DetectorPixel pixel) {
			if (pixel == null) return this;
			return new Scan(data, name, geometry, report, rules, placement == null ? new DetectorPlacement(null, null, pixel) : placement.withDirectBeam(pixel));
		}
	}

	/**
	 * How a beamline's detector counts are treated by default.
	 *
	 * @param intensityThreshold counts at or below it are set to zero (the detector's noise floor)
	 * @param badPixelsAsZero    whether the detector's bad pixels become measured zeros (else: unmeasured, left free);
	 *                           never its marker values ({@link Diffraction#markers}), which are no measurement
	 * @param source             where the rule comes from, for the report
	 */
	record DataRules(double intensityThreshold, boolean badPixelsAsZero, String source) {
		public static final DataRules GENERIC = new DataRules(0, false, "generic data: no threshold, bad pixels unmeasured");
	}
}
