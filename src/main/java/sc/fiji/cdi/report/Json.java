package sc.fiji.cdi.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import sc.fiji.cdi.util.AtomicOutput;

/** JSON for reports, model cards and benchmark lines: one configured Gson for the whole project. */
public final class Json {

	private Json() {}

	/** Pretty-printed, NaN/Infinity allowed (χ² of an empty support), no HTML escaping. */
	public static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

	/** Single-line output for JSON-lines files. */
	public static final Gson LINE = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

	public static void write(final Path file, final Object value) {
		final byte[] bytes = (GSON.toJson(value) + "\n").getBytes(StandardCharsets.UTF_8);
		AtomicOutput.write(file, out -> out.write(bytes));
	}
}
