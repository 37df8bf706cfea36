package sc.fiji.cdi.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixtures kept as resources beside a test class (small files made by the scripts under tools/). */
public final class Fixtures {

	private Fixtures() {}

	/** Copies the resource {@code name} of {@code owner}'s package into {@code dir}; an IOException when it is missing. */
	public static Path copy(final Class<?> owner, final String name, final Path dir) throws IOException {
		final Path f = dir.resolve(name);
		try (InputStream in = owner.getResourceAsStream(name)) {
			if (in == null) throw new IOException("Test resource " + name + " of " + owner.getPackageName() + " is missing.");
			Files.copy(in, f);
		}
		return f;
	}
}
