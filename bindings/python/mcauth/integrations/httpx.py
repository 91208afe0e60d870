"""``BearerAuth``: Marketing Cloud's token on every ``httpx`` call, sync or async, renewed once
on a rejection.

    httpx.Client(auth=BearerAuth(auth)).get(auth.rest_base_url + "platform/v1/endpoints")
    await httpx.AsyncClient(auth=BearerAuth(auth)).get(...)
"""

from __future__ import annotations

from typing import AsyncGenerator, Callable, Generator, Optional

from ._extra import require

require("httpx", "httpx")

import anyio.to_thread  # noqa: E402  (httpx depends on anyio)
import httpx  # noqa: E402

from .._auth import MarketingCloudAuth  # noqa: E402
from .._calls import is_token_rejected, rejection_needs_body  # noqa: E402
from ._bodies import answer_rejects_token, nothing_to_rewind, optional_rewind  # noqa: E402

__all__ = ["BearerAuth"]


class BearerAuth(httpx.Auth):
    """Sends ``Authorization: Bearer <token>`` and, when the answer rejects that token,
    invalidates exactly it and sends the request once more with a new token.

    The retry happens only when the body can be sent again whole: content httpx holds in
    memory (``content=`` bytes or str, ``json=``, ``data=`` forms) or a seekable file given as
    ``content=``, rewound first.  A generator's body is never sent twice: the rejected answer
    is returned as it came.  In an ``AsyncClient`` the event loop never waits for a token
    request: a cached token is served inline, and a token request runs on a worker thread.
    """

    # A streaming body stays streaming: this auth never needs it in memory.
    requires_request_body = False
    requires_response_body = False

    def __init__(self, auth: MarketingCloudAuth) -> None:
        self.auth = auth

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.auth.get_token()
        rewind = _rewind_of(request)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if not answer_rejects_token(response.status_code, response.read):
            return
        self.auth.invalidate(token)
        if rewind is None:
            return  # the body went out once and cannot be sent again
        rewind()
        request.headers["Authorization"] = f"Bearer {self.auth.get_token()}"
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._token()
        rewind = _rewind_of(request)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        status = response.status_code
        body = await response.aread() if rejection_needs_body(status) else None
        if not is_token_rejected(status, body):
            return
        self.auth.invalidate(token)  # no request: only the core's lock
        if rewind is None:
            return
        rewind()
        request.headers["Authorization"] = f"Bearer {await self._token()}"
        yield request

    async def _token(self) -> str:
        """The token without blocking the loop: inline when cached, else from a worker thread,
        where the core's single flight makes concurrent tasks share one request."""
        token = self.auth.get_cached_token()
        if token is not None:
            return token
        return await anyio.to_thread.run_sync(self.auth.get_token)


def _rewind_of(request: httpx.Request) -> Optional[Callable[[], None]]:
    """How to send ``request``'s body again, or ``None`` when it can be read only once."""
    try:
        request.content  # bytes/str/json/form bodies: httpx keeps them, and resends them whole
    except httpx.RequestNotRead:
        pass
    else:
        return nothing_to_rewind
    # A file given as content= is streamed by reading it, and httpx reads it again from where
    # it stands, so rewinding it is enough.  httpx keeps it as the stream's _stream; any other
    # stream (a generator, multipart) has no seekable _stream and is not sent again.
    return optional_rewind(getattr(request.stream, "_stream", _NOT_REPLAYABLE))


_NOT_REPLAYABLE = object()
