"""Builds the Rust library with cargo and bundles it in a platform wheel.

The metadata lives in pyproject.toml; this file only adds the build step. build-wheel.sh sets
MCAUTH_WHEEL_LIBRARY (a library already built for an old glibc) and MCAUTH_WHEEL_PLATFORM (the
manylinux tag that library meets) to make the wheel PyPI takes.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:  # setuptools >= 70.1 carries bdist_wheel itself; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
LIBRARY_NAME: str = runpy.run_path(str(HERE / "mcauth" / "_library_name.py"))["LIBRARY_NAME"]


def _crate_root() -> Path:
    """The checkout's root: the nearest folder above bindings/python whose Cargo.toml is the mcauth crate."""
    for folder in HERE.parents:
        manifest = folder / "Cargo.toml"
        if manifest.is_file() and 'name = "mcauth"' in manifest.read_text(encoding="utf-8"):
            return folder
    raise SystemExit(
        f"mcauth: no Cargo.toml of the mcauth crate above {HERE}; build the wheel from a checkout"
    )


def _build_library() -> Path:
    prebuilt = os.environ.get("MCAUTH_WHEEL_LIBRARY")
    if prebuilt:
        return Path(prebuilt)
    root = _crate_root()
    cargo = shutil.which("cargo")
    if cargo is None:
        raise SystemExit("mcauth: cargo is needed to build the native library (https://rustup.rs)")
    subprocess.run([cargo, "build", "--release", "-p", "mcauth"], cwd=root, check=True)
    # Ask cargo where it put the output: CARGO_TARGET_DIR or a config may move it.
    metadata = subprocess.run(
        [cargo, "metadata", "--format-version", "1", "--no-deps"],
        cwd=root, check=True, capture_output=True, text=True,
    )
    library = Path(json.loads(metadata.stdout)["target_directory"]) / "release" / LIBRARY_NAME
    if not library.is_file():
        raise SystemExit(f"mcauth: cargo finished but {library} does not exist")
    return library


class BuildPyWithLibrary(build_py):
    """Copies the freshly built shared library next to the Python modules."""

    def run(self) -> None:
        super().run()
        if not self.dry_run:
            target = Path(self.build_lib) / "mcauth" / LIBRARY_NAME
            self.copy_file(str(_build_library()), str(target))


class BinaryDistribution(Distribution):
    """Carries a native library: installed to platlib, and the wheel is not "pure"."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):
    """py3-none-<platform>: any Python 3 can load the library through ctypes, but only on this platform."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", os.environ.get("MCAUTH_WHEEL_PLATFORM") or platform


setup(
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel},
)
