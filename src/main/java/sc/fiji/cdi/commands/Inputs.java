package sc.fiji.cdi.commands;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.beamline.Beamline;
import sc.fiji.cdi.beamline.Beamlines;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.DetectorCorrections;
import sc.fiji.cdi.io.DetectorRegion;
import sc.fiji.cdi.io.DiffractionReader;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.io.Validation;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.workflow.Import;
import sc.fiji.cdi.workflow.Predict;
import sc.fiji.cdi.workflow.Reconstruct;

/** Turns command parameter values (strings and files as a dialog or macro gives them) into core options. */
final class Inputs {

	private Inputs() {}

	static Path existing(final File f, final String parameter) {
		if (f == null) throw new CdiException("Parameter '" + parameter + "' is missing: give a file or folder.");
		if (f.getPath().isBlank()) throw new CdiException("Parameter '" + parameter + "' is empty: give a file or folder.");
		if (!f.exists()) {
			if (Files.isSymbolicLink(f.toPath())) {
				String target;
				try { target = Files.readSymbolicLink(f.toPath()).toString(); } catch (final IOException e) { target = "?"; }
				throw new CdiException("Parameter '" + parameter + "': " + f + " is a broken link (it points to '" + target + "', which does not exist or is the link itself); expected a file or folder.");
			}
			throw new CdiException("Parameter '" + parameter + "': " + f + " does not exist; expected an existing file or folder.");
		}
		return f.toPath();
	}

	/** See {@link sc.fiji.cdi.pipeline.ResultWriter#checkOutsideInput}. */
	static void checkOutsideInput(final Path out, final Path in) {
		sc.fiji.cdi.pipeline.ResultWriter.checkOutsideInput(out, in);
	}

	static Path optional(final File f, final String parameter) {
		if (f == null || f.getPath().isBlank()) return null;
		return existing(f, parameter);
	}

	/**
	 * An image open in Fiji as one pattern, refused for the reasons a file would be ({@link Validation#checkValues}:
	 * NaN/Inf, only zeros, negative values unless {@code clampNegative}, every pixel the same). A 16-bit image's
	 * marker values (65535: {@link DetectorCorrections#markerPixels}, as for a 16-bit file) are unmeasured, set to 0.
	 *
	 * @param source how the pattern is named in messages and the report
	 */
	static Diffraction fromImage(final ij.ImagePlus image, final String quantity, final boolean clampNegative, final String source) {
		return fromImage(image, importOptions(quantity, null, null, null, null, clampNegative), source);
	}

	/**
	 * The open image through the import's corrections and checks ({@link DiffractionReader#fromMemory}): a mask
	 * file, dark or white field or detector region given with an open image is applied to it, not ignored.
	 */
	static Diffraction fromImage(final ij.ImagePlus image, final ImportOptions options, final String source) {
		return DiffractionReader.fromMemory(ImagePlusConverter.toVolume(image), ImagePlusConverter.dtype(image), source, options);
	}

	/** {@code clamp_negative} ({@link ImportOptions#CLAMP_NEGATIVE_KEY}): negative values set to 0 instead of refused. */
	static ImportOptions importOptions(final String quantity, final String dataset, final File dark, final File white, final File mask, final boolean clampNegative) {
		return new ImportOptions(Quantity.parse(quantity), dataset, optional(dark, "dark_field"), optional(white, "white_field"), optional(mask, "mask_file"))
			.withClampNegative(clampNegative);
	}

	/**
	 * Imports {@code input} through the beamline named by {@code beamline} ("auto", "none", "aps-34idc"…): a SPEC file
	 * with its scan number, a frames folder with its SPEC file, or any file the generic reader takes. {@code roi} is
	 * the frames' region of the detector ("minX,sizeX,minY,sizeY"), for any beamline.
	 */
	static Beamline.Scan importData(final Path input, final String beamline, final File spec, final String scan, final String roi,
		final ImportOptions options)
	{
		return importData(input, beamline, spec, scan, roi, "", options);
	}

