package sc.fiji.cdi.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.CdiException;
import sc.fiji.cdi.util.Progress;

/**
 * Writes volumes for BigDataViewer: an XML (SpimData 0.2) beside an N5 container (REFERENCE §6), one ViewSetup
 * per channel (e.g. amplitude, phase, strain), one timepoint, and a calibration affine that scales voxels to the
 * unit (nm). Blocks are 64³, gzip-compressed; volumes whose largest dimension is ≥ 256 get a pyramid of 2×
 * averages until the largest dimension is below 256 (BigDataViewer then shows them smoothly).
 * <p>
 * Data are streamed block by block through {@link BlockSource}; pyramid levels are computed from the level just
 * written, read back from disk, so the volume is never held twice. The N5 folder is written under a temporary
 * name and renamed when complete, the XML atomically after it: a failed export leaves no half-written output.
 */
public final class BdvExport {

	public static final int[] BLOCK_SIZE = { 64, 64, 64 };
	/** Volumes with a dimension at least this large get a multi-resolution pyramid. */
	public static final int PYRAMID_THRESHOLD = 256;

	/** A named channel (becomes a ViewSetup). */
	public record Channel(String name, BlockSource data) {
		public static Channel of(final String name, final RealVolume v) { return new Channel(name, BlockSource.of(v)); }
	}

	private BdvExport() {}

	/** The N5 folder that belongs to an XML file: {@code x.xml} → {@code x.n5} beside it. */
	public static Path n5PathFor(final Path xml) {
		final String name = xml.getFileName().toString();
		final String base = name.toLowerCase().endsWith(".xml") ? name.substring(0, name.length() - 4) : name;
		return xml.toAbsolutePath().getParent().resolve(base + ".n5");
	}

	/**
	 * Refuses, before any work, to replace what is already at the N5 path of {@code xml} ({@link #n5PathFor}) unless
	 * an earlier export wrote it: a folder listed in the manifest of the same result set ({@link #setName}, e.g.
	 * {@code scan_bdv_manifest.json}). A user's own folder or file named like the container (or a link) is kept.
	 */
	public static void checkN5Replaceable(final Path xml) {
		final Path n5 = n5PathFor(xml);
		if (!Files.exists(n5, LinkOption.NOFOLLOW_LINKS)) return;
		final String n5Name = n5.getFileName().toString(), set = setName(n5Name.substring(0, n5Name.length() - 3));
		final boolean folder = Files.isDirectory(n5, LinkOption.NOFOLLOW_LINKS);
		if (folder && AtomicOutput.belongsTo(n5.getParent(), set, n5Name)) return;
		throw new CdiException("Output " + xml + " needs the N5 container " + n5 + " beside it, but " + n5 + " already exists ("
			+ (Files.isSymbolicLink(n5) ? "a link" : folder ? "a folder" : "a file") + ") and was not written by an earlier export (" + set + AtomicOutput.MANIFEST_SUFFIX
			+ " does not list it); it would be replaced. Choose another output name, or delete " + n5 + " if it may go.");
	}

	/** Downsampling factors per level, (x, y, z) each, starting with [1,1,1]. */
	public static List<int[]> pyramid(final long[] dimsXyz) {
		final List<int[]> f = new ArrayList<>();
		f.add(new int[] { 1, 1, 1 });
		long max = Math.max(dimsXyz[0], Math.max(dimsXyz[1], dimsXyz[2]));
		int s = 1;
		while (max >= PYRAMID_THRESHOLD) {
			s *= 2;
			max = (max + 1) / 2;
			f.add(new int[] { s, s, s });
		}
		return f;
	}

	/**
	 * The result set's name for an export named {@code base}: {@code <base>_bdv}, so that its manifest does not clash
	 * with a reconstruction's {@code <base>_manifest.json} in the same folder; a base that already says bdv
	 * ({@code bdv.xml}, {@code scan54_bdv.xml}) is kept as it is, not doubled ({@code bdv_bdv_manifest.json}).
	 */
	static String setName(final String base) {
		final String b = base.toLowerCase(java.util.Locale.ROOT);
		return b.equals("bdv") || b.endsWith("_bdv") ? base : base + "_bdv";
	}

