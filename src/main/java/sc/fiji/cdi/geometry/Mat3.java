package sc.fiji.cdi.geometry;

import sc.fiji.cdi.util.CdiException;

/** Small 3-vector and 3×3-matrix helpers ({@code m[row][column]}). */
public final class Mat3 {

	private Mat3() {}

	public static double dot(final double[] a, final double[] b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

	public static double norm(final double[] a) { return Math.sqrt(dot(a, a)); }

	public static double[] cross(final double[] a, final double[] b) {
		return new double[] { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
	}

	/**
	 * a × b for vectors written as (z, y, x) components of the right-handed lab frame (x = y × z): (z, y, x) is an odd
	 * permutation of (x, y, z), so {@link #cross} applied to such arrays gives −a × b.
	 */
	public static double[] crossZyx(final double[] a, final double[] b) { return scale(cross(a, b), -1); }

	public static double[] scale(final double[] a, final double s) { return new double[] { a[0] * s, a[1] * s, a[2] * s }; }

	public static double[] normalise(final double[] a) { return scale(a, 1 / norm(a)); }

	public static double[] multiply(final double[][] m, final double[] v) {
		return new double[] { dot(m[0], v), dot(m[1], v), dot(m[2], v) };
	}

	/**
	 * {@code v} rotated right-handedly by {@code angleRad} about {@code axis} (Rodrigues' formula), both given in a
	 * right-handed component order such as (x, y, z); for the (z, y, x) arrays of the lab frame reverse them first.
	 */
	public static double[] rotate(final double[] v, final double[] axis, final double angleRad) {
		final double c = Math.cos(angleRad), s = Math.sin(angleRad);
		final double[] k = normalise(axis), kxv = cross(k, v);
		final double kv = dot(k, v) * (1 - c);
		return new double[] { v[0] * c + kxv[0] * s + k[0] * kv, v[1] * c + kxv[1] * s + k[1] * kv, v[2] * c + kxv[2] * s + k[2] * kv };
	}

	/**
	 * A lab-frame vector written (z, y, x) rotated right-handedly by {@code deg} degrees about a lab-frame axis written
	 * (z, y, x): {@link #rotate} on the components reversed to (x, y, z), as {@link #crossZyx} is {@link #cross}.
	 */
	public static double[] rotateZyx(final double[] zyx, final double[] axisZyx, final double deg) {
		final double[] r = rotate(new double[] { zyx[2], zyx[1], zyx[0] }, new double[] { axisZyx[2], axisZyx[1], axisZyx[0] }, Math.toRadians(deg));
		return new double[] { r[2], r[1], r[0] };
	}

	public static double[][] transpose(final double[][] m) {
		final double[][] t = new double[3][3];
		for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) t[i][j] = m[j][i];
		return t;
	}

	/** Column j of m. */
	public static double[] column(final double[][] m, final int j) { return new double[] { m[0][j], m[1][j], m[2][j] }; }

	public static double determinant(final double[][] m) {
		return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
	}

	public static double[][] inverse(final double[][] m) {
		final double det = determinant(m);
		double scale = 0;
		for (final double[] r : m) for (final double v : r) scale = Math.max(scale, Math.abs(v));
		if (!(Math.abs(det) > 1e-12 * scale * scale * scale)) throw new CdiException("The geometry gives a singular (flat) voxel: the rocking direction lies in the detector plane. Check the detector angles and the rocking axis.");
		final double[][] inv = new double[3][3];
		inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
		inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
		inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
		inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
		inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
		inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
		inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
		inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
		inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
		return inv;
	}
}
