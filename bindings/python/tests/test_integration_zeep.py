"""mcauth.integrations.zeep.client against the fake's SOAP API and its WSDL: what only the zeep
integration has. The scenarios every SOAP integration shares are in test_integration_soap.py."""

from __future__ import annotations

from typing import Any, List

import requests
import zeep

import mcauth
from conftest import FakeMc
from soap_clients import ZeepClient


def test_operations_go_to_the_tenant_endpoint_or_the_one_asked_for(
        fake: FakeMc, auth: mcauth.MarketingCloudAuth) -> None:
    # The fake's WSDL names a host that never resolves; the caller's transport is kept.
    def sent_to(**kwargs: Any) -> List[str]:
        urls: List[str] = []
        session = requests.Session()
        session.hooks["response"].append(lambda r, **_: urls.append(r.url) if r.request.method == "POST" else None)
        client = ZeepClient(auth, fake.wsdl, transport=zeep.Transport(session=session), **kwargs)
        assert client.retrieve().OverallStatus == "OK"
        return urls

    before = fake.global_stats()["login_failed"]
    assert sent_to() == [auth.soap_endpoint]
    other = f"{fake.http}/SERVICE.ASMX"  # the same fake: its path is case-insensitive
    assert sent_to(endpoint=other) == [other]
    # The header trap: with the caller's transport, no envelope lost its fueloauth header.
    assert fake.global_stats()["login_failed"] == before
