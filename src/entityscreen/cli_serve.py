"""``entityscreen serve``, ``keys`` and ``audit`` (registered lazily in cli.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from entityscreen.errors import AuditError

if TYPE_CHECKING:
    from entityscreen.api.keys import KeyStore
    from entityscreen.audit import Ledger
    from entityscreen.settings import Settings

__all__ = ["audit_group", "keys_group", "serve"]

# uvicorn's options: its C parser, uvloop's event loop ("auto": wherever it is installed,
# which pyproject asks for but on Windows), no access log
# (the audit ledger records every screening; a log line per request costs CPU for nothing),
# idle keep-alive connections closed after 15 s, at most 1000 requests in progress (more
# get 503 at once instead of queueing without bound), and a request's headers due within
# 20 s of its first byte (``api.slow``: 408, then the connection is closed).
_UVICORN: dict[str, Any] = {"http": "entityscreen.api.slow:HeaderDeadlineProtocol",
                            "loop": "auto", "access_log": False,
                            "log_level": "warning", "timeout_keep_alive": 15,
                            "limit_concurrency": 1000}


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes; each loads the index (about 0.5 GB with the bundled "
              "lists).")
@click.option("--four-eyes", is_flag=True, default=None,
              help="Review decisions need a second reviewer's approval "
              "[env ENTITYSCREEN_FOUR_EYES].")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int,
          four_eyes: bool | None) -> None:
    """Run the HTTP API and web page: /docs (OpenAPI), /search, /match (yente-compatible),
    /entities, /screen (bulk jobs), /reviews, /ui (the page). Every endpoint but /healthz
    and /readyz needs an API key (`entityscreen keys create`)."""
    import uvicorn

    from entityscreen.cli import _settings

    settings = _settings(ctx, four_eyes=four_eyes)
    if workers == 1:
        from entityscreen.api import create_app
        from entityscreen.screener import screening_worker_gc

        screening_worker_gc()  # this process only serves
        uvicorn.run(create_app(settings), host=host, port=port, **_UVICORN)
        return
    # (the app is not imported here: FastAPI's import, ~1.2 s, would delay the workers')
    # several processes build the app themselves, from the environment
    os.environ["ENTITYSCREEN_HOME"] = str(settings.home)
    if four_eyes:
        os.environ["ENTITYSCREEN_FOUR_EYES"] = "1"
    uvicorn.run("entityscreen.api.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, **_UVICORN)


@click.group("keys")
def keys_group() -> None:
    """Create, list and revoke API keys (stored only as hashes)."""


def _keystore(ctx: click.Context) -> KeyStore:
    from entityscreen.api.keys import KeyStore
    from entityscreen.cli import _settings

    return KeyStore.open(_settings(ctx).home / "keys.sqlite")


@keys_group.command("create")
@click.option("--role", type=click.Choice(["screener", "reviewer", "admin"]), required=True,
              help="screener: search, match, bulk; reviewer: also the review queue; admin: "
              "also the audit ledger and reloads.")
@click.option("--name", default="", help="Who or what uses the key (shown in the audit).")
@click.option("--rate", type=click.IntRange(1, 10_000_000),
              help="Requests per minute [the rate_limit setting].")
@click.pass_context
def keys_create(ctx: click.Context, role: str, name: str, rate: int | None) -> None:
    """Create a key; the key itself is printed once, alone on the last line."""
    with _keystore(ctx.find_root()) as keys:
        record, key = keys.create(role, name, rate)
    click.echo(f"created key {record.id} (role {record.role}); it is shown only now:",
               err=True)
    click.echo(key)


@keys_group.command("list")
@click.pass_context
def keys_list(ctx: click.Context) -> None:
    """List keys: id, role, name, rate, created, revoked (never the keys themselves)."""
    with _keystore(ctx.find_root()) as keys:
        for k in keys.list():
            click.echo(f"{k.id}\t{k.role}\t{k.name}\t{k.rate or '-'}\t{k.created_at}\t"
                       f"{k.revoked_at or '-'}")


@keys_group.command("revoke")
@click.argument("key_id")
@click.pass_context
def keys_revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke the key KEY_ID (a running server stops accepting it within 10 seconds)."""
    with _keystore(ctx.find_root()) as keys:
        keys.revoke(key_id)
    click.echo(f"revoked key {key_id}", err=True)


@click.group("audit")
def audit_group() -> None:
    """Verify and export the audit ledger of screenings and review decisions."""


def _ledger(ctx: click.Context) -> tuple[Ledger, Settings]:
    from entityscreen.audit import Ledger
    from entityscreen.cli import _settings

    settings = _settings(ctx.find_root())
    path = settings.home / "audit.sqlite"
    if not path.exists():
        raise AuditError(f"no audit ledger at {path}",
                         fix="the server creates it; pass --home with the server's folder")
    return Ledger.open(path), settings


@audit_group.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Recompute the hash chain; exit 6 naming the first edited or deleted record."""
    ledger, _ = _ledger(ctx)
    with ledger:
        n = ledger.verify()
    click.echo(f"audit ledger OK: {n:,} records, hash chain intact")


@audit_group.command("export")
@click.option("--from", "start", help="First day or time (ISO), inclusive.")
@click.option("--to", "end", help="Last day or time (ISO), exclusive.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write [default: stdout].")
@click.pass_context
def audit_export(ctx: click.Context, start: str | None, end: str | None, fmt: str,
                 output: Path | None) -> None:
    """Write the records between --from and --to as JSON lines or CSV."""
    ledger, _ = _ledger(ctx)
    with ledger:
        if output is None:
            n = ledger.export(sys.stdout, fmt, start=start, end=end)
        else:
            tmp = output.with_name(output.name + ".partial")
            with tmp.open("w", encoding="utf-8", newline="") as out:
                n = ledger.export(out, fmt, start=start, end=end)
            os.replace(tmp, output)
    click.echo(f"entityscreen: {n:,} audit records exported", err=True)


@audit_group.command("purge")
@click.pass_context
def audit_purge(ctx: click.Context) -> None:
    """Delete records older than the retention (audit_retention_days, 10 years by default);
    the chain stays verifiable from the last purged record's hash."""
    ledger, settings = _ledger(ctx)
    with ledger:
        n = ledger.purge(settings.audit_retention_days)
    click.echo(f"entityscreen: {n:,} audit records older than "
               f"{settings.audit_retention_days} days purged", err=True)
