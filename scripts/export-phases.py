#!/usr/bin/env python3
"""The export path against `docker save | cat`, split where the engine's first byte arrives.

dockerd (20.10 at least) writes the whole export to its own disk before it sends a byte, so
a run is two phases: the engine's assembly (the same work whoever asks) and the stream
(where the reader's pace can hold the engine back). The assembly's length swings with the
machine's disk traffic; the stream is what microscope controls.

    DOCKER_HOST=unix:///work/lab/docker.sock DOCKERD_PID=$(cat /work/lab/docker.pid) \\
      scripts/export-phases.py IMAGE ROUNDS BIN[,BIN2...] [default] [nv]

Per round: `docker save IMAGE | cat` (its first byte timed through a pipe read), then each
binary with each variant (`nv` adds `--no-verify`), all `--json --no-cache
--daemon-read=export`. For microscope, the stream starts when its CPU time passes 50 ms
(inspecting the image costs less). dockerd's CPU is read from /proc before the first byte
and after. Medians at the end.
"""
import os, resource, statistics, subprocess, sys, time

img, rounds, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
variants = sys.argv[4:] or ["default"]
env = dict(os.environ)
dpid = os.environ["DOCKERD_PID"]
tick = os.sysconf("SC_CLK_TCK")
results = {}


def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick


def note(key, total, stream):
    results.setdefault(key, []).append((total, stream))


def save():
    t0, c0 = time.time(), cpu(dpid)
    p = subprocess.Popen(["docker", "save", img], stdout=subprocess.PIPE, env=env)
    first = cf = None
    while p.stdout.read1(1 << 20):
        if first is None:
            first, cf = time.time() - t0, cpu(dpid)
    p.wait()
    t = time.time() - t0
    note("docker save | cat", t, t - first)
    return f"{'docker save | cat':24s} {t:6.2f} s  stream {t - first:5.2f} s  dockerd cpu {cf - c0:5.2f}+{cpu(dpid) - cf:4.2f}"


def micro(binary, variant):
    args = [binary, f"docker-daemon:{img}", "--json", "--no-cache", "--daemon-read=export"]
    if variant == "nv":
        args.append("--no-verify")
    t0, c0 = time.time(), cpu(dpid)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    first, cf, rss = None, c0, 0
    while p.poll() is None:
        try:
            used = cpu(p.pid)
            rss = max(rss, int(open(f"/proc/{p.pid}/statm").read().split()[1]) * 4096 >> 20)
        except OSError:
            break
        if first is None and used > 0.05:
            first, cf = time.time() - t0, cpu(dpid)
        time.sleep(0.02)
    p.wait()
    t = time.time() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    key = f"{os.path.basename(binary)[:16]} {variant}"
    note(key, t, t - (first or 0))
    return (
        f"{key:24s} {t:6.2f} s  stream {t - (first or 0):5.2f} s  user {r1.ru_utime - r0.ru_utime:.2f} "
        f"sys {r1.ru_stime - r0.ru_stime:.2f}  ~{rss} MiB  dockerd cpu {cf - c0:5.2f}+{cpu(dpid) - cf:4.2f}  exit {p.returncode}"
    )


print("load average", " ".join(open("/proc/loadavg").read().split()[:3]), flush=True)
for _ in range(rounds):
    print(save(), flush=True)
    for b in bins:
        for v in variants:
            print(micro(b, v), flush=True)
print("load average", " ".join(open("/proc/loadavg").read().split()[:3]))
for key, runs in results.items():
    total = statistics.median(r[0] for r in runs)
    stream = statistics.median(r[1] for r in runs)
    print(f"median {key:24s} {total:6.2f} s  stream {stream:5.2f} s")
