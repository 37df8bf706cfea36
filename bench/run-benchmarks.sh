#!/usr/bin/env bash
# One command for the phasing benchmarks of docs/benchmarks.md (issue #6):
#   bench/run-benchmarks.sh            full run: 64³/128³/256³, all backends, C+FFTW, numpy, NN, end-to-end 216×256×256
#   bench/run-benchmarks.sh --quick    64³/128³ and a 50-iteration end-to-end run at 108×128×128 (a few minutes)
# Environment: THREADS (default 2), ROUNDS (default 3: interleaved rounds of C + FFTW and Java + FFTW, the lowest
# median of each kept, because the shared machine's load changes within minutes), MVN_OPTS (e.g. "-o" to build offline), PYFFTW=1 to add pyfftw.
# Writes docs/benchmarks.md, docs/benchmarks.png and docs/benchmarks.jsonl (one JSON object per line, each tagged
# with the run id, so results of several runs can be concatenated and compared).
# Needs: JDK 17+, Maven, gcc and libfftw3-dev (for the C reference; skipped without them), /usr/bin/python3 with numpy
# (skipped without it). No GPU is used unless DJL's CUDA natives are installed (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
SIZES=64,128,256
E2E_ARGS=()
E2E_GRID=216,256,256
if [[ "${1:-}" == "--quick" ]]; then
	SIZES=64,128
	E2E_GRID=108,128,128
	E2E_ARGS=(--grid "$E2E_GRID" --recipe "10*ER+30*HIO+10*ER")
fi
OUT=target/bench
mkdir -p "$OUT" docs
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
RUN=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# PyTorch's and OpenMP's pools must not spin when the cores are shared (ENVIRONMENT.md: 20-30x slower otherwise)
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$THREADS" DJL_OFFLINE=true

tag() { sed -e "s/^{/{\"run\":\"$RUN\",/"; }
load() { echo "{\"op\":\"machine\",\"when\":\"$1\",\"what\":\"load average $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min), $(grep -c ^processor /proc/cpuinfo) cores\"}" | tag >> "$RESULTS"; }
json() { grep '^{' | tag | tee -a "$RESULTS"; }

echo "== build" >&2
# the benchmark classes (src/bench/java) compile with the tests, into target/test-classes; they are not in the plugin jar
mvn ${MVN_OPTS:-} -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >&2
CP="target/test-classes:target/classes:$(cat "$OUT/classpath.txt")"
JAVA=(java -Djava.awt.headless=true -Dcdi.fftw.wisdom="$OUT/fftwf-wisdom.txt" -cp "$CP")

CPU=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/"//g')
JV=$(java -version 2>&1 | head -1 | sed 's/"//g')
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then GPU=$(nvidia-smi -L | head -1 | sed 's/"//g'); else GPU="none on this machine (no nvidia-smi / no device)"; fi
echo "{\"op\":\"run\",\"cpu\":\"$CPU\",\"cores\":$(grep -c ^processor /proc/cpuinfo),\"java\":\"$JV\",\"threads\":$THREADS,\"gpu\":\"$GPU\"}" | tag >> "$RESULTS"
load "start"

if command -v gcc >/dev/null && [[ -e /usr/include/fftw3.h ]]; then
	echo "== C + FFTW reference: build" >&2
	gcc -O3 -march=native -fopenmp bench/hio_fftw.c -o "$OUT/hio_fftw" -lfftw3f_threads -lfftw3f -lm
	C_FFTW="$OUT/hio_fftw"
else echo "(no gcc or libfftw3-dev: C reference skipped)" >&2; fi

if /usr/bin/python3 -c "import numpy" 2>/dev/null; then
	echo "== numpy (cohere-style)" >&2
	/usr/bin/python3 bench/hio_numpy.py ${SIZES//,/ } | json
	if [[ "${PYFFTW:-0}" == 1 ]]; then /usr/bin/python3 bench/hio_numpy.py --pyfftw "$THREADS" ${SIZES//,/ } | json; fi
else echo "(no /usr/bin/python3 with numpy: numpy reference skipped)" >&2; fi

echo "== C + FFTW and Java + FFTW, $ROUNDS interleaved rounds" >&2
for ((r = 1; r <= ROUNDS; r++)); do
	if [[ -n "${C_FFTW:-}" ]]; then "$C_FFTW" -t "$THREADS" ${SIZES//,/ } | json; fi
	"${JAVA[@]}" sc.fiji.cdi.bench.IterationBenchmark --sizes "$SIZES" --threads "$THREADS" --backends fftw | json
done
echo "== other Java backends" >&2
"${JAVA[@]}" sc.fiji.cdi.bench.IterationBenchmark --sizes "$SIZES" --threads "$THREADS" --backends jtransforms | json
# DJL allocates a native array per op: tcmalloc halves that cost (ENVIRONMENT.md)
TCMALLOC=$(ls /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 2>/dev/null || true)
LD_PRELOAD="$TCMALLOC" "${JAVA[@]}" sc.fiji.cdi.bench.IterationBenchmark --sizes "$SIZES" --threads "$THREADS" --backends djl 2>/dev/null | json
if [[ "$GPU" != none* ]]; then
	"${JAVA[@]}" sc.fiji.cdi.bench.IterationBenchmark --sizes "$SIZES" --threads "$THREADS" --backends djl-gpu 2>/dev/null | json || echo "(djl-gpu failed: are DJL's CUDA natives installed?)" >&2
fi
load "after the iteration benchmarks"

echo "== NN inference" >&2
LD_PRELOAD="$TCMALLOC" "${JAVA[@]}" sc.fiji.cdi.bench.NnInferenceBenchmark --threads "$THREADS" 2>/dev/null | json

echo "== end to end" >&2
"${JAVA[@]}" sc.fiji.cdi.bench.EndToEndBenchmark --backend auto --threads "$THREADS" "${E2E_ARGS[@]}" 2>/dev/null | json
# the same iteration (HIO + shrink-wrap) in C on the same grid: the floor of the end-to-end goal on this machine
if [[ -n "${C_FFTW:-}" ]]; then "$C_FFTW" -t "$THREADS" -g "$E2E_GRID" | json; fi
load "end"

"${JAVA[@]}" sc.fiji.cdi.bench.BenchmarkReport "$RESULTS" docs/benchmarks.md docs/benchmarks.png
cp "$RESULTS" docs/benchmarks.jsonl
echo "wrote docs/benchmarks.md, docs/benchmarks.png, docs/benchmarks.jsonl" >&2
