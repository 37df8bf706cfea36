package sc.fiji.cdi.export;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * A minimal writer (and reader) of N5 float32 datasets, the container format of BigDataViewer (N5 spec 4.0.0,
 * saalfeldlab): a folder with {@code attributes.json} ({@code dimensions}, {@code blockSize} in (x, y, z),
 * {@code dataType}, {@code compression}) and one file per block at {@code <i>/<j>/<k>} (block grid position
 * in x, y, z). A block is a big-endian header (uint16 mode 0, uint16 number of dimensions, uint32 size per
 * dimension, the actual size of a border block) followed by the gzip-compressed big-endian values, x fastest.
 * Written block by block from a {@link BlockSource}: memory use is a few blocks, whatever the volume size.
 */
public final class N5Writer {

	public static final String VERSION = "4.0.0";
	/** gzip level 1 (fastest): float data compress little at any level, level 1 is several times faster than 6. */
	public static final int GZIP_LEVEL = java.util.zip.Deflater.BEST_SPEED;
	private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

	private N5Writer() {}

	/** Writes {@code attributes.json} of a group or dataset (merging nothing: the map is the whole content). */
	public static void writeAttributes(final Path dir, final Map<String, ?> attributes) throws IOException {
		Files.createDirectories(dir);
		Files.writeString(dir.resolve("attributes.json"), GSON.toJson(attributes), StandardCharsets.UTF_8);
	}

