package sc.fiji.cdi.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The app-folder install, checked where it landed (issue #5). Maven's {@code pre-integration-test} phase runs
 * scijava-maven-plugin's populate-app into {@code target/it-app/Fiji.app} — the goal that
 * {@code mvn -Dscijava.app.directory=<Fiji.app> install} runs — and this test (failsafe, {@code mvn verify})
 * checks what lands where, then runs the installed jars in a fresh JVM the way Fiji's launcher puts them on the
 * class path ({@code jars/*}, natives from {@code jars/<platform>/}).
 */
class AppInstallIT {

	private static Path app, jars;
	private static String version;

	@BeforeAll
	static void locate() {
		app = Paths.get(System.getProperty("cdi.it.app", "target/it-app/Fiji.app"));
		version = System.getProperty("cdi.it.version");
		jars = app.resolve("jars");
		assertTrue(Files.isDirectory(jars), "populate-app did not create " + jars + " (run through mvn verify)");
	}

	private static List<String> names(final Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
	}

	private static boolean has(final List<String> names, final String prefix) {
		return names.stream().anyMatch(n -> n.startsWith(prefix) && n.endsWith(".jar"));
	}

	@Test
	void jarsLandWhereFijiLoadsThem() throws IOException {
		final List<String> top = names(jars);
		assertTrue(top.contains("cdi-fiji-" + version + ".jar"), "plugin jar missing from jars/: " + top);
		for (final String dep : new String[] { "jhdf-", "JTransforms-", "gson-", "api-0.35.1", "pytorch-engine-", "pytorch-jni-", "fftw-3.3.10", "javacpp-1.5.10" })
			assertTrue(has(top, dep), dep + "*.jar (not shipped by Fiji) missing from jars/: " + top);
		assertFalse(top.stream().anyMatch(n -> n.matches(".*-(linux|macosx|windows)-[a-z0-9_]+\\.jar")), "platform natives belong in jars/<platform>/, found in jars/: " + top);
		final List<String> linux = names(jars.resolve("linux64"));
		for (final String nat : new String[] { "pytorch-native-cpu-", "fftw-", "javacpp-" })
			assertTrue(has(linux, nat), nat + "*-linux-x86_64.jar missing from jars/linux64/: " + linux);
		try (Stream<Path> all = Files.walk(app)) {
			final List<Path> stray = all.filter(p -> p.toString().endsWith(".jar"))
				.filter(p -> !p.startsWith(jars) && !p.startsWith(app.resolve("plugins"))).collect(Collectors.toList());
			assertEquals(List.of(), stray, "jars outside jars/ and plugins/");
		}
		// the test scope never lands in an app folder
		assertFalse(has(top, "junit-"), "test dependencies were installed: " + top);
	}

	/** Runs the installed jars headless in a fresh JVM; returns stdout + stderr, asserting the exit code. */
	private static String run(final Path work, final int expectedExit, final String... args) throws Exception {
		final List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
			"-Djava.awt.headless=true", "-Dcdi.fftw.wisdom=", "-cp", jars + "/*" + java.io.File.pathSeparator + jars.resolve("linux64") + "/*",
			"sc.fiji.cdi.app.Main"));
		cmd.addAll(List.of(args));
		final Path log = Files.createTempFile(work, "run", ".log");
		final Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + cmd);
		final String out = Files.readString(log, StandardCharsets.UTF_8);
		assertEquals(expectedExit, p.exitValue(), "exit code of " + cmd + ":\n" + out);
		return out;
	}

	@Test
	void installedJarsSimulateAndReconstruct() throws Exception {
		final Path work = Files.createDirectories(app.getParent().resolve("work"));
		assertTrue(run(work, 0, "--help").contains("usage:"));
		run(work, 0, "--headless", "--run", "Simulate Crystal", "dimensions=\"2D\",size=64,shape=\"polygon\",seed=7,output_dir=\"" + work.resolve("sim") + "\"");
		final Path sim;
		try (Stream<Path> s = Files.list(work.resolve("sim"))) {
			sim = s.filter(p -> p.getFileName().toString().endsWith("_intensity.tif")).findFirst().orElseThrow();
		}
		run(work, 0, "--headless", "--run", "Reconstruct", "input=\"" + sim + "\",output_dir=\"" + work.resolve("out") + "\",recipe=\"20*ER+40*HIO+20*ER\"");
		assertTrue(names(work.resolve("out")).stream().anyMatch(n -> n.endsWith("_amplitude.tif")), "no amplitude written by the installed jars");
		// the NN path loads DJL's PyTorch natives from jars/linux64 (offline)
		run(work, 0, "--headless", "--run", "Predict (NN)", "input=\"" + sim + "\",output_dir=\"" + work.resolve("nn") + "\"");
		assertTrue(names(work.resolve("nn")).stream().anyMatch(n -> n.endsWith("_amplitude.tif")), "no NN amplitude written by the installed jars");
		// a bad input: exit 1 with the reason
		assertTrue(run(work, 1, "--headless", "--run", "Reconstruct", "input=\"" + work.resolve("missing.tif") + "\",output_dir=\"" + work.resolve("x") + "\"").contains("missing.tif"));
	}
}
