"""Cached, single-flight Salesforce Marketing Cloud access tokens (ctypes binding of libmcauth)."""

from __future__ import annotations

from ._auth import MarketingCloudAuth
from ._calls import is_token_rejected, rejection_needs_body, soap_header_for
from ._errors import (
    BadResponseError,
    BufferTooSmallError,
    HttpError,
    InternalError,
    InvalidArgumentError,
    McAuthError,
    NetworkError,
    NotCachedError,
    RequestTimeoutError,
    UnauthorizedError,
)
from ._native import lib as _lib

__version__ = "0.1.0"

__all__ = [
    "BadResponseError",
    "BufferTooSmallError",
    "HttpError",
    "InternalError",
    "InvalidArgumentError",
    "MarketingCloudAuth",
    "McAuthError",
    "NetworkError",
    "NotCachedError",
    "RequestTimeoutError",
    "UnauthorizedError",
    "__version__",
    "is_token_rejected",
    "rejection_needs_body",
    "library_version",
    "soap_header_for",
]


def library_version() -> str:
    """The version of the loaded native library (the Rust crate's version)."""
    return _lib.mc_version().decode("ascii")  # type: ignore[no-any-return]
