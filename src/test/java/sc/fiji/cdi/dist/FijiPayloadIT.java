package sc.fiji.cdi.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The update-site payload ({@code target/update-site}, laid out by the {@code update-site-*} executions of pom.xml,
 * i.e. by {@code update-site/build.sh}) checked the way a Fiji user gets it: a Fiji-like {@code jars/} folder made of
 * exactly what Fiji ships ({@link #FIJI_SHIPS}) plus the payload, and every command run in a fresh JVM with only that
 * class path — then once more with the natives removed, as a platform without them sees it.
 */
class FijiPayloadIT {

	/**
	 * The suite's dependencies that a Fiji installation already has in {@code jars/}, with the versions Fiji ships.
	 * Source: pom-scijava 40.0.0, the bill of materials whose {@code fiji.version} is 2.16.0 (Fiji's own release is
	 * built against it): {@code imagej1.version} 1.54g, {@code scijava-common.version} 2.99.0, {@code parsington.version}
	 * 3.1.0, {@code imglib2.version} 7.1.2, {@code commons-math3.version} 3.6.1, {@code commons-lang3.version} 3.17.0,
	 * {@code commons-compress.version} 1.27.1, {@code commons-io.version} 2.17.0, {@code commons-codec.version} 1.17.1,
	 * {@code gson.version} 2.10.1, {@code slf4j.version} 1.7.36, {@code jna.version} 5.14.0, {@code lz4-java.version}
	 * 1.9-inv. lz4-java 1.9-inv is not on Maven Central; 1.8.0 (what jhdf needs, same {@code net.jpountz.lz4} API)
	 * stands in for it here. NOT in the list: JTransforms 3.1 / JLargeArrays — pom-scijava 40.0.0 manages neither, and
	 * the Fiji update site has only {@code jars/jtransforms-2.4.jar} (edu.emory.mathcs, package
	 * {@code edu.emory.mathcs.jtransforms}), which does not provide {@code org.jtransforms} — so the payload ships them.
	 * The artifactIds must equal pom.xml's {@code update-site.fiji-provided} (checked below).
	 */
	static final List<String> FIJI_SHIPS = List.of(
		"net.imagej:ij:1.54g",
		"org.scijava:scijava-common:2.99.0",
		"org.scijava:parsington:3.1.0",
		"net.imglib2:imglib2:7.1.2",
		"org.apache.commons:commons-math3:3.6.1",
		"org.apache.commons:commons-lang3:3.17.0",
		"org.apache.commons:commons-compress:1.27.1",
		"commons-io:commons-io:2.17.0",
		"commons-codec:commons-codec:1.17.1",
		"com.google.code.gson:gson:2.10.1",
		"org.slf4j:slf4j-api:1.7.36",
		"net.java.dev.jna:jna:5.14.0",
		"org.lz4:lz4-java:1.8.0");

	/** Fiji's platform folders under jars/: imagej-updater util/Platforms.java (known platforms; Checksummer.tryToGuessPlatform). */
	static final Set<String> FIJI_PLATFORM_FOLDERS = Set.of("linux32", "linux64", "linux-arm64", "macosx", "macos64", "macos-arm64", "win32", "win64", "win-arm64");

	private static Path payload, m2, work, app;
	private static String version;

	@BeforeAll
	static void locate() throws IOException {
		payload = Paths.get(System.getProperty("cdi.it.payload", "target/update-site"));
		m2 = Paths.get(System.getProperty("cdi.it.m2", System.getProperty("user.home") + "/.m2/repository"));
		version = System.getProperty("cdi.it.version", "0.1.0-SNAPSHOT");
		assertTrue(Files.isDirectory(payload.resolve("jars")), "no payload in " + payload + " (mvn package lays it out)");
		work = Files.createDirectories(payload.resolveSibling("fiji-payload-it"));
		app = work.resolve("Fiji.app");
		deleteTree(app);
		final Path jars = Files.createDirectories(app.resolve("jars"));
		for (final String gav : FIJI_SHIPS) {
			final Path jar = local(gav);
			assertTrue(Files.isRegularFile(jar), gav + " (shipped by Fiji) is not in the local Maven repository " + jar);
			Files.copy(jar, jars.resolve(jar.getFileName()));
		}
		try (Stream<Path> s = Files.walk(payload.resolve("jars"))) {
			for (final Path p : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
				final Path dest = jars.resolve(payload.resolve("jars").relativize(p).toString());
				Files.createDirectories(dest.getParent());
				Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	private static Path local(final String gav) {
		final String[] f = gav.split(":");
		return m2.resolve(f[0].replace('.', '/')).resolve(f[1]).resolve(f[2]).resolve(f[1] + "-" + f[2] + ".jar");
	}

	private static String artifactName(final String jarName) {
		final Matcher m = Pattern.compile("^(.+?)-\\d.*\\.jar$").matcher(jarName);
		return m.matches() ? m.group(1) : jarName;
	}

	private static List<String> names(final Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
	}

	@Test
	void payloadShipsWhatFijiLacksAndNothingItHas() throws IOException {
		final List<String> top = names(payload.resolve("jars"));
		for (final String need : new String[] { "cdi-fiji-" + version + ".jar", "JTransforms-3.1.jar", "JLargeArrays-1.5.jar", "jhdf-", "api-0.35.1.jar",
			"pytorch-engine-0.35.1.jar", "pytorch-jni-2.7.1-0.35.1.jar", "fftw-3.3.10-1.5.10.jar", "javacpp-1.5.10.jar" })
			assertTrue(top.stream().anyMatch(n -> n.startsWith(need)), need + " missing from the payload's jars/: " + top);
		// a jar Fiji already has, shipped again, would make the updater see two versions of one file
		final Set<String> fiji = FIJI_SHIPS.stream().map(g -> g.split(":")[1]).collect(Collectors.toCollection(TreeSet::new));
		for (final String n : top) assertFalse(fiji.contains(artifactName(n)), n + " is shipped by Fiji already; leave it out of the payload");
		// the same list drives pom.xml's exclusion
		final String pom = Files.readString(Paths.get("pom.xml"));
		final Matcher m = Pattern.compile("<update-site.fiji-provided>([^<]+)</update-site.fiji-provided>").matcher(pom);
		assertTrue(m.find(), "pom.xml has no update-site.fiji-provided");
		assertEquals(fiji, new TreeSet<>(List.of(m.group(1).split(","))), "pom.xml's update-site.fiji-provided differs from FIJI_SHIPS");
		// natives only in Fiji's platform folders
		assertFalse(top.stream().anyMatch(n -> n.matches(".*-(linux|macosx|osx|windows|win)-(x86_64|aarch64|arm64)\\.jar")), "natives at the top of jars/: " + top);
		try (Stream<Path> s = Files.list(payload.resolve("jars"))) {
			for (final Path d : s.filter(Files::isDirectory).collect(Collectors.toList()))
				assertTrue(FIJI_PLATFORM_FOLDERS.contains(d.getFileName().toString()), "jars/" + d.getFileName() + " is not a platform folder Fiji's updater knows");
		}
		final List<String> linux = names(payload.resolve("jars/linux64"));
		for (final String nat : new String[] { "pytorch-native-cpu-2.7.1-linux-x86_64.jar", "fftw-3.3.10-1.5.10-linux-x86_64.jar", "javacpp-1.5.10-linux-x86_64.jar" })
			assertTrue(linux.contains(nat), nat + " missing from jars/linux64: " + linux);
	}

	/** Every command the plugin jar declares (SciJava's plugin index), by menu label. */
	private static Set<String> declaredCommands() throws IOException {
		final Set<String> labels = new TreeSet<>();
		try (ZipFile z = new ZipFile(payload.resolve("jars/cdi-fiji-" + version + ".jar").toFile())) {
			final String index = new String(z.getInputStream(z.getEntry("META-INF/json/org.scijava.plugin.Plugin")).readAllBytes(), StandardCharsets.UTF_8);
			final Matcher m = Pattern.compile("\"menuPath\"\\s*:\\s*\"([^\"]+)\"").matcher(index);
			while (m.find()) {
				final String[] parts = m.group(1).split(">");
				labels.add(parts[parts.length - 1].trim());
			}
		}
		return labels;
	}

	private record Run(int code, String out) {}

	/**
	 * A fresh JVM with Fiji's class path: {@code jars/*.jar} and {@code jars/*}{@code /*.jar} (Fiji's launcher
	 * configuration, config/jaunch/fiji.toml, jvm.classpath); {@code natives=false} leaves out the platform folders.
	 */
	private static Run run(final Path dir, final boolean natives, final String... args) throws Exception {
		final Path jars = app.resolve("jars");
		final List<String> cp = new ArrayList<>(List.of(jars + File.separator + "*"));
		if (natives) try (Stream<Path> s = Files.list(jars)) {
			s.filter(Files::isDirectory).sorted().forEach(d -> cp.add(d + File.separator + "*"));
		}
		final Path home = Files.createDirectories(work.resolve(natives ? "home" : "home-no-natives"));
		final List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
			"-Djava.awt.headless=true", "-Dcdi.fftw.wisdom=", "-Duser.home=" + home, "-Dorg.bytedeco.javacpp.cachedir=" + home.resolve("javacpp"),
			"-cp", String.join(File.pathSeparator, cp), "sc.fiji.cdi.app.Main"));
		cmd.addAll(List.of(args));
		final Path log = Files.createTempFile(work, "run", ".log");
		final ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
		// without natives, a private empty DJL cache: natives unpacked by an earlier run must not stand in for the missing
		// jar; with them, the user's usual cache (unpacking 400 MB of PyTorch again would only cost time)
		final Path djl = natives ? Path.of(System.getProperty("user.home"), ".djl.ai") : home.resolve("djl");
		pb.environment().put("DJL_CACHE_DIR", djl.toString());
		pb.environment().put("ENGINE_CACHE_DIR", djl.toString());
		pb.environment().put("OMP_NUM_THREADS", "1");
		final Process p = pb.start();
		assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + cmd);
		return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
	}

	private static void ok(final Run r, final String what) { assertEquals(0, r.code(), what + " failed:\n" + r.out()); }

	private static String q(final Path p) { return "\"" + p + "\""; }

	/** Runs every declared command; returns the labels run. The NN commands fail with a clear message when natives=false. */
	private static Set<String> runEveryCommand(final boolean natives) throws Exception {
		final Path dir = Files.createDirectories(work.resolve(natives ? "with-natives" : "no-natives"));
		deleteTree(dir);
		Files.createDirectories(dir);
		final Set<String> ran = new TreeSet<>();
		ok(run(dir, natives, "--headless", "--run", "Simulate Crystal", "dimensions=\"3D\",size=32,seed=3,photons=0,output_dir=" + q(dir.resolve("sim"))), "Simulate Crystal");
		ran.add("Simulate Crystal");
		final Path sim;
		try (Stream<Path> s = Files.list(dir.resolve("sim"))) {
			sim = s.filter(p -> p.getFileName().toString().endsWith("_intensity.tif")).findFirst().orElseThrow();
		}
		ok(run(dir, natives, "--headless", "--run", "Import Diffraction", "input=" + q(sim)), "Import Diffraction");
		ran.add("Import Diffraction");
		// backend=auto: FFTW with natives, the pure-Java JTransforms 3.1 from the payload without them
		ok(run(dir, natives, "--headless", "--run", "Reconstruct", "input=" + q(sim) + ",output_dir=" + q(dir.resolve("rec")) + ",recipe=\"10*ER+20*HIO+10*ER\""), "Reconstruct");
		ok(run(dir, natives, "--headless", "--run", "Reconstruct", "input=" + q(sim) + ",output_dir=" + q(dir.resolve("rec-jt")) + ",recipe=\"10*ER\",backend=\"jtransforms\""), "Reconstruct backend=jtransforms");
		ran.add("Reconstruct");
		final Run fftw = run(dir, natives, "--headless", "--run", "Reconstruct", "input=" + q(sim) + ",output_dir=" + q(dir.resolve("rec-fftw")) + ",recipe=\"10*ER\",backend=\"fftw\"");
		if (natives) ok(fftw, "Reconstruct backend=fftw");
		else {
			assertEquals(1, fftw.code(), fftw.out());
			assertTrue(fftw.out().contains("fftw-3.3.10-1.5.10") || fftw.out().contains("fftw:3.3.10-1.5.10"), "no jar named:\n" + fftw.out());
			assertTrue(fftw.out().contains("jars/linux64/") && fftw.out().contains("backend=jtransforms"), "no place or fallback named:\n" + fftw.out());
		}
		final Path amplitude = dir.resolve("rec").resolve(sim.getFileName().toString().replace(".tif", "_amplitude.tif"));
		assertTrue(Files.isRegularFile(amplitude), "no " + amplitude);
		// an ImagePlus command through a macro: the open image, as in Fiji
		final Path macro = Files.writeString(dir.resolve("phase.ijm"), "open(\"" + sim + "\");\nrun(\"Phase Retrieval\", \"recipe=[10*ER] output_dir=[" + dir.resolve("pr") + "]\");\n");
		ok(run(dir, natives, "-macro", macro.toString()), "Phase Retrieval (macro)");
		ran.add("Phase Retrieval");
		ok(run(dir, natives, "--headless", "--run", "Strain", "amplitude_file=" + q(amplitude) + ",hkl=\"111\",lattice_constant=0.4078,voxel_size=\"10\",output_dir=" + q(dir.resolve("strain"))), "Strain");
		ran.add("Strain");
		ok(run(dir, natives, "--headless", "--run", "Export", "amplitude_file=" + q(amplitude) + ",format=\"vti\",voxel_size=\"10\",output=" + q(dir.resolve("obj.vti"))), "Export");
		ran.add("Export");
		ok(run(dir, natives, "--headless", "--run", "Show in BigDataViewer", "amplitude_file=" + q(amplitude) + ",voxel_size=\"10\""), "Show in BigDataViewer (hyperstack without BigDataViewer)");
		ran.add("Show in BigDataViewer");
		ok(run(dir, natives, "--headless", "--run", "CDI...", "device=\"cpu\",threads=1"), "Edit > Options > CDI...");
		ran.add("CDI...");
		// the neural networks: PyTorch natives from jars/linux64, else one message naming the jar and the folder
		final Run[] nn = {
			run(dir, natives, "--headless", "--run", "Predict (NN)", "input=" + q(sim) + ",output_dir=" + q(dir.resolve("nn")) + ",device=\"cpu\""),
			run(dir, natives, "--headless", "--run", "Fine-tune Network", "input=" + q(sim) + ",output_dir=" + q(dir.resolve("tuned")) + ",steps=1,device=\"cpu\""),
			run(dir, natives, "--headless", "--run", "Train Network", "output_dir=" + q(dir.resolve("trained")) + ",rank=\"2\",input_size=32,base_channels=2,depth=1,"
				+ "train_samples=4,validation_samples=0,epochs=1,batch_size=2,threads=1,device=\"cpu\""),
			run(dir, natives, "--headless", "--run", "Reconstruct", "input=" + q(sim) + ",output_dir=" + q(dir.resolve("nnrefine")) + ",mode=\"nn+refine\",refinement=\"10*ER\",device=\"cpu\"") };
		ran.addAll(List.of("Predict (NN)", "Fine-tune Network", "Train Network"));
		for (final Run r : nn) {
			// one tuning step may raise the loss; then Fine-tune refuses to write the worse model, after the tuning ran
			if (natives && r == nn[1] && r.code() == 1 && r.out().contains("Fine-tuning made") && r.out().contains("physics loss")) continue;
			if (natives) ok(r, "neural-network command");
			else {
				assertEquals(1, r.code(), r.out());
				assertTrue(r.out().contains("pytorch-native-cpu:2.7.1:linux-x86_64") && r.out().contains("Fiji.app/jars/linux64/") && r.out().contains("Help > Update"),
					"the message does not say what is missing and how to get it:\n" + r.out());
				assertFalse(r.out().contains("\tat "), "a stack trace instead of one message:\n" + r.out());
			}
		}
		return ran;
	}

	@Test
	void everyCommandRunsFromFijiJarsPlusThePayload() throws Exception {
		assertEquals(declaredCommands(), runEveryCommand(true), "commands declared by the plugin jar vs. commands run");
	}

	@Test
	void withoutNativesEachCommandWorksInPureJavaOrSaysWhatIsMissing() throws Exception {
		assertEquals(declaredCommands(), runEveryCommand(false), "commands declared by the plugin jar vs. commands run");
	}

	private static void deleteTree(final Path root) throws IOException {
		if (!Files.exists(root)) return;
		try (Stream<Path> s = Files.walk(root)) {
			for (final Path p : s.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) Files.delete(p);
		}
	}
}
