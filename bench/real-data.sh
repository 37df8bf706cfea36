#!/usr/bin/env bash
# Benchmark of the README's "Real data" block (issue 12): the raw APS 34-ID-C scan 54 reconstructed with the default
# settings, then its lab-frame strain; prints one JSON line with the wall times, final χ², starts and support, and
# appends it to target/bench/real-data.jsonl. Compare: cohere 4.2.1 on this scan, χ² 0.0128 after 620 iterations,
# 1,483 s on 2 cores (numpy). Not a test: nothing fails on time.
#   bench/real-data.sh [shared folder, default ../shared] [extra Reconstruct parameters, e.g. ',random_starts=1']
# Needs the plugin jar (mvn -B -q -DskipTests package) and /usr/bin/python3 for the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${1:-../shared}
EXTRA=${2:-}
SCAN="$SHARED/data/aps-34idc-scan54"
[[ -f "$SCAN/example.spec" ]] || { echo "no $SCAN/example.spec: nothing to benchmark" >&2; exit 0; }
JAR=$(ls target/cdi-fiji-*-SNAPSHOT.jar 2>/dev/null | grep -v -e sources -e tests | head -1)
[[ -n "$JAR" ]] || { echo "no plugin jar in target/: run mvn -B -q -DskipTests package first" >&2; exit 1; }
OUT=target/bench/real-data
rm -rf "$OUT" && mkdir -p "$OUT"
t0=$(date +%s.%N)
java -jar "$JAR" --headless --run "Reconstruct" "input=\"$SCAN/example.spec\",scan=\"54\",output_dir=\"$OUT\"$EXTRA" > "$OUT/reconstruct.log" 2>&1
t1=$(date +%s.%N)
java -jar "$JAR" --headless --run "Strain" "amplitude_file=\"$OUT/scan54_amplitude.tif\",geometry=\"report\",hkl=\"1,1,1\",lattice_constant=0.40782,output_dir=\"$OUT\"" > "$OUT/strain.log" 2>&1
t2=$(date +%s.%N)
/usr/bin/python3 - "$OUT" "$t0" "$t1" "$t2" "$(cut -d' ' -f1-3 /proc/loadavg)" "$EXTRA" <<'PY' | tee -a target/bench/real-data.jsonl
import json, sys
out, t0, t1, t2, load, extra = sys.argv[1], *map(float, sys.argv[2:5]), sys.argv[5], sys.argv[6]
r = json.load(open(f"{out}/scan54_report.json"))
s = json.load(open(f"{out}/scan54_strain_report.json"))
print(json.dumps({"op": "real-data scan54", "parameters": extra or "defaults", "final_chi2": r["final_chi2"],
    "cohere_chi2": 0.0128, "at_or_below_cohere": r["final_chi2"] <= 0.0128, "starts": r.get("random_starts", 1),
    "support_voxels": r["support_voxels"], "phasing_s": round(r["seconds"]["phasing"], 1),
    "reconstruct_wall_s": round(t1 - t0, 1), "strain_wall_s": round(t2 - t1, 1),
    "strain_rms": s["strain"]["rms"], "load_average_at_end": load}))
PY
