#!/usr/bin/env bash
# Time to first frame, time to fully loaded (all layers scanned, analysed, tree drawn) and
# peak RSS of the interactive app on IMAGE, in a real terminal (tmux).
#   scripts/measure-tui.sh IMAGE [BINARY]
set -euo pipefail
image=$1
bin=${2:-target/release/microscope}
tmp=$(mktemp -d)
session=measure-$$
start=$(date +%s%3N)
tmux new-session -d -s "$session" -x 160 -y 48 \
  "MICROSCOPE_TIMINGS=$tmp/marks XDG_CONFIG_HOME=$tmp /usr/bin/time -v -o $tmp/time $bin $image"
for _ in $(seq 1 6000); do
  grep -q '^loaded' "$tmp/marks" 2>/dev/null && break
  sleep 0.1
done
sleep 0.5
tmux send-keys -t "$session" q
for _ in $(seq 1 100); do [ -s "$tmp/time" ] && break; sleep 0.1; done
tmux kill-session -t "$session" 2>/dev/null || true
first=$(awk '/^first_frame/ {print $2}' "$tmp/marks")
loaded=$(awk '/^loaded/ {print $2}' "$tmp/marks")
rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time")
echo "$image: first frame $((first - start)) ms, loaded $((loaded - start)) ms, peak RSS $((rss / 1024)) MiB"
rm -rf "$tmp"