	/**
	 * {@link #importData(Path, String, File, String, String, ImportOptions)} with the pixel the detector arm points at
	 * ({@code direct_beam} "row,column" of the whole detector; blank: the detector's centre), which places the
	 * geometry at the Bragg peak's pixel.
	 */
	static Beamline.Scan importData(final Path input, final String beamline, final File spec, final String scan, final String roi, final String directBeam,
		final ImportOptions options)
	{
		final sc.fiji.cdi.io.DetectorPixel beam = sc.fiji.cdi.io.DetectorPixel.parse(directBeam, "direct_beam");
		final DetectorRegion region = DetectorRegion.parse(roi, "roi");
		final Beamline.Request request = new Beamline.Request(input, optional(spec, "spec"), scan == null || scan.isBlank() ? null : scan.trim(),
			options.darkField(), options.whiteField(), options.maskPath(), region, options.quantity(), ImportOptions.DEFAULT_HDF5_DATASET.equals(options.hdf5DatasetPath()) ? null : options.hdf5DatasetPath(),
			options.clampNegative());
		final Beamline b = Beamlines.select(beamline, request);
		if (b != null) return b.load(request).withDirectBeam(beam);
		if (request.spec() != null || request.scan() != null) throw new CdiException(scanMisuse(input, beamline, request.spec(), request.scan()));
		if (beam != null)
			throw new CdiException("direct_beam=" + directBeam.trim() + " places the lab-frame geometry of a beamline scan (SPEC or BLISS file), but input=" + input
				+ " is read as a plain diffraction file or frame folder, which has no geometry: expected a scan (e.g. input=<file>.spec scan=<n>), or no direct_beam=.");
		return new Beamline.Scan(DiffractionReader.read(input, options.withRoi(region)), baseName(input), null, Map.of());
	}

	/**
	 * Why spec=/scan= cannot be used with this input: no beamline reader took it. beamline=none reads a plain file;
	 * under auto the input is neither a SPEC file, a BLISS HDF5 file nor a frame folder with spec=, so say which
	 * input each key goes with (scan= with input=<file>.spec or a BLISS file; spec= with a frame folder).
	 */
	static String scanMisuse(final Path input, final String beamline, final Path spec, final String scan) {
		final String b = beamline == null ? "auto" : beamline.trim().toLowerCase(Locale.ROOT);
		final String keys = spec != null && scan != null ? "spec= and scan=" : spec != null ? "spec=" : "scan=" + scan;
		if (b.equals("none") || b.equals("generic"))
			return keys + " cannot be used with beamline=" + beamline + ", which reads input=" + input + " as a plain diffraction file or frame folder: "
				+ "expected beamline=auto (or aps-34idc, esrf-id01) to read a scan, or no spec=/scan=.";
		if (Files.isDirectory(input))
			return keys + " with the frame folder " + input + " needs spec=<SPEC file> and scan=<n> together (APS 34-ID-C): "
				+ (spec == null ? "spec= is missing." : "scan= is missing.");
		if (spec != null)
			return "spec=" + spec + " goes with a folder of detector frames (input=<folder> spec=<SPEC file> scan=<n>), but input=" + input
				+ " is a file: expected input=<frames folder>, or input=<file>.spec scan=<n> without spec=.";
		return "scan=" + scan + " needs a scan file as input: a SPEC file (input=<file>.spec scan=" + scan + ", APS 34-ID-C) or an ESRF BLISS HDF5 file; "
			+ "input=" + input + " is a plain diffraction file (read as one pattern): expected a SPEC or BLISS input, or no scan=.";
	}

	/**
	 * bad_pixels: "masked" keeps the detector's bad pixels unmeasured (free under the modulus constraint); "zero"
	 * turns them into measured zero counts as cohere does; "auto" (or empty) follows the beamline's {@code rules}.
	 * A detector's marker values ({@link Diffraction#markers}: a saturated counter, a gap) are no measurement and stay
	 * unmeasured under every rule: held at 0, a saturated Bragg peak would be phased as a hole.
	 */
	static Diffraction badPixels(final Diffraction d, final String choice, final Beamline.DataRules rules) {
		final String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
		final boolean auto = c.isEmpty() || c.equals("auto");
		if (!auto && !c.equals("masked") && !c.equals("zero"))
			throw new CdiException("bad_pixels='" + choice + "' is not known: expected 'auto' (the beamline's rule), 'masked' (left free by the phasing) or 'zero' (measured zeros, as cohere).");
		if (auto ? !rules.badPixelsAsZero() : c.equals("masked")) return d;
		if (d.mask == null) return d;
		final int markers = d.markers == null ? 0 : d.markers.unmeasuredCount();
		final int n = d.mask.unmeasuredCount() - markers;
		if (n == 0) return d; // only markers: nothing to turn into zeros
		final List<Object> params = new java.util.ArrayList<>(List.of("pixels", n));
		if (markers > 0) params.addAll(List.of("markerPixelsUnmeasured", markers));
		if (auto) params.addAll(List.of("rule", rules.source()));
		return d.withValues(d.values, d.quantity, d.markers, "badPixelsAsZero", params.toArray()).withMarkers(d.markers);
	}

