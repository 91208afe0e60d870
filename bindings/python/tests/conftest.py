"""The fake Marketing Cloud that tests/with-fake-mc.sh started, the one client of its counters
and controls, and a handle on each test's own scenario."""

from __future__ import annotations

import json
import os
import re
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

import mcauth
from fake_api import secret

REPO_ROOT = Path(__file__).resolve().parents[3]

# The fake is on loopback: never ask it through a proxy named by the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class FakeMc:
    http: str
    https: str
    proxy: str
    ca: str

    @classmethod
    def from_environment(cls) -> FakeMc:
        """The fake named by FAKE_MC_*; stops the run with a clear message when it is not there."""
        names = ("http", "https", "proxy", "ca")
        env = {name: os.environ.get(f"FAKE_MC_{name.upper()}", "") for name in names}
        missing = [f"FAKE_MC_{name.upper()}" for name, value in env.items() if not value]
        if missing:
            pytest.exit(f"{', '.join(missing)} not set: run under tests/with-fake-mc.sh "
                        "(bindings/python/run-tests.sh does)", returncode=2)
        return cls(**{name: value.rstrip("/") for name, value in env.items()})

    def url(self, scenario: str, *, https: bool = False) -> str:
        """The `subdomain` argument that sends token requests to `scenario`."""
        return f"{self.https if https else self.http}/{scenario}/"

    @property
    def wsdl(self) -> str:
        return f"{self.http}/etframework.wsdl"

    def _ask(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"{self.http}{path}", method=method)
        with _DIRECT.open(request, timeout=10) as answer:
            return json.loads(answer.read())

    def count(self, scenario: str) -> int:
        """Token requests (all attempts) that reached `scenario`."""
        return int(self._ask(f"/_count/{scenario}"))

    def last(self, scenario: str) -> Any:
        """The user agent, content type and body of the last token request to `scenario`."""
        return self._ask(f"/_last/{scenario}")

    def proxy_requests(self) -> int:
        """Requests the fake's proxy has carried."""
        return int(self._ask("/_proxy")["requests"])

    def proxy_authorization(self) -> Any:
        """The Proxy-Authorization header of the proxy's last request."""
        return self._ask("/_proxy")["last_proxy_authorization"]

    def stats(self, scenario: str) -> Dict[str, int]:
        """token_requests, api_calls, accepted, rejected, token_expired… of one scenario."""
        return self._ask(f"/_stats/{scenario}")  # type: ignore[no-any-return]

    def global_stats(self) -> Dict[str, int]:
        """The same over everything, plus login_failed (API calls that carried no token)."""
        return self._ask("/_stats")  # type: ignore[no-any-return]

    def revoke(self, scenario: str) -> None:
        """Every token the scenario issued so far is now stale for the API."""
        self._ask(f"/_revoke/{scenario}", "POST")

    def reject(self, scenario: str, count: int) -> None:
        """The next `count` API calls with a valid token of the scenario are refused as stale."""
        self._ask(f"/_reject/{scenario}/{count}", "POST")


@pytest.fixture(scope="session")
def fake() -> FakeMc:
    return FakeMc.from_environment()


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> str:
    """A label no other test (or earlier run against the same fake) uses: the cache is process-wide."""
    label = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    return f"py-{label}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def auth(fake: FakeMc, scenario: str) -> Iterator[mcauth.MarketingCloudAuth]:
    """A handle whose token requests go to this test's scenario, closed after the test."""
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        yield auth
