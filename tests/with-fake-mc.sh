#!/usr/bin/env bash
# Runs a command with the fake Marketing Cloud running:
#   tests/with-fake-mc.sh CMD ARGS…
# exports FAKE_MC_HTTP, FAKE_MC_HTTPS, FAKE_MC_PROXY and FAKE_MC_CA for CMD, stops the fake
# however CMD ends, and exits with CMD's status. The binary is $FAKE_MC_BIN, or
# target/release/fake-mc (built if missing).
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${FAKE_MC_BIN:-$repo/target/release/fake-mc}"
if [ ! -x "$bin" ]; then
    if [ -n "${FAKE_MC_BIN:-}" ]; then
        echo "with-fake-mc: FAKE_MC_BIN=$bin is not an executable" >&2
        exit 1
    fi
    echo "with-fake-mc: building fake-mc" >&2
    (cd "$repo" && cargo build --release --workspace >&2) # as every suite builds: no other feature set
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/with-fake-mc.XXXXXX")"
fake_pid=""
cleanup() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap stops the fake.
trap 'exit 130' INT
trap 'exit 143' TERM

# The CA goes into our own directory, which the trap removes (a killed fake cannot clean up).
: >"$work/out" # exists before we poll it, whenever the background job opens it
"$bin" --ca-out "$work/ca.pem" >"$work/out" &
fake_pid=$!

line=""
for _ in $(seq 100); do
    if IFS= read -r line <"$work/out" && [ -n "$line" ]; then
        break
    fi
    if ! kill -0 "$fake_pid" 2>/dev/null; then
        echo "with-fake-mc: fake-mc exited before it was ready" >&2
        exit 1
    fi
    sleep 0.1
done
case "$line" in
    "fake-mc http="*) ;;
    *)
        echo "with-fake-mc: fake-mc did not report its addresses within 10 s" >&2
        exit 1
        ;;
esac

# The line is: fake-mc http=URL https=URL proxy=URL ca=PATH
field() {
    local word
    for word in $line; do
        case "$word" in "$1="*) printf '%s\n' "${word#"$1="}" ;; esac
    done
}
FAKE_MC_HTTP="$(field http)"
FAKE_MC_HTTPS="$(field https)"
FAKE_MC_PROXY="$(field proxy)"
FAKE_MC_CA="$(field ca)"
export FAKE_MC_HTTP FAKE_MC_HTTPS FAKE_MC_PROXY FAKE_MC_CA

status=0
"$@" || status=$?
exit "$status"
