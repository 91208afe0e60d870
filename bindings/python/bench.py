"""Cost of a cached get_token() beside the cheapest ctypes call into the same library.

Run under tests/with-fake-mc.sh, which starts the fake Marketing Cloud and sets
FAKE_MC_HTTP (run-tests.sh does).  Prints medians of several timeit repeats; the
target is a ratio of at most 3.
"""

from __future__ import annotations

import os
import statistics
import sys
import timeit
from ctypes import create_string_buffer
from typing import Callable, Dict, List

import mcauth
from mcauth._native import lib

NUMBER = 50_000
TOKEN_BUFFER_SIZE = 65536  # mc_get_token_into's contract
REPEAT = 15


def ns_per_call(funcs: Dict[str, Callable[[], object]]) -> Dict[str, float]:
    """Median ns/call of each function; rounds interleave them so background load hits all alike."""
    samples: Dict[str, List[float]] = {name: [] for name in funcs}
    for _ in range(REPEAT):
        for name, func in funcs.items():
            samples[name].append(timeit.timeit(func, number=NUMBER) / NUMBER * 1e9)
    return {name: statistics.median(times) for name, times in samples.items()}


def run(fake_http: str) -> None:
    with mcauth.MarketingCloudAuth(f"{fake_http}/py-bench/", "bench-client", "bench-secret") as auth:
        auth.get_token()  # fills the cache: every timed call is a hit
        handle, buffer = auth._handle, create_string_buffer(TOKEN_BUFFER_SIZE)

        def call_only() -> None:
            # The one foreign call a cached get_token cannot avoid, with no copy,
            # decode or bookkeeping: what is left of the cost is the wrapper's own.
            lib.mc_get_token_into(handle, buffer, TOKEN_BUFFER_SIZE)

        cost = ns_per_call({"cached get_token": auth.get_token, "foreign call only": call_only,
                            "bare": lib.mc_version})
    bare = cost.pop("bare")
    for label, ns in cost.items():
        print(f"python  {label:<19} {ns:6.0f} ns/call   bare mc_version {bare:5.0f} ns/call"
              f"   ratio {ns / bare:5.1f}")


def main() -> None:
    fake_http = os.environ.get("FAKE_MC_HTTP")
    if not fake_http:
        sys.exit("bench.py: FAKE_MC_HTTP is not set: run under tests/with-fake-mc.sh")
    run(fake_http.rstrip("/"))


if __name__ == "__main__":
    main()
