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
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.util.CdiException;

/**
 * HDF5, CXI and NeXus files through jhdf (pure Java, read-only). Without a dataset path the data are found by
 * {@link #locate}: the CXI convention {@code entry_1/data_1/data}, the NeXus default chain, a Dectris Eiger master's
 * data links, {@code /entry/data/data}; soft and external links are followed. A dataset named {@code mask} next to the data (in the
 * group of the link or of its target) is read as the bad-pixel mask, CXI convention: non-zero = bad.
 */
final class Hdf5Reader {

	private static final int LISTED = 20;

	private Hdf5Reader() {}

	static RawArray readRaw(final Path file, final String datasetPath) { return readRaw(file, datasetPath, false); }

	/**
	 * @param binary the dataset is a mask or support: enumerated values (h5py writes numpy bool as an enum FALSE/TRUE)
	 *               are read as their integer codes
	 */
	static RawArray readRaw(final Path file, final String datasetPath, final boolean binary) {
		requireNonEmptyFile(file);
		try (HdfFile hdf = new HdfFile(file)) {
			final String path = datasetPath.startsWith("/") ? datasetPath.substring(1) : datasetPath;
			final Node requested = find(hdf, path);
			final Node node = resolve(requested, file);
			if (!(node instanceof Dataset ds)) throw notFound(datasetPath, node, file, hdf, "");
			final String dtype = dtype(ds.getDataType(), file, datasetPath, binary);
			final long[] shape = Arrays.stream(ds.getDimensions()).asLongStream().toArray();
			final Grid grid = Validation.grid(shape, file, "Dataset '" + datasetPath + "'");
			checkInsideFile(ds, file, datasetPath);
			checkChunks(ds, file, datasetPath);
			final float[] data = values(ds, file, datasetPath);
			if (data.length != grid.size()) throw new CdiException("Dataset '" + datasetPath + "' in " + file + " returned " + data.length + " values for shape " + Arrays.toString(shape) + "; the file is corrupt.");
			RawArray raw = new RawArray(grid, data, dtype, shape).withDataset("/" + path);
			final Dataset maskDs = siblingMask(requested, node);
			if (maskDs != null) {
				final String mp = maskDs.getPath();
				dtype(maskDs.getDataType(), file, mp, true);
				final long[] mshape = Arrays.stream(maskDs.getDimensions()).asLongStream().toArray();
				final Grid mgrid = Validation.grid(mshape, file, "Mask dataset '" + mp + "'");
				checkChunks(maskDs, file, mp);
				final float[] m = values(maskDs, file, mp);
				raw = raw.withMask(DiffractionReader.fitMask(Mask.fromNonZero(mgrid, m), grid, file + " (dataset " + mp + ")", file));
			}
			return raw;
		} catch (final RuntimeException e) {
			final CdiException unsupported = unsupported(e, file, datasetPath);
			throw unsupported != null ? unsupported : Validation.corrupt(file, "HDF5", e);
		} catch (final StackOverflowError e) {
			// jhdf follows soft links recursively: a loop of links never ends
			throw new CdiException("HDF5 file " + file + " has soft links that lead back to themselves (a loop) on the way to '" + datasetPath
				+ "'; expected links that end at a dataset. Give the dataset's own path (dataset=...) or fix the links.");
		}
	}

	private static void requireNonEmptyFile(final Path file) {
		if (!Files.isRegularFile(file))
			throw new CdiException("File " + file + (Files.isDirectory(file) ? " is a folder" : Files.exists(file) ? " is not a regular file" : " does not exist") + "; expected a file.");
		try {
			if (Files.size(file) == 0) throw new CdiException("File " + file + " is empty (0 bytes); expected an HDF5 file (copy it again).");
		} catch (final java.io.IOException e) {
			throw Validation.corrupt(file, "HDF5", e);
		}
	}

	/** "HDF5 path ... does not exist in ...", listing the file's datasets; {@code searched} says what else was looked for. */
	private static CdiException notFound(final String datasetPath, final Node node, final Path file, final HdfFile hdf, final String searched) {
		return new CdiException("HDF5 path '" + datasetPath + "' " + (node == null ? "does not exist" : "is a group, not a dataset") + " in " + file
			+ "; expected the diffraction data." + searched + " Datasets in the file: " + listDatasets(hdf) + ".");
	}

