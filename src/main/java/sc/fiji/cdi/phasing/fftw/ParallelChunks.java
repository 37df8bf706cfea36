package sc.fiji.cdi.phasing.fftw;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an elementwise loop over {@code [0, n)} on a fixed number of threads. The range is cut into chunks whose
 * boundaries depend only on {@code n} (never on the thread count or on timing), and reductions add the per-chunk
 * partial sums in chunk order, so a reduction gives bit-identical results for any number of threads.
 */
public final class ParallelChunks {

	/** Loop body over a half-open index range. */
	@FunctionalInterface
	public interface Body {
		void run(int from, int to);
	}

	/** Loop body returning a partial sum over a half-open index range. */
	@FunctionalInterface
	public interface SumBody {
		double run(int from, int to);
	}

	/** Loop body returning a partial maximum over a half-open index range. */
	@FunctionalInterface
	public interface MaxBody {
		double run(int from, int to);
	}

	private static final int MIN_CHUNK = 1 << 14;
	private static final int MAX_CHUNKS = 128;
	private static final ConcurrentHashMap<Integer, ExecutorService> POOLS = new ConcurrentHashMap<>();

	private final int threads;
	private final ExecutorService pool;

	public ParallelChunks(final int threads) {
		if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
		this.threads = threads;
		// helper threads are shared by all backends with the same thread count, daemon so they never block exit
		this.pool = threads == 1 ? null : POOLS.computeIfAbsent(threads, t -> Executors.newFixedThreadPool(t - 1, r -> {
			final Thread th = new Thread(r, "cdi-loop-" + t);
			th.setDaemon(true);
			return th;
		}));
	}

	public int threads() { return threads; }

	private static int chunkCount(final int n) { return chunkCount(n, MIN_CHUNK); }

	private static int chunkCount(final int n, final int grain) {
		return Math.max(1, Math.min(MAX_CHUNKS, (n + grain - 1) / grain));
	}

	private static int start(final int chunk, final int chunks, final int n) {
		return (int) ((long) n * chunk / chunks);
	}

	public void forEach(final int n, final Body body) {
		final int chunks = chunkCount(n);
		runChunks(chunks, c -> body.run(start(c, chunks, n), start(c + 1, chunks, n)));
	}

	/** As {@link #forEach(int, Body)} with chunks of at least {@code grain} indices (for coarse items such as rows). */
	public void forEach(final int n, final int grain, final Body body) {
		final int chunks = chunkCount(n, Math.max(1, grain));
		runChunks(chunks, c -> body.run(start(c, chunks, n), start(c + 1, chunks, n)));
	}

	/** Loop body adding {@code k} partial sums into {@code acc} over a half-open index range. */
	@FunctionalInterface
	public interface SumsBody {
		void run(int from, int to, double[] acc);
	}

	/** k sums at once, each added over the chunks in chunk order (deterministic). */
	public double[] sums(final int n, final int k, final SumsBody body) {
		final int chunks = chunkCount(n);
		final double[][] partial = new double[chunks][k];
		runChunks(chunks, c -> body.run(start(c, chunks, n), start(c + 1, chunks, n), partial[c]));
		final double[] s = new double[k];
		for (final double[] p : partial) for (int j = 0; j < k; j++) s[j] += p[j];
		return s;
	}

	/** Σ over the chunks of {@code body}, added in chunk order (deterministic). */
	public double sum(final int n, final SumBody body) {
		final int chunks = chunkCount(n);
		final double[] partial = new double[chunks];
		runChunks(chunks, c -> partial[c] = body.run(start(c, chunks, n), start(c + 1, chunks, n)));
		double s = 0;
		for (final double p : partial) s += p;
		return s;
	}

	/** max over the chunks of {@code body}. */
	public double max(final int n, final MaxBody body) {
		final int chunks = chunkCount(n);
		final double[] partial = new double[chunks];
		runChunks(chunks, c -> partial[c] = body.run(start(c, chunks, n), start(c + 1, chunks, n)));
		double m = Double.NEGATIVE_INFINITY;
		for (final double p : partial) m = Math.max(m, p);
		return m;
	}

	private interface ChunkTask {
		void run(int chunk);
	}

	private void runChunks(final int chunks, final ChunkTask task) {
		if (pool == null || chunks == 1) {
			for (int c = 0; c < chunks; c++) task.run(c);
			return;
		}
		final AtomicInteger next = new AtomicInteger();
		final Runnable worker = () -> {
			for (int c; (c = next.getAndIncrement()) < chunks;) task.run(c);
		};
		final int helpers = Math.min(threads - 1, chunks - 1);
		final Future<?>[] futures = new Future<?>[helpers];
		for (int t = 0; t < helpers; t++) futures[t] = pool.submit(worker);
		worker.run();
		for (final Future<?> f : futures) {
			try {
				f.get();
			}
			catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while waiting for a parallel loop", e);
			}
			catch (final ExecutionException e) {
				final Throwable cause = e.getCause();
				if (cause instanceof RuntimeException re) throw re;
				if (cause instanceof Error er) throw er;
				throw new IllegalStateException(cause);
			}
		}
	}
}
