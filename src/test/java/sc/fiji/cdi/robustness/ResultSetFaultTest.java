package sc.fiji.cdi.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.data.RealVolume;
import sc.fiji.cdi.io.TiffWriter;
import sc.fiji.cdi.util.AtomicOutput;
import sc.fiji.cdi.util.AtomicOutput.ResultSet;
import sc.fiji.cdi.util.CancelledException;
import sc.fiji.cdi.util.CdiException;

/**
 * All-or-nothing result sets proven by fault injection, not timing: {@link AtomicOutput#faults} fails, or "kills"
 * (a {@link AtomicOutput.SimulatedCrash}: no clean-up code runs, the OS lock is freed, as after kill -9), the writer at
 * every step of a 4-file set — the staged writes, the journal, the removal of the old manifest, each move, the manifest,
 * the final clean-up — with and without an older complete set of the same name in the folder. After each fault:
 * the set is complete (its manifest agrees with the files) or every visible file of it is refused by
 * {@link AtomicOutput#checkComplete}; after the next run opens the folder it is complete or absent and no hidden
 * leftovers remain; a failed run leaves no folder it created. Also: the lock refuses a second writer, cancel before the
 * point of no return leaves nothing, files get the user's normal permissions.
 */
class ResultSetFaultTest {

	private static final String NAME = "scan54";
	private static final List<String> FILES = List.of(NAME + "_amplitude.tif", NAME + "_phase.tif", NAME + "_report.json", NAME + "_error.png");

	@AfterEach
	void noFaults() {
		AtomicOutput.faults = null;
		AtomicOutput.simulatedDeath = false;
	}

	/** Writes the four files (the first two through {@link TiffWriter}, i.e. {@link AtomicOutput#write}) and commits. */
	private static List<Path> writeSet(final ResultSet set, final float base) {
		final Grid g = new Grid(2, 4, 4);
		final float[] v = new float[g.size()];
		java.util.Arrays.fill(v, base);
		TiffWriter.write(set.file(FILES.get(0)), new RealVolume(g, v));
		TiffWriter.write(set.file(FILES.get(1)), new RealVolume(g, v));
		AtomicOutput.write(set.file(FILES.get(2)), out -> out.write(("{\"base\": " + base + "}").getBytes(StandardCharsets.UTF_8)));
		AtomicOutput.write(set.file(FILES.get(3)), out -> out.write(new byte[] { (byte) base, 1, 2, 3 }));
		return set.commit();
	}

	enum State { COMPLETE, ABSENT, PARTIAL }

