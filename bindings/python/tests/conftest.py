"""The fake Marketing Cloud for the suite: from tests/with-fake-mc.sh's environment, or started here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class FakeMc:
    http: str
    https: str
    proxy: str
    ca: str

    def url(self, scenario: str, *, https: bool = False) -> str:
        """The `subdomain` argument that sends token requests to `scenario`."""
        return f"{self.https if https else self.http}/{scenario}/"

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.http}{path}", timeout=10) as answer:
            return json.loads(answer.read())

    def count(self, scenario: str) -> int:
        """Token requests (all attempts) that reached `scenario`."""
        return int(self._get(f"/_count/{scenario}"))

    def proxy_stats(self) -> Any:
        return self._get("/_proxy")


def _start_fake() -> Iterator[FakeMc]:
    binary = REPO_ROOT / "target" / "release" / "fake-mc"
    if not binary.is_file():
        pytest.exit(f"{binary} is missing: run `cargo build --release --workspace`", returncode=2)
    # --exit-on-stdin-eof: the fake dies with us even if this process is killed.
    proc = subprocess.Popen([str(binary), "--exit-on-stdin-eof"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        yield FakeMc(fields["http"], fields["https"], fields["proxy"], fields["ca"])
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeMc]:
    env = {key: os.environ.get(f"FAKE_MC_{key.upper()}") for key in ("http", "https", "proxy", "ca")}
    if all(env.values()):
        yield FakeMc(**env)  # type: ignore[arg-type]
    else:
        yield from _start_fake()


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> str:
    """A label no other test (or earlier run against the same fake) uses: the cache is process-wide."""
    label = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    return f"py-{label}-{uuid.uuid4().hex[:8]}"
