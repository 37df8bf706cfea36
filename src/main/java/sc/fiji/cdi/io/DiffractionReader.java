package sc.fiji.cdi.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/**
 * Imports a measured diffraction pattern from a file or a folder of frames, choosing the reader by extension:
 * {@code .tif/.tiff} (grey TIFF plane or stack), a folder of per-angle TIFF frames (APS 34-ID-C),
 * {@code .h5/.hdf5/.cxi/.nxs/.nx} (HDF5/CXI/NeXus), {@code .npy} and {@code .npz} (NumPy), {@code .edf} (ESRF).
 * <p>
 * Corrections, in this order ({@link DetectorCorrections}): frames cropped to {@link ImportOptions#roi()} when
 * they are larger; the format's own mask (CXI {@code mask}); the marker values of integer detector frames
 * ({@link DetectorCorrections#markerPixels}: the type's maximum, negative values) are bad and kept apart as
 * {@link Diffraction#markers} (no measurement: unmeasured whatever {@code bad_pixels} says); the dark field (pixels &gt; 1 are bad, following
 * cohere's 34-ID-C preprocessing); the white field (× mean/flat; below mean − 3σ or ≤ 0 → bad); the mask file
 * (non-zero = bad). Dark, flat and mask frames of the whole detector are cut to the region. A 2D dark/flat/mask
 * applies to every z plane. Masked pixels are set to 0.
 * <p>
 * The values are then checked: no NaN/Inf, not all zero, no negative values (unless
 * {@link ImportOptions#clampNegative()}, which sets them to 0). Input files are only opened for reading.
 */
public final class DiffractionReader {

	/** The dataset of an HDF5 mask file (non-zero = bad pixel). */
	public static final String MASK_DATASET = "/mask";

	private DiffractionReader() {}

	/**
	 * Refuses a dataset name ({@code dataset=}, anything but the default {@link ImportOptions#DEFAULT_HDF5_DATASET})
	 * for an input that has no datasets — a TIFF, NPY or EDF file, a folder of TIFF frames: it was silently ignored, so
	 * a wrong input (a TIFF where the HDF5 file was meant) went unnoticed.
	 *
	 * @param what the input in words, e.g. "a TIFF file"
	 */
	public static void requireNoDataset(final String dataset, final Path input, final String what) {
		if (dataset == null || dataset.isBlank() || ImportOptions.DEFAULT_HDF5_DATASET.equals(dataset)) return;
		throw new CdiException("dataset=" + dataset + " names an array inside an HDF5/CXI/NeXus or NPZ file, but input " + input + " is " + what + ", which has none: "
			+ "expected an .h5/.cxi/.nxs/.npz input for dataset=, or no dataset=.");
	}

	/**
	 * Data already in memory (an image open in Fiji) through the same corrections and checks as a file: marker
	 * values, dark and white field, mask file, detector region, negative values. A {@code dataset=} is refused (the
	 * image has no datasets).
	 *
	 * @param name the data in words, e.g. "image 'scan54.tif'"
	 */
	public static Diffraction fromMemory(final RealVolume volume, final String dtype, final String name, final ImportOptions options) {
		final ImportOptions o = options == null ? ImportOptions.defaults() : options;
		final String dataset = o.hdf5DatasetPath();
		if (dataset != null && !dataset.isBlank() && !ImportOptions.DEFAULT_HDF5_DATASET.equals(dataset))
			throw new CdiException("dataset=" + dataset + " names an array inside an HDF5/CXI/NeXus or NPZ file, but the data are the open " + name
				+ ", which has none: expected input=<file> with dataset=, or no dataset=.");
		final Grid g = volume.grid;
		final long[] shape = g.is2D() ? new long[] { g.ny, g.nx } : new long[] { g.nz, g.ny, g.nx };
		final RawArray raw = new RawArray(g, volume.data.clone(), dtype, shape, volume.voxelSize.clone(), volume.unit, null, null);
		return correct(raw, "open image", name, name, "The " + name, o, null);
	}

