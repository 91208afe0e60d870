"""MarketingCloudAuth.enhanced: the binding's surface for enhanced packages (/v2/token). What
/v2/token does (cache per business unit, errors, instance URLs) is proved in Rust."""

from __future__ import annotations

import json

import pytest
import requests

import mcauth
from conftest import FakeMc
from fake_api import secret
from mcauth.integrations.requests import BearerAuth


@pytest.mark.parametrize("account_id", [123456, "123456"])
def test_an_enhanced_handle_asks_v2_for_its_business_unit(fake: FakeMc, scenario: str,
                                                          account_id: object) -> None:
    with mcauth.MarketingCloudAuth.enhanced(fake.url(scenario), "client-v2", secret(),
                                            account_id=account_id, scope="email_read",  # type: ignore[arg-type]
                                            timeout=10.0, max_attempts=2) as auth:
        assert auth.get_token()
        assert auth.rest_base_url == fake.http + "/"  # the answer's rest_instance_url
    last = fake.last(scenario)
    body = json.loads(last["body"])
    assert last["endpoint"] == "/v2/token" and last["account_id"] == "123456"
    assert body["grant_type"] == "client_credentials" and body["scope"] == "email_read"
    assert fake.count(scenario) == 1


def test_enhanced_arguments_are_checked(fake: FakeMc, scenario: str) -> None:
    url = fake.url(scenario)
    with pytest.raises(TypeError):
        mcauth.MarketingCloudAuth.enhanced(url, "id", secret(), account_id=True)
    with pytest.raises(TypeError):
        mcauth.MarketingCloudAuth.enhanced(url, "id", secret(), not_an_option=1)
    for bad in [{"account_id": "12x"}, {"account_id": -5}, {"scope": ""}]:
        with pytest.raises(mcauth.InvalidArgumentError):
            mcauth.MarketingCloudAuth.enhanced(url, "id", secret(), **bad)  # type: ignore[arg-type]
    assert fake.count(scenario) == 0


def test_the_integrations_take_an_enhanced_handle_unchanged(fake: FakeMc, scenario: str) -> None:
    with mcauth.MarketingCloudAuth.enhanced(fake.url(scenario), "client-v2", secret()) as auth:
        answer = requests.post(auth.rest_base_url + "data/v1/echo", data=b"rows", auth=BearerAuth(auth),
                               timeout=10)
    assert answer.status_code == 200 and answer.content == b"rows"
