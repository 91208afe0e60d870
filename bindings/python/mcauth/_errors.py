"""The exception hierarchy and the mapping from ``mc_status`` codes to it."""

from __future__ import annotations


class McAuthError(Exception):
    """A call into mcauth failed.

    ``status`` is the library's ``mc_status`` number and ``message`` the
    library's detail for it (never containing the secret or a token).
    """

    status: int
    message: str

    def __init__(self, status: int, message: str) -> None:
        # Only the message goes to the base class: NetworkError and
        # RequestTimeoutError are OSErrors, which would otherwise read a
        # two-argument call as (errno, strerror) and show "[Errno 4] ...".
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple[type[McAuthError], tuple[int, str]]:
        # The default pickling replays self.args, which lacks the status.
        return (type(self), (self.status, self.message))


class InvalidArgumentError(McAuthError, ValueError):
    """A NULL/None, empty or malformed argument, or a closed object (MC_ERR_INVALID_ARGUMENT)."""


class UnauthorizedError(McAuthError):
    """The auth server rejected the credentials with 401/403 (MC_ERR_UNAUTHORIZED)."""


class HttpError(McAuthError):
    """Any other non-2xx answer after retries, or a refused redirect (MC_ERR_HTTP)."""


class NetworkError(McAuthError, ConnectionError):
    """DNS, connect, TLS (an untrusted certificate too), reset or proxy failure (MC_ERR_NETWORK)."""


class RequestTimeoutError(McAuthError, TimeoutError):
    """The call's time budget ran out (MC_ERR_TIMEOUT)."""


class BadResponseError(McAuthError):
    """An answer that is not the expected JSON, or too large to be one (MC_ERR_BAD_RESPONSE)."""


class InternalError(McAuthError):
    """A bug inside the library: a caught panic (MC_ERR_INTERNAL)."""


class BufferTooSmallError(McAuthError):
    """A token buffer too small (MC_ERR_BUFFER_TOO_SMALL); the binding always passes one large
    enough, so this never reaches users."""


class NotCachedError(McAuthError):
    """No usable token is cached (MC_ERR_NOT_CACHED), from the cached-only call; the binding
    turns it into ``None`` (``get_cached_token()``), so this never reaches users."""


# The numbers are mc_status values from mcauth.h, fixed forever by the C contract.
MC_ERR_INVALID_ARGUMENT = 1

_BY_STATUS: dict[int, type[McAuthError]] = {
    MC_ERR_INVALID_ARGUMENT: InvalidArgumentError,
    2: UnauthorizedError,
    3: HttpError,
    4: NetworkError,
    5: RequestTimeoutError,
    6: BadResponseError,
    7: InternalError,
    8: BufferTooSmallError,
    9: NotCachedError,
}


def error_for_status(status: int, message: str) -> McAuthError:
    """The exception for a failed call; a code newer than this wrapper gets the base class."""
    return _BY_STATUS.get(status, McAuthError)(status, message)