	/**
	 * Refuses a dark or white field that is the input file itself (a slip in a macro's keys): the data were "corrected"
	 * by themselves, a flat field of the pattern making it nearly constant, and the run went on.
	 */
	private static void requireNotTheInput(final Path field, final String key, final String what, final Path input) {
		if (field == null) return;
		boolean same;
		try {
			same = Files.exists(field) && Files.isSameFile(field, input);
		} catch (final java.io.IOException | SecurityException e) {
			same = false;
		}
		if (same)
			throw new CdiException("Parameter '" + key + "': " + field + " is the input itself; expected a separate " + what + "-field frame of the detector (or no " + key + "=).");
	}

	public static Diffraction read(final Path path, final ImportOptions options) {
		if (path == null) throw new CdiException("No input file given; expected a TIFF, HDF5/CXI, NPY/NPZ or EDF file or a folder of TIFF frames.");
		final ImportOptions o = options == null ? ImportOptions.defaults() : options;
		if (!Files.exists(path)) throw new CdiException("File " + path + " does not exist.");
		requireNotTheInput(o.darkField(), "dark_field", "dark", path);
		requireNotTheInput(o.whiteField(), "white_field", "white (flat)", path);
		if (Files.isDirectory(path)) {
			requireNoDataset(o.hdf5DatasetPath(), path, "a folder of TIFF frames");
			final Set<Path> exclude = new HashSet<>();
			for (final Path p : new Path[] { o.darkField(), o.whiteField(), o.maskPath() }) if (p != null) exclude.add(p.toAbsolutePath().normalize());
			final FrameFolderReader.Listing listing = FrameFolderReader.list(path, exclude);
			return readFrames(path, listing.frames(), o, ignoredNote(listing));
		}
		requireRegularFile(path, "File");
		final RawArray raw;
		final String format;
		final String ext = extension(path);
		requireContentOfExtension(path, ext, "File");
		switch (ext) {
			case "tif", "tiff", "npy", "edf" -> requireNoDataset(o.hdf5DatasetPath(), path, "a" + (ext.equals("edf") ? "n EDF" : ext.startsWith("tif") ? " TIFF" : " NPY") + " file");
			default -> { /* datasets, or an unknown extension refused below */ }
		}
		switch (ext) {
			case "tif", "tiff" -> { raw = TiffReader.readRaw(path); format = "TIFF"; }
			case "h5", "hdf5", "hdf", "cxi", "nxs", "nx", "nx5" -> {
				if (!ImportOptions.DEFAULT_HDF5_DATASET.equals(o.hdf5DatasetPath())) raw = Hdf5Reader.readRaw(path, o.hdf5DatasetPath()); // given: never replaced
				else {
					final Hdf5Reader.Located at = Hdf5Reader.locate(path);
					if (at.datasets().size() > 1) return readLinkedParts(path, at, o);
					final RawArray r = Hdf5Reader.readRaw(path, at.datasets().get(0));
					raw = at.rule() == null ? r : r.withDataset(r.dataset() + " (" + at.rule() + ")");
				}
				format = "HDF5";
			}
			case "npy" -> { raw = NpyIO.readRaw(path); format = "NPY"; }
			case "npz" -> { raw = NpyIO.readNpz(path, ImportOptions.DEFAULT_HDF5_DATASET.equals(o.hdf5DatasetPath()) ? null : o.hdf5DatasetPath()); format = "NPZ"; }
			case "edf" -> { raw = EdfReader.readRaw(path); format = "EDF"; }
			default -> throw new CdiException("File " + path + " has an unknown extension '" + ext + "'; expected .tif/.tiff, .h5/.hdf5/.cxi/.nxs, .npy, .npz, .edf or a folder of TIFF frames.");
		}
		return correct(raw, format, path.toString(), path.toString(), "File " + path, o, null);
	}

	/**
	 * The frame files {@code frames} of {@code folder}, stacked in the order given and corrected as {@link #read}: part
	 * of a folder, e.g. the points a SPEC scan recorded ({@link #frameFiles} lists the folder).
	 */
	public static Diffraction readFrames(final Path folder, final List<Path> frames, final ImportOptions options) {
		final ImportOptions o = options == null ? ImportOptions.defaults() : options;
		String ignored = null;
		if (frames != null && !frames.isEmpty()) {
			final Set<Path> exclude = new HashSet<>();
			for (final Path p : new Path[] { o.darkField(), o.whiteField(), o.maskPath() }) if (p != null) exclude.add(p.toAbsolutePath().normalize());
			try {
				ignored = ignoredNote(FrameFolderReader.list(folder, exclude));
			} catch (final CdiException e) {
				// frames chosen by the caller from a folder the plain listing refuses: nothing to warn of here
			}
		}
		return readFrames(folder, frames, o, ignored);
	}

