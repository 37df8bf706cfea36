package sc.fiji.cdi.testutil;

import java.io.IOException;
import java.nio.file.Path;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;

/** A tiny diffraction-like stack for command tests that need any readable input, not a crystal: 4×16×16, counts 10–16. */
public final class SmallStack {

	private SmallStack() {}

	/** Writes the stack to {@code file} (a TIFF) and returns {@code file}. */
	public static Path tiff(final Path file) throws IOException {
		final float[] v = new float[4 * 16 * 16];
		for (int i = 0; i < v.length; i++) v[i] = 10 + (i % 7);
		TiffWriter.write(file, new RealVolume(new Grid(4, 16, 16), v));
		return file;
	}
}
