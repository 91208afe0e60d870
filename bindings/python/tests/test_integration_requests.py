"""mcauth.integrations.requests.BearerAuth against the fake's REST API."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

requests = pytest.importorskip("requests")

import mcauth  # noqa: E402
from conftest import FakeMc  # noqa: E402
from fake_api import on_threads, reject, revoke, stats  # noqa: E402
from mcauth.integrations.requests import BearerAuth  # noqa: E402

BODY = b'{"name": "caf\xc3\xa9", "items": [1, 2, 3]}'


@pytest.fixture
def session(auth: mcauth.MarketingCloudAuth) -> Iterator[Any]:
    with requests.Session() as session:
        session.auth = BearerAuth(auth)
        yield session


def url(auth: mcauth.MarketingCloudAuth) -> str:
    return auth.rest_base_url + "data/v1/echo"


def test_sixteen_threads_through_one_revoked_token_get_one_new_token(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, session: Any) -> None:
    assert session.post(url(auth), data=BODY).status_code == 200
    revoke(fake, scenario)
    answers = on_threads(16, lambda: session.post(url(auth), data=BODY))
    assert [a.status_code for a in answers] == [200] * 16
    assert all(a.content == BODY for a in answers)
    assert stats(fake, scenario)["token_requests"] == 2  # the first, and exactly one new


def test_a_second_rejection_in_a_row_reaches_the_caller(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, session: Any) -> None:
    auth.get_token()
    reject(fake, scenario, 2)
    answer = session.post(url(auth), data=BODY)
    assert answer.status_code == 401 and answer.json()["message"] == "Not Authorized"
    assert [first.status_code for first in answer.history] == [401]
    counts = stats(fake, scenario)
    assert counts["rest_calls"] == 2 and counts["token_requests"] == 2  # one retry, no loop
    assert session.post(url(auth), data=BODY).status_code == 200


def test_the_answer_when_nothing_is_rejected_is_untouched(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, session: Any) -> None:
    answer = session.get(auth.rest_base_url + "platform/v1/endpoints")
    assert answer.status_code == 200 and answer.history == []
    assert answer.request.headers["Authorization"] == f"Bearer {auth.get_token()}"
    assert stats(fake, scenario)["rest_calls"] == 1


def file_body(tmp_path: Path) -> Any:
    path = tmp_path / "body.json"
    path.write_bytes(BODY)
    return path.open("rb")


@pytest.mark.parametrize("kind", ["bytes", "str", "json", "bytesio", "file"])
def test_replayable_bodies_arrive_whole_after_a_rejection(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, session: Any,
        tmp_path: Path, kind: str) -> None:
    auth.get_token()
    revoke(fake, scenario)
    document = json.loads(BODY)
    if kind == "json":
        answer = session.post(url(auth), json=document)
    else:
        body = {"bytes": BODY, "str": BODY.decode(), "bytesio": io.BytesIO(BODY)}.get(kind) \
            or file_body(tmp_path)
        answer = session.post(url(auth), data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and len(answer.history) == 1
    assert json.loads(answer.content) == document
    if kind != "json":
        assert answer.content == BODY
    assert stats(fake, scenario)["token_requests"] == 2


def test_a_generator_body_is_never_sent_again(
        fake: FakeMc, scenario: str, auth: mcauth.MarketingCloudAuth, session: Any) -> None:
    auth.get_token()
    revoke(fake, scenario)

    def chunks() -> Iterator[bytes]:
        yield BODY[:10]
        yield BODY[10:]

    answer = session.post(url(auth), data=chunks())
    assert answer.status_code == 401 and answer.history == []  # returned as it came
    assert stats(fake, scenario)["rest_calls"] == 1
    # The rejected token was invalidated all the same: the next call has a new one.
    again = session.post(url(auth), data=chunks())
    assert again.status_code == 200 and again.content == BODY
    assert stats(fake, scenario)["token_requests"] == 2
