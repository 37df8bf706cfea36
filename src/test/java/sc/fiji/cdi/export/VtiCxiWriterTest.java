package sc.fiji.cdi.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jhdf.HdfFile;
import sc.fiji.cdi.data.Mask;
import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Diffraction;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.ProcessingLog;
import sc.fiji.cdi.data.Quantity;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.CdiException;

class VtiCxiWriterTest {

	@TempDir
	Path dir;

	static final Grid G = new Grid(6, 7, 9);
	static final double[] VS = { 4, 5, 6 };

	static RealVolume ramp(final double scale, final boolean nanOutside, final boolean[] support) {
		final float[] d = new float[G.size()];
		for (int i = 0; i < d.length; i++) d[i] = nanOutside && !support[i] ? Float.NaN : (float) (scale * (i % 17) - 0.3);
		return new RealVolume(G, d, VS, "nm");
	}

	static boolean[] support() {
		final boolean[] s = new boolean[G.size()];
		for (int i = 0; i < s.length; i++) s[i] = i % 5 != 0;
		return s;
	}

	static final String VTI_NUMPY_READER = String.join("\n",
		"import sys, re, numpy as np",
		"b = open(sys.argv[1], 'rb').read()",
		"head = b[:b.index(b'<AppendedData')].decode()",
		"start = b.index(b'_', b.index(b'<AppendedData')) + 1",
		"ext = [int(v) for v in re.search(r'WholeExtent=\"([^\"]+)\"', head).group(1).split()]",
		"nx, ny, nz = ext[1] + 1, ext[3] + 1, ext[5] + 1",
		"sp = [float(v) for v in re.search(r'Spacing=\"([^\"]+)\"', head).group(1).split()]",
		"out = {}",
		"for m in re.finditer(r'type=\"(\\w+)\" Name=\"(\\w+)\" format=\"appended\" offset=\"(\\d+)\"', head):",
		"    t, name, off = m.group(1), m.group(2), int(m.group(3))",
		"    n = int(np.frombuffer(b, '<u8', 1, start + off)[0])",
		"    dt = {'Float32': '<f4', 'UInt8': 'u1'}[t]",
		"    out[name] = np.frombuffer(b, dt, n // np.dtype(dt).itemsize, start + off + 8).reshape(nz, ny, nx)");

	@Test
	void vtiRoundTripsThroughAnIndependentReader() throws Exception {
		final boolean[] s = support();
		final Map<String, RealVolume> arrays = new LinkedHashMap<>();
		arrays.put("amplitude", ramp(0.1, false, s));
		arrays.put("strain", ramp(1e-4, true, s));
		final Path vti = dir.resolve("crystal.vti");
		VtiWriter.write(vti, arrays, s, VS);
		try (Stream<Path> l = Files.list(dir)) { assertEquals(1, l.count(), "no temporary file left"); }
		final boolean vtk = PythonCheck.hasModules("vtk");
		final boolean numpy = PythonCheck.hasModules("numpy");
		Assumptions.assumeTrue(numpy, "/usr/bin/python3 with numpy not available: skipping the independent .vti check");
		final Path a = dir.resolve("a.raw"), e = dir.resolve("e.raw");
		PythonCheck.writeRaw(a, arrays.get("amplitude").data);
		PythonCheck.writeRaw(e, arrays.get("strain").data);
		final String check = String.join("\n",
			"a = np.fromfile(sys.argv[2], '<f4').reshape(6, 7, 9); e = np.fromfile(sys.argv[3], '<f4').reshape(6, 7, 9)",
			"assert np.array_equal(out['amplitude'], a)",
			"assert np.array_equal(out['strain'], e, equal_nan=True)",
			"assert int(out['support'].sum()) == int((~np.isnan(e)).sum())",
			"assert sp == [6.0, 5.0, 4.0], sp",
			"print('ok-numpy')");
		PythonCheck.Result r = PythonCheck.run(VTI_NUMPY_READER + "\n" + check, vti.toString(), a.toString(), e.toString());
		assertEquals(0, r.exit(), r.output());
		assertTrue(r.output().contains("ok-numpy"));
		if (!vtk) {
			System.out.println("python3-vtk9 is not installed: .vti checked with a numpy reader of the VTK XML format only");
			return;
		}
		r = PythonCheck.run(String.join("\n",
			"import sys, vtk, numpy as np",
			"from vtk.util.numpy_support import vtk_to_numpy",
			"rd = vtk.vtkXMLImageDataReader(); rd.SetFileName(sys.argv[1]); rd.Update()",
			"img = rd.GetOutput()",
			"assert img.GetDimensions() == (9, 7, 6), img.GetDimensions()",
			"assert tuple(img.GetSpacing()) == (6.0, 5.0, 4.0)",
			"a = np.fromfile(sys.argv[2], '<f4')",
			"assert np.array_equal(vtk_to_numpy(img.GetPointData().GetArray('amplitude')), a)",
			"print('ok-vtk')"), vti.toString(), a.toString());
		assertEquals(0, r.exit(), r.output());
	}

