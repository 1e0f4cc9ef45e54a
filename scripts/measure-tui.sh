#!/usr/bin/env bash
# How fast the interactive app answers, in a real terminal (tmux 160x48), from the app's own
# frame trace (MICROSCOPE_TRACE_FRAMES, see src/tui/trace.rs; ms since main began):
#   first frame  - the first screen drawn (layer list from the manifest)
#   analysis     - the first frame with every layer scanned, analysed and the tree drawn
#   rewrite      - the first frame with the rewrite's answer in the header
# Median of RUNS runs (default 5), each with an empty scan cache (cold). Then, on the
# biggest image, the Files views' switch times: G (as of the last layer, when there is more
# than one), w (that layer only), w (the whole image): from the key's arrival to the frame
# drawing the new tree.
#
#   scripts/measure-tui.sh [IMAGE...]
# Without IMAGE: every $MICROSCOPE_CORPUS/*.tar (default /work/shared/corpus) and, when LAB
# is set, every $LAB/*.tar. Env: BIN (default target/release/microscope), RUNS, TIMEOUT
# (seconds per run, default 900).
set -euo pipefail
bin=${BIN:-target/release/microscope}
runs=${RUNS:-5}
timeout=${TIMEOUT:-900}
corpus=${MICROSCOPE_CORPUS:-/work/shared/corpus}
[ -x "$bin" ] || { echo "no $bin: cargo build --release first" >&2; exit 2; }
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 2; }

images=("$@")
if [ ${#images[@]} -eq 0 ]; then
  images=("$corpus"/*.tar)
  if [ -n "${LAB:-}" ]; then images+=("$LAB"/*.tar); fi
fi

tmp=$(mktemp -d)
session=measure-tui-$$
cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# The ms of the first line naming EVENT in the trace FILE (empty when none).
at() { awk -v e="$2" '$2 == e { print $1; exit }' "$1" 2>/dev/null; }

# Waits until the trace has a line matching PATTERN (an awk regex on the event) after line
# SKIP; fails after LIMIT seconds (default the timeout).
wait_for() {
  local file=$1 pattern=$2 skip=${3:-0} limit=${4:-$timeout} t=0
  while ! awk -v p="$pattern" -v s="$skip" 'NR > s && $0 ~ p { found = 1 } END { exit !found }' "$file" 2>/dev/null; do
    sleep 0.05
    t=$((t + 1))
    if [ $t -gt $((limit * 20)) ]; then return 1; fi
  done
}

# Starts the app on IMAGE with a fresh config, cache and trace FILE.
launch() {
  local image=$1 trace=$2
  rm -rf "$tmp/home" && mkdir -p "$tmp/home"
  : >"$trace"
  tmux new-session -d -s "$session" -x 160 -y 48 \
    "MICROSCOPE_TRACE_FRAMES=$trace XDG_CONFIG_HOME=$tmp/home XDG_CACHE_HOME=$tmp/home/cache $bin '$image'"
}

quit() {
  tmux send-keys -t "$session" q 2>/dev/null || true
  for _ in $(seq 1 100); do tmux has-session -t "$session" 2>/dev/null || return 0; sleep 0.05; done
  tmux kill-session -t "$session" 2>/dev/null || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| image | first frame ms | analysis ms | rewrite ms |"
echo "| --- | ---: | ---: | ---: |"
biggest="" biggest_size=0
for image in "${images[@]}"; do
  [ -e "$image" ] || { echo "| $image | missing | | |"; continue; }
  size=$(du -sb "$image" | cut -f1)
  if [ "$size" -gt "$biggest_size" ]; then biggest=$image biggest_size=$size; fi
  : >"$tmp/first" ; : >"$tmp/analysis" ; : >"$tmp/rewrite"
  for _ in $(seq 1 "$runs"); do
    trace=$tmp/trace
    launch "$image" "$trace"
    if wait_for "$trace" '^[0-9.]+ rewrite$'; then
      at "$trace" first_frame >>"$tmp/first"
      at "$trace" analysis >>"$tmp/analysis"
      at "$trace" rewrite >>"$tmp/rewrite"
    else
      echo "timed out on $image" >&2
    fi
    quit
  done
  echo "| $(basename "$image") | $(median <"$tmp/first") | $(median <"$tmp/analysis") | $(median <"$tmp/rewrite") |"
done

[ -n "$biggest" ] || exit 0
echo
echo "Files view switches on $(basename "$biggest") (median of $runs, ms from key to frame):"
: >"$tmp/G" ; : >"$tmp/w1" ; : >"$tmp/w2"
for _ in $(seq 1 "$runs"); do
  trace=$tmp/trace
  launch "$biggest" "$trace"
  wait_for "$trace" '^[0-9.]+ rewrite$' || { quit; continue; }
  # G moves to the last layer: only a change when there is more than one.
  layers=$(tmux capture-pane -p -t "$session" | head -1 | grep -o '[0-9]* layers*' | cut -d' ' -f1)
  steps="w1 w2"
  if [ "${layers:-1}" -gt 1 ]; then steps="G w1 w2"; fi
  for step in $steps; do
    n=$(wc -l <"$trace")
    tmux send-keys -t "$session" "${step:0:1}"
    # The key's line, then the frame drawing another tree (none when G stays on a
    # one-layer image's only layer).
    if wait_for "$trace" ' tree ' "$n" 120; then
      awk -v s="$n" 'NR > s && $2 == "key" && !k { k = $1 } NR > s && $2 == "tree" && k { print $1 - k; exit }' "$trace" >>"$tmp/$step"
    fi
  done
  quit
done
echo "| switch | ms |"
echo "| --- | ---: |"
echo "| G: as of the last layer | $(median <"$tmp/G") |"
echo "| w: that layer only | $(median <"$tmp/w1") |"
echo "| w: whole image | $(median <"$tmp/w2") |"
