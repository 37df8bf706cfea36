package sc.fiji.cdi.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Gson;
import com.google.gson.stream.JsonReader;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.testutil.HeadlessRun;

/** Reports are strict JSON: NaN/Infinity are not JSON tokens and JSON.parse (browsers, Node) rejects them. */
class JsonTest {

	/** Parses with Gson's strict mode, which refuses NaN/Infinity as JSON.parse does. */
	static JsonElement parseStrict(final String text) throws Exception {
		final JsonReader r = new JsonReader(new StringReader(text));
		r.setLenient(false); // JsonParser.parseReader would force lenient
		final JsonElement e = new Gson().getAdapter(JsonElement.class).read(r);
		assertEquals(com.google.gson.stream.JsonToken.END_DOCUMENT, r.peek());
		return e;
	}

	record Sample(double chi2, float f, Double boxed, double[] history) {}

	@Test
	void theStrictParserRefusesNaN() {
		org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> parseStrict("{\"a\": NaN}"));
	}

	@Test
	void nonFiniteNumbersAreWrittenAsNullEverywhere() throws Exception {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("nan", Double.NaN);
		m.put("inf", Double.POSITIVE_INFINITY);
		m.put("finite", 1.5);
		m.put("list", List.of(1.0, Double.NEGATIVE_INFINITY));
		m.put("record", new Sample(Double.NaN, Float.NaN, Double.NaN, new double[] { 2, Double.NaN }));
		for (final String text : new String[] { Json.GSON.toJson(m), Json.LINE.toJson(m) }) {
			assertFalse(text.contains("NaN") || text.contains("Infinity"), text);
			final JsonObject o = parseStrict(text).getAsJsonObject();
			assertTrue(o.get("nan").isJsonNull(), "key kept, value null: " + text);
			assertTrue(o.get("inf").isJsonNull());
			assertEquals(1.5, o.get("finite").getAsDouble());
			assertTrue(o.getAsJsonArray("list").get(1).isJsonNull());
			final JsonObject r = o.getAsJsonObject("record");
			assertTrue(r.get("chi2").isJsonNull() && r.get("f").isJsonNull() && r.get("boxed").isJsonNull(), r.toString());
			assertEquals(2, r.getAsJsonArray("history").get(0).getAsDouble());
			assertTrue(r.getAsJsonArray("history").get(1).isJsonNull());
		}
	}

	@Test
	void reconstructReportWithoutFreePixelsIsStrictJson(@TempDir final Path tmp) throws Exception {
		// 64² binned by 10 → 6²: too small for free-pixel islands, so free_llk is not computed for any start
		final Path in = tmp.resolve("tiny.tif");
		TiffWriter.write(in, CrystalSimulator.simulate(Grid.of2D(64, 64),
			SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 1).diffraction().values);
		final Path out = tmp.resolve("out");
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Reconstruct",
			"input=\"" + in + "\",output_dir=\"" + out + "\",recipe=\"10*ER+30*HIO\",random_starts=2,binning=\"10\"");
		assertEquals(0, r.code, r.err);
		final String text = Files.readString(out.resolve("tiny_report.json"));
		assertFalse(text.contains("NaN") || text.contains("Infinity"), "no bare non-finite tokens");
		final JsonObject report = parseStrict(text).getAsJsonObject();
		assertEquals(0, report.get("free_pixels").getAsInt());
		assertEquals("chi2", report.get("ranked_by").getAsString());
		for (final JsonElement st : report.getAsJsonArray("starts"))
			assertTrue(st.getAsJsonObject().get("free_llk").isJsonNull(), "free_llk not computed → null: " + st);
	}
}