	/**
	 * data_threshold: a number ≥ 0 (data units; at or below it → 0), or "auto"/empty = the beamline's noise floor
	 * ({@link Beamline.DataRules#intensityThreshold}, 0 for generic data).
	 */
	static double threshold(final String value, final Beamline.DataRules rules) {
		final String v = value == null ? "" : value.trim();
		if (v.isEmpty() || v.equalsIgnoreCase("auto")) return rules.intensityThreshold();
		final double t;
		try {
			t = Double.parseDouble(v);
		} catch (final NumberFormatException e) {
			throw new CdiException("data_threshold='" + value + "' is not a number; expected 'auto' (the beamline's noise floor, 0 for other data) or a number ≥ 0, e.g. data_threshold=2.");
		}
		if (!(t >= 0) || Double.isInfinite(t))
			throw new CdiException("data_threshold=" + value + " is out of range; expected 'auto' or a finite number ≥ 0 (intensities at or below it become 0).");
		return t;
	}

	/**
	 * "auto" or "" → null (FFT-friendly size of each axis); "64" → {64} (a cube, a square in 2D); "128,128" → (y, x);
	 * "64,128,128" → (z, y, x); resolved against the data by {@link Reconstruct#targetSize}, which names the 2^30-voxel
	 * limit and refuses a count of sizes that does not match the data (three on 2D, two on 3D).
	 */
	static int[] size(final String s) {
		final long[] v = sizeSyntax(s);
		if (v == null) return null;
		final int[] out = new int[v.length];
		for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
		return out;
	}

	/** The {@code clamp_negative} key's label and description, the same on every command that imports patterns. */
	static final String CLAMP_NEGATIVE_LABEL = "Set negative values to 0 (else they are an error)",
		CLAMP_NEGATIVE_DESCRIPTION = "Negative intensities or amplitudes usually mean a wrong data type or a background subtraction; true sets them to 0 and logs how many";

	/** The largest array: the limit of {@link Grid}, 1,073,741,819 (about 2^30) voxels (4 GiB of float). */
	static final long MAX_VOXELS = Grid.MAX_VOXELS;

	/** The smallest array size per axis that {@code size=} may ask for. */
	static final int MIN_SIZE = 8;

	/** The numbers of a size parameter (null for "auto" and "same"); refuses anything but 1 to 3 whole numbers ≥ {@value #MIN_SIZE}. */

	static long[] sizeSyntax(final String s) {
		if (s == null || s.isBlank() || s.trim().equalsIgnoreCase("auto") || s.trim().equalsIgnoreCase("same")) return null; // "same": resolved by the command
		final String[] parts = s.trim().split("[,x×\\s]+");
		final String expected = "; expected 'auto', 'same', one number (a cube, a square in 2D), y,x for 2D data or z,y,x for 3D data (e.g. 64,128,128), each at least " + MIN_SIZE + ".";
		if (parts.length < 1 || parts.length > 3) throw new CdiException("size='" + s + "' has " + parts.length + " numbers" + expected);
		final long[] v = new long[parts.length];
		for (int i = 0; i < v.length; i++) {
			try {
				v[i] = Long.parseLong(parts[i]);
			} catch (final NumberFormatException e) {
				throw new CdiException("size='" + s + "': '" + parts[i] + "' is not a whole number" + expected);
			}
			if (v[i] < MIN_SIZE) throw new CdiException("size='" + s + "': " + v[i] + " is below " + MIN_SIZE + " pixels, too few to phase (an object sampled at least twice needs room for its support and its surroundings)" + expected);
			if (v[i] > Integer.MAX_VALUE) throw new CdiException("size='" + s + "': " + v[i] + " is larger than the limit of " + MAX_VOXELS + " (about 2^30) voxels per array" + expected);
		}
		long voxels = 1;
		for (final long x : v) voxels = Math.min(voxels * x, Long.MAX_VALUE / Integer.MAX_VALUE);
		if (v.length > 1 && voxels > MAX_VOXELS)
			throw new CdiException("size='" + s + "' asks for " + voxels + " voxels, more than the limit of " + MAX_VOXELS + " (about 2^30) voxels per array; expected a smaller size.");
		return v;
	}

