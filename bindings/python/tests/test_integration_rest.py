"""What every HTTP integration (mcauth.integrations.requests and .httpx, each through its own
library's client) must do against the fake's REST API: each test runs once per library.
What only one library has (httpx's AsyncClient) is in test_integration_<library>.py."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Iterator

import pytest

import mcauth
from conftest import FakeMc
from fake_api import on_threads
from rest_clients import BODY, LIBRARIES, RestClient, echo_url


@pytest.fixture(params=list(LIBRARIES))
def rest_client(request: pytest.FixtureRequest, auth: mcauth.MarketingCloudAuth) -> Iterator[RestClient]:
    client = LIBRARIES[request.param](auth)
    yield client
    client.close()


def test_sixteen_threads_through_one_revoked_token_get_one_new_token(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, rest_client: RestClient) -> None:
    assert rest_client.post(echo_url(auth), content=BODY).status_code == 200
    fake.revoke(scenario)
    answers = on_threads(16, lambda: rest_client.post(echo_url(auth), content=BODY))
    assert [a.status_code for a in answers] == [200] * 16
    assert all(a.content == BODY for a in answers)
    assert fake.stats(scenario)["token_requests"] == 2  # the first, and exactly one new


def test_a_second_rejection_in_a_row_reaches_the_caller(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, rest_client: RestClient) -> None:
    auth.get_token()
    fake.reject(scenario, 2)
    answer = rest_client.post(echo_url(auth), content=BODY)
    assert answer.status_code == 401 and answer.json()["message"] == "Not Authorized"
    assert [first.status_code for first in answer.history] == [401]
    counts = fake.stats(scenario)
    assert counts["rest_calls"] == 2 and counts["token_requests"] == 2  # one retry, no loop
    assert rest_client.post(echo_url(auth), content=BODY).status_code == 200


def test_the_answer_when_nothing_is_rejected_is_untouched(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, rest_client: RestClient) -> None:
    answer = rest_client.get(auth.rest_base_url + "platform/v1/endpoints")
    assert answer.status_code == 200 and answer.history == []
    assert answer.request.headers["Authorization"] == f"Bearer {auth.get_token()}"
    assert fake.stats(scenario)["rest_calls"] == 1


# Every body a library keeps in memory or can rewind: the retry must send it again whole.
@pytest.mark.parametrize("kind", ["bytes", "str", "bytesio", "file", "json", "form"])
def test_replayable_bodies_arrive_whole_after_a_rejection(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, rest_client: RestClient,
        tmp_path: Path, kind: str) -> None:
    auth.get_token()
    fake.revoke(scenario)
    path = tmp_path / "body.json"
    path.write_bytes(BODY)
    with path.open("rb") as file:
        body = {"bytes": {"content": BODY}, "str": {"content": BODY.decode()},
                "bytesio": {"content": io.BytesIO(BODY)}, "file": {"content": file},
                "json": {"json": json.loads(BODY)}, "form": {"form": {"a": "1", "b": "é"}}}[kind]
        answer = rest_client.post(echo_url(auth), **body)
    assert answer.status_code == 200 and len(answer.history) == 1
    if kind == "json":  # each library serialises it its own way: compare the document
        assert json.loads(answer.content) == json.loads(BODY)
    else:
        assert answer.content == (b"a=1&b=%C3%A9" if kind == "form" else BODY)
    assert fake.stats(scenario)["token_requests"] == 2


def test_a_generator_body_is_never_sent_again(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, rest_client: RestClient) -> None:
    auth.get_token()
    fake.revoke(scenario)

    def chunks() -> Iterator[bytes]:
        yield BODY[:10]
        yield BODY[10:]

    answer = rest_client.post(echo_url(auth), content=chunks())
    assert answer.status_code == 401 and answer.history == []  # returned as it came
    assert fake.stats(scenario)["rest_calls"] == 1
    # The rejected token was invalidated all the same: the next call has a new one.
    again = rest_client.post(echo_url(auth), content=chunks())
    assert again.status_code == 200 and again.content == BODY
    assert fake.stats(scenario)["token_requests"] == 2
