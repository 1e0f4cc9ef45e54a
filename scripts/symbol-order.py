#!/usr/bin/env python3
"""symbol-order.py BIN PROFILE... > scripts/symbol-order.txt

The functions of BIN that ran in the given profiles, one symbol a line, in the order the
profiles are given (within one, most instructions first): the linker puts them at the start
of .text, so the code a run executes sits together (see build.rs).

A PROFILE is a callgrind output (`--dump-instr=yes --compress-strings=no --compress-pos=no`)
or, with the suffix `.perf.txt`, the symbols of `perf report --no-demangle --sort sym` (for
code valgrind cannot run: sha2's SHA-NI compress is picked by CPUID, valgrind has no SHA-NI).
"""
import bisect
import collections
import subprocess
import sys


def functions(binary):
    """(start, size, name) of every function symbol, sorted by address."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            syms.append((int(parts[0], 16), max(int(parts[1], 16), 1), parts[3]))
    syms.sort()
    return syms


def callgrind(path, binary, syms, starts):
    """Instructions executed per function of `binary` in one callgrind output."""
    cost = collections.Counter()
    obj = None
    with open(path) as f:
        for line in f:
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif obj == binary and line.startswith("0x"):
                fields = line.split()
                addr = int(fields[0], 16)
                i = bisect.bisect_right(starts, addr) - 1
                if i >= 0 and addr < syms[i][0] + syms[i][1]:
                    cost[syms[i][2]] += int(fields[-1]) if len(fields) > 2 else 1
    return [name for name, _ in cost.most_common()]


def perf(path, known):
    names = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if "[.]" in parts:
                name = parts[parts.index("[.]") + 1]
                if name in known:
                    names.append(name)
    return names


def main():
    binary = sys.argv[1]
    syms = functions(binary)
    starts = [s[0] for s in syms]
    known = {s[2] for s in syms}
    size = {s[2]: s[1] for s in syms}
    order, seen = [], set()
    for path in sys.argv[2:]:
        names = perf(path, known) if path.endswith(".perf.txt") else callgrind(path, binary, syms, starts)
        fresh = [n for n in names if n not in seen]
        seen.update(fresh)
        order += fresh
        print(f"{path}: {len(names)} functions, {len(fresh)} new", file=sys.stderr)
    total = sum(size[n] for n in order)
    print(f"{len(order)} functions, {total} bytes of code", file=sys.stderr)
    print("\n".join(order))


if __name__ == "__main__":
    main()
