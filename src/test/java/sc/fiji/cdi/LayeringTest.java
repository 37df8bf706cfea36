package sc.fiji.cdi;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import sc.fiji.cdi.workflow.Reconstruct;

/**
 * The two layers of the suite (docs/architecture.md), checked on the compiled classes of {@code src/main}:
 * <ul>
 * <li>the <b>Fiji shell</b> — {@code app} (entry points: CLI, {@code --run}, macro bridge, start-up), {@code commands}
 * (SciJava commands), {@code fiji} (ImagePlus conversion, the CDI options) and {@code view.BdvDisplay}
 * (ImageJ/BigDataViewer display; the rest of {@code view} renders figures with plain AWT and is core);</li>
 * <li>the <b>core</b> — everything else: data, io, preprocess, phasing, nn, simulate, strain, geometry, export,
 * pipeline, workflow, … — usable from a plain Java program or script without Fiji.</li>
 * </ul>
 * The core imports no {@code org.scijava}, {@code ij}, {@code net.imagej} or {@code bdv} class, with one documented
 * exception: the core's TIFF codec ({@code io.TiffReader}, {@code io.TiffWriter}) is ImageJ 1's {@code ij.io}
 * TIFF decoder/encoder and the {@code ImagePlus}/{@code ImageStack}/{@code Calibration} objects that codec reads
 * into and writes from; ImageJ 1 is a plain library there (no display, no plugin framework).
 */
class LayeringTest {

	private static final DescribedPredicate<JavaClass> SHELL = resideInAnyPackage("sc.fiji.cdi.app..", "sc.fiji.cdi.commands..", "sc.fiji.cdi.fiji..")
		.or(nameMatching("sc\\.fiji\\.cdi\\.view\\.BdvDisplay(\\$.*)?")).as("the Fiji shell");
	private static final DescribedPredicate<JavaClass> CORE = not(SHELL).as("the core");
	private static final String TIFF_CODEC = "sc\\.fiji\\.cdi\\.io\\.Tiff(Reader|Writer)(\\$.*)?";

	private static JavaClasses main;

	@BeforeAll
	static void importMainClasses() throws Exception {
		// the folder or jar that holds src/main's classes (target/classes): faster than scanning every jar of the class path
		final Path classes = Path.of(Reconstruct.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPath(classes);
		// guards against a vacuous pass (nothing imported, every rule trivially true)
		assertTrue(main.size() > 100, "imported only " + main.size() + " classes of src/main");
		assertTrue(main.contain("sc.fiji.cdi.workflow.Reconstruct") && main.contain("sc.fiji.cdi.commands.ReconstructCommand"));
	}

	@Test
	void theCoreImportsNoFijiImageJOrBigDataViewerClass() {
		noClasses().that(CORE).and().haveNameNotMatching(TIFF_CODEC)
			.should().dependOnClassesThat().resideInAnyPackage("org.scijava..", "ij..", "net.imagej..", "bdv..")
			.because("the core must run without Fiji (docs/architecture.md)").check(main);
	}

	@Test
	void theTiffCodecUsesImageJ1AsALibraryOnly() {
		noClasses().that().haveNameMatching(TIFF_CODEC)
			.should().dependOnClassesThat().resideInAnyPackage("org.scijava..", "net.imagej..", "bdv..", "ij.gui..", "ij.plugin..")
			.orShould().dependOnClassesThat().haveFullyQualifiedName("ij.IJ")
			.check(main);
	}

	@Test
	void theCoreDoesNotDependOnTheShell() {
		noClasses().that(CORE).should().dependOnClassesThat(SHELL).check(main);
	}

	@Test
	void theCorePackagesHaveNoCycles() {
		slices().matching("sc.fiji.cdi.(*)..").should().beFreeOfCycles().check(main.that(CORE));
	}

	@Test
	void theShellPackagesHaveNoCycles() {
		// app (entry points: CLI, --run, macro bridge, start-up) → commands → fiji (ImagePlus conversion, options) → core
		slices().matching("sc.fiji.cdi.(*)..").should().beFreeOfCycles().check(main.that(SHELL));
	}

	@Test
	void networkModelsDependOnNeitherPredictionNorTraining() {
		// nn by stage (docs/models.md): model ← predict ← train, as CSBDeep separates its models from prediction and training
		noClasses().that().resideInAPackage("sc.fiji.cdi.nn.model..")
			.should().dependOnClassesThat().resideInAnyPackage("sc.fiji.cdi.nn.predict..", "sc.fiji.cdi.nn.train..")
			.because("a model (architecture, card, folder) is read and built without prediction or training code").check(main);
		noClasses().that().resideInAPackage("sc.fiji.cdi.nn.predict..")
			.should().dependOnClassesThat().resideInAPackage("sc.fiji.cdi.nn.train..")
			.because("prediction runs without training code; fine-tuning (train) uses the predictor, not the reverse").check(main);
		noClasses().should().resideInAPackage("sc.fiji.cdi.nn").because("every network class belongs to one stage: nn.model, nn.predict or nn.train").check(main);
	}

	@Test
	void phasingCodeReachesBackendsOnlyThroughTheInterfaceAndTheFactory() {
		// PhasingBackend is the seam; Backends.select is the one place that names an implementation
		noClasses().that().resideOutsideOfPackages("sc.fiji.cdi.phasing.fftw..", "sc.fiji.cdi.phasing.djl..")
			.and().doNotHaveFullyQualifiedName("sc.fiji.cdi.phasing.Backends")
			.and().haveNameNotMatching("sc\\.fiji\\.cdi\\.phasing\\.JTransformsBackend(\\$.*)?")
			.should().dependOnClassesThat().haveNameMatching("sc\\.fiji\\.cdi\\.phasing\\.(JTransformsBackend|fftw\\.FftwBackend|djl\\.DjlBackend)(\\$.*)?")
			.check(main);
	}

	@Test
	void noBenchmarkOrEvaluationShipsInTheJar() {
		noClasses().should().haveSimpleNameEndingWith("Benchmark").orShould().haveSimpleNameEndingWith("Evaluation")
			.orShould().resideInAPackage("sc.fiji.cdi.bench..")
			.because("benchmarks live in src/bench/java").check(main);
	}
}
