package sc.fiji.cdi.view;

import java.awt.GraphicsEnvironment;
import java.lang.reflect.Method;
import java.util.Map;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.LUT;
import net.imglib2.img.array.ArrayImgs;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

/**
 * Shows amplitude / phase / strain volumes in BigDataViewer when it is installed (inside Fiji), otherwise as an
 * ImageJ composite hyperstack with Orthogonal Views. BigDataViewer is not on Maven Central, so it is reached by
 * reflection on {@code bdv.util.BdvFunctions.show(RandomAccessibleInterval, String, BdvOptions)}; the volumes are
 * wrapped without copying ({@code ArrayImgs.floats}) and scaled to nm with {@code BdvOptions.sourceTransform}.
 */
public final class BdvDisplay {

	static final String BDV_FUNCTIONS = "bdv.util.BdvFunctions";
	static final String BDV_OPTIONS = "bdv.util.BdvOptions";

	/** How the data were shown. */
	public enum Viewer { BIGDATAVIEWER, HYPERSTACK }

	/**
	 * @param viewer  which viewer was used
	 * @param handle  the BigDataViewer source handle, or the {@link ImagePlus}
	 * @param message what the user should be told (e.g. why the fallback was used), may be empty
	 */
	public record Shown(Viewer viewer, Object handle, String message) {}

	private BdvDisplay() {}

	/** True when BigDataViewer's {@code BdvFunctions} is on the class path (inside Fiji). */
	public static boolean bigDataViewerAvailable() {
		try {
			Class.forName(BDV_FUNCTIONS, false, BdvDisplay.class.getClassLoader());
			return true;
		} catch (final ClassNotFoundException | LinkageError e) {
			return false;
		}
	}

	/**
	 * Shows the channels (name → volume, all on one grid) in BigDataViewer, or falls back to a hyperstack.
	 * Headless, nothing is displayed; the hyperstack is still built and returned.
	 */
	public static Shown show(final Map<String, RealVolume> channels) {
		check(channels);
		if (bigDataViewerAvailable() && !GraphicsEnvironment.isHeadless()) {
			try {
				return new Shown(Viewer.BIGDATAVIEWER, showInBdv(channels, BdvDisplay.class.getClassLoader()), "");
			} catch (final ReflectiveOperationException | RuntimeException | LinkageError e) {
				final ImagePlus imp = showHyperstack(channels);
				return new Shown(Viewer.HYPERSTACK, imp, "BigDataViewer is installed but could not open the volumes (" + e + "); showing a hyperstack with orthogonal views instead.");
			}
		}
		final ImagePlus imp = showHyperstack(channels);
		return new Shown(Viewer.HYPERSTACK, imp, "BigDataViewer is not available (enable it in Fiji: it ships with Fiji, or export with BigDataViewer XML/N5 and open it later); showing a hyperstack with orthogonal views instead.");
	}

	/**
	 * The reflective calls, each checked by BdvApiTest against BigDataViewer's own signatures (bigdataviewer-vistools,
	 * bdv/util): {@code public static <T> BdvStackSource<T> BdvFunctions.show(RandomAccessibleInterval<T> img, String
	 * name, BdvOptions options)}, {@code public static BdvOptions BdvOptions.options()}, {@code public BdvOptions
	 * sourceTransform(double... calibration)} (x, y, z scale), {@code public BdvOptions addTo(Bdv bdv)} (BdvSource
	 * implements Bdv) and {@code public abstract void BdvSource.setDisplayRange(double min, double max)}.
	 */
	static Object showInBdv(final Map<String, RealVolume> channels, final ClassLoader cl) throws ReflectiveOperationException {
		final Class<?> functions = Class.forName(BDV_FUNCTIONS, true, cl);
		final Class<?> options = Class.forName(BDV_OPTIONS, true, cl);
		final Class<?> rai = Class.forName("net.imglib2.RandomAccessibleInterval", true, cl);
		final Method show = functions.getMethod("show", rai, String.class, options);
		final Method create = options.getMethod("options");
		final Method scale = options.getMethod("sourceTransform", double[].class);
		Method addTo = null;
		Object first = null;
		for (final Map.Entry<String, RealVolume> e : channels.entrySet()) {
			final RealVolume v = e.getValue();
			Object opt = create.invoke(null);
			opt = scale.invoke(opt, (Object) new double[] { v.voxelSize[2], v.voxelSize[1], v.voxelSize[0] });
			if (first != null) {
				if (addTo == null) addTo = findAddTo(options, first.getClass());
				if (addTo != null) opt = addTo.invoke(opt, first);
			}
			final Object src = show.invoke(null, ArrayImgs.floats(v.data, v.grid.nx, v.grid.ny, v.grid.nz), e.getKey(), opt);
			final double[] r = displayRange(e.getKey(), v);
			try {
				src.getClass().getMethod("setDisplayRange", double.class, double.class).invoke(src, r[0], r[1]);
			} catch (final NoSuchMethodException ignored) { /* older BigDataViewer: keep its default range */ }
			if (first == null) first = src;
		}
		return first;
	}

