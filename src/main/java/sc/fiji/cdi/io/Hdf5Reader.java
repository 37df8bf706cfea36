package sc.fiji.cdi.io;

import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.util.CdiException;

/**
 * HDF5, CXI and NeXus files through jhdf (pure Java, read-only). The dataset path defaults to the CXI convention
 * {@code entry_1/data_1/data}; soft links are followed. A dataset named {@code mask} next to the data (in the
 * group of the link or of its target) is read as the bad-pixel mask, CXI convention: non-zero = bad.
 */
final class Hdf5Reader {

	private static final int LISTED = 20;

	private Hdf5Reader() {}

	static RawArray readRaw(final Path file, final String datasetPath) {
		if (!Files.isRegularFile(file))
			throw new CdiException("File " + file + (Files.isDirectory(file) ? " is a folder" : Files.exists(file) ? " is not a regular file" : " does not exist") + "; expected a file.");
		try (HdfFile hdf = new HdfFile(file)) {
			final String path = datasetPath.startsWith("/") ? datasetPath.substring(1) : datasetPath;
			final Node requested = find(hdf, path);
			final Node node = resolve(requested, file);
			if (!(node instanceof Dataset ds))
				throw new CdiException("HDF5 path '" + datasetPath + "' " + (node == null ? "does not exist" : "is a group, not a dataset") + " in " + file
						+ "; expected the diffraction data. Datasets in the file: " + listDatasets(hdf) + ".");
			final String dtype = dtype(ds.getDataType(), file, datasetPath);
			final long[] shape = Arrays.stream(ds.getDimensions()).asLongStream().toArray();
			final Grid grid = Validation.grid(shape, file, "Dataset '" + datasetPath + "'");
			checkInsideFile(ds, file, datasetPath);
			final float[] data = toFloat(ds.getDataFlat(), file, datasetPath);
			if (data.length != grid.size()) throw new CdiException("Dataset '" + datasetPath + "' in " + file + " returned " + data.length + " values for shape " + Arrays.toString(shape) + "; the file is corrupt.");
			RawArray raw = new RawArray(grid, data, dtype, shape).withDataset("/" + path);
			final Dataset maskDs = siblingMask(requested, node);
			if (maskDs != null) {
				final String mp = maskDs.getPath();
				dtype(maskDs.getDataType(), file, mp);
				final long[] mshape = Arrays.stream(maskDs.getDimensions()).asLongStream().toArray();
				final Grid mgrid = Validation.grid(mshape, file, "Mask dataset '" + mp + "'");
				final float[] m = toFloat(maskDs.getDataFlat(), file, mp);
				raw = raw.withMask(DiffractionReader.fitMask(Mask.fromNonZero(mgrid, m), grid, file + " (dataset " + mp + ")", file));
			}
			return raw;
		} catch (final RuntimeException e) {
			throw Validation.corrupt(file, "HDF5", e);
		} catch (final StackOverflowError e) {
			// jhdf follows soft links recursively: a loop of links never ends
			throw new CdiException("HDF5 file " + file + " has soft links that lead back to themselves (a loop) on the way to '" + datasetPath
				+ "'; expected links that end at a dataset. Give the dataset's own path (dataset=...) or fix the links.");
		}
	}

	/** A truncated copy keeps the headers but loses the data: jHDF would then read past the end (zeros or a fault). */
	private static void checkInsideFile(final Dataset ds, final Path file, final String datasetPath) {
		if (!(ds instanceof io.jhdf.api.dataset.ContiguousDataset c)) return;
		final long end = c.getDataAddress() + ds.getSizeInBytes();
		final long size;
		final Path holder = ds.getFileAsPath() != null ? ds.getFileAsPath() : file; // another file behind an external link
		try {
			size = Files.size(holder);
		} catch (final java.io.IOException e) {
			throw new CdiException("Cannot read the size of " + file + ": " + e.getMessage());
		}
		if (c.getDataAddress() >= 0 && end > size)
			throw new CdiException("File " + holder + " is truncated: dataset '" + datasetPath + "' should end at byte " + end + " but the file has only " + size
				+ " bytes; expected the complete file (copy it again).");
	}

