package sc.fiji.cdi.geometry;

import java.util.Arrays;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Resamples a reconstruction from the sheared detector frame onto an orthogonal laboratory grid (z, y, x) with
 * cubic voxels in nm, by trilinear interpolation. Complex objects are interpolated as complex numbers (re and im),
 * which keeps phase wraps from smearing; real volumes that hold NaN outside a support (strain, phase) are
 * interpolated from their finite neighbours only.
 * <p>
 * Output voxel (z, y, x) lies at lab position v·((z, y, x) − M/2); it samples the input at index
 * R⁻¹·p + N/2, with R the direct-space basis ({@link BraggGeometry#directBasis}), both grids centred.
 */
public final class Orthogonalizer {

	private final Grid in, out;
	private final double voxelNm;
	private final double[][] labToIndex;

	/**
	 * @param input       grid of the detector-frame reconstruction
	 * @param directBasis R (nm): column j = lab vector of one step along input axis j
	 * @param voxelNm     output voxel edge in nm
	 * @param output      output grid, or null for the bounding box of the input box
	 */
	public Orthogonalizer(final Grid input, final double[][] directBasis, final double voxelNm, final Grid output) {
		if (!(voxelNm > 0) || !Double.isFinite(voxelNm)) throw new CdiException("The output voxel size must be a positive number of nm, got " + voxelNm + ".");
		this.in = input;
		this.voxelNm = voxelNm;
		this.labToIndex = Mat3.inverse(directBasis);
		if (output != null) this.out = output;
		else {
			final double[] ext = new double[3];
			final int[] n = input.zyx();
			for (int c = 0; c < 8; c++) {
				final double[] corner = { ((c & 1) == 0 ? -0.5 : 0.5) * n[0], ((c & 2) == 0 ? -0.5 : 0.5) * n[1], ((c & 4) == 0 ? -0.5 : 0.5) * n[2] };
				final double[] p = Mat3.multiply(directBasis, corner);
				for (int a = 0; a < 3; a++) ext[a] = Math.max(ext[a], Math.abs(p[a]));
			}
			final long[] m = new long[3];
			for (int a = 0; a < 3; a++) m[a] = Math.max(1, 2 * (long) Math.ceil(ext[a] / voxelNm));
			this.out = checkedGrid(m, voxelNm);
		}
	}

	/** The most voxels of an orthogonal output grid (512³). */
	public static final long MAX_OUTPUT_VOXELS = 512L * 512 * 512;

	/** The output voxel makes the orthogonal grid too large; callers name the parameter that set the voxel. */
	public static final class GridTooLargeException extends CdiException {
		private static final long serialVersionUID = 1L;
		/** What is too large, without the advice: "the orthogonal grid at … nm would be … voxels, more than 512³". */
		public final String what;
		GridTooLargeException(final String what) { super(what + "; choose a larger voxel size."); this.what = what; }
	}

	private static Grid checkedGrid(final long[] m, final double voxelNm) {
		final double voxels = (double) m[0] * m[1] * m[2];
		if (voxels > MAX_OUTPUT_VOXELS)
			throw new GridTooLargeException("the orthogonal grid at " + voxelNm + " nm would be " + m[0] + "x" + m[1] + "x" + m[2] + " voxels, more than 512³");
		return new Grid((int) m[0], (int) m[1], (int) m[2]);
	}

	/** For a reconstruction on {@code input} measured with geometry {@code g}. */
	public static Orthogonalizer of(final BraggGeometry g, final Grid input, final double voxelNm) {
		return new Orthogonalizer(input, g.directBasis(input), voxelNm, null);
	}

	/**
	 * For a reconstruction on {@code input}: an output grid just large enough for the support (its lab-frame
	 * bounding box, symmetric about the array centre, plus {@code marginVoxels} on each side), usually much smaller
	 * than the bounding box of the whole sheared input box.
	 */
	public static Orthogonalizer ofSupport(final BraggGeometry g, final Grid input, final boolean[] support, final double voxelNm, final int marginVoxels) {
		if (support.length != input.size()) throw new CdiException("The support has " + support.length + " voxels, the grid " + input + " has " + input.size() + ".");
		final double[][] r = g.directBasis(input);
		final double[] ext = new double[3];
		boolean any = false;
		for (int z = 0; z < input.nz; z++) for (int y = 0; y < input.ny; y++) for (int x = 0; x < input.nx; x++) {
			if (!support[input.index(z, y, x)]) continue;
			any = true;
			final double[] p = Mat3.multiply(r, new double[] { z - input.nz / 2, y - input.ny / 2, x - input.nx / 2 });
			for (int a = 0; a < 3; a++) ext[a] = Math.max(ext[a], Math.abs(p[a]));
		}
		if (!any) throw new CdiException("The support is empty: nothing to orthogonalise.");
		// in long and checked: a tiny voxel used to overflow or reach Grid's bare "too large" with no parameter named
		final long[] m = new long[3];
		for (int a = 0; a < 3; a++) m[a] = 2 * ((long) Math.min(Math.ceil(ext[a] / voxelNm), 1L << 40) + 1 + Math.max(0, marginVoxels));
		return new Orthogonalizer(input, r, voxelNm, checkedGrid(m, voxelNm));
	}

	public Grid outputGrid() { return out; }

	public double voxelNm() { return voxelNm; }

	private double[] calibration() { return new double[] { voxelNm, voxelNm, voxelNm }; }

	/** Input index (z, y, x) sampled by output voxel (z, y, x). */
	public double[] inputIndex(final int z, final int y, final int x) {
		final double[] p = { voxelNm * (z - out.nz / 2), voxelNm * (y - out.ny / 2), voxelNm * (x - out.nx / 2) };
		final double[] i = Mat3.multiply(labToIndex, p);
		i[0] += in.nz / 2; i[1] += in.ny / 2; i[2] += in.nx / 2;
		return i;
	}

	/** Complex object, interpolated in re/im; 0 outside the input box. */
	public ComplexVolume resample(final ComplexVolume object, final Progress progress) {
		requireInput(object.grid);
		final float[] o = new float[2 * out.size()];
		final float[] acc = new float[2];
		for (int z = 0; z < out.nz; z++) {
			if (progress != null) { progress.checkCancelled(); progress.progress(z, out.nz); }
			for (int y = 0; y < out.ny; y++)
				for (int x = 0; x < out.nx; x++) {
					final double[] i = inputIndex(z, y, x);
					if (interpolate(object.data, 2, i, acc, false)) {
						final int k = out.index(z, y, x);
						o[2 * k] = acc[0]; o[2 * k + 1] = acc[1];
					}
				}
		}
		return new ComplexVolume(out, o, calibration(), "nm");
	}

	/**
	 * A real volume; NaN inputs are skipped, and an output voxel whose finite neighbours carry less than half the
	 * interpolation weight is {@code outside} (use NaN for strain/phase, 0 for amplitude).
	 */
	public RealVolume resample(final RealVolume v, final float outside) {
		requireInput(v.grid);
		final float[] o = new float[out.size()];
		final float[] acc = new float[1];
		for (int z = 0; z < out.nz; z++)
			for (int y = 0; y < out.ny; y++)
				for (int x = 0; x < out.nx; x++) {
					final int k = out.index(z, y, x);
					o[k] = interpolate(v.data, 1, inputIndex(z, y, x), acc, true) ? acc[0] : outside;
				}
		return new RealVolume(out, o, calibration(), "nm");
	}

	/** A support: interpolated as 0/1 and thresholded at ½. */
	public boolean[] resample(final boolean[] support) {
		if (support.length != in.size()) throw new CdiException("The support has " + support.length + " voxels, the grid " + in + " has " + in.size() + ".");
		final float[] f = new float[support.length];
		for (int i = 0; i < f.length; i++) f[i] = support[i] ? 1 : 0;
		final float[] r = resample(new RealVolume(in, f), 0f).data;
		final boolean[] s = new boolean[r.length];
		for (int i = 0; i < r.length; i++) s[i] = r[i] >= 0.5f;
		return s;
	}

	private void requireInput(final Grid g) {
		if (!g.equals(in)) throw new CdiException("This orthogonaliser was set up for a " + in + " grid but got " + g + "; expected the grid of the reconstruction.");
	}

	/** Trilinear interpolation of {@code comp}-component (1 or 2) data at fractional index i; false when no (finite) input is near. */
	private boolean interpolate(final float[] d, final int comp, final double[] i, final float[] acc, final boolean skipNaN) {
		final int z0 = (int) Math.floor(i[0]), y0 = (int) Math.floor(i[1]), x0 = (int) Math.floor(i[2]);
		if (z0 < -1 || y0 < -1 || x0 < -1 || z0 >= in.nz || y0 >= in.ny || x0 >= in.nx) return false;
		final double fz = i[0] - z0, fy = i[1] - y0, fx = i[2] - x0;
		Arrays.fill(acc, 0);
		double wsum = 0, s0 = 0, s1 = 0;
		for (int c = 0; c < 8; c++) {
			final int z = z0 + (c & 1), y = y0 + ((c >> 1) & 1), x = x0 + ((c >> 2) & 1);
			final double w = ((c & 1) == 0 ? 1 - fz : fz) * (((c >> 1) & 1) == 0 ? 1 - fy : fy) * (((c >> 2) & 1) == 0 ? 1 - fx : fx);
			if (w == 0 || z < 0 || y < 0 || x < 0 || z >= in.nz || y >= in.ny || x >= in.nx) continue;
			final int k = in.index(z, y, x) * comp;
			if (skipNaN && Float.isNaN(d[k])) continue;
			s0 += w * d[k];
			if (comp == 2) s1 += w * d[k + 1];
			wsum += w;
		}
		if (skipNaN) {
			if (wsum < 0.5) return false;
			acc[0] = (float) (s0 / wsum);
			if (comp == 2) acc[1] = (float) (s1 / wsum);
		} else {
			if (wsum == 0) return false;
			acc[0] = (float) s0;
			if (comp == 2) acc[1] = (float) s1;
		}
		return true;
	}
}