	/**
	 * Where the diffraction data of an HDF5 file are found when no dataset was given, and by which rule.
	 *
	 * @param datasets the dataset paths to read: one, or the parts of a stack (Eiger data files) in stacking (z) order
	 * @param rule     how they were found, for the import log ("NeXus default ..."); null for the CXI default itself
	 * @param files    the data files behind the parts (the Eiger links' targets), for the log; empty for one dataset
	 */
	record Located(List<String> datasets, String rule, List<String> files) {}

	/** Dectris Eiger master files link their data files as {@code /entry/data/data_000001}, {@code data_000002}, … */
	private static final java.util.regex.Pattern EIGER_PART = java.util.regex.Pattern.compile("data_(\\d{6})");

	/**
	 * The data of a file read without {@code dataset=}, by these rules in this order (the first that applies wins):
	 * <ol>
	 * <li>CXI: {@link ImportOptions#DEFAULT_HDF5_DATASET} ({@code entry_1/data_1/data}) when it exists (as a dataset
	 * or a link; a broken link is named when it is read);</li>
	 * <li>the NeXus default chain (NIAC 2014, "find the plottable data" v3): the root's {@code default} attribute
	 * names an NXentry, whose {@code default} names an NXdata group (or a group with a {@code default} of its own,
	 * followed on), whose {@code signal} attribute names the data field. Files written before 2014 mark the field
	 * with {@code signal=1} instead, and without a {@code default} the only NXentry and its only NXdata group are
	 * taken. A signal that is not 2D or 3D (a counter of the default plot) is passed over;</li>
	 * <li>a Dectris Eiger master file: the links {@code /entry/data/data_NNNNNN} to its data files, stacked along z
	 * in number order; they must run from {@code data_000001} without a gap (refused naming the missing one);</li>
	 * <li>{@code /entry/data/data} (an Eiger data file, or a master holding its frames).</li>
	 * </ol>
	 *
	 * @throws CdiException when no rule applies, listing the file's datasets (and why a declared NeXus default
	 *                      chain did not lead to data), or naming a gap in the Eiger numbering
	 */
	static Located locate(final Path file) {
		requireNonEmptyFile(file);
		try (HdfFile hdf = new HdfFile(file)) {
			if (find(hdf, ImportOptions.DEFAULT_HDF5_DATASET) != null) return new Located(List.of(ImportOptions.DEFAULT_HDF5_DATASET), null, List.of());
			final List<String> notes = new ArrayList<>();
			final Located nexus = nexusDefault(hdf, notes);
			if (nexus != null) return wholeEigerStack(nexus, hdf, file);
			final Located eiger = eigerParts(hdf, file);
			if (eiger != null) return eiger;
			final Node plain = find(hdf, "entry/data/data");
			if (plain != null && !(resolveQuietly(plain) instanceof Group))
				return new Located(List.of("/entry/data/data"), "Eiger/NeXus layout /entry/data/data", List.of());
			throw notFound(ImportOptions.DEFAULT_HDF5_DATASET, null, file, hdf, " Also looked for the NeXus default data (" + (notes.isEmpty() ? "no 'default' chain to an NXdata group with a 'signal'" : String.join("; ", notes))
				+ "), Dectris Eiger data links /entry/data/data_000001, ... and /entry/data/data: none found. Give the dataset with dataset=<path>.");
		} catch (final RuntimeException e) {
			final CdiException unsupported = unsupported(e, file, ImportOptions.DEFAULT_HDF5_DATASET);
			throw unsupported != null ? unsupported : Validation.corrupt(file, "HDF5", e);
		} catch (final StackOverflowError e) {
			throw new CdiException("HDF5 file " + file + " has soft links that lead back to themselves (a loop); expected links that end at a dataset. Give the dataset's own path (dataset=...) or fix the links.");
		}
	}

