package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import ij.ImagePlus;
import ij.process.LUT;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.fiji.ImagePlusConverter;
import sc.fiji.cdi.io.VolumeReader;
import sc.fiji.cdi.strain.StrainParameters;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.view.Lut;

/**
 * The reconstructed object (amplitude, phase in radians, optional support) as the strain, export and display
 * commands take it: from files (for batch and headless use; Reconstruct's {@code <name>_amplitude.tif},
 * {@code _phase.tif}, {@code _support.tif}) or, when no file is given, from open images (the dialog in Fiji).
 * Giving only {@code amplitude_file = <name>_amplitude.tif} finds the phase and support files next to it.
 */
final class ObjectInputs {

	static final String AMPLITUDE_SUFFIX = "_amplitude";

	/** What {@code g_direction} takes, for its messages. */
	static final String G_DIRECTION_SYNTAX = "three numbers z,y,x (e.g. 0,1,0)";

	/**
	 * @param name      output base name (Reconstruct's name, or the image title)
	 * @param amplitude |ρ|
	 * @param phase     φ in radians
	 * @param support   from a support file/image (non-zero = inside), or null
	 */
	record Loaded(String name, RealVolume amplitude, RealVolume phase, boolean[] support) {}

	private ObjectInputs() {}

	static Loaded load(final File amplitudeFile, final File phaseFile, final File supportFile, final ImagePlus amplitudeImage, final ImagePlus phaseImage) {
		final boolean files = given(amplitudeFile) || given(phaseFile);
		final String name;
		RealVolume amp, ph;
		boolean[] support = null;
		if (files) {
			final Path a = Inputs.existing(given(amplitudeFile) ? amplitudeFile : null, "amplitude_file");
			name = stem(a);
			final String fn = a.getFileName().toString();
			if (fn.lastIndexOf(AMPLITUDE_SUFFIX) > 0) // a Reconstruct result set: only a complete one is used
				sc.fiji.cdi.util.AtomicOutput.checkComplete(a.toAbsolutePath().getParent(), fn.substring(0, fn.lastIndexOf(AMPLITUDE_SUFFIX)), a);
			Path p = given(phaseFile) ? Inputs.existing(phaseFile, "phase_file") : sibling(a, "_phase");
			if (p == null) throw new CdiException("Parameter 'phase_file' is missing and " + (fn.lastIndexOf(AMPLITUDE_SUFFIX) < 0
				// a file not named <name>_amplitude.tif: no phase file is looked for ("no x_phase.tif was found" was said with x_phase.tif there)
				? "amplitude_file " + a + " is not named <name>" + AMPLITUDE_SUFFIX + ".tif as Reconstruct writes it, so no phase file is looked for next to it"
				: "no " + name + "_phase.tif was found next to " + a) + ": give the phase image (radians) of the reconstruction as phase_file=.");
			Path s = given(supportFile) ? Inputs.existing(supportFile, "support_file") : sibling(a, "_support");
			amp = read(a, "amplitude_file");
			ph = read(p, "phase_file");
			requireFinite(amp, "Parameter 'amplitude_file': file " + a);
			if (!amp.grid.equals(ph.grid))
				throw new CdiException("Parameter 'phase_file': " + p + " is " + ph.grid + " but the amplitude " + a + " is " + amp.grid + "; expected the amplitude and phase of one reconstruction.");
			ph = zeroPhaseWhereNoAmplitude(amp, ph);
			requireFinite(ph, "Parameter 'phase_file': file " + p);
			if (s != null) support = mask(read(s, "support_file"), amp.grid, s.toString());
		} else {
			if (amplitudeImage == null || phaseImage == null)
				throw new CdiException("No reconstruction given: give 'amplitude_file' (a Reconstruct output <name>_amplitude.tif; the phase and support files are found next to it) "
					+ "or select an open amplitude image and a phase image (radians).");
			name = stemOf(amplitudeImage.getTitle());
			amp = ImagePlusConverter.toVolume(amplitudeImage);
			ph = ImagePlusConverter.toVolume(phaseImage);
			requireFinite(amp, "The amplitude image '" + amplitudeImage.getTitle() + "'");
			if (!amp.grid.equals(ph.grid))
				throw new CdiException("The phase image '" + phaseImage.getTitle() + "' is " + ph.grid + " but the amplitude image '" + amplitudeImage.getTitle() + "' is " + amp.grid
					+ "; expected the amplitude and phase of one reconstruction.");
			ph = zeroPhaseWhereNoAmplitude(amp, ph);
			requireFinite(ph, "The phase image '" + phaseImage.getTitle() + "'");
		}
		return new Loaded(name, amp, ph, support);
	}

