#!/usr/bin/env bash
# What package attribution adds to the analysis time, per image (issue 20's benchmark line).
#   scripts/bench-packages.sh IMAGE... (default: the corpus images and, when LAB is set,
#   $LAB/large-latest.docker.tar and $LAB/python-app-latest.docker.tar). RUNS=5 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
images=("$@")
if [ ${#images[@]} -eq 0 ]; then
  corpus=${MICROSCOPE_CORPUS:-../shared/corpus}
  images=("$corpus/alpine-3.20.docker.tar" "$corpus/debian-bookworm.oci.tar")
  if [ -n "${LAB:-}" ]; then
    for f in large-latest python-app-latest fat-latest; do
      [ -e "$LAB/$f.docker.tar" ] && images+=("$LAB/$f.docker.tar")
    done
  fi
fi
cargo build --release --example package_cost -q
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each, medians"
echo "| image | load | analysis | attribution | share |"
echo "| --- | --- | --- | --- | --- |"
for img in "${images[@]}"; do
  line=$(target/release/examples/package_cost "$img" "$runs" | tail -1)
  read -r load analyse attr share <<<"$(sed -E 's/.*load ([^ ]+) analyse ([^ ]+) attribution ([^ ]+) = ([^ ]+) %.*/\1 \2 \3 \4/' <<<"$line")"
  echo "| $(basename "$img") | $load | $analyse | $attr | $share % |"
done
