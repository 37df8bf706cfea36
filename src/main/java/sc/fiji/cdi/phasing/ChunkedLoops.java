package sc.fiji.cdi.phasing;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a loop over [0, n) split into a fixed number of contiguous chunks (one per thread) on a fixed pool.
 * Chunk boundaries depend only on n and the thread count, and reductions are done per chunk then added in chunk
 * order by the caller, so results are bit-identical for a given thread count. Chunk 0 runs on the calling thread.
 */
final class ChunkedLoops implements AutoCloseable {

	/** The body of one chunk: indices [from, to). */
	@FunctionalInterface
	interface Body {
		void run(int chunk, int from, int to);
	}

	private static final AtomicInteger POOL_ID = new AtomicInteger();

	final int chunks;
	private final ExecutorService pool;
	private final Future<?>[] futures;

	ChunkedLoops(final int threads) {
		if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
		this.chunks = threads;
		this.futures = new Future<?>[threads];
		if (threads == 1) pool = null;
		else {
			final int id = POOL_ID.incrementAndGet();
			final AtomicInteger t = new AtomicInteger();
			pool = Executors.newFixedThreadPool(threads - 1, r -> {
				final Thread th = new Thread(r, "cdi-phasing-" + id + "-" + t.incrementAndGet());
				th.setDaemon(true);
				return th;
			});
		}
	}

	/** Below this many loop indices the chunks run one after the other on the calling thread (same chunks, same
	 * partial sums, so the same result): waking workers costs more than the loop. */
	static final int MIN_PARALLEL = 1 << 15;

	static int from(final int chunk, final int chunks, final int n) { return (int) ((long) chunk * n / chunks); }

	/** Runs body on every chunk of [0, n) and waits for all of them. */
	void run(final int n, final Body body) { run(n, body, MIN_PARALLEL); }

	/** As {@link #run(int, Body)} for coarse items (planes): parallel from two items on. */
	void runCoarse(final int n, final Body body) { run(n, body, 2); }

	private void run(final int n, final Body body, final int minParallel) {
		if (pool == null || n < minParallel) {
			// Sequential: still one call per chunk, so per-chunk partial sums (and results) do not change.
			for (int c = 0; c < chunks; c++) body.run(c, from(c, chunks, n), from(c + 1, chunks, n));
			return;
		}
		for (int c = 1; c < chunks; c++) {
			final int chunk = c, a = from(c, chunks, n), b = from(c + 1, chunks, n);
			futures[c] = pool.submit(() -> body.run(chunk, a, b));
		}
		RuntimeException failure = null;
		try {
			body.run(0, 0, from(1, chunks, n));
		} catch (final RuntimeException e) {
			failure = e;
		}
		for (int c = 1; c < chunks; c++) {
			try {
				futures[c].get();
			} catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
				if (failure == null) failure = new sc.fiji.cdi.util.CancelledException(); // an interrupt is a cancel
			} catch (final ExecutionException e) {
				if (failure == null) failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
			}
			futures[c] = null;
		}
		if (failure != null) throw failure;
	}

	@Override
	public void close() {
		if (pool != null) pool.shutdownNow();
	}
}
