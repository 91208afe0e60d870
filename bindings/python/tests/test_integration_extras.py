"""Each integration imports only with its library, and says which extra installs it."""

from __future__ import annotations

import importlib
import sys

import pytest


@pytest.mark.parametrize("name, library", [
    ("requests", "requests"), ("httpx", "httpx"), ("zeep", "zeep"), ("suds", "suds"),
])
def test_without_its_library_an_integration_names_the_extra(
        monkeypatch: pytest.MonkeyPatch, name: str, library: str) -> None:
    monkeypatch.setitem(sys.modules, library, None)  # makes `import library` fail
    monkeypatch.delitem(sys.modules, f"mcauth.integrations.{name}", raising=False)
    with pytest.raises(ImportError) as caught:
        importlib.import_module(f"mcauth.integrations.{name}")
    assert f'mcauth[{name}]' in str(caught.value)


def test_the_package_itself_needs_none_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for library in ("requests", "httpx", "zeep", "suds", "lxml"):
        monkeypatch.setitem(sys.modules, library, None)
    for module in [m for m in sys.modules if m == "mcauth" or m.startswith("mcauth.")]:
        monkeypatch.delitem(sys.modules, module)
    mcauth = importlib.import_module("mcauth")
    importlib.import_module("mcauth.integrations")
    assert mcauth.is_token_rejected(401)


def test_the_installed_package_declares_the_extras() -> None:
    from importlib import metadata

    try:
        extras = metadata.metadata("sfmc-auth").get_all("Provides-Extra") or []
    except metadata.PackageNotFoundError:
        pytest.skip("running against the source tree, not an installed package")
    assert {"requests", "httpx", "zeep", "suds", "all"} <= set(extras)
    assert "mcauth.integrations" in {p.split("/")[0] + "." + p.split("/")[1]
                                     for p in map(str, metadata.files("sfmc-auth") or [])
                                     if p.startswith("mcauth/integrations/")}
