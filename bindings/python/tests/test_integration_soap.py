"""What every SOAP integration (mcauth.integrations.zeep and .suds, each through its own
library's client) must do against the fake's SOAP API and its WSDL: each test runs once per
client (suds twice: with faults raised and returned). What only one library has is in
test_integration_<library>.py."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

import mcauth
from conftest import FakeMc
from fake_api import on_threads
from soap_clients import LIBRARIES, SoapFault


@pytest.fixture(scope="module", autouse=True)
def no_call_went_without_a_token(fake: FakeMc) -> Iterator[None]:
    # The header trap: an envelope that lost its fueloauth header (suds drops a string passed
    # as soapheaders= without a word) is a login_failed, which belongs to no scenario; none of
    # these tests may cause one.
    before = fake.global_stats()["login_failed"]
    yield
    assert fake.global_stats()["login_failed"] == before


@pytest.fixture(params=list(LIBRARIES))
def soap_client(request: pytest.FixtureRequest, fake: FakeMc, auth: mcauth.MarketingCloudAuth) -> Any:
    return LIBRARIES[request.param](auth, fake.wsdl)


def test_it_is_the_library_s_own_client_and_the_header_reaches_the_server(
        fake: FakeMc, scenario: str, soap_client: Any) -> None:
    assert isinstance(soap_client.native, soap_client.native_type)
    before = fake.global_stats()["login_failed"]
    answer = soap_client.retrieve()
    assert answer.OverallStatus == "OK" and len(answer.Results) == 2
    counts = fake.stats(scenario)
    assert counts["soap_calls"] == 1 and counts["accepted"] == 1  # with this scenario's token
    assert fake.global_stats()["login_failed"] == before


def test_sixteen_threads_through_one_revoked_token_get_one_new_token(
        fake: FakeMc, scenario: str, soap_client: Any) -> None:
    soap_client.retrieve()
    fake.revoke(scenario)
    answers = on_threads(16, soap_client.retrieve)
    assert all(a.OverallStatus == "OK" for a in answers)
    counts = fake.stats(scenario)
    assert counts["token_requests"] == 2 and counts["accepted"] == 17


def test_create_of_three_objects_gives_three_results_after_the_retry(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, soap_client: Any) -> None:
    auth.get_token()
    fake.revoke(scenario)
    answer = soap_client.create([(f"key-{i}", f"name-{i}") for i in range(3)])
    assert [r.Object.CustomerKey for r in answer.Results] == ["key-0", "key-1", "key-2"]
    counts = fake.stats(scenario)
    assert counts["token_expired"] == 1 and counts["token_requests"] == 2


def test_a_second_rejection_in_a_row_reaches_the_caller(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, soap_client: Any) -> None:
    auth.get_token()
    fake.reject(scenario, 2)
    with pytest.raises(SoapFault, match="^Token Expired$"):
        soap_client.retrieve()
    counts = fake.stats(scenario)
    assert counts["soap_calls"] == 2 and counts["token_requests"] == 2  # one retry, no loop
    assert soap_client.retrieve().OverallStatus == "OK"
