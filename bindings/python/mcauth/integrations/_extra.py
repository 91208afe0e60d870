"""The one message for an integration whose library is not installed."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise an ImportError that names the extra installing it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"mcauth.integrations.{extra} needs the {module!r} package: "
            f'pip install "mcauth[{extra}]" (from a checkout: pip install "./bindings/python[{extra}]")'
        ) from exc
