package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.testutil.HeadlessRun;

/**
 * A network parameter out of range is a bad command line (exit 2, docs/cluster.md) refused before the command starts,
 * with a message naming the key and what is expected — not a failure of the training (exit 1) after start-up.
 */
class TrainParametersTest {

	private static final String TINY = "rank=\"2\",base_channels=4,train_samples=4,validation_samples=0,epochs=1,device=\"cpu\",threads=1";

	private static void refused(final String command, final String args, final String key, final String expected) {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", command, args);
		assertEquals(2, r.code, args + ": " + r.err);
		assertTrue(r.err.contains("Parameter '" + key + "'") && r.err.contains(expected), args + ": " + r.err);
		assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
	}

	@Test
	void trainNetworkRefusesImpossibleNetworksAndRates(@TempDir final Path tmp) {
		final String out = "output_dir=\"" + tmp.resolve("m") + "\"," + TINY + ",";
		for (final String size : new String[] { "0", "-32", "4", "100000" }) refused("Train Network", out + "input_size=" + size + ",depth=1", "input_size", "expected a value from 8 to 256");
		refused("Train Network", out + "input_size=33,depth=1", "input_size", "power of two");
		refused("Train Network", out + "input_size=32,depth=10", "depth", "expected a value from 1 to 4");
		refused("Train Network", out + "input_size=16,architecture=\"autophasenn\",depth=1", "depth", "expected a value from 2 to 3");
		for (final String lr : new String[] { "0", "-1", "100", "1" }) refused("Train Network", out + "learning_rate=" + lr, "learning_rate", "expected a value above 0 and below 1");
		refused("Train Network", out.replace("base_channels=4", "base_channels=1000"), "base_channels", "expected a value from 1 to 512");
		assertFalse(Files.exists(tmp.resolve("m")), "nothing written");
	}

	@Test
	void fineTuneRefusesARateOutOfRange(@TempDir final Path tmp) {
		for (final String lr : new String[] { "0", "5" })
			refused("Fine-tune Network", "input=\"" + tmp.resolve("p.tif") + "\",output_dir=\"" + tmp.resolve("t") + "\",learning_rate=" + lr, "learning_rate", "above 0 and below 1");
	}

	@Test
	void theSameRulesHoldForTheFieldsOfACommand() {
		// macros and dialogs fill the fields; the run checks them again (CdiCommand → checkFields)
		final TrainCommand c = new TrainCommand();
		ParameterCheck.checkFields(c); // the defaults pass
		set(c, "depth", 5); // 32 >> 5 = 1 pixel
		final ParameterCheck.BadParameter e = org.junit.jupiter.api.Assertions.assertThrows(ParameterCheck.BadParameter.class, () -> ParameterCheck.checkFields(c));
		assertTrue(e.getMessage().startsWith("Parameter 'depth'"), e.getMessage());
	}

	private static void set(final Object o, final String name, final Object v) {
		try {
			final java.lang.reflect.Field f = o.getClass().getDeclaredField(name);
			f.setAccessible(true);
			f.set(o, v);
		} catch (final ReflectiveOperationException e) {
			throw new AssertionError(e);
		}
	}
}
