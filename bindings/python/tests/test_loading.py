"""Where the native library is loaded from, and what the installed package carries."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import mcauth
from conftest import REPO_ROOT
from mcauth import _native

PACKAGE_DIR = Path(mcauth.__file__).resolve().parent
REAL_LIBRARY = Path(_native.library_path).resolve()
FROM_SOURCE = PACKAGE_DIR == REPO_ROOT / "bindings" / "python" / "mcauth"


def make_package(where: Path, *, bundled: bool) -> Path:
    """A copy of the mcauth package's modules at where/mcauth, with or without the library inside."""
    target = where / "mcauth"
    target.mkdir(parents=True)
    for module in PACKAGE_DIR.glob("*.py"):
        shutil.copy(module, target)
    if bundled:
        shutil.copy(REAL_LIBRARY, target / _native.LIBRARY_NAME)
    return target


def import_in_child(path_entry: Path, env_library: str | None) -> subprocess.CompletedProcess[str]:
    """Import mcauth from `path_entry` in a fresh interpreter; prints the loaded library."""
    # No LD_LIBRARY_PATH either, so the system search cannot find a build by accident.
    env = {key: value for key, value in os.environ.items() if key not in ("MCAUTH_LIBRARY", "LD_LIBRARY_PATH")}
    env["PYTHONPATH"] = str(path_entry)
    if env_library is not None:
        env["MCAUTH_LIBRARY"] = env_library
    code = "import mcauth, mcauth._native as n; print(n.library_path); print(mcauth.library_version())"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=path_entry,
                          capture_output=True, text=True, timeout=60)


def other_copy(tmp_path: Path) -> str:
    copy = tmp_path / "elsewhere" / _native.LIBRARY_NAME
    copy.parent.mkdir()
    shutil.copy(REAL_LIBRARY, copy)
    return str(copy)


def places_tried(stderr: str) -> list[tuple[str, str]]:
    return re.findall(r"^  (.+?): (.+?) \(", stderr, re.MULTILINE)


def test_mcauth_library_wins_over_the_bundled_library(tmp_path: Path) -> None:
    make_package(tmp_path / "site", bundled=True)
    override = other_copy(tmp_path)
    child = import_in_child(tmp_path / "site", override)
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines() == [override, mcauth.library_version()]


def test_bundled_library_without_mcauth_library(tmp_path: Path) -> None:
    package = make_package(tmp_path / "site", bundled=True)
    child = import_in_child(tmp_path / "site", None)
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines()[0] == str(package / _native.LIBRARY_NAME)


def test_mcauth_library_wins_over_the_repository_build(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    make_package(checkout / "bindings" / "python", bundled=False)
    (checkout / "Cargo.toml").write_text('[package]\nname = "mcauth"\n')
    repo_build = checkout / "target" / "release" / _native.LIBRARY_NAME
    repo_build.parent.mkdir(parents=True)
    shutil.copy(REAL_LIBRARY, repo_build)
    override = other_copy(tmp_path)

    child = import_in_child(checkout / "bindings" / "python", override)
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines()[0] == override

    child = import_in_child(checkout / "bindings" / "python", None)
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines()[0] == str(repo_build)


def test_a_broken_mcauth_library_fails_without_falling_back(tmp_path: Path) -> None:
    make_package(tmp_path / "site", bundled=True)  # would load, but the explicit choice is not ignored
    missing = str(tmp_path / "nowhere" / _native.LIBRARY_NAME)
    not_a_library = tmp_path / "not-a-library.so"
    not_a_library.write_text("not ELF")
    for override in (missing, str(not_a_library)):
        child = import_in_child(tmp_path / "site", override)
        assert child.returncode != 0
        assert "ImportError" in child.stderr and "MCAUTH_LIBRARY is set" in child.stderr
        assert places_tried(child.stderr) == [("MCAUTH_LIBRARY", override)]


def test_import_error_lists_every_place_tried(tmp_path: Path) -> None:
    package = make_package(tmp_path / "site", bundled=False)
    child = import_in_child(tmp_path / "site", None)
    assert child.returncode != 0
    assert "ImportError" in child.stderr and "set MCAUTH_LIBRARY" in child.stderr
    assert places_tried(child.stderr) == [
        ("bundled in the package", str(package / _native.LIBRARY_NAME)),
        ("system search", _native.LIBRARY_NAME),
    ]


def test_installed_package_imports_from_anywhere_without_environment(tmp_path: Path) -> None:
    if FROM_SOURCE:
        pytest.skip("running against the source tree, not an installed package")
    env = {key: value for key, value in os.environ.items()
           if key not in ("MCAUTH_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH")}
    child = subprocess.run([sys.executable, "-c", "import mcauth._native as n; print(n.library_path)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == str(PACKAGE_DIR / _native.LIBRARY_NAME)


def test_installed_wheel_is_platform_tagged() -> None:
    if FROM_SOURCE:
        pytest.skip("running against the source tree, not an installed package")
    wheel = metadata.distribution("sfmc-auth").read_text("WHEEL") or ""
    tags = re.findall(r"^Tag: (\S+)$", wheel, re.MULTILINE)
    assert tags and all(tag.startswith("py3-none-") and not tag.endswith("-any") for tag in tags), wheel
    assert "Root-Is-Purelib: false" in wheel
    assert (PACKAGE_DIR / "py.typed").is_file()


def test_versions_agree_with_the_crate() -> None:
    cargo_toml = (REPO_ROOT / "Cargo.toml").read_text(encoding="utf-8")
    crate_version = re.search(r'^version = "([^"]+)"', cargo_toml, re.MULTILINE)
    assert crate_version is not None
    assert mcauth.__version__ == mcauth.library_version() == crate_version.group(1)
