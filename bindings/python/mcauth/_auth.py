"""MarketingCloudAuth: one mc_auth handle, its options and its calls."""

from __future__ import annotations

import math
import os
import threading
import time
from ctypes import byref, c_char_p, c_uint32, c_uint64, c_void_p, create_string_buffer
from types import TracebackType
from typing import Any, Dict, List, Optional, Tuple, Type, Union

from ._errors import MC_ERR_INVALID_ARGUMENT, InvalidArgumentError, NotCachedError
from ._native import lib

_UINT32_MAX = 0xFFFF_FFFF

# Bound once: the per-call attribute lookups are a measurable part of a cached get_token.
_get_cached_token_into = lib.mc_get_cached_token_into
_soap_header = lib.mc_soap_header
_string_free = lib.mc_string_free
_get_token_stamped = lib.mc_get_token_stamped
_monotonic = time.monotonic

# get_token's own copy of the token: (token, generation, fresh_until), one tuple so that
# swapping it is atomic.  No uint64 equals -1, so this copy is never served.
_NO_COPY: Tuple[str, int, float] = ("", -1, 0.0)

# MC_TOKEN_BUFFER_SIZE in mcauth.h (checked by the tests): always holds a token and its NUL.
_TOKEN_BUFFER_SIZE = 65536


class _TokenBuffer(threading.local):
    """One buffer per thread, so concurrent get_token calls never share one."""

    def __init__(self) -> None:
        self.buffer = create_string_buffer(_TOKEN_BUFFER_SIZE)


_token_buffer = _TokenBuffer()


class _Stamp(threading.local):
    """mc_get_token_stamped's two out-values, one pair per thread."""

    def __init__(self) -> None:
        self.generation = c_uint64()
        self.fresh_ms = c_uint32()
        self.generation_ref = byref(self.generation)
        self.fresh_ms_ref = byref(self.fresh_ms)


_stamp = _Stamp()


def _counter_view(counter: c_uint64) -> memoryview:
    """A 0-dimensional view of a uint64: ``view[()]`` is one aligned 64-bit load, and is cheaper
    than ``counter.value`` (no attribute lookup), which matters on the cached path."""
    return memoryview(counter).cast("B").cast("Q", shape=[])


def _closed_generation() -> memoryview:
    """A counter owned by Python that no copy's generation matches: what close() leaves behind."""
    return _counter_view(c_uint64(0xFFFF_FFFF_FFFF_FFFF))  # the core counts up from 1, never here


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(MC_ERR_INVALID_ARGUMENT, message)


def _utf8(name: str, value: object) -> bytes:
    """A str as the NUL-terminated UTF-8 the C side expects; never echoes the value."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if "\0" in value:
        # c_char_p would silently cut the text at the NUL.
        raise _invalid(f"{name} contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        pass
    # Raised outside the except block so the UnicodeEncodeError, which holds the
    # whole text (possibly the secret), is not chained onto this exception.
    raise _invalid(f"{name} is not valid Unicode (lone surrogate)")


def _uint32(name: str, value: object) -> int:
    """An int for a uint32_t parameter. Only what the C type cannot carry is refused here
    (ctypes would wrap it silently); the range that matters is the library's to check."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be int, not {type(value).__name__}")
    if value < 0:
        raise _invalid(f"{name} must not be negative")
    if value > _UINT32_MAX:
        raise _invalid(f"{name} must be at most {_UINT32_MAX}")
    return value


