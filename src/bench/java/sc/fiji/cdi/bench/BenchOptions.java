package sc.fiji.cdi.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The {@code --key value} options of the evaluation mains, checked against the keys each one knows. */
final class BenchOptions {

	private final Map<String, String> values = new LinkedHashMap<>();

	BenchOptions(final String[] args, final Set<String> known) {
		for (int i = 0; i < args.length; i += 2) {
			if (!known.contains(args[i])) throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + known);
			if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " needs a value");
			values.put(args[i], args[i + 1]);
		}
	}

	Map<String, String> values() { return values; }

	String text(final String key, final String fallback) { return values.getOrDefault(key, fallback); }

	int integer(final String key, final int fallback) { return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback; }

	long number(final String key, final long fallback) { return values.containsKey(key) ? Long.parseLong(values.get(key)) : fallback; }

	boolean flag(final String key, final boolean fallback) { return values.containsKey(key) ? Boolean.parseBoolean(values.get(key)) : fallback; }
}
