package sc.fiji.cdi.io;

import java.nio.file.Path;
import java.util.Arrays;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.MemoryGuard;

/** Checks shared by all importers; every failure is a {@link CdiException} naming the file. */
public final class Validation {

	/** Largest array accepted: the limit of {@link Grid}, 1,073,741,819 (about 2^30) voxels (4 GiB of float). */
	static final long MAX_VOXELS = Grid.MAX_VOXELS;

	private Validation() {}

	/** A 2D (y, x) or 3D (z, y, x) shape, slowest axis first, as a {@link Grid}. */
	static Grid grid(final long[] shape, final Path file, final String what) {
		if (shape.length < 2 || shape.length > 3)
			throw new CdiException(what + " in " + file + " is " + shape.length + "D with shape " + Arrays.toString(shape) + "; expected a 2D (y, x) detector frame or a 3D (z, y, x) stack.");
		long n = 1;
		for (final long s : shape) {
			if (s <= 0) throw new CdiException(what + " in " + file + " is empty (shape " + Arrays.toString(shape) + "); expected at least one pixel along every axis.");
			if (s > Integer.MAX_VALUE) throw new CdiException(what + " in " + file + " has an absurd size " + Arrays.toString(shape) + "; the header is probably corrupt.");
			n *= s;
			if (n > MAX_VOXELS) throw new CdiException(what + " in " + file + " has shape " + Arrays.toString(shape) + ", more than " + MAX_VOXELS + " (about 2^30) voxels; the header is corrupt or the data must be cropped first.");
		}
		// the reader holds the file's raw values (≤ 4 bytes per voxel for the float/int types read) and the float copy
		MemoryGuard.require(8L * n, "importing " + file + " (shape " + Arrays.toString(shape) + ")",
			"bin or crop the data before import, or import a frame folder in parts");
		return shape.length == 2 ? Grid.of2D((int) shape[0], (int) shape[1]) : new Grid((int) shape[0], (int) shape[1], (int) shape[2]);
	}

	/**
	 * Rejects NaN/Inf, all-zero data, negative values (unless {@code clampNegative}, which sets them to 0 in
	 * place and returns how many there were) and constant data (every measured pixel the same value: a flat field or a
	 * filled test image, not a diffraction pattern; the physics loss of a network is 0 on it and phasing has nothing to
	 * fit). Masked pixels are ignored: their values are not used.
	 */
	static int checkValues(final float[] v, final Grid g, final Mask mask, final Path file, final boolean clampNegative) {
		return checkValues(v, g, mask, "File " + file, clampNegative);
	}

	/**
	 * {@link #checkValues(float[], Grid, Mask, Path, boolean)} for data that come from elsewhere than a file, e.g. an
	 * image open in Fiji ({@code subject}: "The image 'title'"), so that they are refused for the same reasons.
	 */
	public static int checkValues(final float[] v, final Grid g, final Mask mask, final String subject, final boolean clampNegative) {
		int nonFinite = 0, firstNonFinite = -1, negative = 0, firstNegative = -1;
		float min = 0;
		boolean anyNonZero = false;
		for (int i = 0; i < v.length; i++) {
			if (mask != null && mask.isUnmeasured(i)) continue;
			final float f = v[i];
			if (!Float.isFinite(f)) {
				if (nonFinite++ == 0) firstNonFinite = i;
			} else if (f < 0) {
				if (negative++ == 0) firstNegative = i;
				if (f < min) min = f;
				anyNonZero = true;
			} else if (f != 0) anyNonZero = true;
		}
		if (nonFinite > 0)
			throw new CdiException(subject + " contains " + nonFinite + " NaN or infinite value" + (nonFinite > 1 ? "s" : "") + ", the first at " + g.position(firstNonFinite)
					+ " (value " + v[firstNonFinite] + "); expected finite numbers. Mask those pixels (mask file) or fix the data.");
		if (!anyNonZero) throw new CdiException(subject + " holds only zeros (" + g + " measured pixels); expected a diffraction pattern with counts.");
		if (negative > 0) {
			if (!clampNegative)
				throw new CdiException(subject + " contains " + negative + " negative value" + (negative > 1 ? "s" : "") + " (minimum " + min + ", the first at " + g.position(firstNegative)
						+ "); intensities and amplitudes must be >= 0. Check the data type, or give " + ImportOptions.CLAMP_NEGATIVE_KEY
						+ "=true (\"Set negative values to 0\" in the dialog) to set them to 0.");
			for (int i = 0; i < v.length; i++) if (v[i] < 0) v[i] = 0;
		}
		checkNotConstant(v, mask, subject, negative);
		return negative;
	}

	/** Rejects data whose measured pixels all hold one value (after negative values were set to 0, {@code clamped} of them). */
	private static void checkNotConstant(final float[] v, final Mask mask, final String subject, final int clamped) {
		int measured = 0;
		float first = 0;
		for (int i = 0; i < v.length; i++) {
			if (mask != null && mask.isUnmeasured(i)) continue;
			if (measured++ == 0) first = v[i];
			else if (v[i] != first) return;
		}
		if (first == 0)
			throw new CdiException(subject + " holds only zeros once its " + clamped + " negative value" + (clamped > 1 ? "s were" : " was") + " set to 0 (" + ImportOptions.CLAMP_NEGATIVE_KEY
				+ "=true); expected a diffraction pattern with counts. Check the data type and any background subtraction.");
		throw new CdiException(subject + " is not a diffraction pattern: every measured pixel is " + number(first) + " (" + measured + " pixel" + (measured > 1 ? "s" : "")
			+ "); expected counts that vary across the detector (a flat field or a filled test image cannot be phased).");
	}

	/** 100 rather than 100.0 for whole numbers. */
	private static String number(final float f) {
		return f == Math.rint(f) && Math.abs(f) < 1e15 ? Long.toString((long) f) : Float.toString(f);
	}

	/** Wraps an unexpected low-level failure (jhdf, ImageJ, NIO) in a message naming the file. */
	static CdiException corrupt(final Path file, final String format, final Throwable e) {
		if (e instanceof CdiException c) return c;
		// the refusal itself, or wrapped by a library (jHDF): the cause says what it was
		for (Throwable t = e; t != null; t = t.getCause())
			if (t instanceof java.nio.file.AccessDeniedException)
				return new CdiException("File " + file + " cannot be read: permission denied; expected a readable " + format + " file (check its permissions).", e);
		if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null)
			return new CdiException("File " + file + " cannot be read as " + format + ": " + fs.getReason() + ".", e);
		return new CdiException("Cannot read " + file + " as " + format + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")")
				+ ". The file is truncated, corrupt or not a " + format + " file.", e);
	}
}
