"""The whole mcauth flow from Python.

Reads MC_SUBDOMAIN, MC_CLIENT_ID and MC_CLIENT_SECRET (and, optionally,
MC_CA_FILE) from the environment, never from the command line, where `ps`
would show the secret. Run after `pip install ./bindings/python`:

    python3 examples/python/quickstart.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import mcauth

ROUNDS = 5
CALLS_PER_ROUND = 20_000


def masked(token: str) -> str:
    """The first 4 characters: enough to compare, useless to steal."""
    return token[:4] + "…"


def masked_header(header: str) -> str:
    open_end = header.index(">") + 1
    close = header.index("</h:fueloauth>")
    return header[:open_end] + masked(header[open_end:close]) + header[close:]


def endpoint(auth: mcauth.MarketingCloudAuth, name: str) -> str:
    try:
        return getattr(auth, name)
    except mcauth.InvalidArgumentError:
        return "n/a (a custom auth URL names no tenant)"


def cached_call_ns(auth: mcauth.MarketingCloudAuth) -> float:
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        for _ in range(CALLS_PER_ROUND):
            auth.get_token()
        rounds.append((time.perf_counter_ns() - start) / CALLS_PER_ROUND)
    return statistics.median(rounds)


def main() -> int:
    try:
        subdomain = os.environ["MC_SUBDOMAIN"]
        client_id = os.environ["MC_CLIENT_ID"]
        client_secret = os.environ["MC_CLIENT_SECRET"]
    except KeyError:
        print("error: set MC_SUBDOMAIN, MC_CLIENT_ID and MC_CLIENT_SECRET", file=sys.stderr)
        return 2
    ca_file = os.environ.get("MC_CA_FILE") or None

    try:
        with mcauth.MarketingCloudAuth(subdomain, client_id, client_secret, ca_file=ca_file) as auth:
            start = time.perf_counter()
            token = auth.get_token()
            print(f"  {'token':<13} {masked(token)}  (first call: {(time.perf_counter() - start) * 1e3:.1f} ms)")

            start = time.perf_counter()
            again = auth.get_token()
            took_us = (time.perf_counter() - start) * 1e6
            same = "same token" if again == token else "NEW TOKEN"
            print(f"  {'again':<13} {masked(again)}  ({same}, {took_us:.1f} µs: from the cache)")

            # A second object with the same credentials shares the process-wide cache.
            with mcauth.MarketingCloudAuth(subdomain, client_id, client_secret, ca_file=ca_file) as second:
                shared = second.get_token()
                note = "same token: the cache is process-wide" if shared == token else "NEW TOKEN"
                print(f"  {'new object':<13} {masked(shared)}  ({note})")

            print(f"  {'SOAP header':<13} {masked_header(auth.soap_header())}")
            print(f"  {'REST base':<13} {endpoint(auth, 'rest_base_url')}")
            print(f"  {'SOAP endpoint':<13} {endpoint(auth, 'soap_endpoint')}")
            print(f"  {'cached call':<13} {cached_call_ns(auth):.0f} ns (median of {ROUNDS} × {CALLS_PER_ROUND} calls)")

            # After a REST or SOAP call answers 401 with this token:
            #     auth.invalidate(token)   and the next get_token() fetches a new one.
    except mcauth.McAuthError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
