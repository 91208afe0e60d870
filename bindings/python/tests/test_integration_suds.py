"""mcauth.integrations.suds.client against the fake's SOAP API and its WSDL."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

suds = pytest.importorskip("suds")

import suds.client  # noqa: E402

import mcauth  # noqa: E402
from conftest import FakeMc  # noqa: E402
from fake_api import global_stats, on_threads, reject, revoke, stats, wsdl  # noqa: E402
from mcauth.integrations.suds import client as suds_client  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def no_call_went_without_a_token(fake: FakeMc) -> Iterator[None]:
    # The header trap: suds drops a string passed as soapheaders= without a word; a call that
    # lost its fueloauth header is a login_failed, which belongs to no scenario.
    before = global_stats(fake)["login_failed"]
    yield
    assert global_stats(fake)["login_failed"] == before


@pytest.fixture(params=[True, False], ids=["faults", "no-faults"])
def client(request: pytest.FixtureRequest, fake: FakeMc, auth: mcauth.MarketingCloudAuth) -> Any:
    return suds_client(auth, wsdl(fake), faults=request.param, cache=None)


def retrieve(client: Any) -> Any:
    request = client.factory.create("RetrieveRequest")
    request.ObjectType = "Subscriber"
    request.Properties = ["Name"]
    return unwrap(client, client.service.Retrieve(request))


def unwrap(client: Any, answer: Any) -> Any:
    """The result, from faults=False's (status, result) too."""
    if client.options.faults:
        return answer
    status, result = answer
    assert status == 200, result
    return result


def test_it_is_a_suds_client_and_the_header_reaches_the_server(
        fake: FakeMc, scenario: str, client: Any) -> None:
    assert isinstance(client, suds.client.Client)
    before = global_stats(fake)["login_failed"]
    answer = retrieve(client)
    assert answer.OverallStatus == "OK" and len(answer.Results) == 2
    counts = stats(fake, scenario)
    assert counts["soap_calls"] == 1 and counts["accepted"] == 1
    assert global_stats(fake)["login_failed"] == before


def test_sixteen_threads_through_one_revoked_token_get_one_new_token(
        fake: FakeMc, scenario: str, client: Any) -> None:
    retrieve(client)
    revoke(fake, scenario)
    answers = on_threads(16, lambda: retrieve(client))
    assert all(a.OverallStatus == "OK" for a in answers)
    counts = stats(fake, scenario)
    assert counts["token_requests"] == 2 and counts["accepted"] == 17


def test_create_of_three_objects_gives_three_results_after_the_retry(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, client: Any) -> None:
    auth.get_token()
    revoke(fake, scenario)
    objects = []
    for i in range(3):
        item = client.factory.create("APIObject")
        item.CustomerKey, item.Name = f"key-{i}", f"name-{i}"
        objects.append(item)
    answer = unwrap(client, client.service.Create(objects))
    assert [r.Object.CustomerKey for r in answer.Results] == ["key-0", "key-1", "key-2"]
    assert stats(fake, scenario)["token_expired"] == 1 and stats(fake, scenario)["token_requests"] == 2


def test_a_second_rejection_in_a_row_reaches_the_caller(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, client: Any) -> None:
    auth.get_token()
    reject(fake, scenario, 2)
    request = client.factory.create("RetrieveRequest")
    request.ObjectType = "Subscriber"
    if client.options.faults:
        with pytest.raises(suds.WebFault) as caught:
            client.service.Retrieve(request)
        assert caught.value.fault.faultstring == "Token Expired"
    else:
        status, fault = client.service.Retrieve(request)
        assert status == 500 and fault.faultstring == "Token Expired"
    counts = stats(fake, scenario)
    assert counts["soap_calls"] == 2 and counts["token_requests"] == 2
    assert retrieve(client).OverallStatus == "OK"
