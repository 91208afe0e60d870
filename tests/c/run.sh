#!/usr/bin/env bash
# tests/c/run.sh — the C side of mcauth's tests:
#   1. header check: include/mcauth.h compiled (and linked, and run) as C99 and as C++11;
#   2. tests/c/test_mcauth.c linked against libmcauth.so, then against libmcauth.a,
#      each run under valgrind against the fake Marketing Cloud;
#   3. tests/c/bench.c once, not under valgrind (figures are reported, not asserted).
# Assumes `cargo build --release --workspace` ran; builds when an output is missing.
# Everything compiled goes to target/c-tests/. Exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

REL="$ROOT/target/release"
OUT="$ROOT/target/c-tests"
CFLAGS=(-std=c99 -Wall -Wextra -Wpedantic -Werror -pthread -I"$ROOT/include" -I"$ROOT/tests/c")
CXXFLAGS=(-std=c++11 -Wall -Wextra -Wpedantic -Werror -pthread -I"$ROOT/include")
# What libmcauth.a needs from the system, as `cargo rustc -- --print native-static-libs` reports
# for this target (std needs libgcc_s for unwinding, libc for the rest; rt/pthread/dl/m are in
# glibc >= 2.34 but are listed so older glibc links too).
STATIC_LIBS=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
# The suppressions cover two known false positives in ring's TLS assembly only (see the file).
VALGRIND=(valgrind --leak-check=full --error-exitcode=99 --errors-for-leak-kinds=definite,indirect
          --show-leak-kinds=definite,indirect --suppressions="$ROOT/tests/c/valgrind-ring.supp")

step() { printf '==> %s\n' "$*"; }

with_fake() { bash "$ROOT/tests/with-fake-mc.sh" "$@"; }

if [[ ! -f "$REL/libmcauth.so" || ! -f "$REL/libmcauth.a" || ! -x "$REL/fake-mc" || ! -f include/mcauth.h ]]; then
    step "building: cargo build --release --workspace"
    cargo build --release --workspace
fi
mkdir -p "$OUT"

step "header check: include/mcauth.h as C99 and C++11 (compile, link, run)"
gcc "${CFLAGS[@]}" tests/c/header_check.c -L"$REL" -lmcauth -Wl,-rpath,"$REL" -o "$OUT/header_check_c"
g++ "${CXXFLAGS[@]}" -x c++ tests/c/header_check.c -x none -L"$REL" -lmcauth -Wl,-rpath,"$REL" \
    -o "$OUT/header_check_cpp"
"$OUT/header_check_c"
"$OUT/header_check_cpp"

step "compile: test_mcauth linked against libmcauth.so and libmcauth.a"
gcc "${CFLAGS[@]}" -g -O0 tests/c/test_mcauth.c -L"$REL" -lmcauth -Wl,-rpath,"$REL" \
    -o "$OUT/test_mcauth_shared"
gcc "${CFLAGS[@]}" -g -O0 tests/c/test_mcauth.c "$REL/libmcauth.a" "${STATIC_LIBS[@]}" \
    -o "$OUT/test_mcauth_static"
# Make sure each binary really uses the library the way its name says.
readelf -d "$OUT/test_mcauth_shared" | grep -q 'NEEDED.*libmcauth\.so' ||
    { echo "test_mcauth_shared does not load libmcauth.so" >&2; exit 1; }
if readelf -d "$OUT/test_mcauth_static" | grep -q 'NEEDED.*libmcauth'; then
    echo "test_mcauth_static loads libmcauth dynamically" >&2
    exit 1
fi

run_valgrind() { # name
    local name="$1" log="$OUT/valgrind-$1.log" rc=0
    step "test: $name build under valgrind (log: ${log#"$ROOT"/})"
    MCAUTH_TEST_UNDER_VALGRIND=1 with_fake "${VALGRIND[@]}" --log-file="$log" "$OUT/test_mcauth_$name" || rc=$?
    grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$log" | sed 's/^==[0-9]*== /    valgrind: /' || true
    if [[ $rc -ne 0 ]]; then
        echo "test_mcauth_$name failed (exit $rc; 99 = valgrind found errors or leaks)" >&2
        if [[ $rc -eq 99 ]]; then
            # The first frame of each valgrind error; the full traces are in the log.
            grep -E -A2 '^==[0-9]+== (Invalid|Conditional|Use of|Syscall param|Mismatched|[0-9,]+ bytes in [0-9,]+ blocks are (definitely|indirectly))' \
                "$log" | sed 's/^==[0-9]*== /    /' >&2 || true
        fi
        return 1
    fi
}
# A failing run does not stop the others: CI should see every result, then a non-zero exit.
failed=()
run_valgrind shared || failed+=("test_mcauth (shared)")
run_valgrind static || failed+=("test_mcauth (static)")

# Not under valgrind: both are about processes and threads (fork, thread exit), not memory.
for t in test_fork test_thread_exit; do
    step "test: $t (shared library)"
    gcc "${CFLAGS[@]}" -g -O1 "tests/c/$t.c" -L"$REL" -lmcauth -Wl,-rpath,"$REL" -o "$OUT/$t"
    with_fake "$OUT/$t" || failed+=("$t")
done

step "bench: cached mc_get_token vs. a mutex+malloc copy (not under valgrind)"
gcc "${CFLAGS[@]}" -O2 tests/c/bench.c -L"$REL" -lmcauth -Wl,-rpath,"$REL" -o "$OUT/bench"
with_fake "$OUT/bench" || failed+=("bench")

if [[ ${#failed[@]} -ne 0 ]]; then
    step "C tests FAILED: ${failed[*]}"
    exit 1
fi
step "C tests passed"