	/** "2" → (2, 2, 2); "1,2,2" → (z, y, x). */
	static int[] binning(final String s) {
		if (s == null || s.isBlank()) return new int[] { 1, 1, 1 };
		final String[] parts = s.trim().split("[,x×\\s]+");
		try {
			if (parts.length == 1) { final int b = Integer.parseInt(parts[0]); if (b >= 1) return new int[] { b, b, b }; }
			if (parts.length == 3) {
				final int[] b = { Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]) };
				if (b[0] >= 1 && b[1] >= 1 && b[2] >= 1) return b;
			}
		} catch (final NumberFormatException e) {
			// fall through
		}
		throw new CdiException("binning='" + s + "' is not understood: expected one factor ≥ 1 or z,y,x factors (e.g. 1,2,2).");
	}

	/**
	 * A file name without its extension (a folder keeps its name), used to name outputs: the last suffix when it holds
	 * a letter (tif, h5, npy), and OME-TIFF's ".ome" before it. Other dots are part of the name: scan_1.5deg.tif and
	 * scan_1.7deg.tif were both "scan_1", so the second run was refused as another input's results.
	 */
	static String baseName(final Path p) {
		final Path f = p.toAbsolutePath().normalize().getFileName();
		String n = f == null ? "result" : f.toString();
		while (n.startsWith(".")) n = n.substring(1); // a hidden input must not give hidden results
		if (!Files.isDirectory(p)) {
			final int dot = n.lastIndexOf('.');
			if (dot > 0 && n.substring(dot + 1).chars().anyMatch(Character::isLetter)) n = n.substring(0, dot);
			if (n.toLowerCase(java.util.Locale.ROOT).endsWith(".ome") && n.length() > 4) n = n.substring(0, n.length() - 4);
		}
		return n.isBlank() ? "result" : n;
	}

	/**
	 * The files the plugin itself writes that are never diffraction patterns: Predict (NN)'s and Reconstruct's
	 * results and Import Diffraction's mask, by the writers' own suffixes.
	 */
	private static final List<String> OWN_OUTPUTS = java.util.stream.Stream.of(Predict.OUTPUT_SUFFIXES, ResultWriter.OUTPUT_SUFFIXES, List.of(Import.MASK_SUFFIX))
		.flatMap(List::stream).toList();

	/** Whether {@code file} is one of the plugin's own result files ({@link #OWN_OUTPUTS}). */
	static boolean isOwnOutput(final Path file) {
		final String n = file.getFileName().toString();
		for (final String s : OWN_OUTPUTS) if (n.endsWith(s)) return true;
		return false;
	}

	/**
	 * Refuses, as diffraction data, a file that is one of the plugin's own results ({@link #isOwnOutput}: an object, a
	 * support, a mask) — proven by the manifest of a result set beside it that lists it, so that raw data which merely
	 * has such a name ({@code x_amplitude.tif} of quantity=amplitude) is still read. Reconstruct phased a
	 * reconstruction's {@code _amplitude.tif} as if it were measured counts, and Import Diffraction imported it.
	 *
	 * @return {@code file}
	 */
	static Path notOwnResult(final Path file, final String key) {
		if (file == null || !Files.isRegularFile(file) || !isOwnOutput(file)) return file;
		final Path dir = file.toAbsolutePath().normalize().getParent();
		final String n = file.getFileName().toString();
		String set = null;
		try (var s = Files.list(dir)) {
			set = s.map(m -> m.getFileName().toString()).filter(m -> m.endsWith(AtomicOutput.MANIFEST_SUFFIX))
				.map(m -> m.substring(0, m.length() - AtomicOutput.MANIFEST_SUFFIX.length())).filter(m -> AtomicOutput.belongsTo(dir, m, n)).findFirst().orElse(null);
		} catch (final IOException | RuntimeException e) {
			// the folder cannot be listed: nothing proves it is a result
		}
		if (set == null) return file;
		final String manifest = set + AtomicOutput.MANIFEST_SUFFIX;
		throw new CdiException("Parameter '" + key + "': " + file + " is not a diffraction pattern: it is a result the plugin wrote (listed in " + manifest
			+ " with the result '" + set + "': a reconstructed object, support or mask); expected the measured diffraction data, e.g. the input that result was made from"
			+ " (its 'input' in " + manifest + ").");
	}

	/**
	 * A file, or every pattern file in a folder (sorted by name; a folder of detector frames is imported with Import
	 * Diffraction first). The plugin's own outputs in the folder are skipped (a rerun with output_dir = the input
	 * folder would read its predictions back as patterns) and {@code note} told how many.
	 */
	static List<Path> patternFiles(final Path in, final java.util.function.Consumer<String> note) {
		if (!Files.isDirectory(in)) return List.of(notOwnResult(in, "input"));
		try (var s = Files.list(in)) {
			final List<Path> candidates = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(tif|tiff|npy|npz|h5|hdf5|cxi|nxs|edf)$")).sorted().toList();
			final List<Path> files = candidates.stream().filter(p -> !isOwnOutput(p)).toList();
			final int skipped = candidates.size() - files.size();
			if (files.isEmpty())
				throw new CdiException("Folder " + in + " holds no diffraction files (.tif, .npy, .npz, .h5, .cxi, .edf)"
					+ (skipped > 0 ? ", only " + skipped + " file" + (skipped > 1 ? "s" : "") + " written by CDI (predictions, reconstructions, masks such as "
						+ Predict.AMPLITUDE_SUFFIX + "), which are not patterns" : "") + ".");
			if (skipped > 0) note.accept("Skipped " + skipped + " file" + (skipped > 1 ? "s" : "") + " in " + in + " written by CDI (predictions, reconstructions, masks), not patterns.");
			return files;
		} catch (final IOException e) {
			throw new CdiException("Cannot list folder " + in + ": " + e.getMessage());
		}
	}
}