	/**
	 * The files {@link #load} reads, by parameter: those given and the phase and support files it finds next to the
	 * amplitude file. For the check that an output does not replace an input; nothing is read.
	 */
	static Map<String, Path> files(final File amplitudeFile, final File phaseFile, final File supportFile) {
		final Map<String, Path> m = new LinkedHashMap<>();
		final Path a = given(amplitudeFile) ? amplitudeFile.toPath() : null;
		if (a != null) m.put("amplitude_file", a);
		final Path p = given(phaseFile) ? phaseFile.toPath() : a == null ? null : sibling(a, "_phase");
		if (p != null) m.put("phase_file", p);
		final Path s = given(supportFile) ? supportFile.toPath() : a == null ? null : sibling(a, "_support");
		if (s != null) m.put("support_file", s);
		return m;
	}

	static boolean given(final File f) { return f != null && !f.getPath().isBlank(); }

	/** A 2D/3D TIFF (as Reconstruct writes) read by the core's TIFF reader as a float volume; errors name the parameter. */
	static RealVolume read(final Path file, final String parameter) {
		try {
			return VolumeReader.read(file);
		} catch (final CdiException e) {
			throw new CdiException("Parameter '" + parameter + "': " + e.getMessage(), e);
		}
	}

	/**
	 * Rejects NaN/Inf in an amplitude or phase: one NaN makes the maximum amplitude NaN, so the default support
	 * came out empty and the strain failed with a misleading "support is empty".
	 */
	static void requireFinite(final RealVolume v, final String what) {
		int count = 0, first = -1;
		for (int i = 0; i < v.data.length; i++) if (!Float.isFinite(v.data[i]) && count++ == 0) first = i;
		if (count > 0) throw new CdiException(what + " contains " + count + " NaN or infinite value" + (count > 1 ? "s" : "") + ", the first at " + v.grid.position(first)
			+ " (value " + v.data[first] + "); expected finite numbers everywhere. Set them to 0 (outside the crystal) or re-export the reconstruction.");
	}

	/**
	 * The phase with NaN/Inf set to 0 where the amplitude is 0: there the phase means nothing, and exported phase maps
	 * often hold NaN outside the crystal. A copy when anything changes (an open image is never modified); the phase
	 * itself otherwise. Sizes that differ are left to the caller's check.
	 */
	static RealVolume zeroPhaseWhereNoAmplitude(final RealVolume amp, final RealVolume ph) {
		if (!amp.grid.equals(ph.grid)) return ph;
		float[] out = null;
		for (int i = 0; i < ph.data.length; i++) {
			if (amp.data[i] != 0 || Float.isFinite(ph.data[i])) continue;
			if (out == null) out = ph.data.clone();
			out[i] = 0;
		}
		return out == null ? ph : ph.with(out);
	}

	/** Non-zero (and not NaN) = inside. */
	static boolean[] mask(final RealVolume v, final Grid expected, final String what) {
		if (!v.grid.equals(expected)) throw new CdiException("The support " + what + " is " + v.grid + " but the amplitude is " + expected + "; expected the same size.");
		final boolean[] m = new boolean[v.data.length];
		for (int i = 0; i < m.length; i++) m[i] = v.data[i] != 0 && !Float.isNaN(v.data[i]);
		return m;
	}

	private static Path sibling(final Path amplitude, final String suffix) {
		final String n = amplitude.getFileName().toString();
		final int at = n.lastIndexOf(AMPLITUDE_SUFFIX);
		if (at < 0) return null;
		final Path p = amplitude.resolveSibling(n.substring(0, at) + suffix + n.substring(at + AMPLITUDE_SUFFIX.length()));
		return Files.isRegularFile(p) ? p : null;
	}

	private static String stem(final Path file) { return stemOf(Inputs.baseName(file)); }

	private static String stemOf(final String title) {
		String t = title == null || title.isBlank() ? "object" : title.trim();
		final int dot = t.lastIndexOf('.');
		if (dot > 0 && t.length() - dot <= 5) t = t.substring(0, dot);
		if (t.endsWith(AMPLITUDE_SUFFIX)) t = t.substring(0, t.length() - AMPLITUDE_SUFFIX.length());
		if (t.endsWith(" amplitude")) t = t.substring(0, t.length() - " amplitude".length());
		return t.replaceAll("[^A-Za-z0-9._-]+", "_");
	}

