"""Who is asking: the API key from ``Authorization: ApiKey KEY`` (what yente clients send),
``Authorization: Bearer KEY``, or the web page's cookie; its role checked against the
endpoint's; its rate limit spent.

No key: 401. A key whose role is too weak: 403. Over the key's rate: 429 with Retry-After.
The cookie is ``SameSite=Strict`` and a cookie-authenticated form post must come from this
origin, so another site cannot post decisions with a reviewer's cookie.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request

from entityscreen.api.keys import ApiKey, role_allows
from entityscreen.api.service import Service
from entityscreen.errors import AccessError

__all__ = ["COOKIE", "authenticate", "require"]

COOKIE = "entityscreen_key"
_SCHEMES = ("apikey", "bearer")
_FIX = ("send 'Authorization: Bearer KEY' (or 'ApiKey KEY'); create a key with "
        "`entityscreen keys create --role screener`")


def _token(request: Request) -> tuple[str | None, bool]:
    """(key, came from the cookie)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() not in _SCHEMES or not value.strip():
            raise AccessError("the Authorization header must read 'Bearer KEY' or 'ApiKey KEY'",
                              fix=_FIX)
        return value.strip(), False
    cookie = request.cookies.get(COOKIE)
    return (cookie, True) if cookie else (None, False)


def authenticate(request: Request, service: Service, role: str) -> ApiKey:
    token, from_cookie = _token(request)
    if token is None:
        raise AccessError("no API key", fix=_FIX)
    key = service.check_key(token)
    if key is None:
        raise AccessError("unknown or revoked API key", fix=_FIX)
    if from_cookie and request.method not in ("GET", "HEAD"):
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host"):
            raise AccessError("cross-site form post refused", status=403)
    if not role_allows(key.role, role):
        raise AccessError(f"this key's role is {key.role}; {request.url.path} needs {role}",
                          fix=f"use a key created with --role {role}", status=403)
    wait = service.limiter.take(key.id, key.rate or service.settings.rate_limit)
    if wait is not None:
        raise AccessError(f"rate limit of key {key.id} reached", status=429, retry_after=wait,
                          fix=f"retry after {wait:.1f} s, or ask for a key with a higher rate")
    return key


def require(role: str) -> Callable[[Request], Awaitable[ApiKey]]:
    """A FastAPI dependency: the caller's key, with at least ``role``."""

    async def dependency(request: Request) -> ApiKey:
        return authenticate(request, request.app.state.service, role)

    dependency.__name__ = f"require_{role}"
    return dependency