	/**
	 * Writes {@code xml} and the N5 container {@link #n5PathFor(Path)} as one result set {@link #setName} (e.g.
	 * {@code <name>_bdv_manifest.json}): both appear, or neither; folders get the user's normal permissions.
	 *
	 * @param voxelSizeZyx voxel size (z, y, x) in {@code unit}
	 */
	public static void write(final Path xml, final List<Channel> channels, final double[] voxelSizeZyx, final String unit, final Progress progress) {
		if (channels == null || channels.isEmpty()) throw new CdiException("Nothing to export to " + xml + ": no channel given.");
		final long[] dims = channels.get(0).data().dimensionsXyz();
		for (final Channel c : channels)
			if (!java.util.Arrays.equals(dims, c.data().dimensionsXyz())) throw new CdiException("Channel '" + c.name() + "' has dimensions " + java.util.Arrays.toString(c.data().dimensionsXyz()) + " (x, y, z) but '" + channels.get(0).name() + "' has " + java.util.Arrays.toString(dims) + "; all channels must have the same size.");
		final Path n5 = n5PathFor(xml);
		final String base = n5.getFileName().toString().substring(0, n5.getFileName().toString().length() - 3);
		// the XML and its N5 container are one result set: both or neither (AtomicOutput.ResultSet, manifest last)
		try (AtomicOutput.ResultSet set = AtomicOutput.ResultSet.open(n5.getParent(), setName(base))) {
			set.cancelWhen(progress == null ? null : progress::isCancelled);
			// scan.xml and scan_bdv.xml share the set scan_bdv: the XML's name in the manifest makes the second one refused, not mixed in
			set.input(xml.getFileName().toString());
			checkN5Replaceable(xml); // again under the set's lock: a user's y.n5 is never deleted by the commit
			final Path stagedN5 = Files.createDirectory(set.file(n5.getFileName().toString()));
			writeN5(stagedN5, channels, voxelSizeZyx, progress == null ? Progress.NONE : progress);
			final String text = xml(n5.getFileName().toString(), channels, dims, voxelSizeZyx, unit);
			AtomicOutput.write(set.file(xml.getFileName().toString()), out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
			set.commit();
		} catch (final IOException e) {
			throw new CdiException("Cannot write the N5 container " + n5 + ": " + e.getMessage() + ". Check that the folder is writable and has space.", e);
		}
	}

	private static void writeN5(final Path root, final List<Channel> channels, final double[] vs, final Progress progress) throws IOException {
		N5Writer.writeAttributes(root, Map.of("n5", N5Writer.VERSION));
		final List<int[]> factors = pyramid(channels.get(0).data().dimensionsXyz());
		for (int c = 0; c < channels.size(); c++) {
			progress.status("Writing " + channels.get(c).name() + " (" + (c + 1) + "/" + channels.size() + ") to N5");
			final Path setup = root.resolve("setup" + c);
			final Map<String, Object> sa = new LinkedHashMap<>();
			sa.put("downsamplingFactors", factors);
			sa.put("dataType", "float32");
			N5Writer.writeAttributes(setup, sa);
			final Path tp = setup.resolve("timepoint0");
			final Map<String, Object> ta = new LinkedHashMap<>();
			ta.put("resolution", new double[] { vs[2], vs[1], vs[0] });
			ta.put("saved_completely", true);
			ta.put("multiScale", true);
			N5Writer.writeAttributes(tp, ta);
			BlockSource level = channels.get(c).data();
			for (int l = 0; l < factors.size(); l++) {
				final Path ds = tp.resolve("s" + l);
				N5Writer.writeDataset(ds, level, BLOCK_SIZE, Map.of("downsamplingFactors", factors.get(l)), progress);
				if (l + 1 < factors.size()) level = N5Writer.downsample2(N5Writer.reader(ds));
			}
		}
	}

	static String xml(final String n5Name, final List<Channel> channels, final long[] dims, final double[] vs, final String unit) {
		final StringBuilder b = new StringBuilder();
		b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SpimData version=\"0.2\">\n");
		b.append("  <BasePath type=\"relative\">.</BasePath>\n  <SequenceDescription>\n");
		b.append("    <ImageLoader format=\"bdv.n5\" version=\"1.1\">\n      <n5 type=\"relative\">").append(esc(n5Name)).append("</n5>\n    </ImageLoader>\n");
		b.append("    <ViewSetups>\n");
		for (int c = 0; c < channels.size(); c++) {
			b.append("      <ViewSetup>\n        <id>").append(c).append("</id>\n        <name>").append(esc(channels.get(c).name())).append("</name>\n");
			b.append("        <size>").append(dims[0]).append(' ').append(dims[1]).append(' ').append(dims[2]).append("</size>\n");
			b.append("        <voxelSize>\n          <unit>").append(esc(unit)).append("</unit>\n          <size>").append(vs[2]).append(' ').append(vs[1]).append(' ').append(vs[0]).append("</size>\n        </voxelSize>\n");
			b.append("        <attributes>\n          <channel>").append(c).append("</channel>\n        </attributes>\n      </ViewSetup>\n");
		}
		b.append("      <Attributes name=\"channel\">\n");
		for (int c = 0; c < channels.size(); c++)
			b.append("        <Channel>\n          <id>").append(c).append("</id>\n          <name>").append(esc(channels.get(c).name())).append("</name>\n        </Channel>\n");
		b.append("      </Attributes>\n    </ViewSetups>\n");
		b.append("    <Timepoints type=\"pattern\">\n      <integerpattern>0</integerpattern>\n    </Timepoints>\n  </SequenceDescription>\n");
		b.append("  <ViewRegistrations>\n");
		for (int c = 0; c < channels.size(); c++) {
			b.append("    <ViewRegistration timepoint=\"0\" setup=\"").append(c).append("\">\n      <ViewTransform type=\"affine\">\n");
			b.append("        <Name>calibration</Name>\n");
			b.append("        <affine>").append(vs[2]).append(" 0.0 0.0 0.0 0.0 ").append(vs[1]).append(" 0.0 0.0 0.0 0.0 ").append(vs[0]).append(" 0.0</affine>\n");
			b.append("      </ViewTransform>\n    </ViewRegistration>\n");
		}
		b.append("  </ViewRegistrations>\n</SpimData>\n");
		return b.toString();
	}

	private static String esc(final String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
