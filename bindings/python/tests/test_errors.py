"""Every exception type with its status, messages free of the secret, timeouts, TLS, proxy."""

from __future__ import annotations

import base64
import pickle
import socket
import time
import uuid
from pathlib import Path
from typing import Type

import pytest

import mcauth
from conftest import FakeMc
from mcauth._errors import error_for_status


def secret() -> str:
    return f"s3cr3t-{uuid.uuid4().hex}"


def fetch_error(subdomain: str, password: str, expected: Type[mcauth.McAuthError], status: int,
                **options: object) -> mcauth.McAuthError:
    """Request a token that must fail with `expected`; checks what every failure must satisfy."""
    with mcauth.MarketingCloudAuth(subdomain, "client-a", password, **options) as auth:  # type: ignore[arg-type]
        with pytest.raises(expected) as caught:
            auth.get_token()
    error = caught.value
    assert type(error) is expected
    assert error.status == status
    assert error.message and str(error) == error.message
    assert password not in str(error) and password not in repr(error)
    return error


@pytest.mark.parametrize("bad", ["evil.com/", "a b", "mc.evil", "mc#x", "http://10.1.2.3/", "ftp://x", "x" * 64])
def test_bad_subdomain_is_invalid_argument(bad: str) -> None:
    password = secret()
    with pytest.raises(mcauth.InvalidArgumentError) as caught:
        mcauth.MarketingCloudAuth(bad, "client-a", password)
    assert isinstance(caught.value, ValueError)
    assert caught.value.status == 1
    assert password not in str(caught.value)


@pytest.mark.parametrize("form", [
    "http://user:pw@127.0.0.1:{port}/{scenario}/",
    "http://127.0.0.1:{port}/{scenario}/?x=1",
    "ftp://127.0.0.1:{port}/{scenario}/",
])
def test_bad_subdomain_sends_nothing(fake: FakeMc, scenario: str, form: str) -> None:
    port = fake.http.rsplit(":", 1)[1]
    with pytest.raises(mcauth.InvalidArgumentError):
        mcauth.MarketingCloudAuth(form.format(port=port, scenario=scenario), "client-a", secret())
    assert fake.count(scenario) == 0


@pytest.mark.parametrize("field", [0, 1, 2])
def test_none_or_wrong_type_is_refused_before_c(fake: FakeMc, scenario: str, field: int) -> None:
    args: list[object] = [fake.url(scenario), "client-a", secret()]
    for wrong in (None, b"bytes", 5):
        args[field] = wrong
        with pytest.raises(TypeError):
            mcauth.MarketingCloudAuth(*args)  # type: ignore[arg-type]
    assert fake.count(scenario) == 0


def test_empty_client_id_is_invalid_argument(fake: FakeMc, scenario: str) -> None:
    with pytest.raises(mcauth.InvalidArgumentError) as caught:
        mcauth.MarketingCloudAuth(fake.url(scenario), "", secret())
    assert caught.value.status == 1


def test_nul_and_lone_surrogate_are_invalid_argument(fake: FakeMc, scenario: str) -> None:
    # Text after a NUL would be cut off silently by ctypes; a lone surrogate cannot be UTF-8.
    for password in ("s3cr3t\0tail", "s3cr3t\ud800"):
        with pytest.raises(mcauth.InvalidArgumentError) as caught:
            mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", password)
        assert "s3cr3t" not in str(caught.value)
        assert caught.value.__context__ is None  # the UnicodeEncodeError holding the secret is not chained
    assert fake.count(scenario) == 0


def test_wrong_secret_is_unauthorized_and_not_retried(fake: FakeMc, scenario: str) -> None:
    fetch_error(fake.url(scenario), f"wrong-{secret()}", mcauth.UnauthorizedError, 2)
    assert fake.count(scenario) == 1


def test_enhanced_package_is_unauthorized(fake: FakeMc, scenario: str) -> None:
    fetch_error(fake.url(f"{scenario}/enhanced"), secret(), mcauth.UnauthorizedError, 2)


def test_server_error_is_http_error_after_retries(fake: FakeMc, scenario: str) -> None:
    path = f"{scenario}/fail=500x*"
    fetch_error(fake.url(path), secret(), mcauth.HttpError, 3, timeout=5.0, max_attempts=2)
    assert fake.count(path) == 2


def test_server_error_with_a_small_budget_is_http_error(fake: FakeMc, scenario: str) -> None:
    # The budget ends the retries, but the status still names the cause.
    path = f"{scenario}/fail=500x*"
    fetch_error(fake.url(path), secret(), mcauth.HttpError, 3, timeout=1.0)
    assert fake.count(path) >= 1


def test_redirect_is_refused_as_http_error(fake: FakeMc, scenario: str) -> None:
    fetch_error(fake.url(f"{scenario}/redirect"), secret(), mcauth.HttpError, 3)
    assert fake.count(f"{scenario}/redirected") == 0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_closed_port_is_network_error(scenario: str) -> None:
    error = fetch_error(f"http://127.0.0.1:{closed_port()}/{scenario}/", secret(), mcauth.NetworkError, 4,
                        timeout=10.0, max_attempts=2)
    assert isinstance(error, ConnectionError)


def test_dropped_connection_is_network_error(fake: FakeMc, scenario: str) -> None:
    path = f"{scenario}/drop=*"
    fetch_error(fake.url(path), secret(), mcauth.NetworkError, 4, timeout=10.0, max_attempts=2)
    assert fake.count(path) == 2