	/** Writes a float32 gzip dataset at {@code dir} from {@code src}; {@code extra} attributes are added to its attributes.json. */
	public static void writeDataset(final Path dir, final BlockSource src, final int[] blockSizeXyz, final Map<String, ?> extra, final Progress progress) throws IOException {
		final long[] dims = src.dimensionsXyz();
		final Map<String, Object> a = new LinkedHashMap<>();
		a.put("dimensions", dims);
		a.put("blockSize", blockSizeXyz);
		a.put("dataType", "float32");
		final Map<String, Object> gzip = new LinkedHashMap<>();
		gzip.put("type", "gzip");
		gzip.put("level", GZIP_LEVEL);
		gzip.put("useZlib", false);
		a.put("compression", gzip);
		if (extra != null) a.putAll(extra);
		writeAttributes(dir, a);
		final long[] nb = new long[3];
		for (int d = 0; d < 3; d++) nb[d] = (dims[d] + blockSizeXyz[d] - 1) / blockSizeXyz[d];
		final float[] buf = new float[blockSizeXyz[0] * blockSizeXyz[1] * blockSizeXyz[2]];
		final ByteBuffer bytes = ByteBuffer.allocate(4 * buf.length).order(ByteOrder.BIG_ENDIAN);
		final long total = nb[0] * nb[1] * nb[2];
		long done = 0;
		for (long k = 0; k < nb[2]; k++)
			for (long j = 0; j < nb[1]; j++)
				for (long i = 0; i < nb[0]; i++) {
					if (progress != null) { progress.checkCancelled(); progress.progress(done++, total); }
					final long[] off = { i * blockSizeXyz[0], j * blockSizeXyz[1], k * blockSizeXyz[2] };
					final int[] size = new int[3];
					for (int d = 0; d < 3; d++) size[d] = (int) Math.min(blockSizeXyz[d], dims[d] - off[d]);
					final int n = size[0] * size[1] * size[2];
					src.read(off, size, buf);
					bytes.clear();
					bytes.asFloatBuffer().put(buf, 0, n);
					final Path file = dir.resolve(Long.toString(i)).resolve(Long.toString(j)).resolve(Long.toString(k));
					Files.createDirectories(file.getParent());
					try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
						final ByteBuffer h = ByteBuffer.allocate(4 + 4 * 3).order(ByteOrder.BIG_ENDIAN);
						h.putShort((short) 0).putShort((short) 3).putInt(size[0]).putInt(size[1]).putInt(size[2]);
						raw.write(h.array());
						final GZIPOutputStream gz = new GZIPOutputStream(raw, 1 << 16) { { def.setLevel(GZIP_LEVEL); } };
						gz.write(bytes.array(), 0, 4 * n);
						gz.finish();
					}
				}
	}

	/** Reads back a float32 dataset written by {@link #writeDataset} (or any N5 float32 gzip/raw dataset) as a {@link BlockSource}. */
	public static BlockSource reader(final Path dir) {
		final Map<?, ?> a;
		try {
			a = GSON.fromJson(Files.readString(dir.resolve("attributes.json")), Map.class);
		} catch (final IOException e) {
			throw new CdiException("Cannot read the N5 dataset attributes " + dir.resolve("attributes.json") + ": " + e.getMessage(), e);
		}
		if (a == null || !"float32".equals(a.get("dataType"))) throw new CdiException("The N5 dataset " + dir + " is not float32 (dataType " + (a == null ? null : a.get("dataType")) + "); expected float32.");
		final long[] dims = toLongs(a.get("dimensions"));
		final long[] bsl = toLongs(a.get("blockSize"));
		final int[] bs = { (int) bsl[0], (int) bsl[1], (int) bsl[2] };
		final Object comp = a.get("compression");
		final boolean gz = comp instanceof Map<?, ?> m && "gzip".equals(m.get("type"));
		return new BlockSource() {
			@Override
			public long[] dimensionsXyz() { return dims.clone(); }

			/** Visits every block that intersects the box once and copies the intersection. */
			@Override
			public void read(final long[] o, final int[] s, final float[] dst) {
				final long[] b0 = new long[3], b1 = new long[3];
				for (int d = 0; d < 3; d++) { b0[d] = o[d] / bs[d]; b1[d] = (o[d] + s[d] - 1) / bs[d]; }
				for (long bk = b0[2]; bk <= b1[2]; bk++)
					for (long bj = b0[1]; bj <= b1[1]; bj++)
						for (long bi = b0[0]; bi <= b1[0]; bi++) {
							final int[] size = new int[3];
							final float[] v = load(new long[] { bi, bj, bk }, size);
							final long[] bo = { bi * bs[0], bj * bs[1], bk * bs[2] };
							final long[] lo = new long[3], hi = new long[3];
							for (int d = 0; d < 3; d++) { lo[d] = Math.max(o[d], bo[d]); hi[d] = Math.min(o[d] + s[d], bo[d] + size[d]); }
							for (long z = lo[2]; z < hi[2]; z++)
								for (long y = lo[1]; y < hi[1]; y++) {
									final int src = (int) (((z - bo[2]) * size[1] + (y - bo[1])) * size[0] + (lo[0] - bo[0]));
									final int dp = (int) (((z - o[2]) * s[1] + (y - o[1])) * s[0] + (lo[0] - o[0]));
									System.arraycopy(v, src, dst, dp, (int) (hi[0] - lo[0]));
								}
						}
			}

			private float[] load(final long[] pos, final int[] sizeOut) {
				final Path f = dir.resolve(Long.toString(pos[0])).resolve(Long.toString(pos[1])).resolve(Long.toString(pos[2]));
				try (InputStream in = Files.newInputStream(f); DataInputStream din = new DataInputStream(in)) {
					final int mode = din.readUnsignedShort(), nd = din.readUnsignedShort();
					if (mode != 0 || nd != 3) throw new CdiException("N5 block " + f + " has mode " + mode + " and " + nd + " dimensions; expected mode 0 and 3.");
					final int[] size = { din.readInt(), din.readInt(), din.readInt() };
					final int n = size[0] * size[1] * size[2];
					final byte[] b = (gz ? new GZIPInputStream(in) : in).readNBytes(4 * n);
					if (b.length != 4 * n) throw new CdiException("N5 block " + f + " is truncated: " + b.length + " of " + 4 * n + " bytes.");
					final float[] v = new float[n];
					ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(v);
					System.arraycopy(size, 0, sizeOut, 0, 3);
					return v;
				} catch (final IOException e) {
					throw new CdiException("Cannot read N5 block " + f + ": " + e.getMessage(), e);
				}
			}
		};
	}

	private static long[] toLongs(final Object o) {
		final java.util.List<?> l = (java.util.List<?>) o;
		final long[] r = new long[l.size()];
		for (int i = 0; i < r.length; i++) r[i] = ((Number) l.get(i)).longValue();
		return r;
	}

	/**
	 * A 2×2×2 average of {@code src} (a pyramid level): output dimension ⌈d/2⌉; NaN voxels are ignored, an output
	 * voxel with no finite input is NaN. Reads the source one output block at a time.
	 */
	public static BlockSource downsample2(final BlockSource src) {
		final long[] in = src.dimensionsXyz();
		final long[] out = { (in[0] + 1) / 2, (in[1] + 1) / 2, (in[2] + 1) / 2 };
		return new BlockSource() {
			@Override
			public long[] dimensionsXyz() { return out.clone(); }

			@Override
			public void read(final long[] o, final int[] s, final float[] dst) {
				final long[] io = { 2 * o[0], 2 * o[1], 2 * o[2] };
				final int[] is = new int[3];
				for (int d = 0; d < 3; d++) is[d] = (int) Math.min(2L * s[d], in[d] - io[d]);
				final float[] b = new float[is[0] * is[1] * is[2]];
				src.read(io, is, b);
				for (int z = 0; z < s[2]; z++)
					for (int y = 0; y < s[1]; y++)
						for (int x = 0; x < s[0]; x++) {
							double sum = 0;
							int k = 0;
							for (int dz = 0; dz < 2; dz++) for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) {
								final int xx = 2 * x + dx, yy = 2 * y + dy, zz = 2 * z + dz;
								if (xx >= is[0] || yy >= is[1] || zz >= is[2]) continue;
								final float v = b[(zz * is[1] + yy) * is[0] + xx];
								if (Float.isNaN(v)) continue;
								sum += v; k++;
							}
							dst[(z * s[1] + y) * s[0] + x] = k == 0 ? Float.NaN : (float) (sum / k);
						}
			}
		};
	}
}
