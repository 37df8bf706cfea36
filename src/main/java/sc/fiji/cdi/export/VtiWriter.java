package sc.fiji.cdi.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;

/**
 * VTK XML image data (.vti) for ParaView: point-data arrays (Float32, plus the support as UInt8) on a regular
 * grid with the spacing in nm, in the appended raw binary encoding (little endian, UInt64 size headers). VTK's
 * point order is x fastest, then y, then z, the same as our arrays, so the values are streamed as they are.
 * NaN (outside the support) is kept; ParaView treats it as "no value" in colour maps. Written atomically.
 */
public final class VtiWriter {

	private VtiWriter() {}

	/**
	 * @param arrays  named volumes, all on the same grid (e.g. "amplitude", "phase", "strain")
	 * @param support optional support written as UInt8 array "support" (1 inside), may be null
	 * @param spacingZyxNm voxel size (z, y, x) in nm
	 */
	public static void write(final Path target, final Map<String, RealVolume> arrays, final boolean[] support, final double[] spacingZyxNm) {
		if (arrays == null || arrays.isEmpty()) throw new CdiException("Nothing to write to " + target + ": no array given.");
		final Grid g = arrays.values().iterator().next().grid;
		for (final Map.Entry<String, RealVolume> e : arrays.entrySet())
			if (!e.getValue().grid.equals(g)) throw new CdiException("Array '" + e.getKey() + "' is " + e.getValue().grid + " but the first array is " + g + "; all arrays of a .vti must share a grid.");
		if (support != null && support.length != g.size()) throw new CdiException("The support has " + support.length + " voxels but the grid " + g + " has " + g.size() + ".");
		final long n = g.size();
		final Map<String, Long> offsets = new LinkedHashMap<>();
		long off = 0;
		for (final String name : arrays.keySet()) { offsets.put(name, off); off += 8 + 4 * n; }
		final long supportOffset = off;
		final StringBuilder h = new StringBuilder();
		final String extent = String.format(Locale.ROOT, "0 %d 0 %d 0 %d", g.nx - 1, g.ny - 1, g.nz - 1);
		h.append("<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n");
		h.append(String.format(Locale.ROOT, "  <ImageData WholeExtent=\"%s\" Origin=\"0 0 0\" Spacing=\"%s %s %s\">\n", extent, spacingZyxNm[2], spacingZyxNm[1], spacingZyxNm[0]));
		h.append("    <Piece Extent=\"").append(extent).append("\">\n");
		h.append("      <PointData Scalars=\"").append(xmlName(arrays.keySet().iterator().next())).append("\">\n");
		for (final Map.Entry<String, Long> e : offsets.entrySet())
			h.append("        <DataArray type=\"Float32\" Name=\"").append(xmlName(e.getKey())).append("\" format=\"appended\" offset=\"").append(e.getValue()).append("\"/>\n");
		if (support != null) h.append("        <DataArray type=\"UInt8\" Name=\"support\" format=\"appended\" offset=\"").append(supportOffset).append("\"/>\n");
		h.append("      </PointData>\n      <CellData/>\n    </Piece>\n  </ImageData>\n  <AppendedData encoding=\"raw\">\n   _");
		AtomicOutput.write(target, out -> {
			out.write(h.toString().getBytes(StandardCharsets.UTF_8));
			final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
			for (final RealVolume v : arrays.values()) {
				buf.putLong(4 * n);
				for (final float f : v.data) {
					if (buf.remaining() < 4) flush(buf, out);
					buf.putFloat(f);
				}
				flush(buf, out);
			}
			if (support != null) {
				buf.putLong(n);
				for (final boolean b : support) {
					if (!buf.hasRemaining()) flush(buf, out);
					buf.put((byte) (b ? 1 : 0));
				}
				flush(buf, out);
			}
			out.write("\n  </AppendedData>\n</VTKFile>\n".getBytes(StandardCharsets.UTF_8));
		});
	}

	private static void flush(final ByteBuffer buf, final OutputStream out) throws IOException {
		out.write(buf.array(), 0, buf.position());
		buf.clear();
	}

	private static String xmlName(final String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}
}
