"""What a caller needs beyond get_token() to make authenticated calls: the header for a token,
the rejection check, the token's TTL, the cached-only read, and the pure-Python cached
get_token() staying exactly as fresh as the core."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from ctypes import byref, c_void_p

import pytest

import mcauth
from conftest import REPO_ROOT, FakeMc
from fake_api import secret
from mcauth._auth import _TOKEN_BUFFER_SIZE
from mcauth._native import lib

FAULT = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
         b"<faultcode>q0:Security</faultcode><faultstring>Token Expired</faultstring>"
         b"</s:Fault></s:Body></s:Envelope>")


def test_the_token_buffer_is_the_headers_mc_token_buffer_size() -> None:
    # The one number the binding copies from the header (ctypes cannot read a #define).
    header = (REPO_ROOT / "include" / "mcauth.h").read_text(encoding="utf-8")
    size = re.search(r"^#define MC_TOKEN_BUFFER_SIZE (\d+)$", header, re.MULTILINE)
    assert size is not None, "no MC_TOKEN_BUFFER_SIZE in mcauth.h"
    assert _TOKEN_BUFFER_SIZE == int(size.group(1))


def test_soap_header_for_carries_exactly_that_token(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(f"{scenario}/xml-token"), "client-a", secret()) as auth:
        token = auth.get_token()
    assert set("<&>") & set(token)  # the fake's xml-token directive: escaping is exercised
    element = ET.fromstring(mcauth.soap_header_for(token))
    assert element.tag == "{http://exacttarget.com}fueloauth" and element.text == token
    with pytest.raises(mcauth.InvalidArgumentError):
        mcauth.soap_header_for("")
    with pytest.raises(TypeError):
        mcauth.soap_header_for(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("body", [FAULT, FAULT.decode(), bytearray(FAULT), memoryview(FAULT)])
def test_is_token_rejected_hands_the_body_to_the_core(body: object) -> None:
    assert mcauth.is_token_rejected(500, body) is True  # type: ignore[arg-type]
    assert mcauth.is_token_rejected(500, FAULT.replace(b"Token Expired", b"Other")) is False


def test_is_token_rejected_without_a_body() -> None:
    assert mcauth.is_token_rejected(401) is True and mcauth.is_token_rejected(401, None) is True
    assert mcauth.is_token_rejected(500) is False and mcauth.is_token_rejected(200, b"") is False
    assert mcauth.is_token_rejected(2**40 + 401) is False  # not wrapped into 401 by ctypes
    with pytest.raises(TypeError):
        mcauth.is_token_rejected("401")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mcauth.is_token_rejected(500, 42)  # type: ignore[arg-type]


def test_rejection_needs_body_is_the_cores_rule() -> None:
    assert mcauth.rejection_needs_body(500) is True
    assert mcauth.rejection_needs_body(401) is False and mcauth.rejection_needs_body(200) is False
    assert mcauth.rejection_needs_body(2**40 + 500) is False  # not wrapped into 500 by ctypes
    with pytest.raises(TypeError):
        mcauth.rejection_needs_body(True)  # type: ignore[arg-type]


def test_get_token_ttl(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(f"{scenario}/expires=600"), "client-a", secret()) as auth:
        token, seconds = auth.get_token_ttl()
        assert token == auth.get_token()
        assert isinstance(seconds, int) and 590 <= seconds <= 600


def test_get_cached_token_never_sends(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        assert auth.get_cached_token() is None
        assert fake.stats(scenario)["token_requests"] == 0
        token = auth.get_token()
        assert auth.get_cached_token() == token
        auth.invalidate(token)
        assert auth.get_cached_token() is None
    assert fake.stats(scenario)["token_requests"] == 1


# The cached get_token() serves the binding's own copy: it must see every change the core sees.

def test_invalidate_through_another_object_is_seen(fake: FakeMc, scenario: str) -> None:
    password = secret()
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", password) as first, \
            mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", password) as second:
        token = first.get_token()
        assert first.get_token() == token  # served from the copy
        second.invalidate(token)
        renewed = first.get_token()
        assert renewed != token and second.get_token() == renewed
        first.invalidate(renewed)  # through this very object too
        assert first.get_token() not in (token, renewed)
    assert fake.stats(scenario)["token_requests"] == 3


def test_invalidate_through_the_c_abi_is_seen(fake: FakeMc, scenario: str) -> None:
    # C code in the same process, on a handle of its own that Python never wrapped.
    password = secret()
    handle = c_void_p()
    lib.mc_auth_new(fake.url(scenario).encode(), b"client-a", password.encode(), byref(handle))
    try:
        with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", password) as auth:
            token = auth.get_token()
            assert auth.get_token() == token
            lib.mc_auth_invalidate(handle, None)
            assert auth.get_token() != token
    finally:
        lib.mc_auth_free(handle)
    assert fake.stats(scenario)["token_requests"] == 2


def test_a_short_lived_token_is_never_served_past_its_refresh_point(fake: FakeMc, scenario: str) -> None:
    # A 2 s token is refreshed at half its life: 1 s after the core got it, which is no later
    # than `got` below.  Only this object calls, so only the copy's own clock can notice.
    short = f"{scenario}/expires=2"
    with mcauth.MarketingCloudAuth(fake.url(short), "client-a", secret()) as auth:
        first = auth.get_token()
        got = time.monotonic()
        served_first_until = got
        while True:
            before = time.monotonic()
            token = auth.get_token()
            if token != first:
                break
            assert before <= got + 1.0, f"served {before - got:.3f} s after it was got"
            served_first_until = before
            assert before < got + 1.5, "never refreshed"
            time.sleep(0.002)
        assert served_first_until > got + 0.8  # and the copy was used until near that point
        assert auth.get_token_ttl()[0] == token == auth.get_token()  # what the core serves
    assert fake.stats(short)["token_requests"] == 2


def test_after_close_get_token_raises_even_with_a_copy(fake: FakeMc, scenario: str) -> None:
    auth = mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret())
    auth.get_token()
    auth.get_token()
    auth.close()
    with pytest.raises(mcauth.InvalidArgumentError):
        auth.get_token()
    with pytest.raises(mcauth.InvalidArgumentError):
        auth.get_cached_token()
