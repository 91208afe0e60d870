"""The shared cache as the binding exposes it: the ``shared_cache`` option and ``MCAUTH_SHARED_CACHE``
reach the core, a refused URL raises through the status table without its password, the
``shared_cache_error`` property, and forked ``multiprocessing`` children sharing one token request.
How the core coordinates processes is proved by the Rust tests (tests/shared_cache_*.rs)."""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

import mcauth
from conftest import FakeMc
from fake_api import secret


def store_url(folder: Path) -> str:
    return f"file://{folder}"


def entries(folder: Path) -> List[Path]:
    return sorted(folder.glob("*.entry"))


def test_the_option_reaches_the_library(fake: FakeMc, scenario: str, tmp_path: Path) -> None:
    store = tmp_path / "store"
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret(),
                                   shared_cache=store_url(store)) as auth:
        assert auth.get_token()
    [entry] = entries(store)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_the_environment_variable_reaches_the_library_and_an_empty_option_opts_out(
        fake: FakeMc, scenario: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    # os.environ writes through to the C environment, which the core reads when a handle is created.
    monkeypatch.setenv("MCAUTH_SHARED_CACHE", store_url(store))
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-a", secret()) as auth:
        assert auth.get_token()
    assert len(entries(store)) == 1
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-b", secret(), shared_cache="") as auth:
        assert auth.get_token()
    assert len(entries(store)) == 1, "client-b wrote to the store"


def test_a_refused_url_raises_as_any_invalid_argument_without_its_password() -> None:
    password = "hunter2pass"
    with pytest.raises(mcauth.InvalidArgumentError) as caught:
        mcauth.MarketingCloudAuth("mc563885gzs27c5t9-63k636ttgm", "client-a", secret(),
                                  shared_cache=f"redis://u:{password}@127.0.0.1:notaport")
    assert caught.value.message  # the library's own detail
    assert password not in str(caught.value) and password not in repr(caught.value)


def test_shared_cache_error_is_none_after_success_and_says_what_failed(
        fake: FakeMc, scenario: str, tmp_path: Path) -> None:
    password = secret()
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-good", password,
                                   shared_cache=store_url(tmp_path / "store")) as auth:
        auth.get_token()
        assert auth.shared_cache_error is None
    # A folder below a regular file can never be created; the call itself still succeeds.
    (tmp_path / "regular-file").write_text("")
    with mcauth.MarketingCloudAuth(fake.url(scenario), "client-bad", password,
                                   shared_cache=store_url(tmp_path / "regular-file" / "store")) as auth:
        assert auth.get_token()
        detail = auth.shared_cache_error
    assert isinstance(detail, str) and detail


def test_repr_never_shows_the_store() -> None:
    # Setting a store opens nothing, so an unreachable one is fine here.
    url = "redis://u:hunter2pass@cache.invalid:6379"
    with mcauth.MarketingCloudAuth("mc563885gzs27c5t9-63k636ttgm", "client-a", secret(), shared_cache=url) as auth:
        assert "hunter2pass" not in repr(auth) and "cache.invalid" not in repr(auth)


# Each pool worker's view of what the parent handed it at fork: the parent's own handle and a
# barrier that holds every task until all workers have one, so the 8 tasks run in 8 processes.
_PARENT_AUTH: Optional[mcauth.MarketingCloudAuth] = None
_ALL_WORKERS: Any = None
CHILD_BUDGET = 10.0  # seconds: the core waits for another process's lock at most half of it


def _remember_what_the_parent_gave(auth: mcauth.MarketingCloudAuth, barrier: Any) -> None:
    global _PARENT_AUTH, _ALL_WORKERS
    _PARENT_AUTH, _ALL_WORKERS = auth, barrier


def _token_in_child(task: Tuple[bool, str, str, str]) -> Tuple[int, str, float]:
    """(pid, token, seconds taken), through the inherited handle or a new one like it."""
    inherited, url, password, store = task
    _ALL_WORKERS.wait(CHILD_BUDGET)
    started = time.monotonic()
    if inherited:
        assert _PARENT_AUTH is not None
        token = _PARENT_AUTH.get_token()
    else:
        with mcauth.MarketingCloudAuth(url, "client-fork", password, timeout=CHILD_BUDGET,
                                       shared_cache=store) as auth:
            token = auth.get_token()
    return os.getpid(), token, time.monotonic() - started


# Forking while the request thread runs is the point; Python >= 3.12 warns about it.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_fork_pool_started_while_the_parent_holds_the_lock_waits_for_its_token(
        fake: FakeMc, scenario: str, tmp_path: Path) -> None:
    path = f"{scenario}/delay=2000"
    url, password, store = fake.url(path), secret(), store_url(tmp_path / "store")
    auth = mcauth.MarketingCloudAuth(url, "client-fork", password, timeout=CHILD_BUDGET, shared_cache=store)
    parents_token: List[str] = []
    holder = threading.Thread(target=lambda: parents_token.append(auth.get_token()))
    holder.start()
    try:
        time.sleep(0.3)  # the holder has taken the store's lock and waits on the fake
        fork = multiprocessing.get_context("fork")
        children = 8
        tasks = [(child % 2 == 0, url, password, store) for child in range(children)]
        with fork.Pool(children, initializer=_remember_what_the_parent_gave,
                       initargs=(auth, fork.Barrier(children))) as pool:
            results = pool.map_async(_token_in_child, tasks, chunksize=1).get(timeout=30)
    finally:
        holder.join()
        auth.close()
    assert len({pid for pid, _, _ in results}) == children
    assert all(seconds < CHILD_BUDGET for _, _, seconds in results)
    assert [token for _, token, _ in results] == parents_token * children
    assert fake.count(path) <= 2
