"""Shared fixtures: where the real official list files live (../shared/data/lists)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LISTS = Path(os.environ.get("ENTITYSCREEN_TEST_LISTS", ROOT.parent / "shared" / "data" / "lists"))
EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def lists_dir() -> Path:
    """The folder of real list files; required in CI, skipped with a reason elsewhere."""
    if not LISTS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real list files not found at {LISTS}")
        pytest.skip(f"real list files not found at {LISTS} (set ENTITYSCREEN_TEST_LISTS)")
    return LISTS


def read(lists_dir: Path, *parts: str) -> bytes:
    return lists_dir.joinpath(*parts).read_bytes()


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled snapshot, imported once for the whole test session."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def screener(home: Path):  # type: ignore[no-untyped-def]
    from entityscreen.screener import Screener
    from entityscreen.settings import Settings

    s = Screener.open(Settings.from_env(home=home))
    yield s
    s.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``dask`` run last: Dask leaves a thread running after its cluster and
    client close, and a process with threads does not fork its index build (which
    tests/match checks)."""
    items.sort(key=lambda item: item.get_closest_marker("dask") is not None)
