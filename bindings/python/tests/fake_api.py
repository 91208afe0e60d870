"""The fake Marketing Cloud's API controls and counters, and helpers the call tests share."""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, TypeVar

from conftest import FakeMc

T = TypeVar("T")


def _fetch(fake: FakeMc, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(f"{fake.http}{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def stats(fake: FakeMc, scenario: str) -> Dict[str, int]:
    """token_requests, api_calls, accepted, rejected, token_expired… of one scenario."""
    return _fetch(fake, f"/_stats/{scenario}")  # type: ignore[no-any-return]


def global_stats(fake: FakeMc) -> Dict[str, int]:
    """The same over everything, plus login_failed (API calls that carried no token)."""
    return _fetch(fake, "/_stats")  # type: ignore[no-any-return]


def revoke(fake: FakeMc, scenario: str) -> None:
    """Every token the scenario issued so far is now stale for the API."""
    _fetch(fake, f"/_revoke/{scenario}", "POST")


def reject(fake: FakeMc, scenario: str, count: int) -> None:
    """The next `count` API calls with a valid token of the scenario are refused as stale."""
    _fetch(fake, f"/_reject/{scenario}/{count}", "POST")


def wsdl(fake: FakeMc) -> str:
    return f"{fake.http}/etframework.wsdl"


def secret() -> str:
    return f"s3cr3t-{uuid.uuid4().hex}"


def on_threads(count: int, work: Callable[[], T]) -> List[T]:
    """Run `work` on `count` threads released together; re-raise the first failure."""
    barrier = threading.Barrier(count)
    results: List[T] = []
    errors: List[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            value = work()
            with lock:
                results.append(value)
        except BaseException as exc:  # handed to the main thread below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert len(results) == count
    return results