	private static Diffraction readFrames(final Path folder, final List<Path> frames, final ImportOptions o, final String ignored) {
		if (frames == null || frames.isEmpty()) throw new CdiException("No frames given from folder " + folder + "; expected one detector TIFF per rocking-curve point.");
		final RawArray raw = FrameFolderReader.readRaw(folder, frames);
		final String files = folder + " (" + frames.size() + " frames, " + frames.get(0).getFileName() + " … " + frames.get(frames.size() - 1).getFileName() + ")";
		return correct(raw, "TIFF frames", files, folder.toString(), "File " + folder, o, ignored);
	}

	/** Import-log key: the TIFFs of a frames folder left out because they are not named like the frames. */
	public static final String IGNORED_FILES = "ignoredFiles";

	/** "notes.tif, preview.tif (not named like the frames, scan_#.tif)", or null when every TIFF is a frame. */
	private static String ignoredNote(final FrameFolderReader.Listing l) {
		if (l.ignored().isEmpty()) return null;
		final List<String> n = l.ignored().stream().map(p -> p.getFileName().toString()).toList();
		return String.join(", ", n.subList(0, Math.min(10, n.size()))) + (n.size() > 10 ? ", ... (" + n.size() + " files)" : "")
			+ " (not named like the frames, " + l.pattern() + " with # the frame number)";
	}

	/**
	 * Frames split over several HDF5 files, stacked along z in the order given and then corrected as {@link #read}:
	 * the Lima files of a BLISS scan ({@code scanNNNN/<detector>_NNNN.h5}) when the scan's own file reaches them
	 * through a virtual dataset, which jHDF does not read.
	 *
	 * @param parts   the files, in acquisition order
	 * @param dataset the frames' dataset in every part
	 * @param source  names the data in messages and in the import log (e.g. the scan file)
	 */
	public static Diffraction readStack(final List<Path> parts, final String dataset, final Path source, final ImportOptions options) {
		if (parts == null || parts.isEmpty()) throw new CdiException("No files given for the frames of " + source + ".");
		final List<RawArray> raws = new java.util.ArrayList<>();
		for (final Path p : parts) {
			requireRegularFile(p, "Frames file");
			raws.add(Hdf5Reader.readRaw(p, dataset));
		}
		return stack(raws, parts.stream().map(p -> p + " (dataset '" + dataset + "')").toList(), parts.stream().map(p -> p.getFileName().toString()).toList(),
			"/" + (dataset.startsWith("/") ? dataset.substring(1) : dataset), source, options);
	}

	/**
	 * The parts of one file's data that {@link Hdf5Reader#locate} found (a Dectris Eiger master's links
	 * {@code /entry/data/data_NNNNNN} to its data files), read through the file and stacked along z in that order. A
	 * missing or unreadable data file is named with its link.
	 */
	private static Diffraction readLinkedParts(final Path file, final Hdf5Reader.Located at, final ImportOptions o) {
		final List<RawArray> raws = new java.util.ArrayList<>();
		final List<String> names = new java.util.ArrayList<>();
		for (int k = 0; k < at.datasets().size(); k++) {
			final String link = at.datasets().get(k), name = "link '" + link + "' (data file " + at.files().get(k) + ") of " + file;
			try {
				raws.add(Hdf5Reader.readRaw(file, link));
			} catch (final CdiException e) {
				if (e.getMessage() != null && e.getMessage().contains("link '" + link + "'")) throw e;
				throw new CdiException("Part " + (k + 1) + " of " + at.datasets().size() + ", " + name + ": " + e.getMessage(), e);
			}
			names.add(name);
		}
		final String first = at.datasets().get(0), last = at.datasets().get(at.datasets().size() - 1);
		return stack(raws, names, at.files(), first + " … " + last + " (" + at.rule() + ")", file, o);
	}