	@Test
	void cxiRoundTripsThroughH5pyAndJhdf() throws Exception {
		final boolean[] s = support();
		final float[] c = new float[2 * G.size()];
		for (int i = 0; i < G.size(); i++) { c[2 * i] = (float) Math.cos(0.01 * i) * i; c[2 * i + 1] = (float) Math.sin(0.01 * i) * i; }
		final ComplexVolume obj = new ComplexVolume(G, c, VS, "nm");
		final boolean[] bad = new boolean[G.size()];
		bad[3] = true;
		final Diffraction diff = new Diffraction(ramp(10, false, s).calibrated(new double[] { 1, 1, 1 }, "pixel"), Quantity.INTENSITY, Mask.fromUnmeasured(G, bad), new ProcessingLog(), "test");
		final Map<String, RealVolume> images = Map.of("strain", ramp(1e-4, true, s));
		final Map<String, Object> params = new LinkedHashMap<>();
		params.put("recipe", "3*(20*ER+180*HIO)+20*ER");
		params.put("hkl", new int[] { 1, 1, 1 });
		final Path cxi = dir.resolve("rec.cxi");
		CxiWriter.write(cxi, obj, s, diff, images, params);
		try (Stream<Path> l = Files.list(dir)) { assertEquals(1, l.count(), "no temporary file left"); }

		// the project's reader
		final ComplexVolume back = CxiWriter.readObject(cxi);
		assertEquals(G, back.grid);
		assertArrayEquals(c, back.data);
		assertArrayEquals(VS, back.voxelSize);
		try (HdfFile f = new HdfFile(cxi)) {
			final float[][][] d = (float[][][]) f.getDatasetByPath("entry_1/data_1/data").getData();
			assertEquals(diff.values.get(2, 3, 4), d[2][3][4]);
			final byte[][][] m = (byte[][][]) f.getDatasetByPath("entry_1/image_1/mask").getData();
			assertEquals(0, m[0][0][0]); assertEquals(1, m[0][0][1]);
			assertTrue(((String) f.getDatasetByPath("entry_1/image_1/process_1/configuration").getData()).contains("20*ER"));
		}

		Assumptions.assumeTrue(PythonCheck.hasModules("h5py", "numpy"), "Debian python3-h5py not installed: skipping the independent CXI check");
		final Path re = dir.resolve("re.raw"), im = dir.resolve("im.raw");
		final float[] r0 = new float[G.size()], i0 = new float[G.size()];
		for (int i = 0; i < G.size(); i++) { r0[i] = c[2 * i]; i0[i] = c[2 * i + 1]; }
		PythonCheck.writeRaw(re, r0);
		PythonCheck.writeRaw(im, i0);
		final PythonCheck.Result r = PythonCheck.run(String.join("\n",
			"import sys, json, h5py, numpy as np",
			"f = h5py.File(sys.argv[1], 'r')",
			"d = f['entry_1/image_1/data'][()]",
			"z = d.view(np.complex64)[..., 0]",
			"e = np.fromfile(sys.argv[2], '<f4').reshape(6, 7, 9) + 1j * np.fromfile(sys.argv[3], '<f4').reshape(6, 7, 9)",
			"assert z.shape == (6, 7, 9) and np.array_equal(z, e.astype(np.complex64))",
			"assert int(f['entry_1/image_1/mask'][()].sum()) == int(sys.argv[4])",
			"assert f['entry_1/data_1/mask'][()].sum() == 1",
			"assert np.isnan(f['entry_1/image_1/strain'][()]).sum() == 6 * 7 * 9 - int(sys.argv[4])",
			"p = json.loads(f['entry_1/image_1/process_1/configuration'][()])",
			"assert p['hkl'] == [1, 1, 1], p",
			"assert f['cxi_version'][()] == 150",
			"print('ok')"), cxi.toString(), re.toString(), im.toString(), String.valueOf(count(s)));
		assertEquals(0, r.exit(), r.output());
	}

	@Test
	void mismatchedInputsAreRefused() {
		final Map<String, RealVolume> arrays = new LinkedHashMap<>();
		arrays.put("a", new RealVolume(G));
		arrays.put("b", new RealVolume(Grid.cube(3)));
		assertThrows(CdiException.class, () -> VtiWriter.write(dir.resolve("x.vti"), arrays, null, VS));
		assertThrows(CdiException.class, () -> CxiWriter.write(dir.resolve("x.cxi"), new ComplexVolume(G), new boolean[3], null, null, null));
		assertThrows(CdiException.class, () -> CxiWriter.write(dir.resolve("x.cxi"), new ComplexVolume(G), null, null, Map.of("mask", new RealVolume(G)), null));
		assertTrue(!Files.exists(dir.resolve("x.vti")) && !Files.exists(dir.resolve("x.cxi")));
	}

	static int count(final boolean[] b) { int n = 0; for (final boolean x : b) if (x) n++; return n; }
}
