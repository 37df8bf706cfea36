package sc.fiji.cdi.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;


import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;

/**
 * A reconstruction as a CXI file (HDF5, cxidb layout, REFERENCE §5), written with jhdf:
 * <ul>
 * <li>{@code /cxi_version} = 150;</li>
 * <li>{@code /entry_1/image_1/data}: the complex object. jhdf 0.9.4 cannot write HDF5 compound types, so the
 * object is stored as float32 with shape (nz, ny, nx, 2), the last axis (real, imaginary) — byte for byte the
 * layout of a complex64 array; numpy: {@code d[..., 0] + 1j * d[..., 1]} or {@code d.view(np.complex64)[..., 0]}.
 * The dataset's attribute {@code complex_layout} says so;</li>
 * <li>{@code /entry_1/image_1/mask}: the support, uint8, 1 inside (PyNX's use of this field);</li>
 * <li>{@code /entry_1/image_1/data_space} = "real", {@code voxel_size_nm} (z, y, x), {@code is_fft_shifted} = 0;</li>
 * <li>optional real images (strain, displacement, …) as float32 {@code /entry_1/image_1/<name>};</li>
 * <li>{@code /entry_1/data_1/data}: a copy of the diffraction data when given (jhdf cannot write links), centred
 * (not FFT-shifted), with attribute {@code quantity}; its bad-pixel mask as {@code /entry_1/data_1/mask}
 * (1 = bad, the CXI convention). This is the default path of the project's diffraction importer;</li>
 * <li>{@code /entry_1/image_1/process_1/configuration}: the processing parameters as a JSON string.</li>
 * </ul>
 * jhdf writes whole datasets from Java arrays, so this writer holds one converted copy of each dataset in
 * memory; use {@link BdvExport} for very large volumes. Written to a temporary file and moved into place.
 */
public final class CxiWriter {

	public static final String COMPLEX_LAYOUT = "last axis = (real, imaginary), float32";

	private CxiWriter() {}

