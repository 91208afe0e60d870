"""What an authenticated call needs besides the token: the SOAP header for exactly the token
sent, and the core's verdict on whether an answer rejected that token."""

from __future__ import annotations

from ctypes import byref, c_char_p
from typing import Union

from ._auth import _utf8
from ._native import lib

_is_token_rejected = lib.mc_is_token_rejected
_rejection_needs_body = lib.mc_token_rejection_needs_body


def soap_header_for(token: str) -> str:
    """``<h:fueloauth xmlns="http://exacttarget.com" …>TOKEN</h:fueloauth>`` for exactly ``token``
    (XML-escaped), so that the header and the token you may later invalidate always agree.

    An empty token, or one XML cannot carry, raises ``InvalidArgumentError``.  Sends nothing.
    """
    out = c_char_p()
    try:
        lib.mc_soap_header_for(_utf8("token", token), byref(out))  # errcheck raises on failure
        return out.value.decode("utf-8")  # type: ignore[union-attr]  # MC_OK: never NULL
    finally:
        lib.mc_string_free(out)  # NULL is fine


def is_token_rejected(status: int, body: Union[bytes, bytearray, memoryview, str, None] = None) -> bool:
    """Whether an API answer means "the access token you sent was rejected": then invalidate
    that token, get a new one and retry once.

    ``status`` is the HTTP status and ``body`` the answer's body (``None``: not read).  The
    rules (HTTP 401; a SOAP fault ``Token Expired`` or ``Login Failed``) are the library's, so
    every binding answers alike.
    """
    if not _is_c_int(status):
        return False  # not an HTTP status, and ctypes would wrap it into one silently
    if body is None:
        return _is_token_rejected(status, None, 0) == 1
    if isinstance(body, str):
        # Only the core's XML reading sees these bytes: an unencodable character is just noise.
        data = body.encode("utf-8", "replace")
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, (bytearray, memoryview)):
        data = bytes(body)
    else:
        raise TypeError(f"body must be bytes, str or None, not {type(body).__name__}")
    return _is_token_rejected(status, data, len(data)) == 1


def rejection_needs_body(status: int) -> bool:
    """Whether an answer's body must be read for ``is_token_rejected`` to decide: an error
    status other than 401.  Otherwise pass ``None``: a 401 rejects, and below 400 nothing is
    looked for (faults come with 500; a successful answer may be a download).  The core's rule.
    """
    return _is_c_int(status) and _rejection_needs_body(status) == 1


def _is_c_int(status: object) -> bool:
    """``status`` as the core takes it: an ``int`` (not a ``bool``) in C's ``int`` range."""
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"status must be int, not {type(status).__name__}")
    return -0x8000_0000 <= status <= 0x7FFF_FFFF