	/**
	 * Voxel size (z, y, x) in nm: from the parameter ("10" or "z,y,x"), else from the image calibration when it is in
	 * nm (µm converted), else an error naming the parameter.
	 */
	static double[] voxelSizeNm(final String parameter, final RealVolume v) {
		if (parameter != null && !parameter.isBlank()) {
			final double[] d = numbers(parameter, "voxel_size", "one size or z,y,x in nm (e.g. 10 or 10,8,8)");
			// the same check as the strain parameters: 0 or negative would write a degenerate .vti/BDV calibration
			if (d.length == 1) return StrainParameters.checkVoxelSizeNm(new double[] { d[0], d[0], d[0] }, "voxel_size='" + parameter + "'");
			if (d.length == 3) return StrainParameters.checkVoxelSizeNm(d, "voxel_size='" + parameter + "'");
			throw new CdiException("voxel_size='" + parameter + "' has " + d.length + " values; expected one size or z,y,x in nm (e.g. 10 or 10,8,8).");
		}
		final String u = v.unit == null ? "" : v.unit.trim().toLowerCase(Locale.ROOT);
		final double f = switch (u) {
			case "nm", "nanometer", "nanometers", "nanometre", "nanometres" -> 1;
			case "µm", "um", "micron", "microns", "micrometer", "micrometre" -> 1000;
			default -> Double.NaN;
		};
		if (Double.isNaN(f)) throw new CdiException("The voxel size is unknown: the image is calibrated in '" + v.unit
			+ "', not nm. Give voxel_size in nm (one number or z,y,x), or orthogonalise with a geometry.");
		return new double[] { v.voxelSize[0] * f, v.voxelSize[1] * f, v.voxelSize[2] * f };
	}

	/** Comma/space separated numbers; a message naming the parameter otherwise. */
	static double[] numbers(final String s, final String parameter, final String expected) {
		final String[] parts = s.trim().split("[,;\\s]+");
		final double[] d = new double[parts.length];
		try {
			for (int i = 0; i < d.length; i++) d[i] = Double.parseDouble(parts[i]);
		} catch (final NumberFormatException e) {
			throw new CdiException(parameter + "='" + s + "' is not understood: expected " + expected + ".");
		}
		for (final double x : d) if (!Double.isFinite(x)) throw new CdiException(parameter + "='" + s + "' is not understood: expected " + expected + ".");
		return d;
	}

	/** "1,1,1" or "1 1 1" or "111" (single digits) → Miller indices. */
	static int[] hkl(final String s) {
		final String t = s == null ? "" : s.trim();
		final String expected = "three integers h,k,l (e.g. 1,1,1 or -1,1,1)";
		if (t.matches("-?\\d-?\\d-?\\d")) {
			final int[] h = new int[3];
			int k = 0;
			for (int i = 0; i < t.length(); i++) {
				final int sign = t.charAt(i) == '-' ? -1 : 1;
				if (sign < 0) i++;
				h[k++] = sign * (t.charAt(i) - '0');
			}
			return h;
		}
		final double[] d = numbers(t.isEmpty() ? "x" : t, "hkl", expected);
		if (d.length != 3) throw new CdiException("hkl='" + s + "' has " + d.length + " values; expected " + expected + ".");
		final int[] h = new int[3];
		for (int i = 0; i < 3; i++) {
			if (d[i] != Math.rint(d[i])) throw new CdiException("hkl='" + s + "' is not integer; expected " + expected + ".");
			h[i] = (int) d[i];
		}
		if (h[0] == 0 && h[1] == 0 && h[2] == 0) throw new CdiException("hkl='" + s + "' (0 0 0) is not a reflection; expected " + expected + ".");
		return h;
	}

	/** A calibrated 32-bit image with {@link Lut#DIVERGING} and a display range symmetric about 0 (NaN shown as background). */
	static ImagePlus divergingImage(final RealVolume v, final String title) {
		final ImagePlus imp = ImagePlusConverter.toImagePlus(v, title);
		final byte[][] t = Lut.DIVERGING.tables();
		double m = 0;
		for (final float f : v.data) if (!Float.isNaN(f)) m = Math.max(m, Math.abs(f));
		if (!(m > 0)) m = 1;
		final LUT lut = new LUT(t[0], t[1], t[2]);
		imp.setLut(lut);
		imp.setDisplayRange(-m, m);
		imp.setSlice(Math.max(1, v.grid.nz / 2 + 1));
		return imp;
	}

	static String format(final double[] v) { return Arrays.toString(v); }

	/** Reconstruct's {@code <name>_report.json} beside {@code <name>_amplitude.tif}. */
	static java.nio.file.Path reportNextTo(final File amplitudeFile) {
		if (amplitudeFile == null || amplitudeFile.getPath().isBlank())
			throw new CdiException("geometry=report reads <name>_report.json next to the amplitude file: give amplitude_file=<name>_amplitude.tif.");
		final String n = amplitudeFile.getName();
		final String base = n.replaceFirst("(?i)_amplitude\\.tiff?$", "");
		final java.nio.file.Path r = amplitudeFile.toPath().resolveSibling(base + "_report.json");
		if (base.equals(n) || !java.nio.file.Files.isRegularFile(r))
			throw new CdiException("geometry=report: no report " + r + " next to amplitude_file=" + amplitudeFile + "; expected Reconstruct's <name>_amplitude.tif with its <name>_report.json.");
		return r;
	}
}
