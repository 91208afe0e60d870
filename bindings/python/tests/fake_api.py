"""Helpers the tests share: a fresh secret per handle, and work run on many threads at once.
The fake's counters and controls are FakeMc's, in conftest.py."""

from __future__ import annotations

import threading
import uuid
from typing import Callable, List, TypeVar

T = TypeVar("T")


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
