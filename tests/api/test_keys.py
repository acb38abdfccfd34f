"""API keys from the command line: printed once, stored only as hashes, revocable."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from entityscreen.api.keys import KeyStore
from entityscreen.cli import cli


def test_create_prints_the_key_alone_on_its_last_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["--home", str(tmp_path), "keys", "create", "--role",
                                   "reviewer", "--name", "alice", "--rate", "60"])
    assert res.exit_code == 0, res.output
    key = res.stdout.splitlines()[-1]
    assert key.startswith("es_") and " " not in key and len(key) > 30
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("keys.sqlite*"))
    assert key.encode() not in raw and key.split("_", 2)[2].encode() not in raw
    with KeyStore.open(tmp_path / "keys.sqlite") as ks:
        got = ks.verify(key)
        assert got is not None and (got.role, got.name, got.rate) == ("reviewer", "alice", 60)
        assert ks.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    listed = CliRunner().invoke(cli, ["--home", str(tmp_path), "keys", "list"])
    assert got.id in listed.stdout and key not in listed.stdout
    res = CliRunner().invoke(cli, ["--home", str(tmp_path), "keys", "revoke", got.id])
    assert res.exit_code == 0
    with KeyStore.open(tmp_path / "keys.sqlite") as ks:
        assert ks.verify(key) is None
    res = CliRunner().invoke(cli, ["--home", str(tmp_path), "keys", "revoke", got.id])
    assert res.exit_code == 2 and "no active key" in res.output


def test_unknown_role_is_refused(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["--home", str(tmp_path), "keys", "create", "--role", "god"])
    assert res.exit_code == 2 and "god" in res.output