	/** The NeXus default data (see {@link #locate}), or null; why a declared chain ends without data goes to {@code notes}. */
	private static Located nexusDefault(final HdfFile hdf, final List<String> notes) {
		Group g = hdf;
		final List<String> trail = new ArrayList<>();
		for (int depth = 0; depth < 16 && !isNxData(g); depth++) {
			final String def = text(g, "default");
			final String at = g == hdf ? "/" : where(g);
			final Node next;
			if (def != null) {
				next = resolveQuietly(def.startsWith("/") ? find(hdf, def) : find(g, def));
				if (!(next instanceof Group)) {
					notes.add("the 'default' attribute of " + at + " names '" + def + "', which is " + (next == null ? "not in the file" : "not a group"));
					return null;
				}
				trail.add(trim(at) + "@default=" + def);
			} else {
				// before NeXus 2014: the only NXentry of the file, the only NXdata group of the entry
				final String wanted = g == hdf ? "NXentry" : "NXdata";
				final List<Group> of = new ArrayList<>();
				for (final Node c : g.getChildren().values())
					if (resolveQuietly(c) instanceof Group cg && wanted.equals(text(cg, "NX_class"))) of.add(cg);
				if (of.size() != 1) return null;
				next = of.get(0);
			}
			g = (Group) next;
		}
		if (!isNxData(g)) return null;
		final String signal = text(g, "signal");
		String name = null;
		if (signal != null) {
			if (g.getChildren().get(signal) == null) {
				notes.add("the 'signal' attribute of " + where(g) + " names '" + signal + "', which is not in that group");
				return null;
			}
			name = signal;
			trail.add(trim(where(g)) + "@signal=" + signal);
		} else {
			for (final java.util.Map.Entry<String, Node> c : g.getChildren().entrySet())
				if (resolveQuietly(c.getValue()) instanceof Dataset d && "1".equals(text(d, "signal"))) {
					name = c.getKey();
					trail.add(trim(where(g)) + "/" + name + "@signal=1");
					break;
				}
			if (name == null) {
				if (!trail.isEmpty()) notes.add("the NXdata group " + where(g) + " has no 'signal' attribute and no field with signal=1");
				return null;
			}
		}
		final String path = where(g) + "/" + name;
		if (resolveQuietly(g.getChildren().get(name)) instanceof Dataset d && d.getDimensions().length != 2 && d.getDimensions().length != 3) {
			notes.add("the NeXus default data " + path + " are " + Arrays.toString(d.getDimensions()) + ", not 2D or 3D detector frames");
			return null;
		}
		return new Located(List.of(path), "NeXus default: " + String.join(", ", trail), List.of());
	}

	/**
	 * A NeXus default whose signal is one of an Eiger master's data links ({@code /entry/data/data_000001}) stands for
	 * the whole acquisition: all the links, stacked as {@link #eigerParts} stacks them (one part alone would drop the
	 * other parts' frames). {@code dataset=} still reads one part.
	 */
	private static Located wholeEigerStack(final Located nexus, final HdfFile hdf, final Path file) {
		final String p = nexus.datasets().get(0);
		final int slash = p.lastIndexOf('/');
		if (!"/entry/data".equals(p.substring(0, Math.max(0, slash))) || !EIGER_PART.matcher(p.substring(slash + 1)).matches()) return nexus;
		final Located eiger = eigerParts(hdf, file);
		return eiger == null || eiger.datasets().size() < 2 ? nexus : new Located(eiger.datasets(), nexus.rule() + ", one of the " + eiger.rule(), eiger.files());
	}

	/** A node's path without the trailing slash jHDF gives groups ("/entry/data"). */
	private static String where(final Node n) {
		final String p = n.getPath();
		return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
	}

	private static boolean isNxData(final Group g) { return "NXdata".equals(text(g, "NX_class")) || text(g, "signal") != null && !(g instanceof HdfFile); }

	/** A string or one-number attribute as text (h5py writes strings variable- or fixed-length, scalar or of one element), or null. */
	private static String text(final Node n, final String name) {
		final io.jhdf.api.Attribute a;
		try {
			a = n.getAttribute(name);
		} catch (final RuntimeException e) {
			return null;
		}
		if (a == null || a.isEmpty()) return null;
		Object v = a.getData();
		if (v != null && v.getClass().isArray()) v = Array.getLength(v) == 1 ? Array.get(v, 0) : null;
		if (v instanceof byte[] b) v = new String(b, java.nio.charset.StandardCharsets.UTF_8);
		if (v instanceof String s) {
			final String t = s.replace("\0", "").trim();
			return t.isEmpty() ? null : t;
		}
		return v instanceof Number num ? (num.doubleValue() == Math.rint(num.doubleValue()) ? Long.toString(num.longValue()) : num.toString()) : null;
	}

