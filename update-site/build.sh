#!/usr/bin/env bash
# Lays out the update-site payload of CDI for Fiji in target/update-site/:
#
#   jars/            the plugin jar and the runtime dependencies Fiji does not ship (jhdf, DJL api/engine/jni, …)
#   jars/linux64/    native jars with a linux-x86_64 classifier (DJL's PyTorch CPU libraries, FFTW), Fiji's convention
#   jars/macosx/, jars/macosx-arm64/, jars/win64/   the same for other platforms, when the build has them
#   plugins/         (empty: the suite's commands are SciJava plugins and live in jars/, as populate-app puts them)
#   macros/          the documented batch macros (macros/*.ijm)
#   models/          model folders kept outside the jar (models/* of the source tree, when present; the default
#                    models of the NN commands are resources inside the plugin jar)
#
# Jars listed in update-site/fiji-provided.txt are left out. db.xml.gz is NOT written here: Fiji's updater writes it
# when the payload is uploaded (see docs/distribution.md). Usage:
#   update-site/build.sh            # uses Maven offline when MAVEN_OFFLINE=1
set -euo pipefail
cd "$(dirname "$0")/.."
mvn_opts=(-B -q)
[[ "${MAVEN_OFFLINE:-0}" == 1 ]] && mvn_opts+=(-o)

mvn "${mvn_opts[@]}" -DskipTests package
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
artifact=$(sed -n 's:^  <artifactId>\(.*\)</artifactId>$:\1:p' pom.xml | head -1)
deps=target/update-site-dependencies.txt
mvn "${mvn_opts[@]}" dependency:list -DincludeScope=runtime -DoutputAbsoluteArtifactFilename=true -DoutputFile="$deps"

out=target/update-site
rm -rf "$out"
mkdir -p "$out"/{jars/linux64,plugins,macros,models}
cp "target/$artifact-$version.jar" "$out/jars/"

provided=$(grep -v '^\s*#' update-site/fiji-provided.txt | sed '/^\s*$/d')
skipped=0; copied=0
# lines: groupId:artifactId:type[:classifier]:version:scope:/absolute/path.jar [-- module …]
while read -r line; do
	coords=${line%% *}
	IFS=: read -r -a f <<< "$coords"
	[[ ${#f[@]} -lt 6 ]] && continue
	group=${f[0]}; art=${f[1]}; file=${f[${#f[@]}-1]}; classifier=""
	[[ ${#f[@]} -eq 7 ]] && classifier=${f[3]}
	if grep -qx "$group:$art" <<< "$provided"; then skipped=$((skipped + 1)); continue; fi
	case "$classifier" in
		linux-x86_64) dest=jars/linux64 ;;
		windows-x86_64|win-x86_64) dest=jars/win64 ;;
		macosx-x86_64|osx-x86_64) dest=jars/macosx ;;
		macosx-arm64|osx-aarch64) dest=jars/macosx-arm64 ;;
		"") dest=jars ;;
		*) echo "build.sh: unknown classifier '$classifier' of $coords" >&2; exit 1 ;;
	esac
	mkdir -p "$out/$dest"
	cp "$file" "$out/$dest/"
	copied=$((copied + 1))
done < <(grep -E '^\s+[^ ]+:[^ ]+:jar:' "$deps" | sed 's/^\s*//')

cp macros/*.ijm "$out/macros/"
if [[ -d models ]]; then cp -r models/. "$out/models/"; fi
echo "update site payload in $out: $copied dependency jars copied, $skipped left to Fiji (update-site/fiji-provided.txt)"
(cd "$out" && find . -type f | sort)
