#!/usr/bin/env bash
# The library still compiles for Windows: every target of the workspace (the library, its unit
# tests, the integration tests, benches, examples) checked for x86_64-pc-windows-gnu with
# warnings as errors, then mcauth.dll linked by mingw-w64 (kept in target/windows-check, shipped
# nowhere) and its exports compared with the header's functions. Nothing runs: there is no
# Windows machine or wine here. The target's standard library is rustup's (or, where rustup
# cannot fetch it, built from source by nightly: see ensure_windows_std). rustc's warnings only:
# stable clippy already lints the same code on Linux.
#   bash tests/windows-check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tests/ensure-tools.sh
# ring's build script compiles its C and assembly with the target's gcc; mingw's also links the dll.
ensure_tools x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 x86_64-w64-mingw32-objdump:binutils-mingw-w64-x86-64

target=x86_64-pc-windows-gnu
ensure_windows_std "$target"

export CARGO_TARGET_DIR="$ROOT/target/windows-check"
export RUSTFLAGS="-D warnings"
# No debug info: the dll is only linked, never run; a third of the size, and faster to build.
export CARGO_PROFILE_DEV_DEBUG=0
"${windows_cargo[@]}" build --quiet "${windows_target[@]}" -p mcauth --lib
dll="$CARGO_TARGET_DIR/$target/debug/mcauth.dll"
[[ -s "$dll" ]] || { echo "windows-check: no $dll after the build" >&2; exit 1; }
echo "ok   mcauth.dll links with mingw-w64 ($(du -k "$dll" | cut -f1) KiB, debug build)"
# After the build: a std built from source is then reused (the other order compiles it twice, once
# as metadata only).
"${windows_cargo[@]}" check --quiet "${windows_target[@]}" --workspace --all-targets
echo "ok   every target checks for $target with -D warnings"
# Every function of the header exists on Windows too, and nothing else is exported.
contract="$(grep -oE '\bmc_[a-z_]+\(' include/mcauth.h | tr -d '(' | sort -u)"
exported="$(x86_64-w64-mingw32-objdump -p "$dll" | sed -n '/Ordinal\/Name Pointer/,/^$/p' |
    { grep -E '^\s*\[ *[0-9]+\] ' || true; } | awk '{print $NF}' | sort -u)"
if [[ "$exported" != "$contract" ]]; then
    echo "windows-check: mcauth.dll's exports differ from the header:" >&2
    diff <(echo "$contract") <(echo "$exported") >&2 || true
    exit 1
fi
echo "ok   mcauth.dll exports exactly the $(wc -l <<<"$contract") functions of the header"
