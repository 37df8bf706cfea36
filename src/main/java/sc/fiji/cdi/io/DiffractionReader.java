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
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/**
 * Imports a measured diffraction pattern from a file or a folder of frames, choosing the reader by extension:
 * {@code .tif/.tiff} (grey TIFF plane or stack), a folder of per-angle TIFF frames (APS 34-ID-C),
 * {@code .h5/.hdf5/.cxi/.nxs/.nx} (HDF5/CXI/NeXus), {@code .npy} (NumPy), {@code .edf} (ESRF).
 * <p>
 * Corrections, in this order: the format's own mask (CXI {@code mask}); the dark field (pixels &gt; 1 are bad,
 * following cohere's 34-ID-C preprocessing); the white field (data divided by flat/mean(flat &gt; 0); flat &le; 0 →
 * bad); the mask file (non-zero = bad). A 2D dark/flat/mask applies to every z plane. Masked pixels are set to 0.
 * <p>
 * The values are then checked: no NaN/Inf, not all zero, no negative values (unless
 * {@link ImportOptions#clampNegative()}, which sets them to 0). Input files are only opened for reading.
 */
public final class DiffractionReader {

	/** The dataset of an HDF5 mask file (non-zero = bad pixel). */
	public static final String MASK_DATASET = "/mask";

	private DiffractionReader() {}

