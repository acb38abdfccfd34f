"""The one exception tree of entityscreen.

Every failure a user can cause or meet is an :class:`EntityscreenError`. The CLI and the HTTP
server translate it once, at the edge, into one line (or one JSON error body) and an exit code /
HTTP status. Nothing below the edges prints or exits.

::

    EntityscreenError                 exit 2   (generic)
    ├── UsageError                    exit 2   bad arguments, bad query
    ├── InputError                    exit 2   a user's input file cannot be read
    ├── SourceFormatError             exit 3   an official list file is not what it should be
    ├── StoreError                    exit 4   the database is missing, locked or corrupt
    ├── FetchError                    exit 5   a download failed (network, HTTP status, checksum)
    ├── AuditError                    exit 6   the audit ledger fails verification
    └── AccessError                   exit 2   HTTP only: no key / wrong role / too many requests
        ├── NotFoundError             404      no such party, job or review item
        ├── ConflictError             409      a review item changed since it was read
        └── TooLargeError             413      request body or batch over its cap

HTTP statuses: UsageError and InputError 422, SourceFormatError 422, StoreError 503,
FetchError 502, AccessError 401 (no key) / 403 (wrong role) / 429 (rate limit).

Exit code 1 is reserved for "matches found" (``screen``) so pipelines can gate on it; 130 is an
interrupted run (Ctrl-C).
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "AuditError",
    "ConflictError",
    "EntityscreenError",
    "FetchError",
    "InputError",
    "NotFoundError",
    "SourceFormatError",
    "StoreError",
    "TooLargeError",
    "UsageError",
]


class EntityscreenError(Exception):
    """Root of every error entityscreen raises on purpose."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        if self.fix:
            return f"{self.message} — {self.fix}"
        return self.message


class UsageError(EntityscreenError):
    """The arguments or the query are not usable."""

    exit_code = 2
    http_status = 422


class InputError(EntityscreenError):
    """A user's file (a screening input) cannot be read."""

    exit_code = 2
    http_status = 422


class SourceFormatError(EntityscreenError):
    """An official list file does not have the expected format.

    Carries the file name and, where known, the line or record and the field, so the message
    reads like ``consolidated.csv line 1042, field 'name': empty``.
    """

    exit_code = 3
    http_status = 422

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        where = file
        if line is not None:
            where += f" line {line}"
        if record is not None:
            where += f" record {record}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}", fix=fix)
        self.file = file
        self.line = line
        self.record = record
        self.field = field


class StoreError(EntityscreenError):
    """The embedded database is missing, locked, corrupt or of another version."""

    exit_code = 4
    http_status = 503


class FetchError(EntityscreenError):
    """Downloading a list from its publisher failed."""

    exit_code = 5
    http_status = 502


class AuditError(EntityscreenError):
    """The audit ledger does not verify: a record was edited, deleted or reordered."""

    exit_code = 6
    http_status = 500


class AccessError(EntityscreenError):
    """A request without a valid key (401), with a role too weak (403) or over its rate (429)."""

    exit_code = 2
    http_status = 401

    def __init__(self, message: str, *, fix: str | None = None, status: int = 401,
                 retry_after: float | None = None) -> None:
        super().__init__(message, fix=fix)
        self.http_status = status
        self.retry_after = retry_after


class NotFoundError(EntityscreenError):
    """No party, job or review item with that id."""

    exit_code = 2
    http_status = 404


class ConflictError(EntityscreenError):
    """A review item was decided by someone else since it was read."""

    exit_code = 2
    http_status = 409


class TooLargeError(EntityscreenError):
    """A request body or a batch is over its cap."""

    exit_code = 2
    http_status = 413
