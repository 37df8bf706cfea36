package sc.fiji.cdi.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The ordered record of what was done to a data set (import, mask, crop, …) and with which parameters. */
public final class ProcessingLog {

	public record Step(String name, Map<String, Object> parameters) {}

	private final List<Step> steps = new ArrayList<>();

	public ProcessingLog() {}

	public ProcessingLog(final ProcessingLog other) { steps.addAll(other.steps); }

	/** Adds a step; {@code keyValues} alternates names and values. */
	public ProcessingLog add(final String name, final Object... keyValues) {
		final Map<String, Object> p = new LinkedHashMap<>();
		for (int i = 0; i + 1 < keyValues.length; i += 2) p.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
		steps.add(new Step(name, Collections.unmodifiableMap(p)));
		return this;
	}

	public List<Step> steps() { return Collections.unmodifiableList(steps); }
}
