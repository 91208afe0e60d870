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

# The standard library for Windows (tests/windows-check.sh): rustup's prebuilt one, added to the
# toolchain the project builds with when it is missing; where rustup cannot fetch it, nightly builds
# it from source (-Zbuild-std, which needs rust-src): 58 s for the check here against 40 s. Sets
# windows_cargo (the cargo command) and windows_target (its target arguments). Run before any
# suite, so a machine with neither fails at once and no two rustups run side by side; the choice
# is exported (MCAUTH_TEST_WINDOWS_STD): windows-check.sh, in the background, takes it as made.
ensure_windows_std() { # target
    local target="$1" sysroot
    if [[ -z ${MCAUTH_TEST_WINDOWS_STD:-} ]]; then
        # grep reads all (no -q): rustup killed by SIGPIPE would fail the pipe under pipefail.
        if rustup target list --installed 2>/dev/null | grep -x "$target" >/dev/null ||
            timeout 300 rustup target add "$target" >/dev/null 2>&1; then
            MCAUTH_TEST_WINDOWS_STD=rustup
        else
            sysroot="$(rustc +nightly --print sysroot 2>/dev/null || true)"
            if [[ -z "$sysroot" || ! -f "$sysroot/lib/rustlib/src/rust/library/std/Cargo.toml" ]]; then
                echo "no standard library for $target: rustup could not add it and nightly has no rust-src; either of:" >&2
                echo "  rustup target add $target" >&2
                echo "  rustup toolchain install nightly --profile minimal --component rust-src" >&2
                return 1
            fi
            echo "==> rustup could not add $target: building its std from source with nightly"
            MCAUTH_TEST_WINDOWS_STD=nightly
        fi
        export MCAUTH_TEST_WINDOWS_STD
    fi
    if [[ $MCAUTH_TEST_WINDOWS_STD == rustup ]]; then
        windows_cargo=(cargo)
        windows_target=(--target "$target")
    else
        windows_cargo=(cargo +nightly)
        windows_target=(-Zbuild-std=std,panic_abort --target "$target")
    fi
}

# Rust comes from rustup, not apt: say so rather than install a second toolchain.
ensure_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "cargo is missing: install Rust from https://rustup.rs (1.89 or later)" >&2
        return 1
    fi
}
