package sc.fiji.cdi.gui;

import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleService;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import sc.fiji.cdi.commands.PredictCommand;
import sc.fiji.cdi.commands.ReconstructCommand;
import sc.fiji.cdi.commands.StrainCommand;

/**
 * The screenshots in docs/images: the Reconstruct, Strain and Predict dialogs (rendered by {@link LegacyDialog}) and
 * the windows of a finished reconstruction, under a real display (Xvfb). Run by hand, see docs/distribution.md:
 * {@code xvfb-run -s "-screen 0 1600x1400x24" java -cp target/test-classes:target/classes:target/lib/* sc.fiji.cdi.gui.ScreenshotTour <result folder> <out folder>}.
 */
public final class ScreenshotTour {

	public static void main(final String[] args) throws Exception {
		final Path results = Path.of(args[0]);
		final Path out = Path.of(args[1]);
		Files.createDirectories(out);
		final Robot robot = new Robot();
		// the data a user has open when choosing Plugins › CDI
		final ImagePlus diffraction = IJ.openImage("sample-stacks/crystal64_sines_diffraction.tif");
		diffraction.show();
		robot.waitForIdle();
		try (Context ctx = new Context(CommandService.class, ModuleService.class)) {
			for (final Class<?> c : new Class<?>[] { ReconstructCommand.class, StrainCommand.class, PredictCommand.class }) {
				final CommandInfo info = ctx.service(CommandService.class).getCommand(c.getName());
				final LegacyDialog d = LegacyDialog.of(info, ctx.service(ModuleService.class).createModule(info));
				final GenericDialog gd = d.dialog;
				gd.setModal(false);
				gd.showDialog();
				gd.setLocation(0, 0);
				shoot(robot, gd, out.resolve("dialog-" + info.getTitle().toLowerCase().replace(' ', '-') + ".png"));
				gd.dispose();
			}
		}
		diffraction.close();
		// a finished reconstruction as Fiji shows it: amplitude and phase (−π..π), then the strain figure
		final String base = "crystal64_sines_diffraction";
		final ImagePlus amplitude = IJ.openImage(results.resolve(base + "_amplitude.tif").toString());
		final ImagePlus phase = IJ.openImage(results.resolve(base + "_phase.tif").toString());
		for (final ImagePlus imp : new ImagePlus[] { amplitude, phase }) {
			imp.setSlice(imp.getNSlices() / 2 + 1);
			imp.show();
			IJ.run(imp, "Set... ", "zoom=400");
		}
		phase.setDisplayRange(-Math.PI, Math.PI);
		// how much of −π..π the crystal's phase uses on the shown slice (inside amplitude ≥ 0.1·max)
		final float[] a = (float[]) amplitude.getProcessor().getPixels(), p = (float[]) phase.getProcessor().getPixels();
		double max = 0, lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
		for (final float v : a) max = Math.max(max, v);
		for (int i = 0; i < a.length; i++)
			if (a[i] >= 0.1 * max) { lo = Math.min(lo, p[i]); hi = Math.max(hi, p[i]); }
		System.out.printf("phase inside the crystal, middle slice: %.3f .. %.3f rad%n", lo, hi);
		phase.updateAndDraw();
		Thread.sleep(1500);
		shoot(robot, amplitude.getWindow(), out.resolve("result-amplitude.png"));
		shoot(robot, phase.getWindow(), out.resolve("result-phase.png"));
		if (args.length > 2) {
			final ImagePlus fig = IJ.openImage(args[2]);
			fig.show();
			Thread.sleep(1000);
			shoot(robot, fig.getWindow(), out.resolve("result-strain-figure.png"));
		}
		System.exit(0);
	}

	static void shoot(final Robot robot, final Window w, final Path png) throws Exception {
		w.toFront();
		robot.waitForIdle();
		Thread.sleep(800);
		final Rectangle r = w.getBounds();
		final BufferedImage img = robot.createScreenCapture(r);
		ImageIO.write(img, "png", png.toFile());
		System.out.println(png + " " + r.width + "x" + r.height);
	}

}
