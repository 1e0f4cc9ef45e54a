#!/usr/bin/env bash
# Live-source benchmark: microscope analysing an image straight from a registry, against
# `skopeo copy` of the same image to an OCI layout (what a pull costs with no analysis),
# in the same run, alternating which goes first, RUNS times; prints a Markdown table of
# medians. Cold = a fresh, empty cache (the run fills it); warm = the same cache again.
#   LAB=/work/lab/corpus scripts/bench-live.sh        debian:bookworm and fat:latest
#   RUNS=5 IMAGES="debian-bookworm fat-latest" LAB=... scripts/bench-live.sh
#   BASE=/path/to/other/microscope LAB=... scripts/bench-live.sh   that build too, in the
#     same rounds (skopeo before each, order alternating), so both see the same load
# Images are read from $LAB/NAME.oci (or NAME.oci.tar, or $MICROSCOPE_CORPUS/NAME.oci.tar)
# and pushed to a registry on 127.0.0.1:5000: one that already answers there, else one
# started (and stopped) with $MICROSCOPE_CORPUS/services.sh under a throwaway ENVLAB.
# Needs: skopeo, docker-registry, python3. The machine may be shared: compare the ratio
# (same run, paired), not the seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${MICROSCOPE_CORPUS:-$(cd ../shared/corpus && pwd)}
LAB=${LAB:-${ENVLAB:-${TMPDIR:-/tmp}/microscope-lab}/corpus}
RUNS=${RUNS:-3}
IMAGES=${IMAGES:-debian-bookworm fat-latest}
REG=127.0.0.1:5000
OUT=$(mktemp -d "${TMPDIR:-/tmp}/microscope-bench-live.XXXXXX")
BIN=${BIN:-target/release/microscope}
BASE=${BASE:-}

started=""
cleanup() {
  if [ -n "$started" ]; then ENVLAB="$started" bash "$CORPUS/services.sh" registry stop >/dev/null 2>&1 || true; fi
  rm -rf "$OUT" "$started"
}
trap cleanup EXIT

cargo build --release --quiet --bin microscope

if curl -sf "http://$REG/v2/" >/dev/null 2>&1; then
  echo "using the registry already answering on $REG" >&2
else
  started=$(mktemp -d "${TMPDIR:-/tmp}/microscope-bench-reg.XXXXXX")
  ENVLAB="$started" bash "$CORPUS/services.sh" registry start >/dev/null
fi

# NAME (e.g. fat-latest) -> the transport:path skopeo reads it from.
source_of() {
  if [ -d "$LAB/$1.oci" ]; then echo "oci:$LAB/$1.oci"
  elif [ -f "$LAB/$1.oci.tar" ]; then echo "oci-archive:$LAB/$1.oci.tar"
  elif [ -f "$CORPUS/$1.oci.tar" ]; then echo "oci-archive:$CORPUS/$1.oci.tar"
  else return 1; fi
}
# fat-latest -> fat:latest, debian-bookworm -> debian:bookworm.
repo_of() { echo "${1%-*}:${1##*-}"; }

# seconds CMD... : "WALL,CPU" seconds of one run (CPU = user + system), its output discarded;
# fails the script if the command fails.
seconds() {
  /usr/bin/time -f '%e %U %S' -o "$OUT/time" "$@" >/dev/null 2>"$OUT/stderr" \
    || { echo "failed: $* ($(tail -1 "$OUT/stderr"))" >&2; exit 1; }
  awk '{ printf "%s,%.2f\n", $1, $2 + $3 }' "$OUT/time"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for name in $IMAGES; do
  src=$(source_of "$name") || { echo "skipped $name: not in $LAB or $CORPUS" >&2; continue; }
  image="docker://$REG/$(repo_of "$name")"
  skopeo copy -q --dest-tls-verify=false "$src" "$image"
  sk=(); cold=(); warm=(); sk2=(); base=()
  skopeo_run() { rm -rf "$OUT/copy"; seconds skopeo copy -q --src-tls-verify=false "$image" "oci:$OUT/copy:latest"; }
  micro_run() { seconds env XDG_CACHE_HOME="$cache" "$1" "$image" --json; }
  for run in $(seq 1 "$RUNS"); do
    cache="$OUT/cache-$run"
    if [ $((run % 2)) = 1 ]; then
      sk+=("$(skopeo_run)"); cold+=("$(micro_run "$BIN")")
    else
      cold+=("$(micro_run "$BIN")"); sk+=("$(skopeo_run)")
    fi
    warm+=("$(micro_run "$BIN")")
    rm -rf "$cache" "$OUT/copy"
    if [ -n "$BASE" ]; then
      if [ $((run % 2)) = 1 ]; then
        base+=("$(micro_run "$BASE")"); sk2+=("$(skopeo_run)")
      else
        sk2+=("$(skopeo_run)"); base+=("$(micro_run "$BASE")")
      fi
      rm -rf "$cache" "$OUT/copy"
    fi
  done
  rows+=("$name ${sk[*]} / ${cold[*]} / ${warm[*]} / ${sk2[*]} / ${base[*]}")
done

python3 - "$RUNS" "$load" "$BASE" "${rows[@]}" <<'PY'
import statistics, sys
runs, load, base, rows = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
extra_head = " base cold s | base ratio | base CPU s |" if base else ""
print("| image | skopeo copy s | microscope cold s | ratio | microscope warm s "
      "| skopeo CPU s | microscope cold CPU s |" + extra_head)
print("|---|---|---|---|---|---|---|" + ("---|---|---|" if base else ""))
med = statistics.median
for row in rows:
    name, rest = row.split(" ", 1)
    sk, cold, warm, sk2, other = ([tuple(map(float, x.split(","))) for x in part.split()]
                                  for part in rest.split("/"))
    ratio = med(c[0] / s[0] for c, s in zip(cold, sk))
    wall = lambda runs: med(r[0] for r in runs)
    cpu = lambda runs: med(r[1] for r in runs)
    extra = ""
    if base:
        base_ratio = med(c[0] / s[0] for c, s in zip(other, sk2))
        extra = f" {wall(other):.2f} | {base_ratio:.2f}× | {cpu(other):.2f} |"
    print(f"| {name} | {wall(sk):.2f} | {wall(cold):.2f} | {ratio:.2f}× | {wall(warm):.2f} "
          f"| {cpu(sk):.2f} | {cpu(cold):.2f} |" + extra)
print()
if base:
    print(f"base = {base}, cold, in the same rounds, each run paired with a skopeo copy of its own.")
print(f"Wall-clock medians of {runs} runs; ratio = median of the per-run cold/skopeo ratios "
      f"(each pair run back to back, order alternating); CPU = user + system. "
      f"Load average at start: {load}.")
PY
