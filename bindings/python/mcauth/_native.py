"""Finds and loads the mcauth shared library and declares, once, every C function the binding calls."""

from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_uint32, c_uint64, c_void_p
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, Tuple

from ._errors import error_for_status
from ._library_name import LIBRARY_NAME


_PACKAGE_DIR = Path(__file__).resolve().parent


def _check_status(status: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck for every mc_status function: raise the matching exception.

    ctypes runs errcheck on the calling thread straight after the C call
    returns, so this reads the thread-local mc_last_error() of this very call
    even though other threads may have run while the GIL was released.
    """
    if status:
        raise error_for_status(status, _last_error())
    return status


# name, argtypes, restype, errcheck.
# `char **` outputs are POINTER(c_char_p): the c_char_p object keeps the pointer
# (unlike a c_char_p *restype*, which would copy the text and drop it), its
# .value copies the text in C, and the same object is then handed to
# mc_string_free.  ctypes.string_at would be a second foreign call per string,
# as costly as the library call itself.
_Row = Tuple[str, Sequence[Any], Any, Optional[Callable[..., Any]]]
_FUNCTIONS: Tuple[_Row, ...] = (
    ("mc_auth_new", (c_char_p, c_char_p, c_char_p, POINTER(c_void_p)), c_int, _check_status),
    ("mc_auth_new_enhanced", (c_char_p, c_char_p, c_char_p, c_char_p, c_char_p, POINTER(c_void_p)),
     c_int, _check_status),
    # One foreign call into a caller's buffer, nothing to free: bench.py's measure of the
    # cheapest token call (the binding itself uses mc_get_token_stamped).
    ("mc_get_token_into", (c_void_p, c_char_p, c_size_t), c_int, _check_status),
    ("mc_soap_header", (c_void_p, POINTER(c_char_p)), c_int, _check_status),
    ("mc_auth_invalidate", (c_void_p, c_char_p), c_int, _check_status),
    ("mc_auth_set_timeout_ms", (c_void_p, c_uint32), c_int, _check_status),
    ("mc_auth_set_refresh_margin_secs", (c_void_p, c_uint32), c_int, _check_status),
    ("mc_auth_set_ca_file", (c_void_p, c_char_p), c_int, _check_status),
    ("mc_auth_set_proxy", (c_void_p, c_char_p), c_int, _check_status),
    ("mc_auth_set_max_attempts", (c_void_p, c_uint32), c_int, _check_status),
    ("mc_auth_set_shared_cache", (c_void_p, c_char_p), c_int, _check_status),
    ("mc_shared_cache_error", (c_void_p, POINTER(c_char_p)), c_int, _check_status),
    ("mc_rest_base_url", (c_void_p, POINTER(c_char_p)), c_int, _check_status),
    ("mc_soap_endpoint", (c_void_p, POINTER(c_char_p)), c_int, _check_status),
    # get_token()'s slow path: the token, with the generation and freshness that let the
    # pure-Python fast path serve a copy of it.
    ("mc_get_token_stamped", (c_void_p, c_char_p, c_size_t, POINTER(c_uint64), POINTER(c_uint32)),
     c_int, _check_status),
    # A pointer into the library, valid while the handle lives: c_void_p gives its address.
    ("mc_token_generation", (c_void_p,), c_void_p, None),
    ("mc_get_cached_token_into", (c_void_p, c_char_p, c_size_t), c_int, _check_status),
    ("mc_get_token_ttl", (c_void_p, POINTER(c_char_p), POINTER(c_uint32)), c_int, _check_status),
    ("mc_soap_header_for", (c_char_p, POINTER(c_char_p)), c_int, _check_status),
    # Returns 1 or 0, never a status: no errcheck.  The body is bytes with a length (NULs allowed).
    ("mc_is_token_rejected", (c_int, c_char_p, c_size_t), c_int, None),
    ("mc_token_rejection_needs_body", (c_int,), c_int, None),
    # c_char_p: it receives the very objects the getters filled (see above).
    ("mc_string_free", (c_char_p,), None, None),
    ("mc_auth_free", (c_void_p,), None, None),
    # Static strings owned by the library: c_char_p copies them and nothing is freed.
    ("mc_last_error", (), c_char_p, None),
    ("mc_version", (), c_char_p, None),
)


def _candidates() -> Iterator[Tuple[str, str]]:
    """(place, path or name) in loading order; lazy so later places cost nothing once one loads."""
    # An explicit choice beats a default, as in llama-cpp-python and LibGit2Sharp (whoever
    # can set MCAUTH_LIBRARY could set LD_PRELOAD anyway); alone, so a wrong path fails loudly.
    override = os.environ.get("MCAUTH_LIBRARY")
    if override:
        yield "MCAUTH_LIBRARY", override
        return
    yield "bundled in the package", str(_PACKAGE_DIR / LIBRARY_NAME)
    # Running from a checkout: mcauth/ sits at bindings/python/mcauth under the repository root.
    root = _PACKAGE_DIR.parents[2]
    if (root / "Cargo.toml").is_file():
        yield "repository build", str(root / "target" / "release" / LIBRARY_NAME)
    yield "system search", LIBRARY_NAME


def _declare(lib: ctypes.CDLL) -> None:
    for name, argtypes, restype, errcheck in _FUNCTIONS:
        func = getattr(lib, name)  # AttributeError names the missing symbol
        func.argtypes = argtypes
        func.restype = restype
        if errcheck is not None:
            func.errcheck = errcheck


def _load() -> Tuple[ctypes.CDLL, str]:
    tried = []
    for place, path in _candidates():
        is_path = os.sep in path or (os.altsep is not None and os.altsep in path)
        if is_path and not os.path.exists(path):
            tried.append(f"  {place}: {path} (not found)")
            continue
        try:
            lib = ctypes.CDLL(path)
            _declare(lib)
        except (OSError, AttributeError) as exc:
            tried.append(f"  {place}: {path} ({exc})")
            continue
        return lib, path
    if os.environ.get("MCAUTH_LIBRARY"):
        hint = "MCAUTH_LIBRARY is set, so no other place was tried: correct it or unset it."
    else:
        hint = ("Install the package with `pip install bindings/python` from a checkout with cargo,"
                " or set MCAUTH_LIBRARY to the library's path.")
    raise ImportError(
        f"mcauth: could not load the native library {LIBRARY_NAME}; tried, in order:\n"
        + "\n".join(tried) + "\n" + hint
    )


lib, library_path = _load()


def _last_error() -> str:
    return lib.mc_last_error().decode("utf-8", "replace")  # type: ignore[no-any-return]
