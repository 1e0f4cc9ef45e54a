#!/bin/sh
# Runs every fuzz target for SECS seconds each (default 120), one after the other, at
# nice 10 (the machine is shared: one fuzzer at a time). Needs cargo-fuzz
# (`cargo install cargo-fuzz`). libFuzzer wants a nightly compiler: with a nightly
# toolchain installed it is used with AddressSanitizer; without one, the stable compiler
# runs with RUSTC_BOOTSTRAP=1 and no sanitizer (`--sanitizer none`: Rust's own checks,
# overflow checks included by `-a`, still panic, and a panic is a crash).
#
#   [TOOLCHAIN=stable] [SANITIZER=none|address] scripts/fuzz.sh [SECS] [TARGET...]
#
# Seeds: `cargo test --test hostile -- --ignored write_fuzz_seeds` writes fuzz/corpus/;
# fuzz/regressions/TARGET/ is read as a second corpus. A crash leaves its input in
# fuzz/artifacts/TARGET/ and the run goes on with the next target; the script exits 1 if any
# target crashed. Each target's libFuzzer log is fuzz/fuzz-TARGET.log; the last lines
# printed are the executions and time per target.
set -u
SECS=${1:-120}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/../fuzz" || exit 2

# TOOLCHAIN=stable forces the stable compiler even where a nightly is installed (its build
# is already there, or there is no time for an AddressSanitizer build of every crate).
if [ "${TOOLCHAIN:-}" != stable ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    FUZZ="cargo +nightly fuzz"
    SANITIZER=${SANITIZER:-address}
else
    export RUSTC_BOOTSTRAP=1
    FUZZ="cargo fuzz"
    SANITIZER=${SANITIZER:-none}
fi
TARGETS=${*:-$($FUZZ list)}

nice -n 10 $FUZZ build -O -a --sanitizer "$SANITIZER" || exit 2

failed=0
summary=""
for t in $TARGETS; do
    mkdir -p "corpus/$t"
    seeds=""
    [ -d "regressions/$t" ] && seeds="regressions/$t"
    echo "== $t: $SECS s" >&2
    # -timeout: one input running 30 s is a hang; -rss_limit_mb: a balloon is a crash.
    # -detect_leaks=0: LeakSanitizer (with ASan) takes the 32 bytes glibc keeps per thread
    # for thread-local destructors, on the loader's worker threads, for a leak.
    nice -n 10 $FUZZ run -O -a --sanitizer "$SANITIZER" "$t" "corpus/$t" $seeds -- \
        -max_total_time="$SECS" -timeout=30 -rss_limit_mb=2048 -detect_leaks=0 \
        -print_final_stats=1 \
        >"fuzz-$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-$t.log" | tail -n 1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "fuzz-$t.log" | tail -n 1)
    if [ "$rc" -ne 0 ]; then
        failed=1
        result="CRASH (exit $rc; input in fuzz/artifacts/$t/, log fuzz/fuzz-$t.log)"
    else
        result="no crash"
    fi
    summary="$summary$t: ${execs:-?} executions in ${secs:-?} s, $result
"
done
printf '%s' "$summary"
exit $failed
