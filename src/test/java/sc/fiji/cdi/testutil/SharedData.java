package sc.fiji.cdi.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * The read-only reference data beside the project ({@code ../shared}, or the folder named by the system property
 * {@code cdi.shared.dir}). Tests that need it skip when it is absent: the project never depends on it.
 */
public final class SharedData {

	private SharedData() {}

	/** The shared folder, or null when absent. */
	public static Path dir() {
		final String p = System.getProperty("cdi.shared.dir");
		final Path d = p != null && !p.isBlank() ? Path.of(p) : Path.of("..", "shared");
		return Files.isDirectory(d) ? d : null;
	}

	/** {@code <shared>/<relative>}, skipping the calling test when it does not exist. */
	public static Path require(final String relative) {
		final Path d = dir();
		Assumptions.assumeTrue(d != null, "shared data folder absent (set -Dcdi.shared.dir)");
		final Path f = d.resolve(relative);
		Assumptions.assumeTrue(Files.exists(f), f + " absent");
		return f;
	}
}
