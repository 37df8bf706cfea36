#!/usr/bin/env bash
# Lays out the complete update-site payload of CDI for Fiji in target/update-site/ (one command):
#
#   jars/              the plugin jar and the runtime dependencies a Fiji installation lacks (JTransforms 3.1,
#                      JLargeArrays, jhdf, DJL api/engine/jni, JavaCPP/FFTW, …)
#   jars/linux64/      natives for Linux x86-64 (PyTorch CPU, FFTW, JavaCPP)
#   jars/linux-arm64/  PyTorch CPU for Linux ARM64 (no FFTW build on Central)
#   jars/win64/        PyTorch CPU, FFTW and JavaCPP for Windows x86-64
#   jars/macos64/      FFTW and JavaCPP for Intel Macs (DJL has no PyTorch 2.7.1 build for them)
#   jars/macos-arm64/  PyTorch CPU for Apple-silicon Macs (no FFTW build on Central)
#   macros/, models/   the documented batch macros, model folders kept outside the jar (when present)
#
# The folder names are those Fiji's updater assigns to a platform (imagej-updater, Checksummer.tryToGuessPlatform
# and util/Platforms.java); docs/distribution.md has the table of sizes and of what works where.
# The layout itself is Maven's (pom.xml: executions update-site-*; profile update-site-all-platforms, which
# downloads the other platforms' natives from Maven Central once). db.xml.gz is NOT written here: Fiji's updater
# writes it when the payload is uploaded. Usage:
#   update-site/build.sh            # MAVEN_OFFLINE=1 when ~/.m2 already has every platform's natives
set -euo pipefail
cd "$(dirname "$0")/.."
mvn_opts=(-B -q)
[[ "${MAVEN_OFFLINE:-0}" == 1 ]] && mvn_opts+=(-o)
rm -rf target/update-site
mvn "${mvn_opts[@]}" -Dupdate-site=all -DskipTests package

out=target/update-site
echo "update-site payload in $out:"
printf '%-18s %6s %10s\n' folder files MB
for d in jars jars/linux64 jars/linux-arm64 jars/win64 jars/macos64 jars/macos-arm64 macros models; do
	[[ -d "$out/$d" ]] || continue
	n=$(find "$out/$d" -maxdepth 1 -type f | wc -l)
	b=$(find "$out/$d" -maxdepth 1 -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
	printf '%-18s %6d %10.1f\n' "$d" "$n" "$(echo "$b / 1048576" | bc -l)"
done
(cd "$out" && find . -type f -printf '%P\t%s\n' | sort)
