#!/usr/bin/env bash
# The one test command: installs what is missing (apt-get when root;
# otherwise it prints the command), then runs every suite: Rust (format,
# lints, unit and integration tests, header freshness, benches), C (shared and
# static under valgrind), install, Python, the wheel (in the background), C#,
# NuGet, and the demo. Prints each suite's wall time; exits non-zero if any fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tests/ensure-tools.sh

ensure_cargo
ensure_tools gcc:gcc g++:g++ readelf:binutils valgrind:valgrind python3:python3 \
    mcs:mono-mcs mono:mono-runtime nunit-console:nunit-console curl-config:libcurl4-openssl-dev \
    redis-server:redis-server openssl:openssl

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
    cargo bench --bench c_abi
    cargo bench --bench cold_start
    cargo bench --bench registry
    cargo bench --bench shared_cache
}

suite_c() { bash tests/c/run.sh; }
suite_install() { bash tests/install.sh; }
suite_python() { bash bindings/python/run-tests.sh; }
suite_wheel() { bash bindings/python/build-wheel.sh; }
suite_csharp() { bash bindings/csharp/run-tests.sh; }
suite_nuget() { bash bindings/csharp/pack.sh; }

# The demo must work against the fake and see one token request per language.
suite_demo() {
    local out
    out="$(env -u MC_SUBDOMAIN -u MC_CLIENT_ID -u MC_CLIENT_SECRET bash examples/demo.sh)"
    printf '%s\n' "$out"
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
run_suite() { # suite: runs it here, under set -e (not inside `if`: bash would ignore set -e there)
    set +e
    (
        set -e
        "suite_$1"
    )
    local status=$?
    set -e
    return $status
}

started=$SECONDS
# The wheel is compiled for another target (glibc 2.17), so it shares nothing with the other
# suites: it builds in the background, after the Rust suite's own compiling, while the C, Python
# and C# suites mostly wait on sockets and sleeps; its output is shown when it is joined.
wheel_log="$(mktemp)"
trap 'rm -f "$wheel_log"' EXIT
for suite in rust wheel c install python csharp nuget demo; do
    printf '\n======== %s ========\n' "$suite"
    suite_started=$SECONDS
    if [[ $suite == wheel ]]; then
        (status=0; run_suite wheel >"$wheel_log" 2>&1 || status=$?; echo "$status $((SECONDS - suite_started))" >>"$wheel_log.done") &
        wheel_pid=$!
        echo "(building in the background; its output follows the demo)"
        continue
    fi
    status=0
    run_suite "$suite" || status=$?
    record "$suite" "$status" "$((SECONDS - suite_started))"
done
wait "$wheel_pid" || true
printf '\n======== wheel (joined) ========\n'
cat "$wheel_log"
read -r wheel_status wheel_seconds <"$wheel_log.done" || wheel_status=1
rm -f "$wheel_log.done"
record wheel "$wheel_status" "${wheel_seconds:-0}"

printf '\n'
echo "wall time: $((SECONDS - started)) s (${timings[*]})"
((failed == 0)) || echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
((failed == 0))