	/** The data links of an Eiger master (see {@link #locate}) in number order, or null when it has none. */
	private static Located eigerParts(final HdfFile hdf, final Path file) {
		if (!(resolveQuietly(find(hdf, "entry/data")) instanceof Group data)) return null;
		final java.util.TreeMap<Integer, Node> parts = new java.util.TreeMap<>();
		for (final java.util.Map.Entry<String, Node> c : data.getChildren().entrySet()) {
			final java.util.regex.Matcher m = EIGER_PART.matcher(c.getKey());
			if (m.matches()) parts.put(Integer.parseInt(m.group(1)), c.getValue());
		}
		if (parts.isEmpty()) return null;
		final List<String> missing = new ArrayList<>();
		for (int k = 1; k < parts.lastKey() && missing.size() < 10; k++) if (!parts.containsKey(k)) missing.add(String.format(java.util.Locale.ROOT, "data_%06d", k));
		if (!missing.isEmpty())
			throw new CdiException("Eiger master file " + file + " links " + parts.size() + " data files up to /entry/data/" + String.format(java.util.Locale.ROOT, "data_%06d", parts.lastKey())
				+ " but has no " + String.join(", ", missing) + "; expected data_000001, data_000002, ... without a gap (a missing part would drop its frames from the"
				+ " stack, and every later frame would be taken for an earlier rocking angle). Copy the complete master file, or read one part with dataset=/entry/data/data_NNNNNN.");
		final List<String> datasets = new ArrayList<>(), files = new ArrayList<>();
		long next = -1; // the frame number the next data file should start at (Dectris: image_nr_low, image_nr_high)
		for (final Node n : parts.values()) {
			if (resolveQuietly(n) instanceof Dataset d && d.getDimensions().length == 3) {
				final String low = text(d, "image_nr_low"), high = text(d, "image_nr_high");
				if (low != null && high != null && low.matches("\\d+") && high.matches("\\d+")) {
					final long lo = Long.parseLong(low), hi = Long.parseLong(high);
					final String part = "Eiger data file " + (d.getFileAsPath() == null ? "" : d.getFileAsPath().getFileName()) + " (link " + n.getPath() + " of " + file + ")";
					if (hi - lo + 1 != d.getDimensions()[0])
						throw new CdiException(part + " holds " + d.getDimensions()[0] + " frames but says it holds frames " + lo + " to " + hi + " (image_nr_low, image_nr_high); expected the complete"
							+ " data file (copy it again): the stack would be shorter than the acquisition.");
					if (next >= 0 && lo != next)
						throw new CdiException(part + " starts at frame " + lo + " but the data file before it ends at frame " + (next - 1) + "; expected frames numbered without a gap"
							+ " (data files of one acquisition, complete).");
					next = hi + 1;
				}
			}
			datasets.add(n.getPath());
			if (n instanceof io.jhdf.links.ExternalLink l) {
				final String t = l.getTargetPath();
				final int colon = t.lastIndexOf(':');
				files.add(colon > 0 ? t.substring(0, colon) : t);
			} else files.add(file.getFileName() + ":" + n.getPath());
		}
		return new Located(datasets, "Eiger master: links to " + (files.size() == 1 ? "1 data file, " + files.get(0) : files.size() + " data files, " + files.get(0) + " … " + files.get(files.size() - 1)), files);
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
		if (n instanceof io.jhdf.links.ExternalLink l && l.isBrokenLink()) {
			// "file:path": the file is found beside the linking file (Eiger master and data files)
			final String target = l.getTargetPath();
			final int colon = target.lastIndexOf(':');
			final String linked = colon > 0 ? target.substring(0, colon) : target, inside = colon > 0 ? target.substring(colon + 1) : "";
			final Path abs = file.toAbsolutePath().getParent().resolve(linked);
			final String why;
			if (!Files.exists(abs)) why = "which does not exist (looked for " + abs + ")";
			else {
				String cause;
				try (HdfFile other = new HdfFile(abs)) {
					cause = other.getByPath(inside) == null ? "it has no '" + inside + "'" : "it cannot be followed";
				} catch (final io.jhdf.exceptions.HdfInvalidPathException e) {
					cause = "it has no '" + inside + "'";
				} catch (final RuntimeException e) {
					cause = e.getMessage() != null && e.getMessage().contains("signature") ? "it is not an HDF5 file" : "it cannot be read (" + e.getMessage() + ")";
				}
				why = "which exists but " + cause;
			}
			throw new CdiException("HDF5 link '" + l.getPath() + "' in " + file + " points to dataset '" + inside + "' of the file " + linked + ", " + why
				+ "; expected the linked data file (e.g. an Eiger master's data file) beside " + file.getFileName() + ", complete and readable.");
		}
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

	private static String dtype(final DataType t, final Path file, final String path, final boolean binary) {
		if (t instanceof FixedPoint fp) return (fp.isSigned() ? "int" : "uint") + 8 * fp.getSize();
		if (t instanceof FloatingPoint) return "float" + 8 * t.getSize();
		if (t instanceof EnumDataType e && e.getBaseType() instanceof FixedPoint) {
			if (binary) return "enum " + e.getEnumMapping();
			final boolean bool = e.getEnumMapping().size() == 2 && "FALSE".equals(e.getEnumMapping().get(0)) && "TRUE".equals(e.getEnumMapping().get(1));
			throw new CdiException("Dataset '" + path + "' in " + file + " holds " + (bool ? "boolean values (an enum FALSE/TRUE, as h5py stores numpy bool)" : "enumerated values " + e.getEnumMapping())
				+ ", not counts; expected integer or"
				+ " floating-point numbers. Give the diffraction data's dataset (dataset=...).");
		}
		if (t instanceof io.jhdf.object.datatype.CompoundDataType c) {
			final List<String> names = c.getMembers().stream().map(io.jhdf.object.datatype.CompoundDataType.CompoundDataMember::getName).toList();
			if (names.size() == 2 && (names.equals(List.of("r", "i")) || names.equals(List.of("real", "imag"))))
				throw new CdiException("Dataset '" + path + "' in " + file + " holds complex numbers (an HDF5 compound of " + names + ", as h5py stores numpy complex); expected real counts:"
					+ " save the intensity |F|² or the amplitude |F| (numpy: np.abs(a)**2) as a real dataset.");
			throw new CdiException("Dataset '" + path + "' in " + file + " holds records (an HDF5 compound of the fields " + names + "); expected integer or floating-point numbers."
				+ " Save the counts field as a dataset of its own.");
		}
		throw new CdiException("Dataset '" + path + "' in " + file + " has HDF5 type " + t.getClass().getSimpleName() + "; expected integer or floating-point numbers.");
	}

	/** The dataset's values as float; enumerated values (a bool mask) as their integer codes. */
	private static float[] values(final Dataset ds, final Path file, final String path) {
		final Object flat = ds.getDataFlat();
		if (ds.getDataType() instanceof EnumDataType e && flat instanceof String[] names) {
			final java.util.Map<String, Integer> code = new java.util.HashMap<>();
			e.getEnumMapping().forEach((k, v) -> code.put(v, k));
			final float[] out = new float[names.length];
			for (int i = 0; i < out.length; i++) {
				final Integer c = code.get(names[i]);
				if (c == null) throw new CdiException("Dataset '" + path + "' in " + file + " holds a value outside its enumeration " + e.getEnumMapping() + "; the file is corrupt.");
				out[i] = c;
			}
			return out;
		}
		return toFloat(flat, file, path);
	}

	/**
	 * A chunked dataset must have every chunk written and inside the file: jHDF reads a chunk never written (an
	 * interrupted acquisition, a file still being written) as zeros, ignoring the fill value, and a chunk cut off by
	 * a truncated copy as whatever bytes remain. Uses jHDF's chunk index (not public API): skipped when unavailable.
	 */
	private static void checkChunks(final Dataset ds, final Path file, final String datasetPath) {
		if (!(ds instanceof io.jhdf.dataset.chunked.ChunkedDatasetBase c)) return;
		final java.util.Map<?, ?> lookup;
		try {
			final java.lang.reflect.Method m = io.jhdf.dataset.chunked.ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
			m.setAccessible(true);
			lookup = (java.util.Map<?, ?>) m.invoke(c);
		} catch (final ReflectiveOperationException | RuntimeException e) {
			return; // the read that follows names what is wrong
		}
		if (lookup == null || lookup.isEmpty()) return; // nothing written: toFloat says so
		final Path holder = ds.getFileAsPath() != null ? ds.getFileAsPath() : file;
		final long size;
		try {
			size = Files.size(holder);
		} catch (final java.io.IOException e) {
			throw new CdiException("Cannot read the size of " + holder + ": " + e.getMessage());
		}
		final int[] dims = ds.getDimensions(), chunk = c.getChunkDimensions();
		long expected = 1;
		for (int k = 0; k < dims.length; k++) expected *= (dims[k] + chunk[k] - 1) / chunk[k];
		for (final Object o : lookup.values()) {
			if (!(o instanceof io.jhdf.dataset.chunked.Chunk ch)) continue;
			if (ch.getAddress() >= 0 && ch.getAddress() + ch.getSize() > size)
				throw new CdiException("File " + holder + " is truncated: the chunk at " + Arrays.toString(ch.getChunkOffset()) + " of dataset '" + datasetPath + "' should end at byte "
					+ (ch.getAddress() + ch.getSize()) + " but the file has only " + size + " bytes; expected the complete file (copy it again).");
		}
		if (lookup.size() >= expected) return;
		String missing = "";
		if (dims.length == 3) { // name the frames without any chunk
			final boolean[] has = new boolean[dims[0]];
			for (final Object o : lookup.values())
				if (o instanceof io.jhdf.dataset.chunked.Chunk ch)
					for (int z = ch.getChunkOffset()[0]; z < Math.min(dims[0], ch.getChunkOffset()[0] + chunk[0]); z++) has[z] = true;
			final List<Integer> none = new ArrayList<>();
			for (int z = 0; z < dims[0]; z++) if (!has[z]) none.add(z + 1);
			if (!none.isEmpty())
				missing = " (" + none.size() + " of its " + dims[0] + " frames have none: " + (none.size() == 1 ? "frame " : "frames ") + (none.size() > 10
					? none.subList(0, 10).toString().replaceAll("[\\[\\]]", "") + ", ..." : none.toString().replaceAll("[\\[\\]]", "")) + ", counting from 1)";
		}
		throw new CdiException("Dataset '" + datasetPath + "' in " + file + " has only " + lookup.size() + " of its " + expected + " chunks " + Arrays.toString(chunk) + " written" + missing
			+ "; the rest were never written (an interrupted acquisition or a file still being written) and would be read as zeros. Expected complete data: wait for the"
			+ " acquisition to finish or copy the complete file, or crop the stack to the frames written.");
	}

	/** jHDF's refusal of a storage or filter it does not implement, said as such (not "corrupt"), or null. */
	private static CdiException unsupported(final Throwable e, final Path file, final String datasetPath) {
		String group = null;
		for (Throwable t = e; t != null; t = t.getCause()) {
			final String msg = t.getMessage() == null ? "" : t.getMessage();
			final java.util.regex.Matcher g = java.util.regex.Pattern.compile("children (?:of|for) group '([^']*)'").matcher(msg);
			if (group == null && g.find()) group = g.group(1);
			final String where = group == null ? "" : " in group '" + group + "'";
			if (t instanceof io.jhdf.exceptions.UnsupportedHdfException && msg.contains("Virtual storage"))
				return new CdiException("File " + file + " holds a virtual dataset (HDF5 VDS)" + where + ", which the HDF5 reader (jHDF) cannot read; expected the frames stored in"
					+ " the file itself. Open the source files the virtual dataset maps (e.g. the detector's data files), or copy the data into a real dataset"
					+ " (h5py: f.create_dataset('data', data=vds[()])).", e);
			if (t instanceof io.jhdf.exceptions.UnsupportedHdfException && msg.contains("External Data Files"))
				return new CdiException("File " + file + " keeps a dataset's values" + where + " in external raw files (HDF5 external storage), which the HDF5 reader (jHDF) cannot"
					+ " read; expected the values stored in the HDF5 file. Copy the data into a real dataset (h5py: f.create_dataset('data', data=ds[()])).", e);
			if (t instanceof io.jhdf.exceptions.HdfFilterException && msg.contains("filter is not available"))
				return new CdiException("Dataset '" + datasetPath + "' in " + file + " is compressed with an HDF5 filter the reader (jHDF) does not have (" + msg.replaceFirst(".*available: ", "")
					+ "); expected deflate (gzip), LZF, LZ4 or bitshuffle-LZ4 compression, shuffle, or none. Save it again with one of those (h5py: compression='gzip').", e);
		}
		return null;
	}

	static float[] toFloat(final Object flat, final Path file, final String path) {
		if (flat instanceof float[] f) return f;
		final int n = Array.getLength(flat);
		final float[] out = new float[n];
		if (flat instanceof double[] a) for (int i = 0; i < n; i++) {
			if (ElementType.beyondFloat(a[i])) throw ElementType.beyondFloat("Dataset '" + path + "' in " + file, a[i], "element " + i + " (counting from 0)");
			out[i] = (float) a[i];
		}
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
