#!/usr/bin/env bash
# The one test command: installs what is missing (apt-get when root;
# otherwise it prints the command), then runs every suite: Rust (format,
# lints, unit and integration tests, header freshness), C (shared and static
# under valgrind), install, Python, the wheel and the Windows check (in the
# background), C#, NuGet, the demo, and last the benches. Prints each suite's
# wall time; exits non-zero if any fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tests/ensure-tools.sh

ensure_cargo
ensure_windows_std x86_64-pc-windows-gnu
ensure_tools gcc:gcc g++:g++ readelf:binutils valgrind:valgrind python3:python3 \
    mcs:mono-mcs mono:mono-runtime nunit-console:nunit-console curl-config:libcurl4-openssl-dev \
    redis-server:redis-server openssl:openssl \
    x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 x86_64-w64-mingw32-objdump:binutils-mingw-w64-x86-64

suite_rust() {
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --release -- -D warnings
    cargo build --release --workspace
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
        ! git diff --exit-code --stat -- include/mcauth.h; then
        echo "include/mcauth.h is stale: the build regenerated it; commit the new one" >&2
        return 1
    fi
    cargo test --workspace --release
}

# Figures, never pass/fail: alone on the machine, after the background builds are joined.
suite_bench() {
    cargo bench --bench c_abi
    cargo bench --bench cold_start
    cargo bench --bench registry
    cargo bench --bench shared_cache
}

suite_c() { bash tests/c/run.sh; }
suite_install() { bash tests/install.sh; }
suite_python() { bash bindings/python/run-tests.sh; }
suite_wheel() { bash bindings/python/build-wheel.sh; }
suite_windows() { bash tests/windows-check.sh; }
suite_csharp() { bash bindings/csharp/run-tests.sh; }
suite_nuget() { bash bindings/csharp/pack.sh; }

# The demo must work against the fake and see one token request per language.
suite_demo() {
    local out status=0
    # Its output is shown even when it failed: it says why.
    out="$(env -u MC_SUBDOMAIN -u MC_CLIENT_ID -u MC_CLIENT_SECRET bash examples/demo.sh)" || status=$?
    printf '%s\n' "$out"
    ((status == 0)) || return "$status"
    local ones
    ones="$(grep -cE 'server saw +1 token request$' <<<"$out" || true)"
    if [[ "$ones" != 3 ]]; then
        echo "the demo should report exactly one token request for each of 3 languages" >&2
        return 1
    fi
}

passed=0 failed=0 failures=() timings=()
record() { # suite status seconds
    timings+=("$1 ${3}s")
    if (($2 == 0)); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$1")
    fi
}
# suite: runs it here under set -e and sets $status. Called as a plain command: inside `if`, `||`
# or `&&` bash ignores set -e in all it runs, so a suite would go on past a failing command.
run_suite() {
    set +e
    (
        set -e
        "suite_$1"
    )
    status=$?
    set -e
}

started=$SECONDS
# The wheel (glibc 2.17) and the Windows check (x86_64-pc-windows-gnu) are compiled for other
# targets, in their own target folders, so they share nothing with the other suites. They build
# one after the other (side by side they took as long: each cargo already uses both cores) in the
# background from the start, at the lowest priority: they take the CPU that the foreground leaves
# idle (cargo's serial stretches, the suites that wait on sockets and sleeps) and little else.
# The benches run after they are joined: beside them, even at nice 19, the 2-thread and HTTPS
# figures doubled. Their tools are installed above, so no apt-get or rustup runs twice at once.
# Each one's output is shown when they are joined, and each is recorded as its own suite.
background=(wheel windows)
background_log="$(mktemp)"
# An interrupted run stops the background builds too: they run in their own process group (set -m),
# since a script's background jobs ignore the terminal's Ctrl-C. (A SIGKILL of the run's own group
# runs no trap: then they build on, at nice 19, holding target/wheel and target/windows-check.)
trap 'if [[ -n ${background_pid:-} ]]; then kill -- -"$background_pid" 2>/dev/null || true; fi
      rm -f "$background_log" "$background_log".*' EXIT
set -m
(
    renice -n 19 -p "$BASHPID" >/dev/null 2>&1 || true
    for suite in "${background[@]}"; do
        suite_started=$SECONDS
        run_suite "$suite" >"$background_log.$suite" 2>&1
        echo "$suite $status $((SECONDS - suite_started))" >>"$background_log.done"
    done
) </dev/null & # with set -m, bash no longer gives a background job /dev/null as stdin
background_pid=$!
set +m
echo "(${background[*]}: building in the background; their output follows the demo)"

foreground() { # suite
    printf '\n======== %s ========\n' "$1"
    local suite_started=$SECONDS
    run_suite "$1"
    record "$1" "$status" "$((SECONDS - suite_started))"
}
for suite in rust c install python csharp nuget demo; do
    foreground "$suite"
done
wait "$background_pid" || true
background_pid="" # joined: nothing for the trap to stop, and its group id may be reused
for suite in "${background[@]}"; do
    printf '\n======== %s (joined) ========\n' "$suite"
    cat "$background_log.$suite" 2>/dev/null || true
    read -r _ status seconds < <(grep "^$suite " "$background_log.done" 2>/dev/null) || status=1
    record "$suite" "$status" "${seconds:-0}"
done
foreground bench

printf '\n'
echo "wall time: $((SECONDS - started)) s (${timings[*]})"
((failed == 0)) || echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
((failed == 0))
