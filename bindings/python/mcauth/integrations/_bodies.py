"""What the HTTP integrations share: when to read an answer's body to ask the core about it."""

from __future__ import annotations

from typing import Callable, Optional, Union

from .._calls import is_token_rejected, rejection_needs_body

Body = Union[bytes, str, None]


def answer_rejects_token(status: int, read_body: Callable[[], Body]) -> bool:
    """The core's verdict on an answer, reading its body only when the core says the verdict
    needs it: a successful download that the caller streams stays unread."""
    return is_token_rejected(status, read_body() if rejection_needs_body(status) else None)


def optional_rewind(body: object) -> Optional[Callable[[], None]]:
    """How to send ``body`` again: a no-op for bodies held in memory, a seek back to where it
    starts now for a seekable file, ``None`` for anything that can be read only once."""
    if body is None or isinstance(body, (bytes, bytearray, str)):
        return nothing_to_rewind
    seekable = getattr(body, "seekable", None)
    tell = getattr(body, "tell", None)
    seek = getattr(body, "seek", None)
    if seekable is None or tell is None or seek is None:
        return None  # a generator or another iterable: it cannot be read again
    try:
        if not seekable():
            return None
        start = tell()
    except (OSError, ValueError):  # a closed file, or a pipe that says it seeks and cannot
        return None

    def rewind() -> None:
        seek(start)

    return rewind


def nothing_to_rewind() -> None:
    """The rewind of a body held in memory: sending it again sends it whole."""
