#!/usr/bin/env bash
# Fleet benchmark (issue 23): push a generated fleet to a local registry (IMAGES images on
# BASES shared bases, 1-3 own layers each), then run
#   (a) microscope IMAGE --json --no-cache, once per image;
#   (b) microscope fleet --from refs, one process (its own empty cache);
#   (c) microscope fleet --shards 4, four processes at once, each with its own empty local
#       cache, sharing a --cache-registry;
# and print, for each, the wall time, the layer blobs fetched (requests and bytes, from the
# registry's access log) and the layers scanned. Target: (b) and (c) fetch and scan each
# distinct layer once.
#   scripts/bench-fleet.sh                      200 images on 5 bases
#   IMAGES=20 BASES=2 BIN=target/debug/microscope scripts/bench-fleet.sh
# Starts its own docker-registry on 127.0.0.1:$PORT (default 5099) with its own storage and
# log under a temp dir, stopped by PID at the end. Needs: docker-registry, skopeo, python3.
# The machine may be shared: compare counts and bytes; seconds are only indicative.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGES=${IMAGES:-200}
BASES=${BASES:-5}
SHARDS=${SHARDS:-4}
OWNER_WAIT=${OWNER_WAIT:-600}
PORT=${PORT:-5099}
BIN=${BIN:-target/release/microscope}
REG=127.0.0.1:$PORT
WORK=$(mktemp -d "${TMPDIR:-/tmp}/microscope-bench-fleet.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

if [ "$BIN" = target/release/microscope ]; then cargo build --release --quiet --bin microscope; fi

cat >"$WORK/registry.yml" <<YML
version: 0.1
log: { level: info }
storage: { filesystem: { rootdirectory: $WORK/data } }
http: { addr: $REG }
YML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done

# The fleet: deterministic layers (a base is ~4 MB of incompressible bytes, an own layer
# ~200 KB), written as OCI layouts and pushed with skopeo.
python3 - "$WORK" "$IMAGES" "$BASES" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
work, n, bases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def layer(name, files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, data in files:
            info = tarfile.TarInfo(path); info.size = len(data); info.mtime = 1_700_000_000
            t.addfile(info, io.BytesIO(data))
    tar = raw.getvalue()
    gz = gzip.compress(tar, mtime=0)
    return ("sha256:" + hashlib.sha256(tar).hexdigest(), gz, name)
def blob(dirp, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(f"{dirp}/blobs/sha256", exist_ok=True)
    with open(f"{dirp}/blobs/sha256/{d}", "wb") as f: f.write(data)
    return "sha256:" + d
base_layers = []
for b in range(bases):
    rnd = random.Random(b)
    base_layers.append(layer(f"ADD base{b}.tar /", [
        (f"usr/lib/libbase{b}-{k}.so", rnd.randbytes(1 << 20)) for k in range(4)]))
refs = []
for i in range(n):
    rnd = random.Random(10_000 + i)
    own = [layer(f"COPY part{k} /app", [(f"app/part{k}.bin", rnd.randbytes(200_000))])
           for k in range(1 + i % 3)]
    layers = [base_layers[i % bases]] + own
    d = f"{work}/oci/app-{i}"
    with open(f"{work}/layers", "a") as f:
        for _, gz, _ in layers: f.write("sha256:" + hashlib.sha256(gz).hexdigest() + "\n")
    descs = [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
              "digest": blob(d, gz), "size": len(gz)} for _, gz, _ in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/app/run"]},
        "rootfs": {"type": "layers", "diff_ids": [l[0] for l in layers]},
        "history": [{"created_by": l[2]} for l in layers]}).encode()
    manifest = json.dumps({"schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": blob(d, config), "size": len(config)},
        "layers": descs}).encode()
    md = blob(d, manifest)
    with open(f"{d}/oci-layout", "w") as f: f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(f"{d}/index.json", "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType":
            "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}, f)
distinct = bases + sum(1 + i % 3 for i in range(n))
print(distinct, file=open(f"{work}/distinct", "w"))
PY
for i in $(seq 0 $((IMAGES - 1))); do
  skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci/app-$i:latest" "docker://$REG/bench/app-$i:latest"
  echo "docker://$REG/bench/app-$i:latest"
done >"$WORK/refs.txt"
DISTINCT=$(cat "$WORK/distinct")

mark() { wc -l <"$WORK/registry.log"; }
# Layer blob GETs by microscope since line $1: "requests bytes" (configs and the cache
# repository's artifacts are not layer blobs, and are left out).
fetched() {
  tail -n +"$(($1 + 1))" "$WORK/registry.log" |
    grep '"GET /v2/bench/app-[0-9]*/blobs/sha256:' | grep 'microscope/' |
    awk -v layers="$WORK/layers" 'BEGIN { while ((getline d < layers) > 0) l[d] = 1 }
      { split($7, p, "/blobs/"); if (p[2] in l) { n++; b += $10 } }
      END { printf "%d %d", n, b }'
}
row() {  # row NAME SECONDS START SCANNED
  read -r n b <<<"$(fetched "$3")"
  printf '| %s | %s s | %s | %s | %s |\n' "$1" "$2" "$n" "$(numfmt --to=iec-i --suffix=B "$b")" "$4"
}
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | xargs printf '%.1f'; }

echo "fleet: $IMAGES images on $BASES bases, $DISTINCT distinct layers; $SHARDS shards; $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo '| run | wall | layer blob GETs | bytes fetched | layers scanned |'
echo '| --- | ---: | ---: | ---: | ---: |'

start=$(mark); t=$(now)
while read -r ref; do
  XDG_CACHE_HOME="$WORK/cache-a" "$BIN" "$ref" --json --no-cache >/dev/null
done <"$WORK/refs.txt"
row "(a) per image, --no-cache" "$(since "$t")" "$start" "$(awk '{ s += 1 + (NR - 1) % 3 + 1 } END { print s }' "$WORK/refs.txt")"

start=$(mark); t=$(now)
XDG_CACHE_HOME="$WORK/cache-b" "$BIN" fleet --from "$WORK/refs.txt" -o "$WORK/b.jsonl" 2>"$WORK/b.err" || true
scanned=$(grep -o 'layers: [0-9]* scanned' "$WORK/b.err" | awk '{ s += $2 } END { print s }')
row "(b) fleet, one process" "$(since "$t")" "$start" "$scanned"

start=$(mark); t=$(now)
shards=()
for i in $(seq 0 $((SHARDS - 1))); do
  JOB_COMPLETION_INDEX=$i XDG_CACHE_HOME="$WORK/cache-c$i" "$BIN" fleet --from "$WORK/refs.txt" \
    --shards "$SHARDS" --owner-wait "$OWNER_WAIT" --cache-registry "docker://$REG/bench-cache" -o "$WORK/c$i.jsonl" 2>"$WORK/c$i.err" &
  shards+=($!)
done
wait "${shards[@]}" || true
scanned=$(cat "$WORK"/c*.err | grep -o 'layers: [0-9]* scanned' | awk '{ s += $2 } END { print s }')
row "(c) fleet, $SHARDS shards + cache registry" "$(since "$t")" "$start" "$scanned"

echo
"$BIN" fleet summary "$WORK/b.jsonl" --json >"$WORK/b.json"
"$BIN" fleet summary "$WORK"/c*.jsonl --json >"$WORK/c.json"
if cmp -s "$WORK/b.json" "$WORK/c.json"; then echo "summaries of (b) and (c): equal"; else echo "summaries of (b) and (c): DIFFER"; fi