	/**
	 * Frames read from several parts, stacked along z in the order given, then corrected as {@link #read}.
	 *
	 * @param names     each part in words, for the message when frame sizes differ
	 * @param fileNames each part's file name, for the import log
	 * @param dataset   the import log's {@code dataset}
	 */
	private static Diffraction stack(final List<RawArray> raws, final List<String> names, final List<String> fileNames, final String dataset, final Path source,
		final ImportOptions options) {
		final ImportOptions o = options == null ? ImportOptions.defaults() : options;
		final RawArray first = raws.get(0);
		long nz = 0;
		for (int k = 0; k < raws.size(); k++) {
			final RawArray r = raws.get(k);
			if (r.grid().ny != first.grid().ny || r.grid().nx != first.grid().nx)
				throw new CdiException("The frames of " + source + " in " + names.get(k) + " are " + r.grid().ny + "x" + r.grid().nx + " pixels but those in "
					+ names.get(0) + " are " + first.grid().ny + "x" + first.grid().nx + "; expected one detector's frames in every file.");
			nz += r.grid().nz;
		}
		final Grid one = first.grid();
		final Grid grid = stackedGrid(nz, one, source, raws.size());
		final float[] v = new float[grid.size()];
		boolean[] m = null;
		int at = 0;
		for (final RawArray r : raws) {
			System.arraycopy(r.data(), 0, v, at, r.data().length);
			if (r.mask() != null) {
				if (m == null) m = new boolean[v.length];
				System.arraycopy(r.mask().unmeasuredArray(), 0, m, at, r.data().length);
			}
			at += r.data().length;
		}
		final long[] shape = { nz, one.ny, one.nx };
		RawArray raw = new RawArray(grid, v, first.dtype(), shape).withDataset(dataset);
		if (m != null) raw = raw.withMask(Mask.fromUnmeasured(grid, m));
		final String files = source + " (" + nz + " frames in " + raws.size() + " files, " + fileNames.get(0) + " … " + fileNames.get(fileNames.size() - 1) + ")";
		return correct(raw, "HDF5", files, source.toString(), "File " + source, o, null);
	}

	/**
	 * The grid of {@code nz} frames like {@code one} stacked from {@code parts} files; refused by name when the stack
	 * is larger than one array can hold ({@link Grid#MAX_VOXELS}), though each file alone is not.
	 */
	static Grid stackedGrid(final long nz, final Grid one, final Path source, final int parts) {
		final long voxels = nz * one.ny * one.nx;
		if (voxels > Grid.MAX_VOXELS)
			throw new CdiException("The frames of " + source + " stacked from its " + parts + " files are " + nz + "x" + one.ny + "x" + one.nx + " (" + voxels
				+ " voxels), more than the limit of " + Grid.MAX_VOXELS + " (about 2^30) voxels per array; expected fewer frames: read one part with dataset=<path>"
				+ " (for an Eiger master, dataset=/entry/data/data_000001) or bin/crop the frames before import.");
		return new Grid((int) nz, one.ny, one.nx);
	}

