#!/usr/bin/env bash
# Copies what the device machine needs to run miriam_bench into .carry/bench
# (ignored by git; carry it with the device tool): the binary, the manifests
# beside it and the bundled workloads. Build first:
#   cmake --build build --target miriam_bench
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
from="$build/tools/miriam_bench"
to=${CARRY_DIR:-.carry/bench}
[ -x "$from/miriam_bench" ] || { echo "error: $from/miriam_bench not built" >&2; exit 1; }
rm -rf "$to" && mkdir -p "$to"
cp "$from/miriam_bench" "$from"/*.miriam.json "$to/"
cp -r "$from/workloads" "$to/"
"$to/miriam_bench" --list | head -1
du -sh "$to"
