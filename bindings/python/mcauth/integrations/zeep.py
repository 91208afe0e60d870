"""``client``: a ``zeep.Client`` whose every operation carries Marketing Cloud's ``fueloauth``
header, renewed once on a rejection, and goes to the tenant's SOAP endpoint.

    client(auth, wsdl_url).service.Retrieve(RetrieveRequest={"ObjectType": "Subscriber"})
"""

from __future__ import annotations

from typing import Any, Optional

from ._extra import require

require("zeep", "zeep")

import zeep  # noqa: E402
import zeep.proxy  # noqa: E402
from lxml import etree  # noqa: E402  (zeep depends on lxml)

from .._auth import MarketingCloudAuth  # noqa: E402
from .._calls import is_token_rejected, soap_header_for  # noqa: E402

__all__ = ["client"]

_SOAP_ENVELOPES = ("http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")


def client(auth: MarketingCloudAuth, wsdl: str, *, endpoint: Optional[str] = None,
           **zeep_kwargs: Any) -> zeep.Client:
    """A ``zeep.Client`` for ``wsdl`` whose operations carry the ``fueloauth`` header of the
    token they send, are sent once more with a new token when the answer rejects it, and go to
    ``endpoint`` (default ``auth.soap_endpoint``: the address inside Marketing Cloud's WSDL is
    not the tenant's).  ``zeep_kwargs`` go to ``zeep.Client`` (``transport=`` included)."""
    transport = zeep_kwargs.pop("transport", None) or zeep.Transport()
    return _Client(wsdl, endpoint=endpoint or auth.soap_endpoint,
                   transport=_FuelOAuthTransport(auth, transport), **zeep_kwargs)


class _Client(zeep.Client):
    """A ``zeep.Client`` whose services bound from the WSDL (``client.service``, ``bind()``) post
    to the tenant's endpoint; ``create_service(binding, address)`` keeps the address given."""

    def __init__(self, wsdl: str, *, endpoint: str, **kwargs: Any) -> None:
        self._mcauth_endpoint = endpoint
        super().__init__(wsdl, **kwargs)

    def bind(self, service_name: Optional[str] = None, port_name: Optional[str] = None) -> Any:
        # zeep's own bind(), with the tenant's address in place of the WSDL's.
        if not self.wsdl.services:
            return None
        port = self._get_port(self._get_service(service_name), port_name)
        options = dict(port.binding_options, address=self._mcauth_endpoint)
        return zeep.proxy.ServiceProxy(self, port.binding, **options)


class _FuelOAuthTransport:
    """The caller's zeep transport, with the token added where zeep hands over each envelope.

    ``post_xml`` is zeep's documented place to customise sending an envelope.  Doing it here,
    after zeep's plugins, keeps each call's token in local variables (never on the shared
    client, which many threads use at once) and out of what plugins such as HistoryPlugin
    record; and the retry sends the very same envelope again, with the new token's header.
    """

    def __init__(self, auth: MarketingCloudAuth, inner: Any) -> None:
        self._auth = auth
        self._inner = inner

    def post_xml(self, address: str, envelope: Any, headers: Any) -> Any:
        token = self._auth.get_token()
        _put_header(envelope, token)
        response = self._inner.post_xml(address, envelope, headers)
        if not is_token_rejected(response.status_code, response.content):
            return response
        self._auth.invalidate(token)
        _put_header(envelope, self._auth.get_token())
        return self._inner.post_xml(address, envelope, headers)

    def __getattr__(self, name: str) -> Any:
        # load(), get(), post(), settings(), session, cache, close(): the caller's transport.
        return getattr(self._inner, name)


def _put_header(envelope: Any, token: str) -> None:
    """Put the ``fueloauth`` element for ``token`` in ``envelope``'s Header, replacing one put
    there before (the retry's), and creating the Header if zeep did not."""
    element = etree.fromstring(soap_header_for(token))
    namespace = etree.QName(envelope).namespace
    if namespace not in _SOAP_ENVELOPES:
        raise ValueError(f"not a SOAP envelope: {envelope.tag}")
    header = envelope.find(f"{{{namespace}}}Header")
    if header is None:
        header = etree.Element(f"{{{namespace}}}Header")
        envelope.insert(0, header)
    for old in header.findall(element.tag):
        header.remove(old)
    header.append(element)
