package sc.fiji.cdi.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that it either appears complete or not at all: the bytes go to a temporary file in the same
 * folder, which is moved over the target only after the writer finished without error.
 */
public final class AtomicOutput {

	@FunctionalInterface
	public interface Writer {
		void write(OutputStream out) throws IOException;
	}

	private AtomicOutput() {}

	public static void write(final Path target, final Writer writer) {
		final Path dir = target.toAbsolutePath().getParent();
		Path tmp = null;
		try {
			Files.createDirectories(dir);
			tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
			try (OutputStream out = Files.newOutputStream(tmp)) {
				writer.write(out);
			}
			try {
				Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			} catch (final AtomicMoveNotSupportedException e) {
				Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
			}
			tmp = null;
		} catch (final IOException e) {
			throw new CdiException("Cannot write " + target + ": " + e.getMessage() + ". Check that the output folder exists and is writable.", e);
		} finally {
			if (tmp != null) try { Files.deleteIfExists(tmp); } catch (final IOException ignored) { /* best effort */ }
		}
	}
}
