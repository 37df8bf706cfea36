package sc.fiji.cdi.commands;

import java.io.File;
import java.util.Locale;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import sc.fiji.cdi.fiji.CdiSettings;

/**
 * Edit › Options › CDI...: compute device (DJL), threads, and the DJL native cache folder, stored in Fiji's
 * preferences ({@link CdiSettings}). A macro or {@code --run} sets only the keys it names; the others keep their
 * stored values: {@code run("CDI...", "device=cpu threads=4")}. Takes effect for DJL at the next Fiji start (the
 * native library of a running engine cannot move).
 */
@Plugin(type = Command.class, menuPath = "Edit>Options>CDI...", headless = true, initializer = "loadStored")
public class OptionsCommand extends CdiCommand {

	@Parameter(label = "Device (neural networks, DJL)", choices = { "auto", "cpu", "gpu" }, persist = false, required = false)
	private String device;

	@Parameter(label = "Threads (0 = all cores)", min = "0", persist = false, required = false)
	private Integer threads;

	@Parameter(label = "DJL native cache folder (empty = Fiji.app/djl or ~/.djl.ai)", style = "directory", persist = false, required = false)
	private File djl_cache;

	/**
	 * Also keeps djl_cache from being the only unresolved input when a macro gives the other keys: scijava-common's
	 * FilePreprocessor then asks for that one File before the command runs (a file chooser in Fiji's GUI, a cancel
	 * headless) — on every install without a stored cache.
	 */
	@Parameter(visibility = org.scijava.ItemVisibility.MESSAGE, required = false, persist = false)
	private final String note = "The device and cache folder take effect at the next Fiji start.";

	/** Fills what the caller did not give from the stored settings (the dialog opens on the current values). */
	protected void loadStored() {
		final CdiSettings s = CdiSettings.load(prefService);
		if (device == null) device = s.device().name().toLowerCase(Locale.ROOT);
		if (threads == null) threads = s.threads();
		if (djl_cache == null && s.djlCache() != null) djl_cache = s.djlCache().toFile();
	}

	@Override
	protected void execute() {
		loadStored();
		final CdiSettings s = new CdiSettings(CdiSettings.Device.parse(device), threads,
			djl_cache == null || djl_cache.getPath().isBlank() ? null : djl_cache.toPath());
		s.save(prefService);
		log.info("CDI options: device " + s.device().name().toLowerCase(Locale.ROOT) + ", " + s.effectiveThreads() + " threads, DJL cache " + s.effectiveDjlCache());
	}
}
