#!/usr/bin/env bash
# The partial-coherence benchmark of docs/phasing.md: simulate the cases (sim.py, numpy + scipy), reconstruct each
# with Reconstruct's defaults and with psf (one Java process at a time), score against the truth (score.py, needs
# tifffile) and append one line per run to OUT/results.tsv.
# usage: bench/partial-coherence/run.sh [OUT] [settings]   e.g. run.sh target/bench/psf "default psf"
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/target/bench/psf}" && cd "${1:-$ROOT/target/bench/psf}" && pwd)
SETTINGS=${2:-"default psf"}
JAR="$ROOT/target/cdi-fiji-0.1.0-SNAPSHOT.jar"
[ -f "$JAR" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
[ -f "$OUT/cases/manifest.tsv" ] || python3 "$HERE/sim.py" "$OUT/cases" >/dev/null
RES="$OUT/results.tsv"
[ -f "$RES" ] || printf "case\tsetting\tcorr\tphase_rms\tfwhm_zyx\tchi2\tseconds_phasing\titerations_all_starts\ttwin\tshift\tphase_rms_deramp\tcorr_sup\n" > "$RES"
for name in $(tail -n +2 "$OUT/cases/manifest.tsv" | cut -f1); do
  for set in $SETTINGS; do
    od="$OUT/out/$set/$name"
    grep -q "^$name	$set	" "$RES" && continue
    mkdir -p "$od"
    opts="input=\"$OUT/cases/$name.npy\",output_dir=\"$od\""
    [ "$set" = psf ] && opts="$opts,psf=\"pseudo-voigt,1,0.05,10\""
    java -jar "$JAR" --headless --run "Reconstruct" "$opts" > "$od/run.log" 2>&1 || { printf "%s\t%s\tFAILED\n" "$name" "$set" >> "$RES"; continue; }
    printf "%s\t%s\t%s\n" "$name" "$set" "$(python3 "$HERE/score.py" "$OUT/cases/${name}_truth.npy" "$od" "$name")" >> "$RES"
    tail -1 "$RES"
  done
done