	/** What a reader sees in {@code dir} for {@link #NAME}. */
	static State state(final Path dir) throws IOException {
		if (!Files.isDirectory(dir)) return State.ABSENT;
		final List<String> visible = new ArrayList<>();
		try (Stream<Path> s = Files.list(dir)) { s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(NAME + "_")).forEach(visible::add); }
		if (visible.isEmpty()) return State.ABSENT;
		try {
			AtomicOutput.checkComplete(dir, NAME, dir.resolve(FILES.get(0)));
		} catch (final CdiException refused) {
			return State.PARTIAL; // refused: a reader never uses it
		}
		if (!visible.contains(NAME + AtomicOutput.MANIFEST_SUFFIX)) {
			fail("a partial set without manifest passes the reader's check: " + visible);
		}
		for (final String f : FILES) assertTrue(visible.contains(f), "complete set misses " + f + ": " + visible);
		return State.COMPLETE;
	}

	private static List<String> hidden(final Path dir) throws IOException {
		if (!Files.isDirectory(dir)) return List.of();
		try (Stream<Path> s = Files.list(dir)) { return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).sorted().toList(); }
	}

	/** The steps of a commit, with the number of the call at which to strike (the moves: first and last file). */
	record Strike(String step, int call) {
		@Override public String toString() { return step + "#" + call; }
	}

	static List<Strike> strikes() {
		return List.of(new Strike(AtomicOutput.STEP_WRITE, 1), new Strike(AtomicOutput.STEP_WRITE, 4), new Strike(AtomicOutput.STEP_RENAME, 2),
			new Strike(AtomicOutput.STEP_JOURNAL, 1), new Strike(AtomicOutput.STEP_UNMANIFEST, 1), new Strike(AtomicOutput.STEP_MOVE, 1),
			new Strike(AtomicOutput.STEP_MOVE, 3), new Strike(AtomicOutput.STEP_MOVE, 4), new Strike(AtomicOutput.STEP_MANIFEST, 1),
			new Strike(AtomicOutput.STEP_FINISH, 1));
	}

	private static void strikeAt(final Strike s, final boolean crash) {
		final AtomicInteger calls = new AtomicInteger();
		AtomicOutput.faults = (step, file) -> {
			if (step.equals(s.step()) && calls.incrementAndGet() == s.call()) {
				if (crash) throw new AtomicOutput.SimulatedCrash(s.toString());
				throw new IOException("injected failure at " + s);
			}
		};
	}

	/**
	 * A rerun whose commit fails with an I/O error (a full disk, a quota) after it began replacing the files: the earlier
	 * complete set is put back as it was, not removed with the new one, and the message says so.
	 */
	@TestFactory
	Stream<DynamicTest> aRerunThatFailsWhileReplacingPutsTheEarlierSetBack(@TempDir final Path tmp) {
		return Stream.of(new Strike(AtomicOutput.STEP_UNMANIFEST, 1), new Strike(AtomicOutput.STEP_MOVE, 1), new Strike(AtomicOutput.STEP_MOVE, 3),
			new Strike(AtomicOutput.STEP_MOVE, 4), new Strike(AtomicOutput.STEP_MANIFEST, 1)).map(s -> DynamicTest.dynamicTest("I/O error at " + s, () -> {
			final Path dir = tmp.resolve("rerun-" + s.step() + s.call());
			try (ResultSet set = ResultSet.open(dir, NAME)) { writeSet(set, 1); }
			final byte[] amplitude = Files.readAllBytes(dir.resolve(FILES.get(0)));
			strikeAt(s, false);
			final CdiException e;
			try (ResultSet set = ResultSet.open(dir, NAME)) {
				e = assertThrows(CdiException.class, () -> writeSet(set, 2));
			}
			AtomicOutput.faults = null;
			assertEquals(State.COMPLETE, state(dir), s + ": the earlier set");
			assertTrue(Files.readString(dir.resolve(FILES.get(2))).contains("1.0"), s + ": the earlier set's report");
			assertTrue(java.util.Arrays.equals(amplitude, Files.readAllBytes(dir.resolve(FILES.get(0)))), s + ": the earlier set's amplitude");
			assertEquals(List.of(), hidden(dir), s + ": hidden leftovers");
			assertTrue(e.getMessage().contains("injected failure") && e.getMessage().contains("earlier result '" + NAME + "' there is as it was"), e.getMessage());
		}));
	}

	@TestFactory
	Stream<DynamicTest> aFailureAtAnyStepLeavesTheSetAbsentAndNoFolder(@TempDir final Path tmp) {
		return strikes().stream().flatMap(s -> Stream.of(false, true).map(older -> DynamicTest.dynamicTest("I/O error at " + s + (older ? ", older set present" : ""), () -> {
			final Path dir = tmp.resolve("fail-" + s.step() + s.call() + older).resolve("out");
			if (older) try (ResultSet set = ResultSet.open(dir, NAME)) { writeSet(set, 1); }
			strikeAt(s, false);
			try (ResultSet set = ResultSet.open(dir, NAME)) {
				if (s.step().equals(AtomicOutput.STEP_FINISH)) writeSet(set, 2); // the manifest is in: the set is complete, the stale journal goes at close
				else assertThrows(CdiException.class, () -> writeSet(set, 2));
			}
			AtomicOutput.faults = null;
			final State after = state(dir);
			if (s.step().equals(AtomicOutput.STEP_FINISH)) {
				assertEquals(State.COMPLETE, after);
				assertTrue(Files.readString(dir.resolve(FILES.get(2))).contains("2.0"), "the new set");
				assertEquals(List.of(), hidden(dir));
				return;
			}
			if (older && after == State.COMPLETE) // failed before the point of no return: the older set is untouched
				assertTrue(Files.readString(dir.resolve(FILES.get(2))).contains("1.0"), s + ": the complete set must be the older one");
			else assertEquals(State.ABSENT, after, s + ": a failed run must leave no file of the set");
			assertEquals(List.of(), hidden(dir), s + ": hidden leftovers");
			if (!older) assertFalse(Files.exists(dir), s + ": a failed run left the folder it created");
		})));
	}

	@TestFactory
	Stream<DynamicTest> aKillAtAnyStepLeavesACompleteOrRefusedSetThatTheNextRunCleans(@TempDir final Path tmp) {
		return strikes().stream().flatMap(s -> Stream.of(false, true).map(older -> DynamicTest.dynamicTest("kill -9 at " + s + (older ? ", older set present" : ""), () -> {
			final Path dir = tmp.resolve("kill-" + s.step() + s.call() + older);
			if (older) try (ResultSet set = ResultSet.open(dir, NAME)) { writeSet(set, 1); }
			strikeAt(s, true);
			try (ResultSet set = ResultSet.open(dir, NAME)) {
				assertThrows(AtomicOutput.SimulatedCrash.class, () -> writeSet(set, 2));
			}
			AtomicOutput.faults = null;
			AtomicOutput.simulatedDeath = false;
			final State afterKill = state(dir); // COMPLETE, ABSENT or PARTIAL-but-refused: never a partial set that passes
			// the next run into the folder (another scan) removes what the dead one left
			try (ResultSet next = ResultSet.open(dir, "other_scan")) { /* opened and closed without output */ }
			final State afterNext = state(dir);
			assertTrue(afterNext == State.COMPLETE || afterNext == State.ABSENT, s + ": after the next run the set is " + afterNext + " (after the kill: " + afterKill + ")");
			assertEquals(List.of(), hidden(dir), s + ": hidden leftovers after the next run");
			if (s.step().equals(AtomicOutput.STEP_FINISH)) assertEquals(State.COMPLETE, afterNext, "killed after the manifest: the set is complete");
			if (s.step().equals(AtomicOutput.STEP_WRITE) && older) assertEquals(State.COMPLETE, afterNext, "killed while staging: the older set is untouched");
			// and a fresh run of the same scan then writes a complete set
			try (ResultSet again = ResultSet.open(dir, NAME)) { writeSet(again, 3); }
			assertEquals(State.COMPLETE, state(dir));
		})));
	}

	@Test
	void aSecondRunWritingTheSameResultIsRefusedWhileTheFirstHoldsIt(@TempDir final Path tmp) throws Exception {
		final Path dir = tmp.resolve("out");
		try (ResultSet first = ResultSet.open(dir, NAME)) {
			final CdiException e = assertThrows(CdiException.class, () -> ResultSet.open(dir, NAME));
			assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("another run"), e.getMessage());
			try (ResultSet other = ResultSet.open(dir, "scan55")) { assertTrue(Files.isDirectory(other.stagingFolder()), "another scan into the same folder is fine"); }
			writeSet(first, 1);
		}
		try (ResultSet later = ResultSet.open(dir, NAME)) { writeSet(later, 2); }
		assertEquals(State.COMPLETE, state(dir));
		assertEquals(List.of(), hidden(dir), "the lock file is removed at the end");
	}

	@Test
	void cancelBeforeTheCommitLeavesNothing(@TempDir final Path tmp) throws Exception {
		final Path dir = tmp.resolve("out");
		try (ResultSet set = ResultSet.open(dir, NAME)) {
			set.cancelWhen(() -> true);
			assertThrows(CancelledException.class, () -> writeSet(set, 1));
		}
		assertFalse(Files.exists(dir), "a cancelled run left its folder");
	}

	@Test
	void aSignalDuringTheMovesStillCompletesTheSet(@TempDir final Path tmp) throws Exception {
		final Path dir = tmp.resolve("out");
		final boolean[] cancelled = { false };
		AtomicOutput.faults = (step, file) -> { if (step.equals(AtomicOutput.STEP_MOVE)) cancelled[0] = true; };
		try (ResultSet set = ResultSet.open(dir, NAME)) {
			set.cancelWhen(() -> cancelled[0]);
			assertEquals(FILES.size(), writeSet(set, 1).size());
		}
		assertTrue(cancelled[0]);
		assertEquals(State.COMPLETE, state(dir), "after the point of no return the commit completes");
	}

	@Test
	void resultFilesAndFoldersGetTheUsersNormalPermissions(@TempDir final Path tmp) throws Exception {
		if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
		// what the umask gives an ordinary new file and folder here
		final Path probeFile = Files.writeString(tmp.resolve("probe.txt"), "x");
		final Path probeDir = Files.createDirectory(tmp.resolve("probe-dir"));
		final Set<PosixFilePermission> fileNormal = Files.getPosixFilePermissions(probeFile), dirNormal = Files.getPosixFilePermissions(probeDir);
		final Path dir = tmp.resolve("out");
		try (ResultSet set = ResultSet.open(dir, NAME)) { writeSet(set, 1); }
		for (final String f : FILES) assertEquals(fileNormal, Files.getPosixFilePermissions(dir.resolve(f)), f + " (createTempFile would give rw-------)");
		assertEquals(fileNormal, Files.getPosixFilePermissions(dir.resolve(NAME + AtomicOutput.MANIFEST_SUFFIX)));
		assertEquals(dirNormal, Files.getPosixFilePermissions(dir), "output folder");
		final Path single = tmp.resolve("single.tif");
		TiffWriter.write(single, new RealVolume(new Grid(1, 2, 2), new float[] { 1, 2, 3, 4 }));
		assertEquals(fileNormal, Files.getPosixFilePermissions(single));
		final Path folder = AtomicOutput.createHiddenFolder(tmp, "n5");
		assertEquals(dirNormal, Files.getPosixFilePermissions(folder), "staging folder of a BigDataViewer export");
	}
}
