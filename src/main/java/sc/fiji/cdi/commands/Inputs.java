package sc.fiji.cdi.commands;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.io.ImportOptions;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.workflow.Reconstruct;

/** Turns command parameter values (strings and files as a dialog or macro gives them) into core options. */
final class Inputs {

	private Inputs() {}

	static Path existing(final File f, final String parameter) {
		if (f == null) throw new CdiException("Parameter '" + parameter + "' is missing: give a file or folder.");
		if (!f.exists()) throw new CdiException("Parameter '" + parameter + "': " + f + " does not exist.");
		return f.toPath();
	}

	static Path optional(final File f, final String parameter) {
		if (f == null || f.getPath().isBlank()) return null;
		return existing(f, parameter);
	}

	static ImportOptions importOptions(final String quantity, final String dataset, final File dark, final File white, final File mask) {
		return new ImportOptions(Quantity.parse(quantity), dataset, optional(dark, "dark_field"), optional(white, "white_field"), optional(mask, "mask_file"));
	}

	/**
	 * "auto" or "" → null (FFT-friendly size of each axis); "64" → {64} (a cube, a square in 2D); "64,128,128" → (z, y, x);
	 * resolved against the data by {@link Reconstruct#targetSize}.
	 */
	static int[] size(final String s) {
		if (s == null || s.isBlank() || s.trim().equalsIgnoreCase("auto")) return null;
		final String[] parts = s.trim().split("[,x×\\s]+");
		try {
			final int[] v = new int[parts.length];
			for (int i = 0; i < v.length; i++) v[i] = Integer.parseInt(parts[i]);
			if (v.length <= 3) {
				Reconstruct.targetSize(v, false); // refuses sizes < 1
				return v;
			}
		} catch (final IllegalArgumentException e) {
			// fall through to the message below
		}
		throw new CdiException("size='" + s + "' is not understood: expected 'auto', one number (a cube) or z,y,x (e.g. 64,128,128).");
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

	/** A file name without its extension (a folder keeps its name), used to name outputs. */
	static String baseName(final Path p) {
		final String n = p.getFileName().toString();
		if (Files.isDirectory(p)) return n;
		final int dot = n.indexOf('.');
		return dot > 0 ? n.substring(0, dot) : n;
	}

	/** A file, or every pattern file in a folder (sorted by name; a folder of detector frames is imported with Import Diffraction first). */
	static List<Path> patternFiles(final Path in) {
		if (!Files.isDirectory(in)) return List.of(in);
		try (var s = Files.list(in)) {
			final List<Path> files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(tif|tiff|npy|h5|hdf5|cxi|nxs|edf)$")).sorted().toList();
			if (files.isEmpty()) throw new CdiException("Folder " + in + " holds no diffraction files (.tif, .npy, .h5, .cxi, .edf).");
			return files;
		} catch (final IOException e) {
			throw new CdiException("Cannot list folder " + in + ": " + e.getMessage());
		}
	}
}
