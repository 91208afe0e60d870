"""The status → exception table, and the one failure end to end."""

from __future__ import annotations

import pickle
import re
from typing import Type

import pytest

import mcauth
from conftest import REPO_ROOT, FakeMc
from fake_api import secret
from mcauth._errors import _BY_STATUS, error_for_status

# A custom URL names no tenant; not loopback, so the core cannot derive the fake's addresses from it.
CUSTOM_URL = "https://auth.example.com/"


def header_statuses() -> dict[str, int]:
    """The mc_status enum of include/mcauth.h: name → value."""
    header = (REPO_ROOT / "include" / "mcauth.h").read_text(encoding="utf-8")
    body = re.search(r"typedef enum mc_status \{(.*?)\} mc_status;", header, re.DOTALL)
    assert body is not None, "no mc_status enum in mcauth.h"
    return {name: int(value) for name, value in re.findall(r"^\s*(MC_\w+) = (\d+),", body.group(1), re.MULTILINE)}


def test_status_mapping_table() -> None:
    # MC_ERR_INTERNAL (a caught panic) cannot be provoked from outside, nor 8 and 9 (the binding
    # never lets them through), so the table is checked directly.
    expected: dict[int, Type[mcauth.McAuthError]] = {
        1: mcauth.InvalidArgumentError, 2: mcauth.UnauthorizedError, 3: mcauth.HttpError,
        4: mcauth.NetworkError, 5: mcauth.RequestTimeoutError, 6: mcauth.BadResponseError,
        7: mcauth.InternalError, 8: mcauth.BufferTooSmallError, 9: mcauth.NotCachedError,
        99: mcauth.McAuthError,
    }
    for status, cls in expected.items():
        error = error_for_status(status, "detail")
        assert type(error) is cls and error.status == status and str(error) == "detail"
        assert isinstance(error, mcauth.McAuthError)
    assert isinstance(error_for_status(1, ""), ValueError)
    assert isinstance(error_for_status(4, ""), ConnectionError)
    assert isinstance(error_for_status(5, ""), TimeoutError)
    # OSError subclasses must not read the status as an errno.
    assert error_for_status(4, "detail").errno is None  # type: ignore[attr-defined]


def test_the_table_covers_every_status_of_the_header() -> None:
    statuses = header_statuses()
    assert statuses["MC_OK"] == 0
    assert set(_BY_STATUS) == {value for name, value in statuses.items() if name != "MC_OK"}


def test_errors_pickle_with_their_status() -> None:
    error = pickle.loads(pickle.dumps(error_for_status(4, "detail")))
    assert type(error) is mcauth.NetworkError and error.status == 4 and error.message == "detail"


def test_a_refused_argument_is_the_librarys_invalid_argument() -> None:
    password = secret()
    with pytest.raises(mcauth.InvalidArgumentError) as caught:
        mcauth.MarketingCloudAuth("a b", "client-a", password)
    assert isinstance(caught.value, ValueError) and caught.value.status == 1
    assert "subdomain" in caught.value.message  # the library's detail, not the binding's
    assert password not in str(caught.value)


def test_endpoints_of_a_custom_url_are_the_librarys_invalid_argument() -> None:
    # The same state gives the same error in every binding: the core's MC_ERR_INVALID_ARGUMENT.
    with mcauth.MarketingCloudAuth(CUSTOM_URL, "client-a", secret()) as auth:  # creating sends nothing
        for name in ("rest_base_url", "soap_endpoint"):
            with pytest.raises(mcauth.InvalidArgumentError) as caught:
                getattr(auth, name)
            assert caught.value.status == 1 and caught.value.message


def test_a_failure_end_to_end(fake: FakeMc, scenario: str) -> None:
    password = f"wrong-{secret()}"  # the fake answers 401 to a secret starting with "wrong"
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", password) as auth:
        with pytest.raises(mcauth.UnauthorizedError) as caught:
            auth.get_token()
    error = caught.value
    assert type(error) is mcauth.UnauthorizedError and error.status == 2
    assert "401" in error.message and str(error) == error.message
    assert password not in str(error) and password not in repr(error)
