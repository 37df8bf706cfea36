package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.ItemVisibility;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;

/**
 * The macro keys of every command, pinned. Users' macros and recorded macros ({@code run("Reconstruct",
 * "input=[…] seed=3 …")}) address parameters by these names, and Fiji silently ignores a key it does not know
 * (imagej-legacy MacroPreprocessor reads only the names it has): a renamed parameter would leave old macros running
 * with the default instead of the user's value. Renaming or removing a key fails here; a new key fails until it is
 * added below (and documented).
 */
class MacroKeysTest {

	/** menu label → its macro keys (order free; section headers and services are not keys). */
	static final Map<String, String> PINNED = Map.ofEntries(
		Map.entry("CDI...", "device threads djl_cache"),
		Map.entry("Export", "amplitude phase amplitude_file phase_file support_file strain_file diffraction_file format output voxel_size"),
		Map.entry("Fine-tune Network", "diffraction input pattern_folder quantity clamp_negative model output_dir steps learning_rate batch_size device"),
		Map.entry("Import Diffraction", "input beamline spec scan roi direct_beam quantity dataset dark_field white_field mask_file clamp_negative output_dir"),
		Map.entry("Phase Retrieval", "diffraction input frame_folder beamline spec scan roi direct_beam bad_pixels quantity dataset dark_field white_field mask_file clamp_negative data_threshold centring binning size recipe hio_beta raar_beta shrink_wrap_sigma shrink_wrap_threshold shrink_wrap_method shrink_wrap_sigma_end psf positivity data_kind shrink_wrap_period initial_support support_box_fraction twin_removal average_last seed random_starts backend threads output_dir"),
		Map.entry("Predict (NN)", "diffraction input quantity clamp_negative model fine_tune_steps device batch_size output_dir"),
		Map.entry("Reconstruct", "diffraction input frame_folder beamline spec scan roi direct_beam bad_pixels quantity dataset dark_field white_field mask_file clamp_negative data_threshold centring binning size recipe hio_beta raar_beta shrink_wrap_sigma shrink_wrap_threshold shrink_wrap_method shrink_wrap_sigma_end psf positivity data_kind shrink_wrap_period initial_support support_box_fraction twin_removal average_last seed random_starts backend threads support_file mode model refinement fine_tune_steps device output_dir show"),
		Map.entry("Show in BigDataViewer", "amplitude phase amplitude_file phase_file support_file strain_file voxel_size"),
		Map.entry("Simulate Crystal", "dimensions size shape phase_model phase_range size_fraction photons seed output_dir"),
		Map.entry("Strain", "amplitude phase amplitude_file phase_file support_file hkl lattice_constant voxel_size g_direction phase_sign ramp_removal geometry energy_kev distance_m pixel_um inplane_deg outofplane_deg two_theta_deg rocking_step_deg lab_voxel_nm output_dir"),
		Map.entry("Train Network", "output_dir architecture rank input_size base_channels depth loss train_samples validation_samples epochs batch_size learning_rate halve_every seed device threads"));

	static Map<String, Set<String>> actual() {
		final Map<String, Set<String>> keys = new TreeMap<>();
		try (Context context = new Context(CommandService.class)) {
			for (final CommandInfo ci : context.service(CommandService.class).getCommands()) {
				if (!ci.getClassName().startsWith("sc.fiji.cdi.")) continue;
				final Set<String> names = new TreeSet<>();
				for (final ModuleItem<?> item : ci.inputs()) {
					if (org.scijava.service.Service.class.isAssignableFrom(item.getType()) || item.getVisibility() == ItemVisibility.MESSAGE) continue;
					names.add(item.getName());
				}
				keys.put(ci.getMenuPath().getLeaf().getName(), names);
			}
		}
		return keys;
	}

	@Test
	void everyCommandKeepsItsMacroKeys() {
		final Map<String, Set<String>> actual = actual();
		assertEquals(new TreeSet<>(PINNED.keySet()), actual.keySet(), "CDI commands by menu label (a renamed label breaks run(\"<label>\", …))");
		final List<String> problems = new ArrayList<>();
		for (final Map.Entry<String, String> e : PINNED.entrySet()) {
			final Set<String> pinned = new TreeSet<>(List.of(e.getValue().split(" ")));
			final Set<String> now = actual.get(e.getKey());
			final Set<String> gone = new TreeSet<>(pinned), added = new TreeSet<>(now);
			gone.removeAll(now);
			added.removeAll(pinned);
			if (!gone.isEmpty()) problems.add(e.getKey() + ": key(s) " + gone + " renamed or removed — users' macros that set them would silently use the default");
			if (!added.isEmpty()) problems.add(e.getKey() + ": new key(s) " + added + " — add them to MacroKeysTest.PINNED (and the docs)");
		}
		assertTrue(problems.isEmpty(), String.join("\n", problems));
	}
}