	/**
	 * @param object      the complex object, natural order
	 * @param support     the support, may be null
	 * @param diffraction the measured data, may be null
	 * @param images      extra real volumes on the object grid (e.g. "strain"), may be null
	 * @param parameters  processing parameters (serialised to JSON), may be null
	 */
	public static void write(final Path target, final ComplexVolume object, final boolean[] support, final Diffraction diffraction,
		final Map<String, RealVolume> images, final Map<String, ?> parameters)
	{
		if (object == null) throw new CdiException("No object to write to " + target + ".");
		final Grid g = object.grid;
		if (support != null && support.length != g.size()) throw new CdiException("The support has " + support.length + " voxels but the object " + g + " has " + g.size() + ".");
		if (images != null) for (final Map.Entry<String, RealVolume> e : images.entrySet()) {
			if (!e.getValue().grid.equals(g)) throw new CdiException("Image '" + e.getKey() + "' is " + e.getValue().grid + " but the object is " + g + "; expected the same grid.");
			if (e.getKey().isEmpty() || e.getKey().contains("/") || e.getKey().equals("data") || e.getKey().equals("mask")) throw new CdiException("Image name '" + e.getKey() + "' is not allowed in a CXI file: use a plain name other than data or mask.");
		}
		// jHDF takes Java multi-dimensional arrays: float[nz][ny][nx][2] costs ~28 bytes per voxel (a 2-float array
		// with its header and reference), plus 4-byte float copies of each image and 1-byte masks
		MemoryGuard.require(g.size() * (28L + 1 + 4L * (images == null ? 0 : images.size()))
			+ (diffraction == null ? 0 : diffraction.grid().size() * 6L), "the CXI export " + target.getFileName() + " of a " + g + " object",
			"export a cropped or binned object");
		final Path dir = target.toAbsolutePath().getParent();
		Path tmp = null;
		try {
			Files.createDirectories(dir);
			tmp = AtomicOutput.createHiddenFile(target.toAbsolutePath(), ".h5part"); // normal permissions (createTempFile makes 0600)
			try (WritableHdfFile f = HdfFile.write(tmp)) {
				f.putDataset("cxi_version", 150);
				final WritableGroup entry = f.putGroup("entry_1");
				final WritableGroup image = entry.putGroup("image_1");
				final float[][][][] c = new float[g.nz][g.ny][g.nx][2];
				for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
					final int i = g.index(z, y, x);
					c[z][y][x][0] = object.data[2 * i];
					c[z][y][x][1] = object.data[2 * i + 1];
				}
				image.putDataset("data", c).putAttribute("complex_layout", COMPLEX_LAYOUT);
				if (support != null) {
					final byte[][][] m = new byte[g.nz][g.ny][g.nx];
					for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) m[z][y][x] = (byte) (support[g.index(z, y, x)] ? 1 : 0);
					image.putDataset("mask", m);
				}
				image.putDataset("data_space", "real");
				image.putDataset("is_fft_shifted", 0);
				image.putDataset("voxel_size_nm", object.voxelSize.clone());
				image.putDataset("voxel_unit", object.unit);
				if (images != null) for (final Map.Entry<String, RealVolume> e : images.entrySet()) image.putDataset(e.getKey(), cube(e.getValue()));
				if (diffraction != null) {
					final WritableGroup data = entry.putGroup("data_1");
					data.putDataset("data", cube(diffraction.values)).putAttribute("quantity", diffraction.quantity.name().toLowerCase());
					if (diffraction.mask != null) {
						final Grid dg = diffraction.grid();
						final byte[][][] m = new byte[dg.nz][dg.ny][dg.nx];
						for (int z = 0; z < dg.nz; z++) for (int y = 0; y < dg.ny; y++) for (int x = 0; x < dg.nx; x++) m[z][y][x] = (byte) (diffraction.mask.isUnmeasured(dg.index(z, y, x)) ? 1 : 0);
						data.putDataset("mask", m);
					}
				}
				if (parameters != null) {
					final WritableGroup process = image.putGroup("process_1");
					process.putDataset("configuration", sc.fiji.cdi.report.Json.GSON.toJson(parameters));
				}
			}
			final Path done = tmp;
			AtomicOutput.write(target, out -> Files.copy(done, out));
		} catch (final IOException | RuntimeException e) {
			if (e instanceof CdiException ce) throw ce;
			throw new CdiException("Cannot write the CXI file " + target + ": " + cause(e) + ". Check that the output folder exists, is writable and has space.", e);
		} finally {
			if (tmp != null) try { Files.deleteIfExists(tmp); } catch (final IOException ignored) { /* best effort */ }
		}
	}

	/**
	 * The I/O error behind {@code e} in words ({@link AtomicOutput#describe}, as the VTI and N5 writers report it):
	 * jHDF wraps it ("Exception writing"), which alone does not say that the disk is full.
	 */
	static String cause(final Throwable e) {
		IOException deepest = null;
		for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
			if (t instanceof IOException io) deepest = io;
		if (deepest != null) return AtomicOutput.describe(deepest);
		return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
	}

	/** (nz, ny, nx) float array of a volume, the nesting jhdf writes as a 3D dataset. */
	static float[][][] cube(final RealVolume v) {
		final Grid g = v.grid;
		final float[][][] a = new float[g.nz][g.ny][g.nx];
		for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) System.arraycopy(v.data, g.index(z, y, 0), a[z][y], 0, g.nx);
		return a;
	}

	/** Reads {@code /entry_1/image_1/data} (as written here) back into a complex volume (voxel size and unit restored). */
	public static ComplexVolume readObject(final Path file) {
		try (HdfFile f = new HdfFile(file)) {
			final Object d = f.getDatasetByPath("entry_1/image_1/data").getData();
			if (!(d instanceof float[][][][] c) || c[0][0][0].length != 2) throw new CdiException("CXI file " + file + ": entry_1/image_1/data is not a (nz, ny, nx, 2) float32 complex array as this writer stores it.");
			final Grid g = new Grid(c.length, c[0].length, c[0][0].length);
			final float[] out = new float[2 * g.size()];
			for (int z = 0; z < g.nz; z++) for (int y = 0; y < g.ny; y++) for (int x = 0; x < g.nx; x++) {
				final int i = g.index(z, y, x);
				out[2 * i] = c[z][y][x][0];
				out[2 * i + 1] = c[z][y][x][1];
			}
			final double[] vs = (double[]) f.getDatasetByPath("entry_1/image_1/voxel_size_nm").getData();
			final String unit = (String) f.getDatasetByPath("entry_1/image_1/voxel_unit").getData();
			return new ComplexVolume(g, out, vs, unit);
		} catch (final ClassCastException | io.jhdf.exceptions.HdfException e) {
			throw new CdiException("Cannot read the object from CXI file " + file + ": " + e.getMessage() + ". Expected entry_1/image_1/data as written by this plugin.", e);
		}
	}
}