	/**
	 * The corrections and checks of {@link #read} on frames already read.
	 *
	 * @param data    the data in words for messages and as the result's source (a path, or "image 'title'")
	 * @param subject how the value checks name the data ("File …", "The image '…'")
	 */
	private static Diffraction correct(final RawArray raw, final String format, final String files, final String data, final String subject, final ImportOptions o,
		final String ignoredFiles) {
		final String path = data;
		final Grid rawGrid = raw.grid();
		if (TiffReader.BITMAP_TYPE.equals(raw.dtype()))
			throw new CdiException(format + " data in " + files + " are a 1-bit (black and white) image, a mask or support rather than counts; expected 8-, 16- or 32-bit detector counts."
				+ " Give the diffraction data as input (a 1-bit mask goes to mask_file=).");
		if (rawGrid.ny < 2 || rawGrid.nx < 2)
			throw new CdiException(format + " data in " + files + " are " + rawGrid + ": a single row, column or pixel is not a diffraction pattern; expected a 2D detector frame or a 3D stack of frames.");
		final DetectorRegion roi = o.roi();
		final boolean cropFrames = roi != null && !(rawGrid.ny == roi.sizeY() && rawGrid.nx == roi.sizeX());
		if (cropFrames && !roi.fitsIn(rawGrid))
			throw new CdiException("roi=" + roi + " (minX,sizeX,minY,sizeY) does not match the data " + files + " with frames of " + rawGrid.ny + "x" + rawGrid.nx
				+ " pixels (rows x columns): expected frames of " + roi.sizeY() + "x" + roi.sizeX() + " (the region as saved) or larger frames that contain it.");
		final Grid grid = cropFrames ? new Grid(rawGrid.nz, roi.sizeY(), roi.sizeX()) : rawGrid;
		final float[] v = cropFrames ? roi.cut(raw.data(), rawGrid) : raw.data();
		final String frameRef = data;
		Mask mask = cropFrames ? roi.cut(raw.mask()) : raw.mask();
		int darkBad = 0, flatBad = 0, maskBad = 0;
		// which source masks how much of the data: named when together they leave no measured pixel
		final java.util.List<String> sources = new java.util.ArrayList<>();
		if (mask != null) sources.add("the file's own mask (" + mask.unmeasuredCount() + " bad)");
		// integer frames: saturated counters and gap markers are bad pixels, not counts (before the flat field scales them),
		// carried apart as the data's markers: no rule makes them measured zeros;
		// negatives are not markers when clamp_negative=true says they are noise to set to 0 (background-subtracted counts)
		final Mask markers = DetectorCorrections.markerPixels(v, grid, raw.dtype(), !o.clampNegative());
		final int markerBad = markers == null ? 0 : markers.unmeasuredCount();
		if (markers != null) {
			sources.add("the " + raw.dtype() + " marker values (" + markerBad + " pixels at the type's maximum" + (o.clampNegative() ? ")" : " or negative)"));
			mask = Mask.union(mask, markers);
		}
		String flatStats = "";
		if (o.darkField() != null) {
			final RawArray dark = plane(o.darkField(), grid, frameRef, "dark field", roi);
			final Mask bad = toFrame(DetectorCorrections.darkBadPixels(dark.data(), dark.grid()), grid, roi);
			darkBad = bad.unmeasuredCount();
			final Mask fitted = fitMask(bad, grid, o.darkField().toString(), frameRef);
			sources.add("dark field " + o.darkField() + " (" + fitted.unmeasuredCount() + " bad)");
			mask = Mask.union(mask, fitted);
		}
		if (o.whiteField() != null) {
			final RawArray flat = plane(o.whiteField(), grid, frameRef, "white field", roi);
			final boolean whole = !(flat.grid().ny == grid.ny && flat.grid().nx == grid.nx);
			final DetectorCorrections.FlatField ff;
			try {
				ff = DetectorCorrections.flatField(flat.data(), flat.grid(), o.detector(), whole || roi == null ? 0 : roi.minX(), whole || roi == null ? 0 : roi.minY());
			} catch (final CdiException e) { // name the file and the key
				throw new CdiException("White field " + o.whiteField() + " (white_field): " + e.getMessage(), e);
			}
			final float[] gain = whole ? roi.cut(ff.gain(), flat.grid()) : ff.gain();
			final Mask bad = toFrame(ff.bad(), grid, roi);
			final int plane = grid.ny * grid.nx;
			for (int i = 0; i < plane; i++) {
				if (bad.isUnmeasured(i)) { flatBad++; continue; }
				for (int z = 0; z < grid.nz; z++) v[z * plane + i] *= gain[i];
			}
			flatStats = String.format(java.util.Locale.ROOT, ", mean %.6g, sigma %.6g, %d known-bad detector pixels", ff.mean(), ff.sigma(), ff.knownBad());
			final Mask fitted = fitMask(bad, grid, o.whiteField().toString(), frameRef);
			sources.add("white field " + o.whiteField() + " (" + fitted.unmeasuredCount() + " bad)");
			mask = Mask.union(mask, fitted);
		}
		if (o.maskPath() != null) {
			final Path mp = o.maskPath();
			final RawArray m = readAny(mp, MASK_DATASET, "Mask file", "non-zero = bad pixel");
			Mask bad = Mask.fromNonZero(m.grid(), m.data());
			final Grid mg = m.grid();
			if (roi != null && mg.is2D() && !(mg.ny == grid.ny && mg.nx == grid.nx) && roi.fitsIn(mg)) bad = roi.cut(bad);
			maskBad = bad.unmeasuredCount();
			final Mask fitted = fitMask(bad, grid, mp.toString(), frameRef);
			if (fitted.unmeasuredCount() == v.length)
				throw new CdiException("Mask file " + mp + " masks every pixel of " + path + " (all " + v.length + " are non-zero = bad); expected a mask with zeros on the measured pixels"
					+ " (non-zero = bad). Check that the right file was given and that it is not inverted.");
			sources.add("mask file " + mp + " (" + fitted.unmeasuredCount() + " bad)");
			mask = Mask.union(mask, fitted);
		}
		int masked = 0;
		if (mask != null) {
			for (int i = 0; i < v.length; i++) if (mask.isUnmeasured(i)) { v[i] = 0; masked++; }
			if (masked == 0) mask = null;
			// else "holds only zeros" would blame the data
			if (masked == v.length) throw new CdiException("Every pixel of " + path + " (" + v.length + ") is masked, by " + String.join(" together with ", sources)
				+ "; expected some measured pixels. Check the mask, dark and white field files.");
		}
		final int clamped = Validation.checkValues(v, grid, mask, subject, o.clampNegative());
		final java.util.List<Object> kv = new java.util.ArrayList<>(java.util.Arrays.asList("format", format, "file", files, "dataset", raw.dataset() == null ? "" : raw.dataset(),
				"dtype", raw.dtype(), "shape", raw.shapeString(), "quantity", o.quantity().name().toLowerCase(Locale.ROOT),
				"darkField", o.darkField() == null ? "" : o.darkField() + " (" + darkBad + " bad pixels per frame)",
				"whiteField", o.whiteField() == null ? "" : o.whiteField() + " (" + flatBad + " bad pixels: <= 0 or below mean - " + DetectorCorrections.FLAT_LOW_SIGMAS + " sigma" + flatStats + ")",
				"roi", roi == null ? "" : roi + (cropFrames ? " (frames cropped)" : " (frames are this region of the detector)"),
				"detector", o.detector() == null ? "" : o.detector().name(),
				"maskFile", o.maskPath() == null ? "" : o.maskPath() + " (" + maskBad + " bad pixels)",
				"markerPixels", markerBad,
				"maskedPixels", masked, "clampedNegative", clamped));
		if (ignoredFiles != null) java.util.Collections.addAll(kv, IGNORED_FILES, ignoredFiles);
		final ProcessingLog log = new ProcessingLog().add("import", kv.toArray());
		return new Diffraction(new RealVolume(grid, v, raw.voxelSize(), raw.unit()), o.quantity(), mask, markers, log, data);
	}