	private static Node find(final Group root, final String path) {
		Node n = root;
		for (final String part : path.split("/")) {
			if (part.isEmpty()) continue;
			n = resolveQuietly(n);
			if (!(n instanceof Group g)) return null;
			n = g.getChildren().get(part);
			if (n == null) return null;
		}
		return n;
	}

	private static Node resolveQuietly(final Node n) {
		Node t = n;
		for (int k = 0; k < 16 && t instanceof Link l; k++) t = l.isBrokenLink() ? null : l.getTarget();
		return t;
	}

	private static Node resolve(final Node n, final Path file) {
		if (n instanceof Link l && l.isBrokenLink())
			throw new CdiException("HDF5 link '" + l.getPath() + "' in " + file + " points to '" + l.getTargetPath() + "', which does not exist; expected a link to the data.");
		return resolveQuietly(n);
	}

	private static Dataset siblingMask(final Node requested, final Node target) {
		for (final Node n : new Node[] { requested, target }) {
			if (n == null || n.getParent() == null) continue;
			final Node m = resolveQuietly(n.getParent().getChildren().get("mask"));
			if (m instanceof Dataset d && m != target) return d;
		}
		return null;
	}

	private static String dtype(final DataType t, final Path file, final String path) {
		if (t instanceof FixedPoint fp) return (fp.isSigned() ? "int" : "uint") + 8 * fp.getSize();
		if (t instanceof FloatingPoint) return "float" + 8 * t.getSize();
		throw new CdiException("Dataset '" + path + "' in " + file + " has HDF5 type " + t.getClass().getSimpleName() + "; expected integer or floating-point numbers.");
	}

	static float[] toFloat(final Object flat, final Path file, final String path) {
		if (flat instanceof float[] f) return f;
		final int n = Array.getLength(flat);
		final float[] out = new float[n];
		if (flat instanceof double[] a) for (int i = 0; i < n; i++) out[i] = (float) a[i];
		else if (flat instanceof int[] a) for (int i = 0; i < n; i++) out[i] = a[i];
		else if (flat instanceof short[] a) for (int i = 0; i < n; i++) out[i] = a[i];
		else if (flat instanceof byte[] a) for (int i = 0; i < n; i++) out[i] = a[i];
		else if (flat instanceof long[] a) for (int i = 0; i < n; i++) out[i] = a[i];
		else if (flat instanceof Number[] a) for (int i = 0; i < n; i++) out[i] = a[i].floatValue();
		else if (flat instanceof Object[] a && Arrays.stream(a).allMatch(java.util.Objects::isNull))
			throw new CdiException("Dataset '" + path + "' in " + file + " has no values written (a chunked dataset whose chunks were never written); expected the diffraction data.");
		else throw new CdiException("Dataset '" + path + "' in " + file + " holds " + flat.getClass().getSimpleName() + " values; expected numbers.");
		return out;
	}

	/** Paths of the first datasets (depth first), links shown with their target, for error messages. */
	private static String listDatasets(final HdfFile hdf) {
		final List<String> out = new ArrayList<>();
		collect(hdf, out, 0);
		if (out.isEmpty()) return "none";
		return String.join(", ", out.subList(0, Math.min(LISTED, out.size()))) + (out.size() > LISTED ? ", ..." : "");
	}

	private static void collect(final Group g, final List<String> out, final int depth) {
		if (depth > 32) return;
		for (final Node n : g.getChildren().values()) {
			if (out.size() > LISTED) return;
			if (n instanceof Link l) {
				final Node t = resolveQuietly(l);
				if (t instanceof Dataset d) out.add(trim(l.getPath()) + " -> " + trim(l.getTargetPath()) + " " + Arrays.toString(d.getDimensions()));
			} else if (n instanceof Dataset d) out.add(trim(d.getPath()) + " " + Arrays.toString(d.getDimensions()));
			else if (n instanceof Group sub) collect(sub, out, depth + 1);
		}
	}

	private static String trim(final String p) { return p.startsWith("/") ? p.substring(1) : p; }
}
