package sc.fiji.cdi.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.imglib2.RandomAccessibleInterval;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;

/**
 * BigDataViewer is not on Maven Central, so BdvDisplay reaches it by reflection — and nothing would notice a name or
 * signature that BigDataViewer does not have until a user clicks in Fiji. Here the calls run against classes compiled
 * at test time with BigDataViewer's own public signatures, copied from its source (bigdataviewer-vistools, package
 * bdv.util: BdvFunctions, BdvOptions, Bdv, BdvSource, BdvStackSource), bodies replaced by recorders. Overloads that
 * could be picked by mistake are there too ({@code sourceTransform(AffineTransform3D)}, {@code show(RAI, String)}).
 */
class BdvApiTest {

	/** Public signatures as in bigdataviewer-vistools' bdv/util sources (bodies: recorders). */
	private static final Map<String, String> BDV = Map.of(
		// imglib2-realtransform (not in imglib2 core): only its name matters for the overload
		"net/imglib2/realtransform/AffineTransform3D.java", "package net.imglib2.realtransform;\npublic class AffineTransform3D {}\n",
		"bdv/util/Bdv.java", "package bdv.util;\npublic interface Bdv {\n\tstatic BdvOptions options() { return BdvOptions.options(); }\n}\n",
		"bdv/util/BdvSource.java", "package bdv.util;\npublic abstract class BdvSource implements Bdv {\n"
			+ "\tpublic abstract void setDisplayRange( final double min, final double max );\n}\n",
		"bdv/util/BdvStackSource.java", "package bdv.util;\npublic class BdvStackSource< T > extends BdvSource {\n"
			+ "\tpublic final String name; public final Object img; public final BdvOptions options; public double min = Double.NaN, max = Double.NaN;\n"
			+ "\tBdvStackSource( String name, Object img, BdvOptions options ) { this.name = name; this.img = img; this.options = options; }\n"
			+ "\t@Override public void setDisplayRange( final double min, final double max ) { this.min = min; this.max = max; }\n}\n",
		"bdv/util/BdvOptions.java", "package bdv.util;\npublic class BdvOptions {\n"
			+ "\tpublic double[] calibration; public Bdv addTo; public net.imglib2.realtransform.AffineTransform3D affine;\n"
			+ "\tpublic static BdvOptions options() { return new BdvOptions(); }\n"
			+ "\tpublic BdvOptions sourceTransform( final net.imglib2.realtransform.AffineTransform3D t ) { affine = t; return this; }\n"
			+ "\tpublic BdvOptions sourceTransform( final double ... calibration ) { this.calibration = calibration; return this; }\n"
			+ "\tpublic BdvOptions addTo( final Bdv bdv ) { addTo = bdv; return this; }\n}\n",
		"bdv/util/BdvFunctions.java", "package bdv.util;\npublic class BdvFunctions {\n"
			+ "\tpublic static final java.util.List< BdvStackSource< ? > > shown = new java.util.ArrayList<>();\n"
			+ "\tpublic static < T > BdvStackSource< T > show( final net.imglib2.RandomAccessibleInterval< T > img, final String name ) { return show( img, name, Bdv.options() ); }\n"
			+ "\tpublic static < T > BdvStackSource< T > show( final net.imglib2.RandomAccessibleInterval< T > img, final String name, final BdvOptions options ) {\n"
			+ "\t\tfinal BdvStackSource< T > s = new BdvStackSource<>( name, img, options ); shown.add( s ); return s; }\n}\n");

	private static ClassLoader bigDataViewer(final Path dir) throws Exception {
		final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
		final List<String> args = new java.util.ArrayList<>(List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path"), "-proc:none"));
		for (final Map.Entry<String, String> e : BDV.entrySet()) {
			final Path f = dir.resolve("src").resolve(e.getKey());
			Files.createDirectories(f.getParent());
			Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
			args.add(f.toString());
		}
		assertEquals(0, javac.run(null, null, null, args.toArray(new String[0])), "the BigDataViewer signatures do not compile");
		return new URLClassLoader(new URL[] { dir.toUri().toURL() }, BdvApiTest.class.getClassLoader());
	}

	@Test
	void theReflectiveCallsMatchBigDataViewersApi(@TempDir final Path tmp) throws Exception {
		final Grid g = new Grid(4, 6, 8); // z, y, x
		final double[] voxel = { 12, 9, 7 }; // nm, z, y, x
		final Map<String, RealVolume> channels = new LinkedHashMap<>();
		final float[] amp = new float[(int) g.size()], ph = new float[(int) g.size()];
		for (int i = 0; i < amp.length; i++) { amp[i] = i; ph[i] = (float) Math.sin(i); }
		channels.put("scan amplitude", new RealVolume(g, amp, voxel, "nm"));
		channels.put("scan phase", new RealVolume(g, ph, voxel, "nm"));
		final ClassLoader cl = bigDataViewer(tmp);
		final Object first = BdvDisplay.showInBdv(channels, cl);

		@SuppressWarnings("unchecked")
		final List<Object> shown = (List<Object>) cl.loadClass("bdv.util.BdvFunctions").getField("shown").get(null);
		assertEquals(2, shown.size());
		assertSame(shown.get(0), first, "the first source is the handle");
		int c = 0;
		for (final Map.Entry<String, RealVolume> e : channels.entrySet()) {
			final Object src = shown.get(c++);
			final Class<?> k = src.getClass();
			assertEquals(e.getKey(), k.getField("name").get(src));
			final RandomAccessibleInterval<?> img = (RandomAccessibleInterval<?>) k.getField("img").get(src);
			assertArrayEquals(new long[] { 8, 6, 4 }, img.dimensionsAsLongArray(), "x, y, z order");
			final Object opt = k.getField("options").get(src);
			assertArrayEquals(new double[] { 7, 9, 12 }, (double[]) opt.getClass().getField("calibration").get(opt), "sourceTransform(sx, sy, sz) in nm");
			assertNull(opt.getClass().getField("affine").get(opt), "the AffineTransform3D overload was not used");
			final Object addTo = opt.getClass().getField("addTo").get(opt);
			if (c == 1) assertNull(addTo, "the first source opens the window");
			else assertSame(first, addTo, "later sources are added to the first one's window");
			final double[] range = BdvDisplay.displayRange(e.getKey(), e.getValue());
			assertEquals(range[0], (double) k.getField("min").get(src), 0);
			assertEquals(range[1], (double) k.getField("max").get(src), 0);
		}
		assertTrue(new File(tmp.toFile(), "bdv/util/BdvFunctions.class").exists());
	}
}
