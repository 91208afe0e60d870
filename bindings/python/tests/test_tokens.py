"""Tokens, the process-wide cache, the SOAP header and invalidation, against the fake over real sockets."""

from __future__ import annotations

import threading
import time
import uuid
import xml.etree.ElementTree as ET
from typing import Callable, List, Tuple, TypeVar

import mcauth
from conftest import FakeMc

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


def test_get_token_requests_once_then_caches(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        token = auth.get_token()
        assert isinstance(token, str) and token
        assert auth.get_token() == token
    assert fake.count(scenario) == 1


def test_a_long_token_comes_back_whole(fake: FakeMc, scenario: str) -> None:
    long = f"{scenario}/token-length=5000"
    with mcauth.MarketingCloudAuth(fake.url(long), "client-a", secret()) as auth:
        token = auth.get_token()
        assert len(token) > 5000 and token == auth.get_token()
    assert fake.count(long) == 1


def test_request_carries_the_credentials(fake: FakeMc, scenario: str) -> None:
    password = secret()
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-id-ü", password) as auth:
        auth.get_token()
    last = fake.last(scenario)
    assert "client-id-ü" in last["body"] and password in last["body"]


def test_cache_is_shared_across_objects(fake: FakeMc, scenario: str) -> None:
    password = secret()
    first = mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", password)
    second = mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", password)
    other_client = mcauth.MarketingCloudAuth(fake.url(scenario), "client-b", password)
    token = first.get_token()
    first.close()  # the cache outlives the object that filled it
    assert second.get_token() == token
    assert fake.count(scenario) == 1
    assert other_client.get_token() != token
    assert fake.count(scenario) == 2
    second.close()
    other_client.close()


def test_soap_header_wraps_the_cached_token(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        token = auth.get_token()
        header = auth.soap_header()
    assert header == (
        '<h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com">'
        f"{token}</h:fueloauth>"
    )
    assert fake.count(scenario) == 1


def test_soap_header_escapes_the_token(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(f"{scenario}/xml-token"), "client-a", secret()) as auth:
        token = auth.get_token()
        header = auth.soap_header()
    assert set("<&") <= set(token)
    element = ET.fromstring(header)
    assert element.tag == "{http://exacttarget.com}fueloauth"
    assert element.text == token


def test_invalidate_the_current_token_fetches_a_new_one(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        stale = auth.get_token()
        auth.invalidate(stale)
        fresh = auth.get_token()
        assert fresh != stale
        assert fake.count(scenario) == 2
        auth.invalidate(stale)  # a late report of the old token must not drop the new one
        assert auth.get_token() == fresh
        assert fake.count(scenario) == 2


def test_invalidate_none_drops_unconditionally(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        token = auth.get_token()
        auth.invalidate(None)
        assert auth.get_token() != token
    assert fake.count(scenario) == 2


def test_16_threads_invalidating_the_same_stale_token_cause_one_request(
    fake: FakeMc, scenario: str
) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        stale = auth.get_token()
        all_hold_it = threading.Barrier(16)

        def report_401_and_retry() -> Tuple[str, str]:
            used = auth.get_token()
            all_hold_it.wait()  # nobody invalidates before everyone has used the token
            auth.invalidate(used)
            return used, auth.get_token()

        results = on_threads(16, report_401_and_retry)
    assert {used for used, _ in results} == {stale}
    fresh = {new for _, new in results}
    assert len(fresh) == 1 and stale not in fresh
    assert fake.count(scenario) == 2


def test_32_threads_on_a_cold_cache_cause_one_request(fake: FakeMc, scenario: str) -> None:
    # Separate objects too: the single flight is per credential set, not per handle.
    password = secret()

    def fetch() -> str:
        with mcauth.MarketingCloudAuth(fake.url(f"{scenario}/delay=200"), "client-a", password) as auth:
            return auth.get_token()

    tokens = on_threads(32, fetch)
    assert len(set(tokens)) == 1
    assert fake.count(f"{scenario}/delay=200") == 1


def test_32_threads_on_one_object(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        tokens = on_threads(32, auth.get_token)
    assert len(set(tokens)) == 1
    assert fake.count(scenario) == 1


def test_refresh_margin_reaches_the_core(fake: FakeMc, scenario: str) -> None:
    # A 4 s token is refreshed half-way (2 s) under the default 300 s margin, but only
    # 1 s before expiry (3 s) with refresh_margin=1; 2.4 s later only the first refetches.
    default_path, short_path = f"{scenario}/default/expires=4", f"{scenario}/short/expires=4"
    password = secret()
    with mcauth.MarketingCloudAuth(fake.url(default_path), "client-a", password) as default, \
            mcauth.MarketingCloudAuth(fake.url(short_path), "client-a", password, refresh_margin=1) as short:
        default.get_token()
        short.get_token()
        time.sleep(2.4)
        default.get_token()
        short.get_token()
    assert fake.count(default_path) == 2
    assert fake.count(short_path) == 1
