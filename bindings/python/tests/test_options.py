"""Each option reaches the library (seen in its effect), and only what C cannot carry is refused here."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Type

import pytest

import mcauth
from conftest import FakeMc
from fake_api import secret

TENANT = "mc563885gzs27c5t9-63k636ttgm"


def test_timeout_reaches_the_library_rounded_up_to_a_millisecond(fake: FakeMc, scenario: str) -> None:
    # 0.0001 s must become 1 ms, not 0 (which the library refuses); the default 30 s would wait 1 s out.
    path = f"{scenario}/delay=1000"
    started = time.monotonic()
    with mcauth.MarketingCloudAuth(fake.url(path), "client-a", secret(), timeout=0.0001) as auth:
        with pytest.raises(mcauth.RequestTimeoutError):
            auth.get_token()
    assert time.monotonic() - started < 0.9


def test_refresh_margin_reaches_the_library(fake: FakeMc, scenario: str) -> None:
    # A 1 s token is refreshed half-way (0.5 s) under the default 300 s margin, but only
    # at expiry (1 s) with refresh_margin=0: 0.6 s later only the first refetches.
    password = secret()
    with mcauth.MarketingCloudAuth(fake.url(f"{scenario}/expires=1"), "default", password) as default, \
            mcauth.MarketingCloudAuth(fake.url(f"{scenario}/expires=1"), "zero", password,
                                      refresh_margin=0) as zero:
        tokens = default.get_token(), zero.get_token()
        time.sleep(0.6)
        assert default.get_token() != tokens[0]
        assert zero.get_token() == tokens[1]


def test_max_attempts_reaches_the_library(fake: FakeMc, scenario: str) -> None:
    path = f"{scenario}/fail=500x*"  # the library's default would send 4
    with mcauth.MarketingCloudAuth(fake.url(path), "client-a", secret(), max_attempts=1) as auth:
        with pytest.raises(mcauth.HttpError):
            auth.get_token()
    assert fake.count(path) == 1


def test_ca_file_reaches_the_library_as_a_path(fake: FakeMc, scenario: str) -> None:
    # A str ca_file is used by the proxy test below.
    with mcauth.MarketingCloudAuth(fake.url(scenario, https=True), "client-a", secret(),
                                   ca_file=Path(fake.ca)) as auth:
        assert auth.get_token()


def test_proxy_reaches_the_library_with_its_credentials(fake: FakeMc, scenario: str) -> None:
    # The exact Proxy-Authorization is checked here because the Rust tests check only its scheme.
    before = fake.proxy_requests()
    proxy = fake.proxy.replace("http://", "http://puser:ppass@", 1)
    with mcauth.MarketingCloudAuth(fake.url(scenario, https=True), "client-a", secret(),
                                   ca_file=fake.ca, proxy=proxy) as auth:
        assert auth.get_token()
    assert fake.proxy_requests() > before
    assert fake.proxy_authorization() == "Basic " + base64.b64encode(b"puser:ppass").decode()


@pytest.mark.parametrize("option, value", [
    ("timeout", 0), ("max_attempts", 0), ("max_attempts", 11), ("proxy", "not a url"),
    ("ca_file", "/nonexistent/mcauth-ca.pem"), ("shared_cache", "ftp://store.example/x"),
])
def test_the_library_refuses_a_bad_value(option: str, value: object) -> None:
    with pytest.raises(mcauth.InvalidArgumentError) as caught:
        mcauth.MarketingCloudAuth(TENANT, "client-a", secret(), **{option: value})  # type: ignore[arg-type]
    assert caught.value.message  # the library's own detail


@pytest.mark.parametrize("option, value, expected", [
    ("timeout", "5", TypeError), ("timeout", True, TypeError), ("timeout", -1.0, mcauth.InvalidArgumentError),
    ("timeout", float("nan"), mcauth.InvalidArgumentError), ("timeout", float("inf"), mcauth.InvalidArgumentError),
    ("timeout", 5e6, mcauth.InvalidArgumentError),
    ("refresh_margin", 1.5, TypeError), ("refresh_margin", -1, mcauth.InvalidArgumentError),
    ("refresh_margin", 2**32, mcauth.InvalidArgumentError), ("max_attempts", -1, mcauth.InvalidArgumentError),
    ("proxy", 5, TypeError), ("shared_cache", 5, TypeError),
    ("shared_cache", "file:///x\0", mcauth.InvalidArgumentError),
    ("ca_file", 5, TypeError), ("ca_file", "ca\0.pem", mcauth.InvalidArgumentError),
])
def test_what_c_cannot_carry_is_refused_before_c(option: str, value: object, expected: Type[Exception]) -> None:
    with pytest.raises(expected):
        mcauth.MarketingCloudAuth(TENANT, "client-a", secret(), **{option: value})  # type: ignore[arg-type]
