"""Object lifetime: repr, close, use after close, and many short-lived objects without leaks."""

from __future__ import annotations

import copy
import ctypes
import gc
import os
import pickle
import threading
import time
import uuid
import weakref

import pytest

import mcauth
from conftest import FakeMc

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


_mallinfo2 = ctypes.CDLL(None).mallinfo2  # glibc >= 2.33
_mallinfo2.restype = _MallInfo2


def heap_bytes() -> int:
    """Bytes in use in the C heap: the library's allocations (and Python's large blocks), but
    not pymalloc's arenas, so a leaked handle (about 500 bytes) stands out where RSS is noisy."""
    return int(_mallinfo2().uordblks)


def test_repr_shows_subdomain_and_client_id_only(fake: FakeMc, scenario: str) -> None:
    password = f"s3cr3t-{uuid.uuid4().hex}"
    auth = mcauth.MarketingCloudAuth(fake.url(scenario), "client-repr", password)
    token = auth.get_token()
    text = repr(auth)
    assert fake.url(scenario) in text and "client-repr" in text
    assert password not in text and token not in text
    assert password not in str(vars(auth))  # the secret is not kept on the object at all
    auth.close()
    assert "closed" in repr(auth)


def test_close_is_idempotent_and_use_after_close_raises(fake: FakeMc, scenario: str) -> None:
    auth = mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", "s3cr3t")
    assert not auth.closed
    auth.close()
    auth.close()
    assert auth.closed
    calls = [auth.get_token, auth.soap_header, lambda: auth.invalidate(None),
             lambda: auth.rest_base_url, lambda: auth.soap_endpoint]
    for call in calls:
        with pytest.raises(mcauth.McAuthError) as caught:
            call()
        assert isinstance(caught.value, ValueError) and caught.value.status == 1
    assert fake.count(scenario) == 0


def test_copying_or_pickling_is_refused(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-copy", f"s3cr3t-{uuid.uuid4().hex}") as auth:
        for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
            with pytest.raises(TypeError):
                attempt(auth)
        assert auth.get_token()  # the original is untouched


def test_with_block_closes(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", "s3cr3t") as auth:
        assert not auth.closed
    assert auth.closed


def test_failed_constructor_leaves_a_safe_object() -> None:
    # __del__ of a half-built object (mc_auth_new refused the subdomain) must not raise.
    with pytest.raises(mcauth.InvalidArgumentError):
        mcauth.MarketingCloudAuth("a b", "client-a", "s3cr3t")
    gc.collect()


def test_failing_setter_frees_the_new_handle(fake: FakeMc, scenario: str) -> None:
    # The proxy is set after mc_auth_new; when the core refuses it the handle must be freed.
    for _ in range(200):
        with pytest.raises(mcauth.InvalidArgumentError):
            mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", "s3cr3t", proxy="not a proxy")
    gc.collect()
    before = heap_bytes()
    for _ in range(2000):
        with pytest.raises(mcauth.InvalidArgumentError):
            mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", "s3cr3t", proxy="not a proxy")
    gc.collect()
    grown = heap_bytes() - before
    assert grown < 200_000, f"the C heap grew by {grown} bytes over 2000 refused proxies"


def test_2000_short_lived_objects_leak_nothing(fake: FakeMc, scenario: str) -> None:
    password = f"s3cr3t-{uuid.uuid4().hex}"
    url = fake.url(scenario)

    def churn(count: int, refs: list[weakref.ref[mcauth.MarketingCloudAuth]]) -> None:
        for i in range(count):
            auth = mcauth.MarketingCloudAuth(url, "client-a", password, timeout=10.0)
            auth.get_token()
            auth.soap_header()
            refs.append(weakref.ref(auth))
            if i % 2:
                auth.close()  # half closed explicitly, half left to __del__
            del auth

    warm: list[weakref.ref[mcauth.MarketingCloudAuth]] = []
    churn(200, warm)  # lets allocator pools and the cache entry settle before measuring
    gc.collect()
    rss_before, heap_before = rss_bytes(), heap_bytes()
    refs: list[weakref.ref[mcauth.MarketingCloudAuth]] = []
    churn(2000, refs)
    gc.collect()
    rss_grown, heap_grown = rss_bytes() - rss_before, heap_bytes() - heap_before
    assert all(ref() is None for ref in warm + refs), "objects outlived their last reference"
    assert heap_grown < 200_000, f"the C heap grew by {heap_grown} bytes over 2000 objects"
    assert rss_grown < 4 << 20, f"RSS grew by {rss_grown} bytes over 2000 objects"


def test_returned_strings_are_freed(fake: FakeMc, scenario: str) -> None:
    # A leaked token or header copy is a few dozen bytes; 100 000 of them would show.
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", "s3cr3t") as auth:
        for _ in range(5000):
            auth.get_token()
            auth.soap_header()
        before = rss_bytes()
        for _ in range(50_000):
            auth.get_token()
            auth.soap_header()
        grown = rss_bytes() - before
    assert grown < 2 << 20, f"RSS grew by {grown} bytes over 100 000 returned strings"


def test_error_paths_leak_nothing() -> None:
    # Each failure reads mc_last_error (owned by the library) and frees a NULL output.
    with mcauth.MarketingCloudAuth("https://auth.example.com/", "client-a", "s3cr3t") as auth:
        for _ in range(200):
            with pytest.raises(mcauth.InvalidArgumentError):
                auth.rest_base_url
        gc.collect()
        before = heap_bytes()
        for _ in range(5000):
            with pytest.raises(mcauth.InvalidArgumentError):
                auth.rest_base_url
        gc.collect()
        grown = heap_bytes() - before
    assert grown < 200_000, f"the C heap grew by {grown} bytes over 5000 failures"


def test_close_while_calls_are_running_waits_for_them(fake: FakeMc, scenario: str) -> None:
    # Calls already inside the library keep a live handle; close() from another
    # thread defers the free until they return, and later calls are refused.
    path = f"{scenario}/delay=500"
    auth = mcauth.MarketingCloudAuth(fake.url(path), "client-a", "s3cr3t")
    results: list[object] = []
    started = threading.Barrier(5)

    def call() -> None:
        started.wait()
        try:
            results.append(auth.get_token())
        except mcauth.McAuthError as exc:
            results.append(exc)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(0.2)  # the four calls are now waiting on the fake's 500 ms answer
    auth.close()
    assert auth.closed
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 4 and all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 1
    with pytest.raises(mcauth.InvalidArgumentError):
        auth.get_token()
    assert auth._unfreed == []  # the last call to return freed the handle