	/**
	 * One array from a TIFF, NPY, EDF or HDF5 file (dataset {@code hdf5Dataset}), e.g. a mask or a support.
	 *
	 * @param what    names the file in messages ("Mask file")
	 * @param meaning what its values mean, for the message ("non-zero = bad pixel")
	 */
	static RawArray readAny(final Path file, final String hdf5Dataset, final String what, final String meaning) {
		requireRegularFile(file, what);
		final String ext = extension(file);
		requireContentOfExtension(file, ext, what);
		return switch (ext) {
			case "tif", "tiff" -> TiffReader.readRaw(file);
			case "npy" -> NpyIO.readRaw(file, true);
			case "npz" -> NpyIO.readNpz(file, null, true);
			case "edf" -> EdfReader.readRaw(file);
			case "h5", "hdf5", "hdf", "cxi", "nxs", "nx", "nx5" -> Hdf5Reader.readRaw(file, hdf5Dataset, true);
			default -> throw new CdiException(what + " " + file + " has an unknown extension '" + ext + "'; expected a .tif/.tiff, .npy, .npz, .edf or HDF5 (dataset '" + hdf5Dataset + "') file (" + meaning + ").");
		};
	}

	/**
	 * A boolean array from a TIFF, NPY, EDF or HDF5 file: true where the value is non-zero (a support: inside; a
	 * mask: bad), with its grid.
	 */
	public static Map.Entry<Grid, boolean[]> readBinary(final Path file, final String hdf5Dataset, final String what, final String meaning) {
		final RawArray a = readAny(file, hdf5Dataset, what, meaning);
		final boolean[] b = new boolean[a.data().length];
		for (int i = 0; i < b.length; i++) b[i] = a.data()[i] != 0;
		return Map.entry(a.grid(), b);
	}

