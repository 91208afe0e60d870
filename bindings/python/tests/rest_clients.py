"""One REST client per HTTP library, each with that library's own mcauth integration, behind
the same calls, so that a scenario every HTTP integration must pass is written once.

`post` and `get` return the library's own response; the scenarios read only what requests'
and httpx's responses share: status_code, content, json(), history and request.headers.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import httpx
import requests

import mcauth
import mcauth.integrations.httpx
import mcauth.integrations.requests

# What the fake's echo answers with, byte for byte: a non-ASCII body shows it arrived whole.
BODY = b'{"name": "caf\xc3\xa9", "items": [1, 2, 3]}'


def echo_url(auth: mcauth.MarketingCloudAuth) -> str:
    return auth.rest_base_url + "data/v1/echo"


class RestClient:
    """`library`'s client, closed by `close()`; `body_keyword` is where it takes a raw body."""

    def __init__(self, library: str, client: Any, body_keyword: str) -> None:
        self.library, self._client, self._body_keyword = library, client, body_keyword

    def post(self, url: str, *, content: Any = None, json: Any = None,
             form: Optional[Dict[str, str]] = None) -> Any:
        """`content`: bytes, str, a file or a generator, sent as it is; `form`: url-encoded."""
        kwargs: Dict[str, Any] = {"json": json}
        if form is not None:
            kwargs["data"] = form
        if content is not None:
            kwargs[self._body_keyword] = content
        return self._client.post(url, **kwargs)

    def get(self, url: str) -> Any:
        return self._client.get(url)

    def close(self) -> None:
        self._client.close()


def _requests(auth: mcauth.MarketingCloudAuth) -> RestClient:
    session = requests.Session()
    session.auth = mcauth.integrations.requests.BearerAuth(auth)
    return RestClient("requests", session, "data")  # requests takes raw bodies and forms as data=


def _httpx(auth: mcauth.MarketingCloudAuth) -> RestClient:
    return RestClient("httpx", httpx.Client(auth=mcauth.integrations.httpx.BearerAuth(auth)), "content")


# The libraries whose integration the shared scenarios prove.
LIBRARIES: Dict[str, Callable[[mcauth.MarketingCloudAuth], RestClient]] = {
    "requests": _requests, "httpx": _httpx,
}

