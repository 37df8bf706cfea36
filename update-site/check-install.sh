#!/usr/bin/env bash
# Installs the plugin into a temporary app folder the standard way (scijava-maven-plugin's populate-app, bound by
# pom-scijava to `install` when scijava.app.directory is set) and checks what lands where. Not a unit test: it
# builds the project (≈ 1 min) and populate-app refuses to run with `mvn -o` (the goal declares requiresOnline), so
# it needs Maven Central (or a mirror). Exit code 0 when every check passes.
set -euo pipefail
cd "$(dirname "$0")/.."
app=$(mktemp -d "${TMPDIR:-/tmp}/cdi-Fiji.app.XXXXXX")
trap 'rm -rf "$app"' EXIT
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
# populate-app directly after package: the same copy as `mvn -Dscijava.app.directory=<app> install`, without
# installing the snapshot into ~/.m2
mvn -B -q -DskipTests -Dscijava.app.directory="$app" package org.scijava:scijava-maven-plugin:populate-app
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
check "plugin jar in jars/" "[[ -f '$app/jars/cdi-fiji-$version.jar' ]]"
check "jhdf (not in Fiji) in jars/" "compgen -G '$app/jars/jhdf-*.jar' > /dev/null"
check "no jar outside jars/ and plugins/" "[[ -z \$(find '$app' -name '*.jar' -not -path '$app/jars/*' -not -path '$app/plugins/*') ]]"
check "natives (if any) under jars/<platform>/" "[[ -z \$(find '$app/jars' -maxdepth 1 -name '*-linux-x86_64.jar') ]]"
check "the installed jar runs headless" "java -cp '$app/jars/*' sc.fiji.cdi.app.Main --help 2>&1 | grep -q 'usage:'"
run() { java -Djava.awt.headless=true -cp "$app/jars/*" sc.fiji.cdi.app.Main --headless --run "$@"; }
check "the installed jars simulate a crystal" "run 'Simulate Crystal' 'dimensions=\"2D\",size=64,shape=\"polygon\",seed=7,output_dir=\"$app/work\"' >/dev/null 2>&1"
sim=$(find "$app/work" -name '*_intensity.tif' 2>/dev/null | head -1)
check "the installed jars reconstruct it" "run 'Reconstruct' 'input=\"$sim\",output_dir=\"$app/work/out\",recipe=\"20*ER+40*HIO+20*ER\"' >/dev/null 2>&1 && compgen -G '$app/work/out/*_amplitude.tif' > /dev/null"
rm -rf "$app/work"
find "$app" -type f | sed "s:^$app/::" | sort
exit $fail