	/** The format each extension stands for, as {@link #sniff} names it. */
	private static String formatOf(final String ext) {
		return switch (ext) {
			case "tif", "tiff" -> "TIFF";
			case "h5", "hdf5", "hdf", "cxi", "nxs", "nx", "nx5" -> "HDF5";
			case "npy" -> "NumPy .npy";
			case "npz" -> "NumPy .npz";
			case "edf" -> "EDF";
			default -> null;
		};
	}

	/**
	 * A file whose content is positively another known format than its extension says (a TIFF named .h5, an .npz
	 * named .npy) is refused naming both: the reader of the extension would call it corrupt. Content that matches no
	 * known signature is left to that reader.
	 */
	static void requireContentOfExtension(final Path file, final String ext, final String what) {
		final String expected = formatOf(ext);
		if (expected == null) return;
		final String found = sniff(file);
		if (found == null || found.equals(expected)) return;
		final String rename = switch (found) {
			case "TIFF" -> ".tif";
			case "HDF5" -> ".h5";
			case "NumPy .npy" -> ".npy";
			case "NumPy .npz" -> ".npz";
			default -> null;
		};
		throw new CdiException(what + " " + file + " has the extension ." + ext + " (" + expected + ") but holds " + (found.startsWith("a ") ? found : (found.equals("HDF5") ? "an " : "a ") + found + " file") + "; expected "
			+ expected + " content. " + (rename != null ? "Rename it to " + rename + ", or give the right file." : "Give a supported file (.tif, .h5/.cxi/.nxs, .npy, .npz, .edf)."));
	}

