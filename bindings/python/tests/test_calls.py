"""Strings in and out of every call, and the one success end to end."""

from __future__ import annotations

import itertools
import uuid

import pytest

import mcauth
from conftest import FakeMc
from fake_api import on_threads, secret

TENANT = "mc563885gzs27c5t9-63k636ttgm"


def test_a_success_end_to_end(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        token = auth.get_token()
        assert isinstance(token, str) and token.startswith("fake_")
        assert auth.soap_header() == (
            '<h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com">'
            f"{token}</h:fueloauth>"
        )
        # invalidate's argument crosses intact: another token is not the cached one, this one is,
        # and None is NULL (drop whatever is cached).
        auth.invalidate("some-other-token")
        assert auth.get_token() == token
        auth.invalidate(token)
        second = auth.get_token()
        assert second != token
        auth.invalidate(None)
        assert auth.get_token() not in (token, second)


def test_credentials_reach_the_server_as_utf8(fake: FakeMc, scenario: str) -> None:
    password = f"sécret-€-{uuid.uuid4().hex}"
    with mcauth.MarketingCloudAuth(fake.url(scenario), "clïent-ü-日本", password) as auth:
        auth.get_token()
    body = fake.last(scenario)["body"]
    assert "clïent-ü-日本" in body and password in body


def test_a_long_token_comes_back_whole(fake: FakeMc, scenario: str) -> None:
    long = f"{scenario}/token-length=5000"
    with mcauth.MarketingCloudAuth(fake.url(long), "client-a", secret()) as auth:
        token = auth.get_token()
        assert len(token) > 5000 and token == auth.get_token()
        assert token in auth.soap_header()


def test_concurrent_calls_each_get_their_own_token(fake: FakeMc, scenario: str) -> None:
    # get_token copies out of a per-thread buffer after the GIL was released: two objects with
    # different tokens, called from many threads at once, must never see each other's.
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as a, \
            mcauth.MarketingCloudAuth(fake.url(f"{scenario}/token-length=3000"), "client-b", secret()) as b:
        expected = (a.get_token(), b.get_token())

        turns = itertools.count()

        def work() -> bool:
            auth, token = (a, expected[0]) if next(turns) % 2 else (b, expected[1])
            return all(auth.get_token() == token for _ in range(2000))

        assert all(on_threads(8, work))


def test_tenant_endpoints_come_back_as_str() -> None:
    with mcauth.MarketingCloudAuth(TENANT, "client-a", secret()) as auth:  # creating sends nothing
        assert auth.rest_base_url == f"https://{TENANT}.rest.marketingcloudapis.com/"
        assert auth.soap_endpoint == f"https://{TENANT}.soap.marketingcloudapis.com/Service.asmx"


@pytest.mark.parametrize("field", [0, 1, 2])
def test_none_or_wrong_type_is_a_type_error_before_c(field: int) -> None:
    # TypeError is the binding's own: the library would answer None (NULL) with InvalidArgumentError.
    args: list[object] = [TENANT, "client-a", secret()]
    for wrong in (None, b"bytes", 5):
        args[field] = wrong
        with pytest.raises(TypeError):
            mcauth.MarketingCloudAuth(*args)  # type: ignore[arg-type]


def test_invalidate_refuses_a_non_str_token() -> None:
    with mcauth.MarketingCloudAuth(TENANT, "client-a", secret()) as auth:
        with pytest.raises(TypeError):
            auth.invalidate(b"token")  # type: ignore[arg-type]


def test_nul_and_lone_surrogate_are_invalid_argument() -> None:
    # Text after a NUL would be cut off silently by ctypes; a lone surrogate cannot be UTF-8.
    for password in ("s3cr3t\0tail", "s3cr3t\ud800"):
        with pytest.raises(mcauth.InvalidArgumentError) as caught:
            mcauth.MarketingCloudAuth(TENANT, "client-a", password)
        assert "s3cr3t" not in str(caught.value)
        assert caught.value.__context__ is None  # the UnicodeEncodeError holding the secret is not chained
