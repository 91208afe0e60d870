"""mcauth.integrations.zeep.client against the fake's SOAP API and its WSDL."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest

zeep = pytest.importorskip("zeep")
requests = pytest.importorskip("requests")  # zeep depends on it

import mcauth  # noqa: E402
from conftest import FakeMc  # noqa: E402
from fake_api import global_stats, on_threads, reject, revoke, stats, wsdl  # noqa: E402
from mcauth.integrations.zeep import client as zeep_client  # noqa: E402

RETRIEVE: Dict[str, Any] = {"RetrieveRequest": {"ObjectType": "Subscriber", "Properties": ["Name"]}}


@pytest.fixture(scope="module", autouse=True)
def no_call_went_without_a_token(fake: FakeMc) -> Iterator[None]:
    # The header trap: an envelope that lost its fueloauth header is a login_failed, which
    # belongs to no scenario; none of these tests may cause one.
    before = global_stats(fake)["login_failed"]
    yield
    assert global_stats(fake)["login_failed"] == before


@pytest.fixture
def client(fake: FakeMc, auth: mcauth.MarketingCloudAuth) -> Any:
    return zeep_client(auth, wsdl(fake))


def test_it_is_a_zeep_client_and_the_header_reaches_the_server(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, client: Any) -> None:
    assert isinstance(client, zeep.Client)
    before = global_stats(fake)["login_failed"]
    answer = client.service.Retrieve(**RETRIEVE)
    assert answer.OverallStatus == "OK" and len(answer.Results) == 2
    counts = stats(fake, scenario)
    assert counts["soap_calls"] == 1 and counts["accepted"] == 1  # with this scenario's token
    assert global_stats(fake)["login_failed"] == before


def test_operations_go_to_the_tenant_endpoint_or_the_one_asked_for(
        fake: FakeMc, auth: mcauth.MarketingCloudAuth) -> None:
    # The fake's WSDL names a host that never resolves; the caller's transport is kept.
    def sent_to(**kwargs: Any) -> List[str]:
        urls: List[str] = []
        session = requests.Session()
        session.hooks["response"].append(lambda r, **_: urls.append(r.url) if r.request.method == "POST" else None)
        client = zeep_client(auth, wsdl(fake), transport=zeep.Transport(session=session), **kwargs)
        assert client.service.Retrieve(**RETRIEVE).OverallStatus == "OK"
        return urls

    assert sent_to() == [auth.soap_endpoint]
    other = f"{fake.http}/SERVICE.ASMX"  # the same fake: its path is case-insensitive
    assert sent_to(endpoint=other) == [other]


def test_sixteen_threads_through_one_revoked_token_get_one_new_token(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, client: Any) -> None:
    client.service.Retrieve(**RETRIEVE)
    revoke(fake, scenario)
    answers = on_threads(16, lambda: client.service.Retrieve(**RETRIEVE))
    assert all(a.OverallStatus == "OK" for a in answers)
    counts = stats(fake, scenario)
    assert counts["token_requests"] == 2 and counts["accepted"] == 17


def test_create_of_three_objects_gives_three_results_after_the_retry(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, client: Any) -> None:
    auth.get_token()
    revoke(fake, scenario)
    objects = [{"CustomerKey": f"key-{i}", "Name": f"name-{i}"} for i in range(3)]
    answer = client.service.Create(Objects=objects)
    assert [r.Object.CustomerKey for r in answer.Results] == ["key-0", "key-1", "key-2"]
    assert stats(fake, scenario)["token_expired"] == 1 and stats(fake, scenario)["token_requests"] == 2


def test_a_second_rejection_in_a_row_reaches_the_caller(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, client: Any) -> None:
    auth.get_token()
    reject(fake, scenario, 2)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.service.Retrieve(**RETRIEVE)
    assert caught.value.message == "Token Expired"
    counts = stats(fake, scenario)
    assert counts["soap_calls"] == 2 and counts["token_requests"] == 2
    assert client.service.Retrieve(**RETRIEVE).OverallStatus == "OK"
