#!/usr/bin/env bash
# Renders the app on the demo images to PNGs in screenshots/: the real binary in tmux,
# `capture-pane -e` (with colours) → HTML via aha → a headless Chromium screenshot.
# Needs Debian's tmux, aha and chromium (`apt-get install -y tmux aha chromium`).
#   scripts/screenshots.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/microscope}
[ -x "$bin" ] || cargo build --release
for tool in tmux aha chromium; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y tmux aha chromium" >&2; exit 2; }
done
out=screenshots
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cols=140 rows=40

# shot NAME IMAGE KEYS...: opens the app, waits until loaded, presses KEYS, captures.
shot() {
  local name=$1 image=$2; shift 2
  local s=shots-$$
  # `tour:N` is the tour at step N (README, "Tour"), not a demo image.
  local run="demo --image $image"
  [[ $image == tour:* ]] && run="tour --step ${image#tour:}"
  tmux new-session -d -s "$s" -x $cols -y $rows \
    "XDG_CONFIG_HOME=$tmp TERM=xterm-256color $bin $run; sleep 5"
  for _ in $(seq 1 200); do
    tmux capture-pane -p -t "$s" | grep -Eq "efficiency [0-9]|change [−+±]" && break
    sleep 0.1
  done
  sleep 0.3
  for k in "$@"; do
    tmux send-keys -t "$s" "$k"
    sleep 0.2
  done
  # The what-if comparison is computed in the background: wait for it.
  for _ in $(seq 1 50); do
    tmux capture-pane -p -t "$s" | grep -q "comparing the image" || break
    sleep 0.1
  done
  sleep 0.3
  tmux capture-pane -e -p -t "$s" > "$tmp/$name.ans"
  tmux kill-session -t "$s"
  aha --black --title "microscope: $name" < "$tmp/$name.ans" > "$tmp/$name.html"
  # Monospace box-drawing needs a tight line height to join up.
  sed -i 's|<pre>|<pre style="font-family: DejaVu Sans Mono, monospace; font-size: 14px; line-height: 1.15; margin: 8px">|' "$tmp/$name.html"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --user-data-dir="$(mktemp -d)" \
    --hide-scrollbars --screenshot="$out/$name.png" --window-size=1200,760 \
    "file://$tmp/$name.html" 2>/dev/null
  echo "$out/$name.png"
}

shot layers fat
shot layer-tree fat j j Tab
shot image-tree fat W Tab
shot search fat W Tab C-Space / s e r v e r
shot findings fat 4 j j Enter
shot help fat ?
shot micro micro W Tab
# How small could it be: the Rewrite pane, the files it keeps, the what-if compare.
shot rewrite fat 5
shot kept fat r
shot what-if fat c
# The tour at step 3, beside its compare view.
shot tour tour:3