	/** The format of a file's first bytes: "TIFF", "HDF5" (signature at 0 or a user block of 512·2^k bytes), "NumPy .npy", "NumPy .npz" (a zip of .npy arrays), another zip or a gzip archive; or null. */
	static String sniff(final Path file) {
		try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
			final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
			final long size = ch.size();
			for (long at = 0; at + 8 <= size; at = at == 0 ? 512 : at * 2) {
				b.clear();
				while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) { /* fill */ }
				final byte[] h = b.array();
				if (h[0] == (byte) 0x89 && h[1] == 'H' && h[2] == 'D' && h[3] == 'F' && h[4] == '\r' && h[5] == '\n' && h[6] == 0x1a && h[7] == '\n') return "HDF5";
				if (at > 0) continue;
				if ((h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0) || (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43))) return "TIFF";
				if (h[0] == (byte) 0x93 && h[1] == 'N' && h[2] == 'U' && h[3] == 'M' && h[4] == 'P' && h[5] == 'Y') return "NumPy .npy";
				if (h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4) return zipKind(file); // a zip archive, as np.savez writes
				if (h[0] == 0x1f && h[1] == (byte) 0x8b) return "a gzip-compressed file, which is not supported (decompress it first)";
			}
			return null;
		} catch (final java.io.IOException e) {
			return null; // the reader names what is wrong
		}
	}

	/** A zip archive is an .npz when it holds .npy arrays (np.savez names them so); any other zip is named as such. */
	private static String zipKind(final Path file) {
		try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(file.toFile())) {
			final boolean arrays = z.stream().anyMatch(e -> e.getName().endsWith(".npy"));
			return arrays ? "NumPy .npz" : "a ZIP archive without NumPy arrays (no .npy entries), which is not a supported format (extract the data file from it first)";
		} catch (final java.io.IOException e) {
			return "NumPy .npz"; // a damaged archive: the .npz reader names what is wrong
		}
	}

	/** A device, pipe or folder would block or fail obscurely in a reader: refuse it by name first. */
	static void requireRegularFile(final Path p, final String what) {
		if (Files.isRegularFile(p)) return;
		if (Files.isDirectory(p)) throw new CdiException(what + " " + p + " is a folder; expected a file.");
		if (!Files.exists(p)) throw new CdiException(what + " " + p + " does not exist" + (Files.isSymbolicLink(p) ? " (a broken link)" : "") + ".");
		throw new CdiException(what + " " + p + " is not a regular file (a device or pipe); expected a data file.");
	}

	/** The detector frames of a folder in stacking order (by frame number; dark/flat/mask files and TIFFs not named like the frames excluded; a gap is an error). */
	public static List<Path> frameFiles(final Path folder, final Path... exclude) {
		final Set<Path> ex = new HashSet<>();
		for (final Path p : exclude) if (p != null) ex.add(p.toAbsolutePath().normalize());
		return FrameFolderReader.frames(folder, ex);
	}

	/** The (y, x) size of one detector frame file, read from the file alone. */
	public static Grid frameSize(final Path frame) {
		final RawArray a = TiffReader.readRaw(frame);
		return Grid.of2D(a.grid().ny, a.grid().nx);
	}

	static String extension(final Path p) {
		final String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		final int dot = n.lastIndexOf('.');
		return dot < 0 ? "" : n.substring(dot + 1);
	}

	/**
	 * Reads a dark or white field: one 2D TIFF, of the frames' size or, with a detector region, of the whole detector
	 * (which must contain the region).
	 */
	private static RawArray plane(final Path file, final Grid data, final String dataFile, final String what, final DetectorRegion roi) {
		if (!FrameFolderReader.isTiff(file)) throw new CdiException("The " + what + " " + file + " must be a TIFF file (.tif/.tiff).");
		final RawArray a = TiffReader.readRaw(file);
		if (!a.grid().is2D()) throw new CdiException("The " + what + " " + file + " is a stack " + a.grid() + "; expected a single detector frame.");
		if (a.grid().ny == data.ny && a.grid().nx == data.nx) return a;
		if (roi != null && roi.fitsIn(a.grid())) return a;
		if (roi != null)
			throw new CdiException("The " + what + " " + file + " is " + a.grid().ny + "x" + a.grid().nx + " pixels (rows x columns) and does not contain the frames' detector region " + roi
				+ " (minX,sizeX,minY,sizeY: roi=, or a beamline's record such as SPEC's #UIMR5); expected a frame of the whole detector or of the frames' size " + data.ny + "x" + data.nx
				+ ". Give this detector's " + what + " as " + what.replace(' ', '_') + "=<file> (one found next to the data may be another detector's).");
		throw new CdiException("The " + what + " " + file + " is " + a.grid().ny + "x" + a.grid().nx + " pixels but the data " + dataFile + " have frames of " + data.ny + "x" + data.nx
				+ " pixels; expected a frame of the same size, or give the frames' region of the detector as roi=minX,sizeX,minY,sizeY"
				+ " (APS 34-ID-C: the #UIMR5 line of the SPEC file, or give the SPEC file with spec= and scan=).");
	}

	/** The bad pixels of a dark/white frame on the frames' (y, x) plane: as is, or cut to the region. */
	private static Mask toFrame(final Mask m, final Grid data, final DetectorRegion roi) {
		if (m.grid.ny == data.ny && m.grid.nx == data.nx) return m;
		return roi.cut(m);
	}

	/**
	 * The mask on the data's grid {@code g}: {@code m} itself when it is on {@code g}, or its one 2D (y, x) plane
	 * repeated along z.
	 *
	 * @param what names the mask file in the message; {@code dataFile} names the data
	 * @throws CdiException naming both shapes for any other grid
	 */
	static Mask fitMask(final Mask m, final Grid g, final String what, final Object dataFile) {
		final Grid mg = m.grid;
		if (mg.equals(g)) return m;
		if (mg.is2D() && mg.ny == g.ny && mg.nx == g.nx) {
			final boolean[] out = new boolean[g.size()];
			final int plane = g.ny * g.nx;
			for (int z = 0; z < g.nz; z++) System.arraycopy(m.unmeasuredArray(), 0, out, z * plane, plane);
			return Mask.fromUnmeasured(g, out);
		}
		throw new CdiException("Mask " + what + " is " + mg + " pixels but the data " + dataFile + " are " + g + "; expected the data's size or one " + Grid.of2D(g.ny, g.nx) + " detector plane.");
	}
}
