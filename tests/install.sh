#!/usr/bin/env bash
# The installed library, as a C user gets it: `make install` into a temporary prefix, then
# - the SONAME, the symlinks, and exactly the C contract's functions exported (nm -D);
# - examples/c/quickstart.c compiled with `pkg-config --cflags --libs mcauth` (shared) and with
#   `pkg-config --static` against libmcauth.a, each run against the fake Marketing Cloud;
# - the sizes of what was installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tests/ensure-tools.sh
ensure_tools make:make patchelf:patchelf pkg-config:pkg-config readelf:binutils nm:binutils

prefix="$(mktemp -d "${TMPDIR:-/tmp}/mcauth-prefix.XXXXXX")"
trap 'rm -rf "$prefix"' EXIT
make --no-print-directory --quiet install PREFIX="$prefix" >/dev/null
lib="$prefix/lib"
version="$(sed -n 's/^Version: //p' "$lib/pkgconfig/mcauth.pc")"
passed=0
fail() { echo "install: $*" >&2; echo "$passed passed, 1 failed"; exit 1; }
ok() { echo "ok   $*"; passed=$((passed + 1)); }

soname="$(readelf -d "$lib/libmcauth.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
[[ "$soname" == "libmcauth.so.${version%%.*}" ]] || fail "SONAME is '$soname'"
[[ "$(readlink "$lib/libmcauth.so")" == "$soname" && -e "$lib/$soname" ]] || fail "broken symlinks"
ok "SONAME $soname, libmcauth.so -> $soname -> libmcauth.so.$version"

contract="$(grep -oE '\bmc_[a-z_]+\(' "$prefix/include/mcauth.h" | tr -d '(' | sort -u)"
exported="$(nm -D --defined-only "$lib/libmcauth.so" | awk '{print $3}' | sort -u)"
[[ "$exported" == "$contract" ]] || fail "exports differ from the header: $(diff <(echo "$contract") <(echo "$exported") | tr '\n' ' ')"
ok "exactly the $(wc -l <<<"$contract") functions of the header are exported"

export PKG_CONFIG_PATH="$lib/pkgconfig"
shared_flags="$(pkg-config --cflags --libs mcauth)"
static_flags="$(pkg-config --static --cflags --libs mcauth)"
# Both libraries are installed, so name the archive where -lmcauth would pick the .so.
static_flags="${static_flags/-lmcauth/$lib/libmcauth.a}"
gcc -std=c99 -O2 examples/c/quickstart.c $shared_flags -Wl,-rpath,"$lib" -o "$prefix/quickstart-shared"
gcc -std=c99 -O2 examples/c/quickstart.c $static_flags -o "$prefix/quickstart-static"
readelf -d "$prefix/quickstart-shared" | grep -q "NEEDED.*\[$soname\]" || fail "shared build does not need $soname"
! readelf -d "$prefix/quickstart-static" | grep -q 'NEEDED.*libmcauth' || fail "static build needs libmcauth"
for kind in shared static; do
    bash tests/with-fake-mc.sh bash -c 'MC_SUBDOMAIN="$FAKE_MC_HTTPS/install-$1/" MC_CLIENT_ID=id \
        MC_CLIENT_SECRET=secret MC_CA_FILE="$FAKE_MC_CA" "$2" >/dev/null' _ "$kind" "$prefix/quickstart-$kind" ||
        fail "the $kind quick start failed against the fake"
    ok "quickstart.c built with pkg-config ($kind) gets a token from the fake"
done

size() { du -k --apparent-size "$1" | cut -f1; }
echo "installed sizes: libmcauth.so.$version $(size "$lib/libmcauth.so.$version") KiB (stripped)," \
    "libmcauth.a $(size "$lib/libmcauth.a") KiB (debug info stripped), debug info" \
    "$(size "$lib/.debug/libmcauth.so.$version.debug") KiB in lib/.debug"
echo "$passed passed, 0 failed"
