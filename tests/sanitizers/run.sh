#!/usr/bin/env bash
# tests/sanitizers/run.sh — the C ABI under ThreadSanitizer and AddressSanitizer.
#
# For each sanitizer: libmcauth.so is built with nightly's -Zsanitizer (and -Zbuild-std, so
# std is instrumented too) into target/sanitizers/<name>/; tests/sanitizers/stress.c (16
# threads of every call for 3 s, on 1-second tokens) is compiled with gcc's instrumentation
# and linked with Rust's own sanitizer runtime (gcc 12's runtimes are too old for the Rust
# code), then run against the fake: it must finish with no report. A variant with a
# deliberate bug (a data race; a use after free) must be reported, which proves the
# sanitizer is really linked in and watching. Prints what it ran and found, and the wall
# time. Needs nightly with rust-src (installed with rustup when missing); without nightly it
# says so and exits 0. Exits 1 on any finding, or if a deliberate bug went unreported.
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
RT_DIR="$(rustc +nightly --print sysroot)/lib/rustlib/$TARGET/lib"
[[ -x "$ROOT/target/release/fake-mc" ]] || cargo build --release -p fake-mc

failed=()
run() { # sanitizer gcc-flag runtime deliberate-define report-pattern options
    local name="$1" flag="$2" rt="$RT_DIR/librustc-nightly_rt.$3.a" bug="$4" pattern="$5" opts="$6"
    local lib="target/sanitizers/$name/$TARGET/release" out="target/sanitizers/$name"
    echo "==> $name: libmcauth.so with -Zsanitizer=$name -Zbuild-std ($lib)"
    RUSTFLAGS="-Zsanitizer=$name" cargo +nightly build --quiet -Zbuild-std --target "$TARGET" \
        --release --lib --target-dir "target/sanitizers/$name"
    # Instrumented code calls into the runtime: the library has undefined __tsan_/__asan_ symbols.
    if [[ "$(nm -D --undefined-only "$lib/libmcauth.so" | grep -c "__${3}_")" == 0 ]]; then
        echo "$name: libmcauth.so is not instrumented" >&2
        failed+=("$name (not instrumented)")
        return
    fi
    local variant
    for variant in clean deliberate; do
        local defines=() exe="$out/stress-$variant" log="$out/stress-$variant.log" rc=0
        [[ $variant == deliberate ]] && defines=("-D$bug")
        gcc -std=c99 -g -O1 "$flag" -pthread -Iinclude "${defines[@]}" -c tests/sanitizers/stress.c -o "$exe.o"
        # Link through gcc without its own sanitizer runtime: Rust's, whole, instead.
        gcc -g -pthread "$exe.o" -L"$lib" -lmcauth -Wl,-rpath,"$ROOT/$lib" \
            -Wl,--whole-archive "$rt" -Wl,--no-whole-archive -ldl -lrt -lm -o "$exe"
        env "$opts" bash tests/with-fake-mc.sh "$exe" >"$log" 2>&1 || rc=$?
        local reports
        reports="$(grep -c "$pattern" "$log" || true)"
        printf '    %s %-10s exit %-3s %s report(s); %s\n' "$name" "$variant" "$rc" "$reports" \
            "$(grep -m1 '^stress:' "$log" || echo 'no summary line')"
        if [[ $variant == clean && ($rc -ne 0 || $reports -ne 0) ]]; then
            grep -A12 "$pattern" "$log" | head -40 | sed 's/^/      /'
            failed+=("$name: findings (log: ${log#"$ROOT"/})")
        elif [[ $variant == deliberate && $reports -eq 0 ]]; then
            failed+=("$name: the deliberate bug was not reported")
        else
            [[ $variant == deliberate ]] && grep -m1 'SUMMARY' "$log" | sed 's/^/      /'
        fi
    done
}

run thread -fsanitize=thread tsan DELIBERATE_RACE 'WARNING: ThreadSanitizer' \
    "TSAN_OPTIONS=halt_on_error=0 exitcode=66"
# Leaks are valgrind's job in tests/c/run.sh: process-lifetime caches would be noise here.
run address -fsanitize=address asan DELIBERATE_USE_AFTER_FREE 'ERROR: AddressSanitizer' \
    "ASAN_OPTIONS=detect_leaks=0"

echo "sanitizers: wall time $((SECONDS - started)) s"
if ((${#failed[@]})); then
    printf 'sanitizers FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "sanitizers: clean (and each deliberate bug was reported)"