	private static Method findAddTo(final Class<?> options, final Class<?> handleClass) {
		for (final Method m : options.getMethods())
			if (m.getName().equals("addTo") && m.getParameterCount() == 1 && m.getParameterTypes()[0].isAssignableFrom(handleClass)) return m;
		return null;
	}

	/** Builds (and, with a display, shows with Orthogonal Views) a composite hyperstack: one channel per volume, calibrated in nm. */
	public static ImagePlus showHyperstack(final Map<String, RealVolume> channels) {
		final ImagePlus imp = hyperstack(channels);
		if (!GraphicsEnvironment.isHeadless()) {
			imp.show();
			IJ.run(imp, "Orthogonal Views", "");
		}
		return imp;
	}

	/** A composite hyperstack (x, y, channel, z) with per-channel LUTs ({@link Lut#forQuantity}) and display ranges. */
	public static ImagePlus hyperstack(final Map<String, RealVolume> channels) {
		check(channels);
		final RealVolume first = channels.values().iterator().next();
		final Grid g = first.grid;
		final ImageStack stack = new ImageStack(g.nx, g.ny);
		for (int z = 0; z < g.nz; z++)
			for (final Map.Entry<String, RealVolume> e : channels.entrySet()) {
				final float[] plane = new float[g.nx * g.ny];
				System.arraycopy(e.getValue().data, z * plane.length, plane, 0, plane.length);
				stack.addSlice(e.getKey() + " z=" + z, new FloatProcessor(g.nx, g.ny, plane));
			}
		final ImagePlus imp = new ImagePlus(String.join(" / ", channels.keySet()), stack);
		imp.setDimensions(channels.size(), g.nz, 1);
		final Calibration cal = imp.getCalibration();
		cal.pixelDepth = first.voxelSize[0]; cal.pixelHeight = first.voxelSize[1]; cal.pixelWidth = first.voxelSize[2];
		cal.setUnit(first.unit);
		final CompositeImage ci = new CompositeImage(imp, channels.size() > 1 ? IJ.COMPOSITE : IJ.GRAYSCALE);
		int c = 1;
		for (final Map.Entry<String, RealVolume> e : channels.entrySet()) {
			final byte[][] t = Lut.forQuantity(e.getKey()).tables();
			final LUT lut = new LUT(t[0], t[1], t[2]);
			final double[] r = displayRange(e.getKey(), e.getValue());
			lut.min = r[0]; lut.max = r[1];
			ci.setChannelLut(lut, c);
			ci.setPosition(c, Math.max(1, g.nz / 2 + 1), 1);
			ci.setDisplayRange(r[0], r[1]);
			c++;
		}
		ci.setPosition(1, Math.max(1, g.nz / 2 + 1), 1);
		return ci;
	}

	/** Symmetric range for diverging quantities, ±π for phase, [0, max] for amplitude; NaN ignored. */
	static double[] displayRange(final String name, final RealVolume v) {
		final Lut lut = Lut.forQuantity(name);
		if (lut == Lut.CYCLIC) return new double[] { -Math.PI, Math.PI };
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (final float f : v.data) if (!Float.isNaN(f)) { lo = Math.min(lo, f); hi = Math.max(hi, f); }
		if (lo > hi) return new double[] { 0, 1 };
		if (lut == Lut.DIVERGING) { final double m = Math.max(Math.abs(lo), Math.abs(hi)); return m > 0 ? new double[] { -m, m } : new double[] { -1, 1 }; }
		return new double[] { Math.min(0, lo), hi > lo ? hi : lo + 1 };
	}

	private static void check(final Map<String, RealVolume> channels) {
		if (channels == null || channels.isEmpty()) throw new CdiException("Nothing to show: no volume given.");
		final Grid g = channels.values().iterator().next().grid;
		for (final Map.Entry<String, RealVolume> e : channels.entrySet())
			if (!e.getValue().grid.equals(g)) throw new CdiException("'" + e.getKey() + "' is " + e.getValue().grid + " but the first volume is " + g + "; all volumes shown together must have the same size.");
	}
}
