package sc.fiji.cdi.commands;

import java.io.File;

import org.scijava.plugin.Parameter;

import ij.ImagePlus;

/**
 * Commands that start from a finished reconstruction (Strain, Export, Show in BigDataViewer): the object comes from
 * Reconstruct's files ({@code <name>_amplitude.tif} with its {@code _phase.tif} and {@code _support.tif}) or from
 * open amplitude and phase images.
 */
public abstract class ReconstructionInputCommand extends CdiCommand {

	@Parameter(label = "Amplitude image", required = false, persist = false,
		description = "Used when no amplitude_file is given.")
	protected ImagePlus amplitude;

	@Parameter(label = "Phase image (rad)", required = false, persist = false)
	protected ImagePlus phase;

	@Parameter(label = "Amplitude file (<name>_amplitude.tif; overrides the images)", required = false, persist = false,
		description = "Reconstruct's output; <name>_phase.tif and <name>_support.tif next to it are used unless given below.")
	protected File amplitude_file;

	@Parameter(label = "Phase file (rad; optional)", required = false, persist = false)
	protected File phase_file;

	@Parameter(label = "Support file (non-zero = crystal; optional)", required = false, persist = false,
		description = "Without a support, the crystal is where the amplitude ≥ 0.1·max (cohere, AutoPhaseNN).")
	protected File support_file;

	/**
	 * What the reconstruction is read from, for a result set's manifest ({@link sc.fiji.cdi.util.AtomicOutput.ResultSet#input}):
	 * the amplitude file's real path; else the file the amplitude image was opened from (the same identity as
	 * {@code amplitude_file=} that file: a rerun on the opened files replaces its own result), else the image's title;
	 * null when neither is given.
	 */
	protected String inputIdentity() {
		if (ObjectInputs.given(amplitude_file)) return sc.fiji.cdi.util.AtomicOutput.identity(amplitude_file.toPath());
		if (amplitude == null) return null;
		final ij.io.FileInfo opened = amplitude.getOriginalFileInfo();
		if (opened != null && opened.directory != null && opened.fileName != null && !opened.directory.isBlank() && !opened.fileName.isBlank()) {
			try {
				final java.nio.file.Path file = java.nio.file.Path.of(opened.directory, opened.fileName);
				if (java.nio.file.Files.isRegularFile(file)) return sc.fiji.cdi.util.AtomicOutput.identity(file);
			} catch (final java.nio.file.InvalidPathException e) {
				// not a file of this system: the title below
			}
		}
		return "image '" + amplitude.getTitle() + "'";
	}

	/** The reconstruction named by the parameters. */
	protected ObjectInputs.Loaded loadReconstruction() {
		return ObjectInputs.load(amplitude_file, phase_file, support_file, amplitude, phase);
	}
}
