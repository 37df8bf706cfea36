package sc.fiji.cdi.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.app.Main;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.simulate.CrystalSimulator;
import sc.fiji.cdi.simulate.SimulationParameters;
import sc.fiji.cdi.testutil.HeadlessRun;

/**
 * Windows paths as they reach a command: in a {@code --run} string Fiji's parser reads {@code \b}, {@code \n}, {@code \t}
 * as control characters ("D:\beamtime\new" became "D:⌫eamtime⏎ew"), and outside Windows a drive path is one file
 * name in the working folder (a macro written on Windows made a folder "D:\beamtime\recon" there). Both are refused,
 * naming the key and what to write instead; nothing is created.
 */
class WindowsPathTest {

	@TempDir
	Path tmp;

	private Path input;

	@BeforeEach
	void pattern() throws Exception {
		input = tmp.resolve("scan.tif");
		TiffWriter.write(input, CrystalSimulator.simulate(Grid.of2D(32, 32),
			SimulationParameters.defaults().withShape(SimulationParameters.Shape.POLYGON), 3).diffraction().values);
	}

	/** Nothing whose name starts with a drive letter was made in the working folder. */
	private static void nothingInTheWorkingFolder() throws Exception {
		try (Stream<Path> s = Files.list(Path.of("").toAbsolutePath())) {
			assertFalse(s.anyMatch(p -> p.getFileName().toString().matches("^[A-Za-z]:.*")), "a file or folder named like a drive path in the working folder");
		}
	}

	@Test
	void backslashEscapesInARunStringAreRefusedWithTheFix() throws Exception {
		// as a shell passes 'output_dir="D:\beamtime\new"': Parsington reads \b and \n as a backspace and a line break
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + input + "\",output_dir=\"D:\\beamtime\\new\"");
		assertEquals(2, r.code, r.err);
		assertTrue(r.err.contains("'output_dir'") && r.err.contains("backspace") && r.err.contains("D:/beamtime/recon"), r.err);
		nothingInTheWorkingFolder();
	}

	@Test
	void anUnknownEscapeSaysHowToWriteTheWindowsPath() {
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"C:\\data\\scan.tif\"");
		assertEquals(2, r.code, r.err);
		assertTrue(r.err.contains("Invalid escape sequence") && r.err.contains("C:/data/scan.tif"), r.err);
	}

	@Test
	void aDrivePathOutsideWindowsIsRefusedInARunString() throws Exception {
		assumeTrue(File.separatorChar == '/');
		final HeadlessRun r = HeadlessRun.of("--headless", "--run", "Import Diffraction", "input=\"" + input + "\",output_dir=\"D:/beamtime/recon\"");
		assertEquals(2, r.code, r.err);
		assertTrue(r.err.contains("'output_dir'") && r.err.contains("Windows path") && r.err.contains("drive D:"), r.err);
		nothingInTheWorkingFolder();
	}

	@Test
	void aMacroWrittenOnWindowsStopsTheCommandInsteadOfWritingIntoTheWorkingFolder() throws Exception {
		assumeTrue(File.separatorChar == '/');
		final Path result = tmp.resolve("failure.txt");
		// in the macro's text "\\" is one backslash, as a Windows user writes it: output_dir=[D:\beamtime\recon 1]
		final Path macro = Files.writeString(tmp.resolve("windows.ijm"), String.join("\n",
			"run(\"Import Diffraction\", \"input=[" + input + "] output_dir=[D:\\\\beamtime\\\\recon 1]\");",
			"File.saveString(getInfo(\"cdi.lastFailure\"), \"" + result + "\");", ""));
		assertEquals(0, Main.run("-macro", macro.toString()), "a failed command is reported and the macro goes on, as in Fiji");
		final String failure = Files.readString(result);
		assertTrue(failure.contains("D:\\beamtime\\recon 1") && failure.contains("Windows path") && failure.contains("'output_dir'"), failure);
		nothingInTheWorkingFolder();
	}

	@Test
	void anExistingFileWithSuchANameAndOrdinaryPathsAreUsedAsGiven() throws Exception {
		if (File.separatorChar == '/') { // on Windows "C:x" is a path relative to drive C's working folder, not a name in tmp
			final Path odd = Files.writeString(tmp.resolve("C:x"), "");
			ParameterCheck.checkNativePath("input", odd.toString());
		}
		ParameterCheck.checkNativePath("input", tmp.resolve("a [1], b=2 é").toString());
		ParameterCheck.checkNativePath("input", "relative/C:/x");
	}
}
