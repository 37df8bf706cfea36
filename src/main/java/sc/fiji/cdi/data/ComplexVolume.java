package sc.fiji.cdi.data;

/**
 * A complex 2D/3D array in (z, y, x) order with real and imaginary parts interleaved in one float array
 * ({@code data[2i]} = re, {@code data[2i+1]} = im), the layout FFT libraries and imglib2's
 * {@code ArrayImgs.complexFloats} use.
 */
public final class ComplexVolume {

	public final Grid grid;
	public final float[] data;
	public final double[] voxelSize;
	public final String unit;

	public ComplexVolume(final Grid grid, final float[] interleaved, final double[] voxelSize, final String unit) {
		if (interleaved.length != 2 * grid.size()) throw new IllegalArgumentException("complex data length " + interleaved.length + " does not match grid " + grid);
		this.grid = grid; this.data = interleaved; this.voxelSize = voxelSize.clone(); this.unit = unit;
	}

	public ComplexVolume(final Grid grid, final float[] interleaved) { this(grid, interleaved, new double[] { 1, 1, 1 }, "pixel"); }

	public ComplexVolume(final Grid grid) { this(grid, new float[2 * grid.size()]); }

	/** ρ = A·exp(iφ). */
	public static ComplexVolume fromAmplitudePhase(final RealVolume amplitude, final RealVolume phase) {
		if (!amplitude.grid.equals(phase.grid)) throw new IllegalArgumentException("amplitude " + amplitude.grid + " and phase " + phase.grid + " differ in size");
		final int n = amplitude.grid.size();
		final float[] c = new float[2 * n];
		for (int i = 0; i < n; i++) {
			final double a = amplitude.data[i], p = phase.data[i];
			c[2 * i] = (float) (a * Math.cos(p));
			c[2 * i + 1] = (float) (a * Math.sin(p));
		}
		return new ComplexVolume(amplitude.grid, c, amplitude.voxelSize, amplitude.unit);
	}

	public RealVolume amplitude() {
		final float[] a = new float[grid.size()];
		for (int i = 0; i < a.length; i++) a[i] = (float) Math.hypot(data[2 * i], data[2 * i + 1]);
		return new RealVolume(grid, a, voxelSize, unit);
	}

	/** Phase in radians, in (−π, π]. */
	public RealVolume phase() {
		final float[] p = new float[grid.size()];
		for (int i = 0; i < p.length; i++) p[i] = (float) Math.atan2(data[2 * i + 1], data[2 * i]);
		return new RealVolume(grid, p, voxelSize, unit);
	}

	public ComplexVolume copy() { return new ComplexVolume(grid, data.clone(), voxelSize, unit); }
}
