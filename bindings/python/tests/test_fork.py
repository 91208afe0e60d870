"""multiprocessing with the fork start method: a child gets a token within its budget and never
hangs, whatever the parent's other threads were doing, and serves a still-valid cached token
without a request. 20 children per scenario, each under a watchdog; the fake counts requests."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Callable, List, Optional

import pytest

import mcauth

from conftest import FakeMc

# Python warns that fork() in a multi-threaded process may deadlock: that is what this proves
# the library survives.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TRIALS = 20
WATCHDOG = 15  # seconds; a child alive after that is hung
FORK = multiprocessing.get_context("fork")


def _child(body: Callable[[], bool]) -> None:
    signal.alarm(WATCHDOG)
    try:
        ok = body()
    except BaseException as error:  # noqa: BLE001 - any failure is the child's exit code
        print(f"child {os.getpid()}: {error!r}", file=sys.stderr)
        ok = False
    os._exit(0 if ok else 1)


def _fork_all(bodies: List[Callable[[], bool]]) -> List[str]:
    """Runs each body in a forked child; describes the children that failed or hung."""
    children = [FORK.Process(target=_child, args=(body,)) for body in bodies]
    for child in children:
        child.start()
    failures = []
    for child in children:
        child.join(WATCHDOG + 5)
        if child.is_alive():
            child.kill()
            child.join()
            failures.append(f"child {child.pid} hung")
        elif child.exitcode == -signal.SIGALRM:
            failures.append(f"child {child.pid} hung (watchdog)")
        elif child.exitcode != 0:
            failures.append(f"child {child.pid} exited {child.exitcode}")
    return failures


def _token_is(auth: mcauth.MarketingCloudAuth, expected: Optional[str]) -> bool:
    token = auth.get_token()
    return expected is None or token == expected


def test_a_child_serves_the_cached_token_without_a_request(fake: FakeMc, scenario: str) -> None:
    auth = mcauth.MarketingCloudAuth(fake.url(scenario), "client-id", "py-fork-secret", timeout=5)
    token = auth.get_token()

    def body() -> bool:
        again = mcauth.MarketingCloudAuth(fake.url(scenario), "client-id", "py-fork-secret", timeout=5)
        return _token_is(auth, token) and _token_is(again, token)

    assert _fork_all([body] * TRIALS) == []
    assert fake.count(scenario) == 1


def test_a_child_forked_during_another_threads_request_gets_a_token(fake: FakeMc, scenario: str) -> None:
    url = fake.url(f"{scenario}/delay=2000")
    auth = mcauth.MarketingCloudAuth(url, "client-id", "py-fork-secret", timeout=8)
    parent = threading.Thread(target=auth.get_token)
    parent.start()
    time.sleep(0.3)
    assert _fork_all([lambda: _token_is(auth, None)] * TRIALS) == []
    parent.join()


def test_a_child_forked_during_a_refresh_gets_a_token_after_expiry(fake: FakeMc, scenario: str) -> None:
    # Lifetime 4 s, refreshed from half-life (large margin); answers take 1.2 s.
    url = fake.url(f"{scenario}/expires=4/delay=1200")
    auth = mcauth.MarketingCloudAuth(url, "client-id", "py-fork-secret", timeout=8, refresh_margin=1000)
    sent = time.monotonic()
    old = auth.get_token()
    time.sleep(max(0.0, 2.1 - (time.monotonic() - sent)))
    refresher = threading.Thread(target=auth.get_token)
    refresher.start()
    time.sleep(0.3)

    def body() -> bool:
        time.sleep(max(0.0, 4.0 - (time.monotonic() - sent)))  # the old token has expired
        return auth.get_token() != old

    assert _fork_all([body] * TRIALS) == []
    refresher.join()


def test_a_child_forked_during_handle_churn_neither_hangs_nor_sends(fake: FakeMc, scenario: str) -> None:
    url = fake.url(scenario)
    auth = mcauth.MarketingCloudAuth(url, "client-id", "py-fork-secret", timeout=5)
    token = auth.get_token()
    stop = threading.Event()

    def churn(n: int) -> None:
        i = 0
        while not stop.is_set():
            mcauth.MarketingCloudAuth(url, "client-id", "py-fork-secret").close()
            mcauth.MarketingCloudAuth(url, f"churn-{n}-{i}", "py-fork-secret").close()
            i += 1

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        def body() -> bool:
            again = mcauth.MarketingCloudAuth(url, "client-id", "py-fork-secret", timeout=5)
            return _token_is(auth, token) and _token_is(again, token)

        failures = []
        for _ in range(TRIALS):  # one at a time, each at another moment of the churn
            time.sleep(0.005)
            failures += _fork_all([body])
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert fake.count(scenario) == 1


# Runs in a fresh interpreter, which has not loaded the trust store: one thread loads it for
# its first HTTPS request while the main thread forks a multiprocessing child. Exits with
# FORKED_AFTER_LOAD when that request had already ended: such a trial proves nothing.
FORKED_AFTER_LOAD = 5
_ROOTS_TRIAL = textwrap.dedent("""
    import multiprocessing, os, signal, sys, threading, time
    import mcauth
    url, ca, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    loaded, failed = threading.Event(), []

    def token():
        return mcauth.MarketingCloudAuth(url, "client-id", "py-fork-secret", timeout=8, ca_file=ca).get_token()

    def child():
        signal.alarm(15)
        try:
            token()
        except BaseException:
            os._exit(1)
        os._exit(0)

    def load():
        try:
            token()
        except BaseException as error:
            failed.append(error)
        finally:
            loaded.set()

    loader = threading.Thread(target=load)
    loader.start()
    time.sleep(delay)
    during_load = not loaded.is_set()
    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(20)
    loader.join()
    sys.exit(1 if process.exitcode != 0 or failed else 0 if during_load else %d)
""" % FORKED_AFTER_LOAD)


def _slow_bundle(path: Path, fake: FakeMc) -> Path:
    """The system's CA bundle (else the fake's CA) many times over, 10 MB: its load lasts long
    enough to fork during (the system's alone loads in about 0.5 ms), as in tests/fork.rs."""
    system = Path("/etc/ssl/certs/ca-certificates.crt")
    pem = system.read_bytes() if system.is_file() and system.stat().st_size else Path(fake.ca).read_bytes()
    path.write_bytes(pem * (10_000_000 // len(pem) + 1))
    return path


def test_a_child_forked_during_the_first_trust_store_load_gets_a_token(
        fake: FakeMc, scenario: str, tmp_path: Path) -> None:
    env = dict(os.environ, SSL_CERT_FILE=str(_slow_bundle(tmp_path / "bundle.pem", fake)))
    failures, after_load = [], 0
    for trial in range(TRIALS):
        done = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", _ROOTS_TRIAL,
             fake.url(scenario, https=True), fake.ca, str(trial * 0.0005)],
            capture_output=True, text=True, timeout=60, env=env)
        if done.returncode == FORKED_AFTER_LOAD:
            after_load += 1
        elif done.returncode != 0:
            failures.append(f"trial {trial}: exit {done.returncode} {done.stderr.strip()[-300:]}")
    assert failures == []
    # A trial that forked after the request proved nothing: most must not.
    assert after_load <= TRIALS // 4, (
        f"{after_load} of {TRIALS} trials forked after the first request had ended: the trust store "
        "loads too fast here to test a fork during its load (grow _slow_bundle)")
