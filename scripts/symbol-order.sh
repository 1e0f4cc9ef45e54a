#!/usr/bin/env bash
# Regenerates scripts/symbol-order.txt, the functions the release binary's linker puts first
# (build.rs says why): runs the release build under callgrind on the usual small-image paths
# (docker-archive and OCI archive, cold with the scan cache written, warm, no cache; JSON,
# text and Markdown; --version and --help; the app in tmux, each view) and, if perf is
# installed, natively on a big image (CPU-specific code such as SHA-NI, which valgrind
# cannot run). Run it after a dependency
# update or a large change to what a run executes: lld ignores names the binary no longer
# has, so a stale list makes the layout less compact, never the binary wrong.
#   scripts/symbol-order.sh            corpus from MICROSCOPE_CORPUS (default ../shared/corpus)
#   BIG=/path/image.docker.tar scripts/symbol-order.sh   also perf on that image
#   scripts/symbol-order.sh --check    how many of the listed names the release binary has
# Needs: valgrind, nm (binutils), python3; tmux and perf optional.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${MICROSCOPE_CORPUS:-../shared/corpus}
cargo build --release --quiet --bin microscope
BIN=$(realpath "${CARGO_TARGET_DIR:-target}/release/microscope")
if [ "${1:-}" = --check ]; then
  found=$(nm --defined-only "$BIN" | awk '{print $NF}' | sort -u | grep -cxFf scripts/symbol-order.txt || true)
  echo "$found of $(wc -l <scripts/symbol-order.txt) names in scripts/symbol-order.txt are in $BIN"
  exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export XDG_CACHE_HOME="$WORK/cache"
n=0
# profile ARGS...: one callgrind run of the binary; its output file is numbered in run order.
profile() {
  n=$((n + 1))
  valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no \
    --callgrind-out-file="$WORK/$(printf %02d $n).cg" "$BIN" "$@" >/dev/null 2>&1 || true
}
profile --version
profile --help
for img in alpine-3.20.docker.tar micro-debug.docker.tar dive-test-image.docker.tar \
           alpine-3.20.oci.tar micro-latest.oci.tar; do
  [ -f "$CORPUS/$img" ] || { echo "skipped (missing): $CORPUS/$img" >&2; continue; }
  rm -rf "$XDG_CACHE_HOME"
  profile "$CORPUS/$img" --json                 # cold: scans, analyses, cache written
  profile "$CORPUS/$img" --json                 # warm: served by the cache
  profile "$CORPUS/$img" --no-cache
  profile "$CORPUS/$img" --no-cache --format markdown
done
# The app, as a user opens it (if tmux is installed): every view, then quit.
if command -v tmux >/dev/null && [ -f "$CORPUS/alpine-3.20.docker.tar" ]; then
  n=$((n + 1))
  tmux new -d -s symbol-order -x 120 -y 40 "valgrind --tool=callgrind --dump-instr=yes \
    --compress-strings=no --compress-pos=no --callgrind-out-file=$WORK/$(printf %02d $n).cg \
    $BIN --no-cache $CORPUS/alpine-3.20.docker.tar 2>/dev/null"
  sleep 15
  for key in Down Tab 2 3 4 5 1 q; do tmux send-keys -t symbol-order "$key"; sleep 2; done
  for _ in $(seq 30); do tmux has-session -t symbol-order 2>/dev/null || break; sleep 1; done
  tmux kill-session -t symbol-order 2>/dev/null || true
fi
profiles=("$WORK"/*.cg)
if command -v perf >/dev/null && [ -n "${BIG:-}" ]; then
  perf record -q -F 5000 -o "$WORK/perf.data" -- "$BIN" "$BIG" --json --no-cache >/dev/null 2>&1
  perf report -q -i "$WORK/perf.data" --no-demangle --no-children --sort sym --stdio \
    --dsos "$(basename "$BIN")" >"$WORK/big.perf.txt" 2>/dev/null || true
  profiles+=("$WORK/big.perf.txt")
fi
python3 scripts/symbol-order.py "$BIN" "${profiles[@]}" >scripts/symbol-order.txt