def test_timeout_is_honoured(fake: FakeMc, scenario: str) -> None:
    started = time.monotonic()
    error = fetch_error(fake.url(f"{scenario}/delay=3000"), secret(), mcauth.RequestTimeoutError, 5,
                        timeout=0.5)
    elapsed = time.monotonic() - started
    assert isinstance(error, TimeoutError)
    assert elapsed < 2.5, f"a 0.5 s budget took {elapsed:.2f} s"


def test_tiny_timeout_rounds_up_to_one_millisecond(fake: FakeMc, scenario: str) -> None:
    # 0.0001 s must become 1 ms, not 0 (which the core would refuse as invalid).
    fetch_error(fake.url(f"{scenario}/delay=1000"), secret(), mcauth.RequestTimeoutError, 5, timeout=0.0001)


@pytest.mark.parametrize("body", ["garbage", "no-token", "not-object", "oversize"])
def test_malformed_answer_is_bad_response(fake: FakeMc, scenario: str, body: str) -> None:
    fetch_error(fake.url(f"{scenario}/body={body}"), secret(), mcauth.BadResponseError, 6)


def test_status_mapping_table() -> None:
    # MC_ERR_INTERNAL (a caught panic) cannot be provoked from outside, so the table is checked directly.
    expected: dict[int, Type[mcauth.McAuthError]] = {
        1: mcauth.InvalidArgumentError, 2: mcauth.UnauthorizedError, 3: mcauth.HttpError,
        4: mcauth.NetworkError, 5: mcauth.RequestTimeoutError, 6: mcauth.BadResponseError,
        7: mcauth.InternalError, 99: mcauth.McAuthError,
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


def test_errors_pickle_with_their_status() -> None:
    error = pickle.loads(pickle.dumps(error_for_status(4, "detail")))
    assert type(error) is mcauth.NetworkError and error.status == 4 and error.message == "detail"


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), float("inf"), 5e6])
def test_invalid_timeout_is_refused(fake: FakeMc, scenario: str, timeout: float) -> None:
    with pytest.raises(mcauth.InvalidArgumentError):
        mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret(), timeout=timeout)


@pytest.mark.parametrize("option, value, expected", [
    ("timeout", "5", TypeError), ("timeout", True, TypeError),
    ("refresh_margin", 1.5, TypeError), ("refresh_margin", -1, mcauth.InvalidArgumentError),
    ("refresh_margin", 2**32, mcauth.InvalidArgumentError),
    ("max_attempts", 0, mcauth.InvalidArgumentError), ("max_attempts", 11, mcauth.InvalidArgumentError),
    ("proxy", "not a url", mcauth.InvalidArgumentError), ("proxy", 5, TypeError),
    ("ca_file", 5, TypeError),
])
def test_invalid_option_is_refused(fake: FakeMc, scenario: str, option: str, value: object,
                                   expected: Type[Exception]) -> None:
    with pytest.raises(expected):
        mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret(), **{option: value})  # type: ignore[arg-type]


def test_missing_ca_file_is_invalid_argument(fake: FakeMc, scenario: str, tmp_path: Path) -> None:
    with pytest.raises(mcauth.InvalidArgumentError):
        mcauth.MarketingCloudAuth(fake.url(scenario, https=True), "client-a", secret(),
                                  ca_file=tmp_path / "missing.pem")


def test_tls_without_the_ca_is_refused(fake: FakeMc, scenario: str) -> None:
    fetch_error(fake.url(scenario, https=True), secret(), mcauth.NetworkError, 4, timeout=10.0, max_attempts=1)


@pytest.mark.parametrize("as_path", [False, True])
def test_tls_with_the_ca_file_works(fake: FakeMc, scenario: str, as_path: bool) -> None:
    ca_file = Path(fake.ca) if as_path else fake.ca
    with mcauth.MarketingCloudAuth(fake.url(scenario, https=True), "client-a", secret(), ca_file=ca_file) as auth:
        assert auth.get_token()
    assert fake.count(scenario) == 1


def test_proxy_with_credentials_is_used(fake: FakeMc, scenario: str) -> None:
    before = fake.proxy_stats()["requests"]
    proxy = fake.proxy.replace("http://", "http://puser:ppass@", 1)
    with mcauth.MarketingCloudAuth(fake.url(scenario, https=True), "client-a", secret(),
                                   ca_file=fake.ca, proxy=proxy) as auth:
        assert auth.get_token()
    stats = fake.proxy_stats()
    assert stats["requests"] > before
    assert stats["last_proxy_authorization"] == "Basic " + base64.b64encode(b"puser:ppass").decode()
    assert fake.count(scenario) == 1


def test_rest_and_soap_endpoints_need_a_real_subdomain() -> None:
    # An https URL that names no tenant (a loopback URL gives the fake's API instead).
    with mcauth.MarketingCloudAuth("https://auth.example.test/", "client-a", secret()) as auth:
        for name in ("rest_base_url", "soap_endpoint"):
            with pytest.raises(mcauth.InvalidArgumentError):
                getattr(auth, name)


def test_rest_and_soap_endpoints_of_a_tenant() -> None:
    sub = "mc563885gzs27c5t9-63k636ttgm"
    with mcauth.MarketingCloudAuth(sub, "client-a", secret()) as auth:  # creating sends nothing
        assert auth.rest_base_url == f"https://{sub}.rest.marketingcloudapis.com/"
        assert auth.soap_endpoint == f"https://{sub}.soap.marketingcloudapis.com/Service.asmx"
