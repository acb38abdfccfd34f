"""Settings: one frozen dataclass, built once at the edge and passed explicitly.

Each field's metadata carries its help text and environment variable; :func:`documented`
lists them for the README and the test that keeps the README honest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["Settings", "default_home", "documented"]

ENV_PREFIX = "ENTITYSCREEN_"


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("entityscreen", appauthor=False))


def _s(default: Any, help: str, env: str | None = None) -> Any:
    return field(default=default, metadata={"help": help, "env": env})


@dataclass(frozen=True)
class Settings:
    home: Path = field(
        default_factory=default_home,
        metadata={
            "help": "folder holding the database and index cache",
            "env": "ENTITYSCREEN_HOME",
        },
    )
    threshold: float = _s(
        0.82, "score at or above which a hit is a match (an alert)", "ENTITYSCREEN_THRESHOLD"
    )
    limit: int = _s(5, "most results returned per query", "ENTITYSCREEN_LIMIT")
    max_age_days: int = _s(
        7, "warn when a source's data is older than this many days", "ENTITYSCREEN_MAX_AGE_DAYS"
    )
    # Caps the work one query can cause: longer names are refused, not truncated silently.
    max_name_length: int = _s(
        1000, "longest query name accepted, in characters", "ENTITYSCREEN_MAX_NAME_LENGTH"
    )
    algorithm: str = _s(
        "entityscreen-2", "matching algorithm (see `entityscreen algorithms`)", None
    )
    # Audit records are kept at least this long (10 years: longer than the 5-year record
    # keeping of 31 CFR 501.601 and EAR part 762, as firms' policies usually ask).
    audit_retention_days: int = _s(
        3653, "audit records younger than this are never purged",
        "ENTITYSCREEN_AUDIT_RETENTION_DAYS",
    )
    # Caps what one HTTP request can make the server read or do.
    max_body_bytes: int = _s(
        1_000_000, "largest JSON request body the server reads, in bytes",
        "ENTITYSCREEN_MAX_BODY_BYTES",
    )
    max_upload_bytes: int = _s(
        50_000_000, "largest file POST /screen accepts, in bytes", "ENTITYSCREEN_MAX_UPLOAD_BYTES"
    )
    max_queries: int = _s(
        100, "most queries in one POST /match request", "ENTITYSCREEN_MAX_QUERIES"
    )
    rate_limit: int = _s(
        6000, "requests per minute per API key, unless the key sets its own",
        "ENTITYSCREEN_RATE_LIMIT",
    )
    four_eyes: bool = _s(
        False, "a review decision takes effect only once a second reviewer approves it",
        "ENTITYSCREEN_FOUR_EYES",
    )

    @property
    def db_path(self) -> Path:
        return self.home / "entityscreen.sqlite"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Defaults, then ENTITYSCREEN_* variables, then explicit overrides (CLI flags)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = f.metadata.get("env")
            if env and env in os.environ and os.environ[env] != "":
                raw = os.environ[env]
                if f.name == "home":
                    values[f.name] = Path(raw)
                elif f.type in ("float", float):
                    values[f.name] = float(raw)
                elif f.type in ("int", int):
                    values[f.name] = int(raw)
                elif f.type in ("bool", bool):
                    values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
                else:
                    values[f.name] = raw
        settings = cls(**values)
        clean = {k: v for k, v in overrides.items() if v is not None}
        if "home" in clean:
            clean["home"] = Path(clean["home"])
        return replace(settings, **clean)


def documented() -> list[tuple[str, str, str, str | None]]:
    """(name, default, help, environment variable) for every setting."""
    out = []
    for f in fields(Settings):
        default = "platform user data dir" if f.name == "home" else repr(f.default)
        out.append((f.name, default, f.metadata["help"], f.metadata.get("env")))
    return out
