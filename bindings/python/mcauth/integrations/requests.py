"""``BearerAuth``: Marketing Cloud's token on every ``requests`` call, renewed once on a rejection.

    session.auth = BearerAuth(auth)
    session.get(auth.rest_base_url + "platform/v1/endpoints")
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ._extra import require

require("requests", "requests")

import requests  # noqa: E402  (after the check that names the extra)
from requests.cookies import extract_cookies_to_jar  # noqa: E402

from .._auth import MarketingCloudAuth  # noqa: E402
from ._bodies import answer_rejects_token, optional_rewind  # noqa: E402

__all__ = ["BearerAuth"]


class BearerAuth(requests.auth.AuthBase):
    """Sends ``Authorization: Bearer <token>`` and, when the answer rejects that token,
    invalidates exactly it and sends the request once more with a new token.

    The retry happens only when the body can be sent again whole (``bytes``, ``str``, none,
    or a seekable file, rewound first); a generator's body is never sent twice: the rejected
    answer is returned as it came.  The first answer stays in ``response.history``.
    """

    def __init__(self, auth: MarketingCloudAuth) -> None:
        self.auth = auth

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.auth.get_token()
        request.headers["Authorization"] = f"Bearer {token}"
        # The state of this one request travels with its hook, never on self: one BearerAuth
        # serves many threads at once.
        request.register_hook("response", _RetryOnce(self.auth, token, optional_rewind(request.body)))
        return request


class _RetryOnce:
    """The response hook of one request that carried ``token``."""

    def __init__(self, auth: MarketingCloudAuth, token: str,
                 rewind: Optional[Callable[[], None]]) -> None:
        self.auth, self.token, self.rewind = auth, token, rewind

    def __call__(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        # Session.send runs the hooks on every answer it gets, redirects included (the answer
        # to our own retry comes through connection.send, which runs none).  Only an answer to
        # a request that carried our token is ours to judge: after a redirect to another host
        # requests has dropped the header, and re-adding it would hand the token to that
        # host; after our retry the request carries the new token, so there is no second one.
        if response.request.headers.get("Authorization") != f"Bearer {self.token}":
            return response
        if not answer_rejects_token(response.status_code, lambda: response.content):
            return response
        self.auth.invalidate(self.token)
        if self.rewind is None:
            return response  # the body went out once and cannot be sent again
        self.rewind()
        # As HTTPDigestAuth does: read and release the first answer so its connection can be
        # reused, carry over its cookies, and keep it in the history.
        response.content
        response.close()
        retry = response.request.copy()
        extract_cookies_to_jar(retry._cookies, response.request, response.raw)  # type: ignore[attr-defined]
        retry.prepare_cookies(retry._cookies)  # type: ignore[attr-defined]
        retry.headers["Authorization"] = f"Bearer {self.auth.get_token()}"
        second = response.connection.send(retry, **kwargs)  # type: ignore[attr-defined]
        second.history.append(response)
        second.request = retry
        return second
