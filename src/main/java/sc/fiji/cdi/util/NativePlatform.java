package sc.fiji.cdi.util;

import java.util.Locale;

/**
 * Which native libraries the suite has on this computer's platform, and where Fiji keeps them: the update site puts
 * them in {@code Fiji.app/jars/<folder>/}, with the folder names of Fiji's updater (imagej-updater
 * {@code util/Platforms.java}: linux64, linux-arm64, macos64, macos-arm64, win64, win-arm64) — the updater installs
 * only the folders of the platforms it finds active. Maven Central has DJL's PyTorch 2.7.1 CPU natives for
 * linux-x86_64, linux-aarch64, win-x86_64 and osx-aarch64 (none for Intel Macs or Windows on ARM), and the JavaCPP
 * FFTW 3.3.10-1.5.10 natives for linux-x86_64, windows-x86_64 and macosx-x86_64 (none for ARM). Where FFTW is
 * missing, phasing uses the pure-Java JTransforms backend; where PyTorch is missing, the neural-network commands stop
 * with {@link #pytorchHelp()}.
 */
public enum NativePlatform {
	LINUX64("linux64", "linux-x86_64", "linux-x86_64"),
	LINUX_ARM64("linux-arm64", "linux-aarch64", null),
	MACOS64("macos64", null, "macosx-x86_64"),
	MACOS_ARM64("macos-arm64", "osx-aarch64", null),
	WIN64("win64", "win-x86_64", "windows-x86_64"),
	WIN_ARM64("win-arm64", null, null),
	OTHER(null, null, null);

	/** Fiji's folder under {@code jars/} (null: a platform Fiji does not name). */
	public final String fijiFolder;
	/** Classifier of {@code ai.djl.pytorch:pytorch-native-cpu:2.7.1} (null: none on Maven Central). */
	public final String pytorchClassifier;
	/** Classifier of {@code org.bytedeco:fftw:3.3.10-1.5.10} (null: none on Maven Central). */
	public final String fftwClassifier;

	NativePlatform(final String fijiFolder, final String pytorchClassifier, final String fftwClassifier) {
		this.fijiFolder = fijiFolder;
		this.pytorchClassifier = pytorchClassifier;
		this.fftwClassifier = fftwClassifier;
	}

	/** The platform of this JVM. */
	public static NativePlatform current() { return of(System.getProperty("os.name", ""), System.getProperty("os.arch", "")); }

	/** The platform for Java's {@code os.name} and {@code os.arch}. */
	public static NativePlatform of(final String osName, final String osArch) {
		final String os = osName.toLowerCase(Locale.ROOT), arch = osArch.toLowerCase(Locale.ROOT);
		final boolean x64 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86-64") || arch.equals("x64");
		final boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
		if (os.startsWith("linux")) return x64 ? LINUX64 : arm64 ? LINUX_ARM64 : OTHER;
		if (os.startsWith("mac")) return x64 ? MACOS64 : arm64 ? MACOS_ARM64 : OTHER;
		if (os.startsWith("win")) return x64 ? WIN64 : arm64 ? WIN_ARM64 : OTHER;
		return OTHER;
	}

	private String where() { return "Fiji.app/jars/" + fijiFolder + "/"; }

	/** What to do when the PyTorch engine does not load here. */
	public String pytorchHelp() {
		if (pytorchClassifier == null)
			return "DJL publishes no PyTorch 2.7.1 natives for this platform (" + System.getProperty("os.name") + " " + System.getProperty("os.arch")
				+ "), so the neural-network commands (Predict, Fine-tune, Train, Reconstruct mode=nn+refine) are not available here; "
				+ "use Reconstruct with mode=phasing, or set PYTORCH_LIBRARY_PATH to a folder holding libtorch 2.7.1 for this platform.";
		return "The PyTorch natives for " + pytorchClassifier + " are missing: the jar ai.djl.pytorch:pytorch-native-cpu:2.7.1:" + pytorchClassifier
			+ " belongs in " + where() + " — in Fiji, Help > Update… with the CDI update site installs it (restart Fiji afterwards); "
			+ "outside Fiji, put it on the class path (or set PYTORCH_LIBRARY_PATH to a folder holding libtorch 2.7.1).";
	}

	/** What to do when FFTW does not load here. */
	public String fftwHelp() {
		if (fftwClassifier == null)
			return "JavaCPP publishes no FFTW natives for this platform, so use backend=jtransforms (pure Java; backend=auto picks it).";
		return "The jars org.bytedeco:fftw:3.3.10-1.5.10:" + fftwClassifier + " and org.bytedeco:javacpp:1.5.10:" + fftwClassifier + " belong in " + where()
			+ " — in Fiji, Help > Update… with the CDI update site installs them; or use backend=jtransforms (pure Java; backend=auto picks it).";
	}
}