	public static Diffraction read(final Path path, final ImportOptions options) {
		if (path == null) throw new CdiException("No input file given; expected a TIFF, HDF5/CXI, NPY or EDF file or a folder of TIFF frames.");
		final ImportOptions o = options == null ? ImportOptions.defaults() : options;
		if (!Files.exists(path)) throw new CdiException("File " + path + " does not exist.");
		final RawArray raw;
		final String format;
		String files = path.toString();
		if (Files.isDirectory(path)) {
			final Set<Path> exclude = new HashSet<>();
			for (final Path p : new Path[] { o.darkField(), o.whiteField(), o.maskPath() }) if (p != null) exclude.add(p.toAbsolutePath().normalize());
			final List<Path> frames = FrameFolderReader.frames(path, exclude);
			raw = FrameFolderReader.readRaw(path, frames);
			format = "TIFF frames";
			files = path + " (" + frames.size() + " frames, " + frames.get(0).getFileName() + " … " + frames.get(frames.size() - 1).getFileName() + ")";
		} else {
			requireRegularFile(path, "File");
			final String ext = extension(path);
			switch (ext) {
				case "tif", "tiff" -> { raw = TiffReader.readRaw(path); format = "TIFF"; }
				case "h5", "hdf5", "hdf", "cxi", "nxs", "nx", "nx5" -> { raw = Hdf5Reader.readRaw(path, o.hdf5DatasetPath()); format = "HDF5"; }
				case "npy" -> { raw = NpyIO.readRaw(path); format = "NPY"; }
				case "edf" -> { raw = EdfReader.readRaw(path); format = "EDF"; }
				default -> throw new CdiException("File " + path + " has an unknown extension '" + ext + "'; expected .tif/.tiff, .h5/.hdf5/.cxi/.nxs, .npy, .edf or a folder of TIFF frames.");
			}
		}
		final Grid grid = raw.grid();
		if (grid.ny < 2 || grid.nx < 2)
			throw new CdiException(format + " data in " + files + " are " + grid + ": a single row, column or pixel is not a diffraction pattern; expected a 2D detector frame or a 3D stack of frames.");
		final float[] v = raw.data();
		final Path frameRef = path;
		boolean[] mask = raw.mask();
		int darkBad = 0, flatBad = 0, maskBad = 0;
		if (o.darkField() != null) {
			final RawArray dark = plane(o.darkField(), grid, frameRef, "dark field");
			final boolean[] bad = new boolean[dark.data().length];
			for (int i = 0; i < bad.length; i++) if (dark.data()[i] > 1) { bad[i] = true; darkBad++; }
			mask = or(mask, fitMask(bad, dark.grid(), grid, o.darkField().toString(), frameRef));
		}
		if (o.whiteField() != null) {
			final RawArray flat = plane(o.whiteField(), grid, frameRef, "white field");
			final float[] f = flat.data();
			double sum = 0;
			int n = 0;
			for (final float x : f) if (x > 0 && Float.isFinite(x)) { sum += x; n++; }
			if (n == 0) throw new CdiException("White field " + o.whiteField() + " has no positive pixel; expected a flat-field image with positive counts.");
			final double mean = sum / n;
			final boolean[] bad = new boolean[f.length];
			final int plane = grid.ny * grid.nx;
			for (int i = 0; i < plane; i++) {
				if (!(f[i] > 0) || !Float.isFinite(f[i])) { bad[i] = true; flatBad++; continue; }
				final float scale = (float) (mean / f[i]);
				for (int z = 0; z < grid.nz; z++) v[z * plane + i] *= scale;
			}
			mask = or(mask, fitMask(bad, flat.grid(), grid, o.whiteField().toString(), frameRef));
		}
		if (o.maskPath() != null) {
			final Path mp = o.maskPath();
			final RawArray m = readAny(mp, MASK_DATASET, "Mask file", "non-zero = bad pixel");
			final boolean[] bad = new boolean[m.data().length];
			for (int i = 0; i < bad.length; i++) if (m.data()[i] != 0) { bad[i] = true; maskBad++; }
			mask = or(mask, fitMask(bad, m.grid(), grid, mp.toString(), frameRef));
		}
		int masked = 0;
		if (mask != null) {
			for (int i = 0; i < v.length; i++) if (mask[i]) { v[i] = 0; masked++; }
			if (masked == 0) mask = null;
		}
		final int clamped = Validation.checkValues(v, grid, mask, path, o.clampNegative());
		final ProcessingLog log = new ProcessingLog().add("import", "format", format, "file", files, "dataset", raw.dataset() == null ? "" : raw.dataset(),
				"dtype", raw.dtype(), "shape", raw.shapeString(), "quantity", o.quantity().name().toLowerCase(Locale.ROOT),
				"darkField", o.darkField() == null ? "" : o.darkField() + " (" + darkBad + " bad pixels per frame)",
				"whiteField", o.whiteField() == null ? "" : o.whiteField() + " (" + flatBad + " pixels <= 0)",
				"maskFile", o.maskPath() == null ? "" : o.maskPath() + " (" + maskBad + " bad pixels)",
				"maskedPixels", masked, "clampedNegative", clamped);
		return new Diffraction(new RealVolume(grid, v, raw.voxelSize(), raw.unit()), o.quantity(), mask, log, path.toString());
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
		return switch (ext) {
			case "tif", "tiff" -> TiffReader.readRaw(file);
			case "npy" -> NpyIO.readRaw(file);
			case "edf" -> EdfReader.readRaw(file);
			case "h5", "hdf5", "hdf", "cxi", "nxs", "nx", "nx5" -> Hdf5Reader.readRaw(file, hdf5Dataset);
			default -> throw new CdiException(what + " " + file + " has an unknown extension '" + ext + "'; expected a .tif/.tiff, .npy, .edf or HDF5 (dataset '" + hdf5Dataset + "') file (" + meaning + ").");
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

	/** A device, pipe or folder would block or fail obscurely in a reader: refuse it by name first. */
	static void requireRegularFile(final Path p, final String what) {
		if (Files.isRegularFile(p)) return;
		if (Files.isDirectory(p)) throw new CdiException(what + " " + p + " is a folder; expected a file.");
		if (!Files.exists(p)) throw new CdiException(what + " " + p + " does not exist" + (Files.isSymbolicLink(p) ? " (a broken link)" : "") + ".");
		throw new CdiException(what + " " + p + " is not a regular file (a device or pipe); expected a data file.");
	}

	static String extension(final Path p) {
		final String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		final int dot = n.lastIndexOf('.');
		return dot < 0 ? "" : n.substring(dot + 1);
	}

	/** Reads a dark or white field: one 2D TIFF of the detector size. */
	private static RawArray plane(final Path file, final Grid data, final Path dataFile, final String what) {
		if (!FrameFolderReader.isTiff(file)) throw new CdiException("The " + what + " " + file + " must be a TIFF file (.tif/.tiff).");
		final RawArray a = TiffReader.readRaw(file);
		if (!a.grid().is2D() || a.grid().ny != data.ny || a.grid().nx != data.nx)
			throw new CdiException("The " + what + " " + file + " is " + a.grid() + " pixels but the data " + dataFile + " have frames of " + Grid.of2D(data.ny, data.nx)
					+ " pixels; expected a single frame of the detector size.");
		return a;
	}

	/**
	 * A mask of the data's size: the same grid, or one 2D (y, x) plane repeated along z.
	 *
	 * @param what names the mask file in the message; {@code dataFile} names the data
	 */
	static boolean[] fitMask(final boolean[] m, final Grid mg, final Grid g, final String what, final Path dataFile) {
		if (mg.equals(g)) return m;
		if (mg.is2D() && mg.ny == g.ny && mg.nx == g.nx) {
			final boolean[] out = new boolean[g.size()];
			final int plane = g.ny * g.nx;
			for (int z = 0; z < g.nz; z++) System.arraycopy(m, 0, out, z * plane, plane);
			return out;
		}
		throw new CdiException("Mask " + what + " is " + mg + " pixels but the data " + dataFile + " are " + g + "; expected the data's size or one " + Grid.of2D(g.ny, g.nx) + " detector plane.");
	}

	private static boolean[] or(final boolean[] a, final boolean[] b) {
		if (a == null) return b;
		final boolean[] out = a.clone();
		for (int i = 0; i < out.length; i++) out[i] |= b[i];
		return out;
	}
}
