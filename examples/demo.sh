#!/usr/bin/env bash
# The demo: the C, Python and C# quick starts, each getting a token, getting it
# again from the cache, and printing the SOAP header, the endpoints and the
# cached call's cost; then authenticated REST and SOAP calls from C with
# libcurl, recovering from a rejected token. Without MC_SUBDOMAIN/MC_CLIENT_ID/MC_CLIENT_SECRET it
# runs them against the embedded fake Marketing Cloud (over HTTPS, trusting
# its throwaway CA) and shows how many token requests the server saw; with
# them, against your tenant. Builds and installs what it needs first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/target/demo"

set_count=0
for var in MC_SUBDOMAIN MC_CLIENT_ID MC_CLIENT_SECRET; do
    [[ -n "${!var:-}" ]] && set_count=$((set_count + 1))
done
if ((set_count != 0 && set_count != 3)); then
    echo "set all of MC_SUBDOMAIN, MC_CLIENT_ID and MC_CLIENT_SECRET, or none for the fake" >&2
    exit 2
fi

# Against the fake: rerun this script with the fake started around it.
if ((set_count == 0)) && [[ -z "${FAKE_MC_HTTPS:-}" ]]; then
    source tests/ensure-tools.sh
    ensure_cargo
    cargo build --release --workspace --quiet
    exec bash tests/with-fake-mc.sh bash "$ROOT/examples/demo.sh" # $0 may be relative to where it ran
fi

source tests/ensure-tools.sh
ensure_cargo
ensure_tools gcc:gcc python3:python3 mcs:mono-mcs mono:mono-runtime curl-config:libcurl4-openssl-dev
# mono-devel (probed by its wsdl) brings System.Net.Http, which the binding's McAuthHandler needs.
ensure_tools wsdl:mono-devel
cargo build --release --workspace --quiet
mkdir -p "$OUT"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Iinclude examples/c/quickstart.c \
    -Ltarget/release -lmcauth -Wl,-rpath,"$ROOT/target/release" -o "$OUT/quickstart-c"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Iinclude examples/c/calls.c $(curl-config --cflags --libs) \
    -Ltarget/release -lmcauth -Wl,-rpath,"$ROOT/target/release" -o "$OUT/calls-c"
mcs -nologo -unsafe -langversion:7.2 -r:System.Net.Http -out:"$OUT/QuickStart.exe" \
    examples/csharp/QuickStart.cs bindings/csharp/src/*.cs

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)" # tomllib needs Python 3.11
if ((set_count == 0)); then
    echo "mcauth $version demo against the embedded fake Marketing Cloud at $FAKE_MC_HTTPS (test CA)"
else
    echo "mcauth $version demo against your tenant ($MC_SUBDOMAIN)"
fi

# The fake counts requests per scenario path; each language gets its own.
fake() { # METHOD PATH: the fake's answer
    # Never through a proxy the environment names: the fake is on loopback.
    python3 -c 'import sys, urllib.request as u; print(u.build_opener(u.ProxyHandler({})).open(u.Request(sys.argv[2], method=sys.argv[1])).read().decode())' \
        "$1" "$FAKE_MC_HTTP$2"
}
server_count() { fake GET "/_count/demo-$1"; }

run() { # slug label command...
    local slug="$1" label="$2"
    shift 2
    printf '\n%s\n' "$label"
    if ((set_count == 0)); then
        MC_SUBDOMAIN="$FAKE_MC_HTTPS/demo-$slug/" MC_CLIENT_ID="demo-$slug-client" \
            MC_CLIENT_SECRET="demo-$slug-secret" MC_CA_FILE="$FAKE_MC_CA" "$@"
        local seen
        seen="$(server_count "$slug")"
        printf '  %-13s %s token request%s\n' "server saw" "$seen" "$([[ $seen == 1 ]] || echo s)"
        [[ "$seen" == 1 ]]
    else
        "$@"
    fi
}

run c "C" "$OUT/quickstart-c"
PYTHONPATH="$ROOT/bindings/python${PYTHONPATH:+:$PYTHONPATH}" \
    run python "Python" python3 examples/python/quickstart.py
LD_LIBRARY_PATH="$ROOT/target/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    run csharp "C#" mono "$OUT/QuickStart.exe"

if ((set_count == 0)); then
    # An enhanced package beside the legacy ones: the same quick start, through /v2/token.
    printf '\nC, an enhanced package (mc_auth_new_enhanced, account_id 510000123)\n'
    MC_PACKAGE=enhanced MC_ACCOUNT_ID=510000123 MC_SUBDOMAIN="$FAKE_MC_HTTPS/demo-enhanced/" \
        MC_CLIENT_ID="demo-enhanced-client" MC_CLIENT_SECRET="demo-enhanced-secret" \
        MC_CA_FILE="$FAKE_MC_CA" "$OUT/quickstart-c"
    endpoint="$(fake GET /_last/demo-enhanced | python3 -c 'import json, sys; print(json.load(sys.stdin)["endpoint"])')"
    seen="$(server_count enhanced)"
    printf '  %-13s %s token request, to %s\n' "server saw" "$seen" "$endpoint"
    [[ "$seen" == 1 && "$endpoint" == /v2/token ]]
fi

printf '\nC, REST and SOAP calls with libcurl (examples/c/calls.c)'
if ((set_count == 0)); then
    # As Marketing Cloud does with a revoked token: the first call is refused.
    fake POST /_reject/demo-calls/1 >/dev/null
    printf ': the fake refuses the first call'"'"'s token\n'
    MC_SUBDOMAIN="$FAKE_MC_HTTPS/demo-calls/" MC_CLIENT_ID="demo-calls-client" \
        MC_CLIENT_SECRET="demo-calls-secret" MC_CA_FILE="$FAKE_MC_CA" "$OUT/calls-c"
    printf '  %-13s %s token requests: the refused token and its replacement\n' "server saw" \
        "$(server_count calls)"
else
    # It inserts a row into a data extension: not something to do to a tenant uninvited.
    printf ': skipped against your tenant (it writes a row); run target/demo/calls-c yourself\n'
fi

if ((set_count == 0)); then
    printf '\nOK: in each language, one token request served every call and object;\n'
    printf 'a refused token was replaced once and the call retried.\n'
else
    printf '\nOK: your credentials work; tokens are cached and refreshed by mcauth.\n'
fi
