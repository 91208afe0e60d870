"""``client``: a ``suds.client.Client`` whose every operation carries Marketing Cloud's
``fueloauth`` header, renewed once on a rejection, and goes to the tenant's SOAP endpoint.

    client(auth, wsdl_url).service.Retrieve(request)
"""

from __future__ import annotations

import io
import threading
from typing import Any, Optional, Tuple

from ._extra import require

require("suds", "suds")

import suds.client  # noqa: E402
import suds.plugin  # noqa: E402
import suds.sax.element  # noqa: E402
import suds.sax.parser  # noqa: E402
import suds.transport  # noqa: E402
import suds.transport.https  # noqa: E402

from .._auth import MarketingCloudAuth  # noqa: E402
from .._calls import is_token_rejected, soap_header_for  # noqa: E402

__all__ = ["client"]


def client(auth: MarketingCloudAuth, wsdl: str, *, endpoint: Optional[str] = None,
           **suds_kwargs: Any) -> suds.client.Client:
    """A ``suds.client.Client`` for ``wsdl`` whose operations carry the ``fueloauth`` header of
    the token they send, are sent once more with a new token when the answer rejects it (with
    ``faults=True``, the default, or ``faults=False``), and go to ``endpoint`` (default
    ``auth.soap_endpoint``; a ``location=`` in ``suds_kwargs`` wins too).  ``suds_kwargs`` go to
    ``suds.client.Client`` (``plugins=`` and ``transport=`` included)."""
    suds_kwargs.setdefault("location", endpoint or auth.soap_endpoint)
    plugins = list(suds_kwargs.pop("plugins", None) or [])
    transport = suds_kwargs.pop("transport", None) or suds.transport.https.HttpAuthenticated()
    return _Client(wsdl, auth=auth, plugins=[*plugins, _FuelOAuthPlugin(auth)],
                   transport=_AnswerRecorder(transport), **suds_kwargs)


class _Call(threading.local):
    """What one operation call on this thread sent and got: suds runs the plugin, the transport
    and the operation on the caller's thread, so this is per call even with 16 threads on one
    client, and never state of the shared client."""

    token: Optional[str] = None
    answer: Optional[Tuple[int, bytes]] = None


_call = _Call()


class _Client(suds.client.Client):
    """A ``suds.client.Client`` whose ``service`` retries an operation once when its answer
    rejected the token it carried.

    Not for ``clone()``: suds 1.2's recurses without end, and an older one's gives a plain
    ``ServiceSelector``, without the retry."""

    def __init__(self, wsdl: str, *, auth: MarketingCloudAuth, **kwargs: Any) -> None:
        super().__init__(wsdl, **kwargs)
        self.service = _Selector(self.service, auth)


class _Selector:
    """suds' service, port and method selectors, with every operation wrapped in a retry."""

    def __init__(self, inner: Any, auth: MarketingCloudAuth) -> None:
        self._inner = inner
        self._auth = auth

    def __getattr__(self, name: str) -> Any:
        return self._wrap(getattr(self._inner, name))

    def __getitem__(self, name: Any) -> Any:
        return self._wrap(self._inner[name])

    def _wrap(self, found: Any) -> Any:
        if isinstance(found, suds.client.Method):
            return _RetryOnce(found, self._auth)
        return _Selector(found, self._auth)

    def __str__(self) -> str:
        return str(self._inner)


class _RetryOnce:
    """One operation: called once more when the answer rejected the token it carried."""

    def __init__(self, method: Any, auth: MarketingCloudAuth) -> None:
        self._method = method
        self._auth = auth

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            result = self._call(*args, **kwargs)
        except Exception:
            if not self._rejected():
                raise
        else:
            if not self._rejected():
                return result
        # The answer, a fault raised or returned (faults=False), rejected the token we sent.
        return self._call(*args, **kwargs)

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        _call.token = _call.answer = None
        return self._method(*args, **kwargs)

    def _rejected(self) -> bool:
        """Whether the core says the last answer rejected the token sent; then invalidates it."""
        token, answer = _call.token, _call.answer
        if token is None or answer is None or not is_token_rejected(*answer):
            return False
        self._auth.invalidate(token)
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._method, name)


class _FuelOAuthPlugin(suds.plugin.MessagePlugin):
    """Adds the ``fueloauth`` element of the token it fetches to each envelope suds sends.

    suds drops a plain string passed as ``soapheaders=``; an element parsed from the core's
    header is what reaches the server."""

    def __init__(self, auth: MarketingCloudAuth) -> None:
        self._auth = auth

    def marshalled(self, context: Any) -> None:
        token = self._auth.get_token()
        _call.token = token
        element = suds.sax.parser.Parser().parse(string=soap_header_for(token).encode("utf-8")).root()
        element.detach()
        envelope = context.envelope
        header = envelope.getChild("Header")
        if header is None:
            header = suds.sax.element.Element("Header", ns=envelope.namespace())
            envelope.insert(header, 0)
        header.append(element)


class _AnswerRecorder(suds.transport.Transport):
    """The caller's suds transport, noting each answer's status and body for this thread's call.

    suds turns an HTTP error into a TransportError whose body is read once; it is read here
    and handed on in a fresh TransportError, so suds still sees the whole body."""

    def __init__(self, inner: suds.transport.Transport) -> None:
        # No Transport.__init__: the options are the inner transport's own, so that
        # Client.set_options(timeout=..., proxy=...) still reaches the transport that sends.
        self.options = inner.options
        self._inner = inner

    def open(self, request: Any) -> Any:
        return self._inner.open(request)

    def send(self, request: Any) -> Any:
        try:
            reply = self._inner.send(request)
        except suds.transport.TransportError as exc:
            body = exc.fp.read() if exc.fp is not None else b""
            _call.answer = (exc.httpcode, body)
            raise suds.transport.TransportError(exc.args[0] if exc.args else "", exc.httpcode,
                                                io.BytesIO(body)) from None
        _call.answer = (reply.code, reply.message or b"")
        return reply