def _timeout_ms(timeout: object) -> int:
    """Float seconds to the whole milliseconds the core takes, rounded up so a tiny budget is 1 ms.
    0 goes through: the library refuses it with its own message."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
    if not math.isfinite(timeout) or timeout < 0:
        raise _invalid("timeout must be a finite, positive number of seconds")
    # round() first drops binary noise (1.1 * 1000 == 1100.0000000000002) that ceil would turn into 1101.
    ms = math.ceil(round(timeout * 1000, 6))
    if ms > _UINT32_MAX:
        raise _invalid(f"timeout must be at most {_UINT32_MAX // 1000} seconds")
    return ms


def _closed_error() -> InvalidArgumentError:
    return _invalid("MarketingCloudAuth is closed")


def _option_setters(options: Dict[str, Any]) -> List[Tuple[Any, Union[int, bytes]]]:
    """The native setter and converted value of each option given (not None), in the constructor's
    order; an unknown option is a TypeError, as for any function."""
    unknown = set(options) - {"timeout", "refresh_margin", "ca_file", "proxy", "max_attempts", "shared_cache"}
    if unknown:
        raise TypeError(f"unexpected keyword argument {sorted(unknown)[0]!r}")
    setters: List[Tuple[Any, Union[int, bytes]]] = []
    if options.get("timeout") is not None:
        setters.append((lib.mc_auth_set_timeout_ms, _timeout_ms(options["timeout"])))
    if options.get("refresh_margin") is not None:
        setters.append((lib.mc_auth_set_refresh_margin_secs, _uint32("refresh_margin", options["refresh_margin"])))
    ca_file = options.get("ca_file")
    if ca_file is not None:
        if not isinstance(ca_file, (str, os.PathLike)):
            raise TypeError(f"ca_file must be str or os.PathLike, not {type(ca_file).__name__}")
        path = os.fsencode(ca_file)
        if b"\0" in path:
            raise _invalid("ca_file contains a NUL character")
        setters.append((lib.mc_auth_set_ca_file, path))
    if options.get("proxy") is not None:
        setters.append((lib.mc_auth_set_proxy, _utf8("proxy", options["proxy"])))
    if options.get("max_attempts") is not None:
        setters.append((lib.mc_auth_set_max_attempts, _uint32("max_attempts", options["max_attempts"])))
    if options.get("shared_cache") is not None:
        setters.append((lib.mc_auth_set_shared_cache, _utf8("shared_cache", options["shared_cache"])))
    return setters


class MarketingCloudAuth:
    """Access tokens for one installed package (subdomain, client id, client secret).

    Tokens are cached process-wide by the library, so any number of objects with
    the same credentials share one token and one refresh.  Every method may be
    called from many threads at once, ``close()`` included: the native handle is
    freed only once the calls already running on it have returned.
    """

    def __init__(
        self,
        subdomain: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: Optional[float] = None,
        refresh_margin: Optional[int] = None,
        ca_file: Union[str, os.PathLike[str], None] = None,
        proxy: Optional[str] = None,
        max_attempts: Optional[int] = None,
        shared_cache: Optional[str] = None,
    ) -> None:
        """``timeout`` is in seconds and ``refresh_margin`` in whole seconds; ``None`` keeps
        the library default.  ``ca_file`` is a PEM file whose CAs are trusted in addition to
        the system roots; ``proxy`` is ``"http://user:pass@host:port"``; ``max_attempts``
        caps the tries of one token request (the library takes 1-10); ``shared_cache`` shares
        tokens with other processes through a store, ``"file:///absolute/folder"`` (not on Windows) or
        ``"redis://[user:password@]host[:port][/db]"`` (``rediss://`` for TLS); ``None`` leaves
        ``MCAUTH_SHARED_CACHE`` in charge, ``""`` shares nothing whatever it says.  The library checks each value and refuses a bad one
        with InvalidArgumentError."""
        args = (_utf8("subdomain", subdomain), _utf8("client_id", client_id),
                _utf8("client_secret", client_secret))
        options = dict(timeout=timeout, refresh_margin=refresh_margin, ca_file=ca_file, proxy=proxy,
                       max_attempts=max_attempts, shared_cache=shared_cache)
        self._open(lambda out: lib.mc_auth_new(*args, out), subdomain, client_id, options)

    @classmethod
    def enhanced(
        cls,
        subdomain: str,
        client_id: str,
        client_secret: str,
        *,
        account_id: Union[int, str, None] = None,
        scope: Optional[str] = None,
        **options: Any,
    ) -> MarketingCloudAuth:
        """An *enhanced* installed package (OAuth 2.0 client credentials, ``/v2/token``), for
        the business unit ``account_id`` (its MID, int or digits; ``None``: the package's own)
        with ``scope`` (space-separated; ``None``: the package's scopes).  Same options, cache,
        errors and methods as the constructor; ``rest_base_url``/``soap_endpoint`` are the token
        answer's instance URLs."""
        if isinstance(account_id, bool) or not isinstance(account_id, (int, str, type(None))):
            raise TypeError(f"account_id must be int or str, not {type(account_id).__name__}")
        args = (_utf8("subdomain", subdomain), _utf8("client_id", client_id),
                _utf8("client_secret", client_secret),
                None if account_id is None else _utf8("account_id", str(account_id)),
                None if scope is None else _utf8("scope", scope))
        auth = cls.__new__(cls)
        auth._open(lambda out: lib.mc_auth_new_enhanced(*args, out), subdomain, client_id, options)
        return auth

    def _open(self, new_handle: Any, subdomain: str, client_id: str, options: Dict[str, Any]) -> None:
        """Creates the handle with ``new_handle(out)`` and applies the constructor's ``options``."""
        # Every option is converted before the handle exists, so a bad one leaves nothing to free.
        setters = _option_setters(options)
        handle = c_void_p()
        new_handle(byref(handle))
        try:
            for setter, value in setters:
                setter(handle, value)
        except BaseException:
            lib.mc_auth_free(handle)
            raise
        self.subdomain = subdomain
        self.client_id = client_id
        self._handle = handle
        self._closed = False
        # Lifetime bookkeeping without a lock, relying only on list.append/pop
        # being atomic: one entry per call in progress, and the handle to free,
        # which exactly one thread gets to pop.
        self._calls: List[None] = []
        self._unfreed = [handle]
        # The cached get_token() is pure Python: it serves self._copy while the core's
        # generation counter for these credentials still holds the copy's generation (one
        # 64-bit load) and the copy is fresh.  Any new token or invalidation, by any object,
        # thread or C caller in the process, changes the counter.
        self._generation = _counter_view(c_uint64.from_address(lib.mc_token_generation(handle)))
        self._copy = _NO_COPY

    # Every native call on the handle is bracketed by _begin_call() and, in a finally, _end_call():
    # not a @contextmanager, which would add about 1 us, half or more of what such a call costs.

    def _begin_call(self) -> c_void_p:
        """The handle, which close() now leaves to _end_call() to free; raises if closed."""
        self._calls.append(None)  # before the closed check, so close() sees this call or we see closed
        if self._closed:
            self._end_call()
            raise _closed_error()
        return self._handle

    def _end_call(self) -> None:
        calls = self._calls
        calls.pop()
        if self._closed and not calls:  # close() ran during the call: the last call frees
            self._free()

    def _string(self, func: Any) -> str:
        """Call a `char **` getter; copy the result and release it with mc_string_free whatever happens."""
        out = c_char_p()
        handle = self._begin_call()
        try:
            func(handle, byref(out))  # errcheck raises on failure; out stays NULL then
            return out.value.decode("utf-8")  # type: ignore[union-attr]  # MC_OK: never NULL
        finally:
            _string_free(out)  # NULL is fine
            self._end_call()

    def get_token(self) -> str:
        """The access token, from the process-wide cache or freshly requested."""
        token, generation, fresh_until = self._copy
        if self._generation[()] == generation and _monotonic() < fresh_until:
            return token
        return self._get_token_stamped()

    def _get_token_stamped(self) -> str:
        """get_token's slow path: the core's token, and a new copy of it for the fast path."""
        handle = self._begin_call()
        try:
            buffer, stamp = _token_buffer.buffer, _stamp
            started = _monotonic()  # fresh_ms counts from the call, so start the clock before it
            _get_token_stamped(handle, buffer, _TOKEN_BUFFER_SIZE,
                               stamp.generation_ref, stamp.fresh_ms_ref)  # errcheck raises on failure
            token = buffer.value.decode("utf-8")
            # Written even if close() ran meanwhile: close() swapped the counter, so it never matches.
            self._copy = (token, stamp.generation.value, started + stamp.fresh_ms.value / 1000)
            return token
        finally:
            self._end_call()

    def get_cached_token(self) -> Optional[str]:
        """The token if one is cached and usable now, else ``None``; never sends or waits.

        For event loops: serve this inline and run ``get_token()`` off the loop only on ``None``.
        """
        token, generation, fresh_until = self._copy
        if self._generation[()] == generation and _monotonic() < fresh_until:
            return token
        handle = self._begin_call()
        try:
            buffer = _token_buffer.buffer
            try:
                _get_cached_token_into(handle, buffer, _TOKEN_BUFFER_SIZE)
            except NotCachedError:
                return None
            return buffer.value.decode("utf-8")
        finally:
            self._end_call()

    def get_token_ttl(self) -> Tuple[str, int]:
        """``(token, seconds)``: the token and how many whole seconds it stays valid (until it
        expires, not until it is refreshed), for logs and schedulers."""
        out, seconds = c_char_p(), c_uint32()
        handle = self._begin_call()
        try:
            lib.mc_get_token_ttl(handle, byref(out), byref(seconds))
            return out.value.decode("utf-8"), seconds.value  # type: ignore[union-attr]  # MC_OK: never NULL
        finally:
            _string_free(out)
            self._end_call()

    def soap_header(self) -> str:
        """The ``<h:fueloauth …>TOKEN</h:fueloauth>`` element for a SOAP envelope's header."""
        return self._string(_soap_header)

    def invalidate(self, token: Optional[str]) -> None:
        """Drop ``token`` from the cache after a REST/SOAP call answered 401 with it.

        Only that token is dropped, so when many threads report the same stale token
        exactly one new request follows.  ``None`` drops the cached token unconditionally.
        """
        rejected = None if token is None else _utf8("token", token)
        handle = self._begin_call()
        try:
            lib.mc_auth_invalidate(handle, rejected)
        finally:
            self._end_call()

    @property
    def rest_base_url(self) -> str:
        """``https://SUB.rest.marketingcloudapis.com/``; InvalidArgumentError for a custom URL."""
        return self._string(lib.mc_rest_base_url)

    @property
    def soap_endpoint(self) -> str:
        """``https://SUB.soap.marketingcloudapis.com/Service.asmx``; InvalidArgumentError for a custom URL."""
        return self._string(lib.mc_soap_endpoint)

    @property
    def shared_cache_error(self) -> Optional[str]:
        """What went wrong with the shared cache in this object's latest use of it, or ``None``.
        For diagnostics only: a store failure never fails a call (it goes on without the store)."""
        return self._string(lib.mc_shared_cache_error) or None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release the native handle (after any calls still running); calling it again does nothing.

        The cached token stays in the process-wide cache for other objects.
        """
        # First the fast path's counter: a get_token() that already loaded the native one reads
        # it in the same step (an attribute load and a subscript, with no point between them
        # where CPython switches threads), so the library's counter is never read once the
        # handle may be freed.  Later calls miss the copy, take the slow path and raise.
        self._generation = _closed_generation()
        self._copy = _NO_COPY
        self._closed = True
        if not self._calls:
            self._free()

    def _free(self, _auth_free: Any = lib.mc_auth_free) -> None:
        # _auth_free is bound at definition time because module globals may
        # already be None when __del__ runs at interpreter shutdown.
        try:
            handle = self._unfreed.pop()
        except IndexError:  # freed already, by close() or by the last running call
            return
        _auth_free(handle)

    def __enter__(self) -> MarketingCloudAuth:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # Nothing can be running on an unreachable object; _unfreed is missing if __init__ failed.
        if hasattr(self, "_unfreed"):
            self._closed = True
            self._free()

    def __copy__(self) -> MarketingCloudAuth:
        # A copy would share the native handle and free it twice; a new object with the same
        # credentials shares the cached token anyway.
        raise TypeError(f"{type(self).__name__} cannot be copied: create another with the same credentials")

    def __deepcopy__(self, memo: object) -> MarketingCloudAuth:
        return self.__copy__()

    def __reduce__(self) -> object:
        raise TypeError(f"{type(self).__name__} cannot be pickled: it holds a native handle and no secret")

    def __repr__(self) -> str:
        # Never the secret (not even kept) and never a token.
        state = ", closed" if getattr(self, "_closed", True) else ""
        return (f"{type(self).__name__}(subdomain={getattr(self, 'subdomain', None)!r}, "
                f"client_id={getattr(self, 'client_id', None)!r}{state})")
