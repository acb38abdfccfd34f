"""Fixtures for bulk screening: the CLI runner with `screen` registered, a customers file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from .bulk_data import HEADER, customer_rows, write_csv


@pytest.fixture(scope="module")
def screen_cli(screener, home: Path) -> Iterator[Callable[..., Result]]:  # type: ignore[no-untyped-def]
    """Runs `entityscreen --home HOME ...` in-process with the `screen` command registered
    (for this module only, when cli.py does not register it itself).

    The command borrows the session's loaded index and store (with its own settings) instead
    of loading them again, which takes a second or two per command.
    """
    import entityscreen.cli
    from entityscreen.cli import cli
    from entityscreen.cli_screen import screen
    from entityscreen.screener import Screener

    added = "screen" not in cli.commands
    if added:
        cli.add_command(screen)

    class Borrowed(Screener):
        def close(self) -> None:
            pass  # the session's store stays open for the next test

    def run(*args: str, stdin: str | bytes | None = None) -> Result:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(entityscreen.cli, "_open",
                       lambda settings: Borrowed(settings, screener.store, screener.index))
            return CliRunner().invoke(cli, ["--home", str(home), *args], input=stdin)

    yield run
    if added:
        del cli.commands["screen"]


@pytest.fixture()
def customers_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "customers.csv", customer_rows(), HEADER)
