#!/usr/bin/env bash
# tests/c/run.sh — the C side: the header as C99 and C++11; the static link flags against rustc's;
# test_mcauth.c (the ABI contract) shared and static under valgrind; test_calls.c (the libcurl
# example through a revoked token); test_fork.c. Builds what is missing into target/c-tests/;
# exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

REL="$ROOT/target/release"
OUT="$ROOT/target/c-tests"
CFLAGS=(-std=c99 -Wall -Wextra -Wpedantic -Werror -pthread -I"$ROOT/include" -I"$ROOT/tests/c")
CXXFLAGS=(-std=c++11 -Wall -Wextra -Wpedantic -Werror -pthread -I"$ROOT/include")
read -r -a STATIC_LIBS < <(grep -v -e '^#' -e '^$' tests/c/static-libs.txt)
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
failed=() # a failing check does not stop the others: CI should see every result, then exit 1

step "header check: include/mcauth.h as C99 and C++11 (compile, link, run)"
gcc "${CFLAGS[@]}" tests/c/header_check.c -L"$REL" -lmcauth -Wl,-rpath,"$REL" -o "$OUT/header_check_c"
g++ "${CXXFLAGS[@]}" -x c++ tests/c/header_check.c -x none -L"$REL" -lmcauth -Wl,-rpath,"$REL" \
    -o "$OUT/header_check_cpp"
"$OUT/header_check_c"
"$OUT/header_check_cpp"

# rustc prints a staticlib's native libraries only while compiling one: cargo compiles a
# staticlib-only variant of mcauth (seconds, and only when mcauth changed) whose list stays in
# target/release as long as that build is fresh. It replaces libmcauth.a, which `cargo build`
# puts back. rustc's note saying where it wrote the list is noise unless cargo failed.
step "static link flags: tests/c/static-libs.txt and README.md against rustc --print native-static-libs"
libs_file="$REL/mcauth-native-static-libs.txt"
rustc_libs() {
    local log
    log="$(cargo rustc --quiet --release --lib --crate-type staticlib -- --print native-static-libs="$libs_file" 2>&1)" ||
        { echo "$log" >&2; return 1; }
    cargo build --quiet --release --lib
}
rustc_libs
[[ -s "$libs_file" ]] || { cargo clean --quiet --release -p mcauth && rustc_libs; } # deleted while fresh
rustc_said="$(echo $(<"$libs_file"))"
readme_line="$(grep -n -m1 'target/release/libmcauth\.a .* -o app' README.md || true)"
readme="$(sed -E 's/.*target\/release\/libmcauth\.a (.*) -o app.*/\1/' <<<"${readme_line#*:}")"
if [[ "${STATIC_LIBS[*]}" != "$rustc_said" || "$(echo $readme)" != "$rustc_said" ]]; then
    echo "static link flags disagree with rustc --print native-static-libs:" >&2
    echo "  rustc:                   $rustc_said" >&2
    echo "  tests/c/static-libs.txt: ${STATIC_LIBS[*]}" >&2
    echo "  README.md line ${readme_line%%:*}: ${readme:-(no line \`cc … target/release/libmcauth.a … -o app\`)}" >&2
    failed+=("static link flags")
fi

step "compile: test_mcauth linked against libmcauth.so and libmcauth.a"
gcc "${CFLAGS[@]}" -g -O0 tests/c/test_mcauth.c -L"$REL" -lmcauth -Wl,-rpath,"$REL" -o "$OUT/test_mcauth_shared"
gcc "${CFLAGS[@]}" -g -O0 tests/c/test_mcauth.c "$REL/libmcauth.a" "${STATIC_LIBS[@]}" -o "$OUT/test_mcauth_static"
# Make sure each binary really uses the library the way its name says.
readelf -d "$OUT/test_mcauth_shared" | grep -q 'NEEDED.*libmcauth\.so' ||
    { echo "test_mcauth_shared does not load libmcauth.so" >&2; exit 1; }
! readelf -d "$OUT/test_mcauth_static" | grep -q 'NEEDED.*libmcauth' ||
    { echo "test_mcauth_static loads libmcauth dynamically" >&2; exit 1; }

run_valgrind() { # name
    local name="$1" log="$OUT/valgrind-$1.log" rc=0
    step "test: $name build under valgrind (log: ${log#"$ROOT"/})"
    with_fake "${VALGRIND[@]}" --log-file="$log" "$OUT/test_mcauth_$name" || rc=$?
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
run_valgrind shared || failed+=("test_mcauth (shared)")
run_valgrind static || failed+=("test_mcauth (static)")

step "calls: examples/c/calls.c (libcurl) from 16 threads through a revoked token"
gcc "${CFLAGS[@]}" -g tests/c/test_calls.c $(curl-config --cflags --libs) -L"$REL" -lmcauth \
    -Wl,-rpath,"$REL" -o "$OUT/test_calls"
with_fake "$OUT/test_calls" || failed+=("test_calls (libcurl)")

# Not under valgrind: it is about processes and threads, not memory, and forks 120 children.
step "test: test_fork (shared library)"
gcc "${CFLAGS[@]}" -g -O1 tests/c/test_fork.c -L"$REL" -lmcauth -Wl,-rpath,"$REL" -o "$OUT/test_fork"
# Its trust-store trials fork while their first HTTPS request loads the trust store, which lasts
# long enough only when the store is large (the system's bundle alone loads in about 0.5 ms):
# SSL_CERT_FILE is the system's bundle (else the fake's CA) doubled to at least 10 MB, as large as
# tests/fork.rs's. (In bash -c, without set -e: every step returns on failure.)
slow_bundle() { # OUT
    local src=/etc/ssl/certs/ca-certificates.crt
    [[ -s $src ]] || src=$FAKE_MC_CA
    cp "$src" "$1" || return
    while (($(stat -c %s "$1") < 10000000)); do cat "$1" "$1" >"$1.tmp" && mv "$1.tmp" "$1" || return; done
}
export -f slow_bundle
with_fake bash -c 'slow_bundle "$1" && SSL_CERT_FILE="$1" exec "$2"' _ "$OUT/slow-bundle.pem" "$OUT/test_fork" ||
    failed+=("test_fork")

[[ ${#failed[@]} -eq 0 ]] || { step "C tests FAILED: ${failed[*]}"; exit 1; }
step "C tests passed"
