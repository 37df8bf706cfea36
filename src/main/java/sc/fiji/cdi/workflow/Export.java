package sc.fiji.cdi.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.export.BdvExport;
import sc.fiji.cdi.export.CxiWriter;
import sc.fiji.cdi.export.VtiWriter;
import sc.fiji.cdi.pipeline.ResultWriter;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;
import sc.fiji.cdi.util.Version;

/**
 * The Export workflow without a user interface: a reconstruction (amplitude, phase, optionally strain and support)
 * → BigDataViewer XML + N5 (Fiji, large volumes), VTK .vti (ParaView) or CXI (HDF5, cxidb layout; the complex
 * object, support, strain and optionally the diffraction data). The writers of {@code sc.fiji.cdi.export} write to
 * a temporary file or folder and move it into place: the output is complete or absent.
 */
public final class Export {

	/** The output formats and their file extensions. */
	public enum Format {
		BIGDATAVIEWER(".xml"), VTI(".vti"), CXI(".cxi");

		/** The extension the output file must have (CXI also accepts .h5 and .hdf5). */
		public final String extension;

		Format(final String extension) { this.extension = extension; }

		/** The format's name as the command's {@code format} key takes it: bigdataviewer, vti, cxi. */
		public String key() { return name().toLowerCase(Locale.ROOT); }

		/**
		 * The format an output file's extension names: .xml → BIGDATAVIEWER, .vti → VTI, .cxi/.h5/.hdf5 → CXI; null
		 * when the name has no extension or another one.
		 */
		public static Format ofExtension(final Path output) {
			final String n = output.getFileName() == null ? "" : output.getFileName().toString();
			final int dot = n.lastIndexOf('.');
			if (dot <= 0) return null;
			return switch (n.substring(dot).toLowerCase(Locale.ROOT)) {
				case ".xml" -> BIGDATAVIEWER;
				case ".vti" -> VTI;
				case ".cxi", ".h5", ".hdf5" -> CXI;
				default -> null;
			};
		}

		/** bigdataviewer (bdv, n5), vti (vtk) or cxi; {@code key} names the parameter in the message. */
		public static Format parse(final String s, final String key) {
			return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
				case "bigdataviewer", "bdv", "n5" -> BIGDATAVIEWER;
				case "vti", "vtk" -> VTI;
				case "cxi" -> CXI;
				default -> throw new CdiException(key + "='" + s + "' is not known: expected bigdataviewer, vti or cxi.");
			};
		}
	}

	/**
	 * @param name        the reconstruction's name (recorded in CXI)
	 * @param amplitude   the object's amplitude; its grid is the export's
	 * @param phase       the object's phase (radians), same grid
	 * @param strain      the strain on the same grid, or null
	 * @param support     the support (VTI, CXI), or null
	 * @param diffraction the measured data (CXI only), or null
	 * @param format      the output format
	 * @param target      the output file ({@link #target})
	 * @param voxelSize   voxel size (z, y, x) in {@code unit}, given to every array
	 * @param unit        the voxel size's unit (e.g. "nm")
	 * @param inputs      what CXI's parameters record about the inputs (e.g. {@code amplitude_file}), in this order
	 */
	public record Request(String name, RealVolume amplitude, RealVolume phase, RealVolume strain, boolean[] support, Diffraction diffraction,
		Format format, Path target, double[] voxelSize, String unit, Map<String, Object> inputs) {}

	/** @param channels the arrays written, in order (amplitude, phase[, strain]) */
	public record Result(Path target, List<String> channels) {}

	private Export() {}

	/** Adds the format's extension when the name has none; refuses a different one (a .tif written as .vti helps nobody). */
	public static Path target(final Path p, final Format format) {
		final String ext = format.extension;
		// a folder would otherwise get "<folder>.vti" written beside it, where nobody looks
		if (java.nio.file.Files.isDirectory(p))
			throw new CdiException("Parameter 'output': " + p + " is a folder; expected the file to write, e.g. " + p.resolve("result" + ext)
				+ " (inside that folder) or " + p.resolveSibling(p.getFileName() + ext) + ".");
		final String n = p.getFileName().toString();
		final int dot = n.lastIndexOf('.');
		if (dot <= 0) return p.resolveSibling(n + ext);
		final String has = n.substring(dot).toLowerCase(Locale.ROOT);
		if (has.equals(ext) || format == Format.CXI && (has.equals(".h5") || has.equals(".hdf5"))) return p;
		throw new CdiException("Output file " + p + " has the extension " + has + " but the format needs " + ext + "; rename it or choose the matching format.");
	}

	/**
	 * Checks, before any work, that writing {@code target} (and, for BigDataViewer, its N5 container) destroys nothing:
	 * refuses a target that is one of {@code inputs} ({@link ResultWriter#checkNotAnInput}) and an N5 path that an
	 * earlier export did not write ({@link BdvExport#checkN5Replaceable}).
	 *
	 * @param inputs every file the command reads, by parameter ("amplitude_file", "diffraction_file", ...)
	 */
	public static void checkTarget(final Path target, final Format format, final Map<String, Path> inputs) {
		ResultWriter.checkNotAnInput(target, "output", inputs);
		if (format == Format.BIGDATAVIEWER) {
			ResultWriter.checkNotAnInput(BdvExport.n5PathFor(target), "output", inputs);
			BdvExport.checkN5Replaceable(target);
		}
	}

	public static Result run(final Request r, final Progress progress) {
		final Map<String, RealVolume> channels = new LinkedHashMap<>();
		channels.put("amplitude", calibrated(r.amplitude(), r));
		channels.put("phase", calibrated(r.phase(), r));
		if (r.strain() != null) {
			if (!r.strain().grid.equals(r.amplitude().grid)) throw new CdiException("The strain to export is " + r.strain().grid + " but the amplitude is " + r.amplitude().grid
				+ "; expected the same grid (export the strain with the object it was computed from).");
			channels.put("strain", calibrated(r.strain(), r));
		}
		// a cancel while the inputs were read (or a SIGTERM) stops here, before anything is written: VTI and CXI are
		// written in one go, and without this check a cancelled export was written and reported as done
		if (progress != null) progress.checkCancelled();
		switch (r.format()) {
			case BIGDATAVIEWER -> {
				final List<BdvExport.Channel> ch = new ArrayList<>();
				for (final Map.Entry<String, RealVolume> e : channels.entrySet()) ch.add(BdvExport.Channel.of(e.getKey(), e.getValue()));
				BdvExport.write(r.target(), ch, r.voxelSize(), r.unit(), progress);
			}
			case VTI -> VtiWriter.write(r.target(), channels, r.support(), r.voxelSize());
			case CXI -> {
				final Map<String, RealVolume> images = new LinkedHashMap<>();
				if (channels.containsKey("strain")) images.put("strain", channels.get("strain"));
				final Map<String, Object> params = new LinkedHashMap<>();
				params.put("software", "CDI for Fiji " + Version.get());
				params.put("name", r.name());
				if (r.inputs() != null) params.putAll(r.inputs());
				final ComplexVolume obj = ComplexVolume.fromAmplitudePhase(channels.get("amplitude"), channels.get("phase"));
				CxiWriter.write(r.target(), new ComplexVolume(obj.grid, obj.data, r.voxelSize(), r.unit()), r.support(), r.diffraction(), images, params);
			}
		}
		return new Result(r.target(), List.copyOf(channels.keySet()));
	}

	private static RealVolume calibrated(final RealVolume v, final Request r) {
		return new RealVolume(v.grid, v.data, r.voxelSize(), r.unit());
	}
}
