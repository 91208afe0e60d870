# Sourced by the test and demo commands: makes sure the tools they need are
# installed. As root it installs what is missing with apt-get; otherwise it
# prints the exact command to run and fails.
#
#   ensure_tools COMMAND:DEBIAN-PACKAGE...
#   ensure_tools gcc:gcc valgrind:valgrind

ensure_tools() {
    local pair missing=()
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    # What no command reveals: `mcs -pkg:nunit` needs NUnit's pkg-config file,
    # and Debian splits Python's venv module into its own package.
    if [[ " $* " == *" nunit-console:"* ]] && ! pkg-config --exists nunit 2>/dev/null; then
        missing+=(libnunit-cil-dev pkg-config)
    fi
    if [[ " $* " == *" python3:"* ]] && command -v python3 >/dev/null 2>&1 &&
        ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        missing+=(python3-venv)
    fi
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing ${missing[*]} (apt-get)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "missing: ${missing[*]}; install them with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        return 1
    fi
}

# The standard library built from source for another target (tests/windows-check.sh) needs a
# nightly toolchain with rust-src. Checked before any suite runs, so a machine without it fails
# at once rather than when the background suites are joined.
ensure_nightly_rust_src() {
    local sysroot
    sysroot="$(rustc +nightly --print sysroot 2>/dev/null || true)"
    if [[ -z "$sysroot" || ! -f "$sysroot/lib/rustlib/src/rust/library/std/Cargo.toml" ]]; then
        echo "a nightly toolchain with rust-src is missing (to build std for Windows); install it with:" >&2
        echo "  rustup toolchain install nightly --profile minimal --component rust-src" >&2
        return 1
    fi
}

# Rust comes from rustup, not apt: say so rather than install a second toolchain.
ensure_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "cargo is missing: install Rust from https://rustup.rs (1.89 or later)" >&2
        return 1
    fi
}
