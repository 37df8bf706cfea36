package sc.fiji.cdi.commands;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import sc.fiji.cdi.fiji.CdiSettings;
import sc.fiji.cdi.util.Threads;

/**
 * Edit › Options › CDI...: compute device (DJL), threads, and the DJL native cache folder, stored in Fiji's
 * preferences ({@link CdiSettings}). A macro or {@code --run} sets only the keys it names; the others keep their
 * stored values: {@code run("CDI...", "device=cpu threads=4")}. Threads above the available processors are capped at
 * them ({@link Threads#resolve}, as for a command's own {@code threads}); the DJL cache must be a folder, or one that
 * can be created. Takes effect for DJL at the next Fiji start (the
 * native library of a running engine cannot move).
 */
@Plugin(type = Command.class, menuPath = "Edit>Options>CDI...", headless = true, initializer = "loadStored")
public class OptionsCommand extends CdiCommand {

	@Parameter(label = "Device (neural networks, DJL)", choices = { "auto", "cpu", "gpu" }, persist = false, required = false)
	private String device;

	/**
	 * {@link #NOT_GIVEN} until the caller or the stored settings fill it: scijava-common's DefaultValuePreprocessor
	 * runs before the initializer and sets a null number input to its minimum (0), which made every call without
	 * {@code threads} (e.g. only {@code device=}) store 0 over the stored count.
	 */
	@Parameter(label = "Threads (0 = all cores)", min = "0", persist = false, required = false)
	private Integer threads = NOT_GIVEN;

	/** The value of {@link #threads} before anything filled it; no caller can give it (below the minimum, 0). */
	static final int NOT_GIVEN = Integer.MIN_VALUE;

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
		if (threads == null || threads == NOT_GIVEN) threads = s.threads();
		if (djl_cache == null && s.djlCache() != null) djl_cache = s.djlCache().toFile();
	}

	@Override
	protected void execute() {
		loadStored();
		// the same cap as a command's threads parameter (Threads.resolve): more than the processors is never used
		final String capped = threads > 0 ? Threads.capNote("threads", threads, "stored as given; this machine uses") : null;
		final Path cache = djl_cache == null || djl_cache.getPath().isBlank() ? null : djl_cache.toPath();
		// stored as given (preferences may be shared by machines of other sizes); every use caps it (Threads.resolve)
		final CdiSettings s = new CdiSettings(CdiSettings.Device.parse(device), threads, cache);
		// a changed folder is checked; an unchanged stored one (checked when set) must not block changing the other keys
		if (cache != null && !cache.equals(CdiSettings.load(prefService).djlCache())) CdiSettings.requireCacheFolder(cache);
		s.save(prefService);
		if (capped != null) log.info(capped);
		log.info("CDI options: device " + s.device().name().toLowerCase(Locale.ROOT) + ", " + s.effectiveThreads() + " threads, DJL cache " + s.effectiveDjlCache());
	}
}
