"""Cell values shared by the importers: shares, dates, party keys."""

from __future__ import annotations

import re
from datetime import date

from entityscreen.normalize import normalize

__all__ = ["ValueProblem", "iso_date", "node_key", "share"]

_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
_UNKNOWN = {"", "?", "unknown", "n/a", "na", "unk", "-"}


class ValueProblem(ValueError):
    """A cell that cannot be read; the message names the fix."""


def share(text: str) -> float | None:
    """"50", "50 %", "50,5", "unknown" -> 50.0, 50.0, 50.5, None; refuses negatives and >100."""
    t = text.strip().rstrip("%").strip().casefold()
    if t in _UNKNOWN:
        return None
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        raise ValueProblem(f"share {text!r} is not a percentage (write 50 or 50 %; leave "
                           "empty when unknown)") from None
    if value != value or value < 0:
        raise ValueProblem(f"share {text!r} is negative")
    if value > 100:
        raise ValueProblem(f"share {text!r} is over 100 % (shares are percentages, 0-100)")
    return value


def iso_date(text: str) -> str | None:
    """"2024-03-01", "2024-03-01T00:00:00Z", "2024-03", "2024" -> an ISO date (partial dates
    take their first day); empty -> None."""
    t = text.strip()
    if not t:
        return None
    if re.fullmatch(r"\d{4}", t):
        t += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", t):
        t += "-01"
    try:
        return date.fromisoformat(t[:10]).isoformat()
    except ValueError:
        raise ValueProblem(f"date {text!r} is not ISO (YYYY-MM-DD, YYYY-MM or YYYY)") from None


def node_key(name: str, ident: str = "") -> str:
    """An LEI, another identifier, or the normalised name: how one party is known across
    sources."""
    ident = ident.strip()
    if ident:
        up = ident.upper()
        return f"lei:{up}" if _LEI.match(up) else f"id:{ident}"
    norm = normalize(name)
    if not norm:
        raise ValueProblem(f"name {name!r} has no letters or digits")
    return f"name:{norm}"
