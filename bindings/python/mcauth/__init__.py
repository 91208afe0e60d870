"""Cached, single-flight Salesforce Marketing Cloud access tokens (ctypes binding of libmcauth)."""

from __future__ import annotations

from ._auth import MarketingCloudAuth
from ._errors import (
    BadResponseError,
    HttpError,
    InternalError,
    InvalidArgumentError,
    McAuthError,
    NetworkError,
    RequestTimeoutError,
    UnauthorizedError,
)
from ._native import lib as _lib

__version__ = "0.1.0"

__all__ = [
    "BadResponseError",
    "HttpError",
    "InternalError",
    "InvalidArgumentError",
    "MarketingCloudAuth",
    "McAuthError",
    "NetworkError",
    "RequestTimeoutError",
    "UnauthorizedError",
    "__version__",
    "library_version",
]


def library_version() -> str:
    """The version of the loaded native library (the Rust crate's version)."""
    return _lib.mc_version().decode("ascii")  # type: ignore[no-any-return]
