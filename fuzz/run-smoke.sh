#!/usr/bin/env bash
# fuzz/run-smoke.sh [SECONDS] — runs each fuzz target for SECONDS (default 20) from the
# committed seed corpus (new inputs go to a scratch copy, so the tree stays clean), and
# prints the runs and findings of each. Needs a nightly toolchain: without one it says so and
# exits 0 (nothing to run); it installs cargo-fuzz when missing. Exits 1 on any finding.
set -euo pipefail
FUZZ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$FUZZ"
SECONDS_EACH="${1:-20}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: no nightly toolchain (rustup toolchain install nightly): skipped"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz (cargo install cargo-fuzz)"
    cargo install --quiet cargo-fuzz
fi

# Every [[bin]] of fuzz/Cargo.toml: a new target runs without being listed twice.
mapfile -t TARGETS < <(cargo +nightly fuzz list)
# set -e does not see a failure inside < <(…): an empty list would fuzz nothing and pass.
((${#TARGETS[@]})) || { echo "fuzz: cargo fuzz list found no targets" >&2; exit 1; }
scratch="" build_log=""
# An interrupted run leaves no copy of the corpus behind, nor a build log.
trap 'rm -rf "$scratch" "$build_log"' EXIT
started=$SECONDS
echo "==> building ${#TARGETS[@]} targets (cargo +nightly fuzz build, AddressSanitizer)"
build_log="$(mktemp)"
if ! cargo +nightly fuzz build --release >"$build_log" 2>&1; then
    grep -E '^error' -A5 "$build_log" | head -40 >&2 || tail -20 "$build_log" >&2
    echo "fuzz: the targets do not build" >&2
    exit 1
fi
findings=0
for target in "${TARGETS[@]}"; do
    scratch="$(mktemp -d)"
    # The log beside the corpus copy, not in it: libFuzzer loads every file there.
    mkdir "$scratch/corpus"
    cp -r "corpus/$target/." "$scratch/corpus/"
    log="$scratch/log"
    rc=0
    cargo +nightly fuzz run --release "$target" "$scratch/corpus" -- \
        -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$FUZZ/artifacts/$target-" \
        >"$log" 2>&1 || rc=$?
    runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')"
    if ((rc != 0)); then
        findings=$((findings + 1))
        echo "fuzz $target: FINDING after $runs runs (exit $rc); artifacts in fuzz/artifacts/"
        # (|| true: a log without these lines must not end the script under set -e and pipefail.)
        grep -E 'panicked|ERROR: |SUMMARY|^error' "$log" | head -5 | sed 's/^/    /' || true
    else
        echo "fuzz $target: $runs runs in ${SECONDS_EACH}s, no finding"
    fi
    rm -rf "$scratch"
done
echo "fuzz: ${#TARGETS[@]} targets, $findings with findings, wall time $((SECONDS - started)) s"
((findings == 0))
