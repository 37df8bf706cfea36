package sc.fiji.cdi.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import sc.fiji.cdi.util.AtomicOutput;

/**
 * JSON for reports, model cards and benchmark lines: one configured Gson for the whole project.
 * Non-finite numbers (NaN, ±Infinity: χ² of an empty support, free_llk without free pixels) are written as
 * {@code null}, because bare NaN/Infinity tokens are not JSON and strict parsers (JSON.parse, json.loads strict) reject them.
 */
public final class Json {

	private Json() {}

	/** Doubles, floats (boxed, primitive, in arrays and collections), declared Numbers: non-finite → null.
	 * (Gson serialises JsonElement trees before any registered factory; reports are built from maps and records, not trees.) */
	private static final TypeAdapterFactory FINITE = new TypeAdapterFactory() {
		@Override
		public <T> TypeAdapter<T> create(final Gson gson, final TypeToken<T> type) {
			final Class<? super T> raw = type.getRawType();
			if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class || raw == Number.class) {
				final TypeAdapter<T> delegate = gson.getDelegateAdapter(this, type);
				return new TypeAdapter<T>() {
					@Override
					public void write(final JsonWriter out, final T value) throws IOException {
						if (value != null && nonFinite((Number) value)) writeNull(out);
						else delegate.write(out, value);
					}

					@Override
					public T read(final JsonReader in) throws IOException {
						return delegate.read(in);
					}
				};
			}
			return null;
		}
	};

	/** Pretty-printed, non-finite numbers as null, no HTML escaping. */
	public static final Gson GSON = builder().setPrettyPrinting().create();

	/** Single-line output for JSON-lines files. */
	public static final Gson LINE = builder().create();

	/** The project's settings without pretty printing; other writers may add their own. */
	public static GsonBuilder builder() {
		return new GsonBuilder().registerTypeAdapterFactory(FINITE).disableHtmlEscaping();
	}

	public static void write(final Path file, final Object value) {
		final byte[] bytes = (GSON.toJson(value) + "\n").getBytes(StandardCharsets.UTF_8);
		AtomicOutput.write(file, out -> out.write(bytes));
	}

	/** Writes null even inside objects: without it Gson drops the key, and a reader could not tell "not computed" from "absent". */
	private static void writeNull(final JsonWriter out) throws IOException {
		final boolean s = out.getSerializeNulls();
		out.setSerializeNulls(true);
		out.nullValue();
		out.setSerializeNulls(s);
	}

	private static boolean nonFinite(final Number n) {
		return (n instanceof Double || n instanceof Float) && !Double.isFinite(n.doubleValue());
	}
}
