#!/usr/bin/env bash
# tests/sanitizers/run.sh — the C ABI under ThreadSanitizer and AddressSanitizer, the unsafe code under Miri.
#
# For each sanitizer: tests/sanitizers/stress.rs (the `sanitizer_stress` example: 16 threads
# calling every export the header declares for 3 s on 1-second tokens, setters racing token calls
# on the same handles; it counts the calls of each export and fails if one got none) is built with
# nightly's -Zsanitizer (and -Zbuild-std, so std is instrumented too) into
# target/sanitizers/<name>/, with rustc linking its own runtime (gcc 12's runtimes are too old for
# the Rust code, so the harness is not C), then run against the fake: it must finish with no
# report. Run again with a deliberate bug (a data race; a use after free), it must be reported,
# which proves the sanitizer is really linked in and watching. Prints what it ran and found (the
# clean run's calls per export too), and the wall time. Needs nightly with rust-src (installed
# with rustup when missing); without nightly it says so and exits 0. Exits 1 on any finding, or if
# a deliberate bug went unreported. Then Miri runs the unit tests of src/ffi/ (all the unsafe code)
# and of the cache and fork gate, which must pass.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
started=$SECONDS
TARGET=x86_64-unknown-linux-gnu

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "sanitizers: no nightly toolchain (rustup toolchain install nightly): skipped"
    exit 0
fi
if ! rustup +nightly component list --installed 2>/dev/null | grep -q '^rust-src'; then
    echo "==> installing rust-src for nightly (rustup component add rust-src --toolchain nightly)"
    rustup component add rust-src --toolchain nightly
fi

failed=()
run() { # sanitizer runtime-prefix deliberate-bug report-pattern options
    local name="$1" bug="$3" pattern="$4" opts="$5" out="target/sanitizers/$1"
    local exe="$out/$TARGET/release/examples/sanitizer_stress"
    echo "==> $name: the sanitizer_stress example with -Zsanitizer=$name -Zbuild-std ($exe)"
    RUSTFLAGS="-Zsanitizer=$name" cargo +nightly build --quiet -Zbuild-std --target "$TARGET" \
        --release --example sanitizer_stress --target-dir "$out"
    # Instrumented code calls into the runtime: the binary has __tsan_/__asan_ symbols.
    if [[ "$(nm "$exe" | grep -c "__${2}_")" == 0 ]]; then
        echo "$name: $exe is not instrumented" >&2
        failed+=("$name (not instrumented)")
        return
    fi
    local variant
    for variant in clean "$bug"; do
        local log="$out/stress-$variant.log" rc=0 pid scratch="$out/scratch-$variant"
        # A sanitizer's report ends the process before any destructor: the stress's
        # redis-server and temporary folder would outlive it. So it runs in a process
        # group of its own, killed afterwards, with its temporary files in $scratch.
        mkdir -p "$scratch"
        TMPDIR="$scratch" setsid env "$opts" MCAUTH_STRESS_DELIBERATE="${variant#clean}" \
            bash tests/with-fake-mc.sh "$exe" >"$log" 2>&1 &
        pid=$!
        wait "$pid" || rc=$?
        kill -- -"$pid" 2>/dev/null || true
        rm -rf "$scratch"
        local reports
        reports="$(grep -c "$pattern" "$log" || true)"
        printf '    %s %-14s exit %-3s %s report(s); %s\n' "$name" "$variant" "$rc" "$reports" \
            "$(grep -m1 '^stress:' "$log" || echo 'no summary line')"
        # (|| true: a log without these lines must not end the script under set -e and pipefail.)
        if [[ $variant == clean ]]; then
            grep -E '^(stores|calls):' "$log" | sed 's/^/      /' || true
        fi
        if [[ $variant == clean && ($rc -ne 0 || $reports -ne 0) ]]; then
            grep -A12 "$pattern" "$log" | head -40 | sed 's/^/      /' || true
            grep -E '^(unexpected|stress: never|shared cache problem)' "$log" | head -10 | sed 's/^/      /' || true
            failed+=("$name: findings (log: ${log#"$ROOT"/})")
        elif [[ $variant != clean && $reports -eq 0 ]]; then
            failed+=("$name: the deliberate bug was not reported")
        else
            [[ $variant != clean ]] && grep -m1 'SUMMARY' "$log" | sed 's/^/      /' || true
        fi
    done
}

run thread tsan race 'WARNING: ThreadSanitizer' "TSAN_OPTIONS=halt_on_error=0 exitcode=66"
# Leaks are valgrind's job in tests/c/run.sh: process-lifetime caches would be noise here.
run address asan use-after-free 'ERROR: AddressSanitizer' "ASAN_OPTIONS=detect_leaks=0"

# Miri interprets the unit tests of the one unsafe module (src/ffi/) and of the cache and fork gate
# beneath it, checking each pointer use against its provenance (strict) and every access for data
# races. ring's assembly cannot run under Miri, so TLS, sealing and the stores are the stress's.
echo "==> miri: the ffi, cache and fork unit tests under Miri"
if ! rustup +nightly component list --installed 2>/dev/null | grep -q '^miri'; then
    echo "==> installing miri for nightly (rustup component add miri --toolchain nightly)"
    rustup component add miri --toolchain nightly
fi
miri_log="target/sanitizers/miri.log"
mkdir -p target/sanitizers
if MIRIFLAGS="-Zmiri-strict-provenance -Zmiri-disable-isolation" cargo +nightly miri test --lib \
    -- ffi:: cache:: fork:: --skip shared_cache >"$miri_log" 2>&1; then
    grep '^test result' "$miri_log" | sed 's/^/    /'
    # The filters match by name: a renamed module must not leave Miri nothing to run.
    grep -qE '^test result: ok\. [1-9]' "$miri_log" || failed+=("miri: no test ran (log: $miri_log)")
else
    grep -E '^error|panicked|FAILED' "$miri_log" | head -20 | sed 's/^/    /' || true
    failed+=("miri: findings (log: $miri_log)")
fi
echo "sanitizers: wall time $((SECONDS - started)) s"
if ((${#failed[@]})); then
    printf 'sanitizers FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "sanitizers: clean (and each deliberate bug was reported), Miri too"
