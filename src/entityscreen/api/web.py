"""The web page: server-rendered HTML with a little vanilla JS, no build step.

``/ui`` search box and hits (explanations, restrictions); ``/ui/parties/ID`` a party with its
listings and their history; ``/ui/review`` the review queue, where a reviewer marks an alert
a true match or a false positive with a reason. Signing in posts an API key once; it is kept
in an HttpOnly, SameSite=Strict cookie. Every value shown goes through ``html.escape``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from entityscreen.api.auth import COOKIE, authenticate
from entityscreen.api.edges import read_body
from entityscreen.api.keys import ApiKey, role_allows
from entityscreen.api.service import Service
from entityscreen.changes import fingerprint
from entityscreen.codec import party_from_dict
from entityscreen.errors import EntityscreenError, NotFoundError, UsageError
from entityscreen.query import make_query
from entityscreen.report import listing_to_result
from entityscreen.review import Item

__all__ = ["router"]

router = APIRouter(prefix="/ui", include_in_schema=False)
_WEB = files("entityscreen.api") / "web"


def e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str, key: ApiKey | None = None, status: int = 200) -> Response:
    nav = ""
    if key is not None:
        nav = (f'<nav><a href="/ui">Search</a> <a href="/ui/review">Review queue</a> '
               f'<span class="who">{e(key.name or key.id)} ({e(key.role)})</span> '
               '<form method="post" action="/ui/logout" class="inline">'
               '<button type="submit">Sign out</button></form></nav>')
    html = ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            f"<title>{e(title)} · entityscreen</title>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            '<link rel=stylesheet href="/ui/static/app.css">'
            '<script src="/ui/static/app.js" defer></script></head>'
            f"<body><header><h1><a href=/ui>entityscreen</a></h1>{nav}</header>"
            f"<main>{body}</main></body></html>")
    return Response(html, status_code=status, media_type="text/html; charset=utf-8")


def _error(exc: EntityscreenError, key: ApiKey | None) -> Response:
    fix = f"<p>{e(exc.fix)}</p>" if exc.fix else ""
    return _page("Error", f'<p class="error" role="alert">{e(exc.message)}</p>{fix}',
                 key, status=exc.http_status)


def _login(message: str = "", status: int = 200) -> Response:
    msg = f'<p class="error" role="alert">{e(message)}</p>' if message else ""
    return _page("Sign in", f"""<h2>Sign in</h2>{msg}
<form method="post" action="/ui/login"><label>API key
<input type="password" name="key" id="key" autocomplete="off" required></label>
<button type="submit">Sign in</button></form>
<p>Create a key with <code>entityscreen keys create --role reviewer</code>.</p>""",
                 status=status)


def _who(request: Request, role: str = "screener") -> ApiKey | Response:
    """The signed-in key, or the page to show instead (sign-in, or 403)."""
    if COOKIE not in request.cookies and "authorization" not in request.headers:
        return _login()
    try:
        return authenticate(request, _service(request), role)
    except EntityscreenError as exc:
        if exc.http_status == 401:
            return _login("Your key is not valid any more; sign in again.", 401)
        return _error(exc, None)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


@router.get("/static/{name}")
async def static(name: str) -> Response:
    kinds = {"app.css": "text/css", "app.js": "text/javascript"}
    if name not in kinds:
        raise NotFoundError(f"no static file {name!r}")
    return Response((_WEB / name).read_bytes(), media_type=kinds[name],
                    headers={"Cache-Control": "max-age=300"})


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form, read under the same body cap as the API's JSON."""
    body = await read_body(request, _service(request).settings.max_body_bytes)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise UsageError("the form could not be read", fix="submit it from the page") from None
    return dict(pairs)


@router.post("/login")
async def login(request: Request) -> Response:
    try:
        form = await _form(request)
    except EntityscreenError as exc:
        return _error(exc, None)
    token = form.get("key", "").strip()
    key = _service(request).check_key(token) if token else None
    if key is None:
        return _login("Unknown or revoked API key.", 401)
    resp = RedirectResponse("/ui", status_code=303)
    resp.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", path="/")
    return resp


@router.post("/logout")
async def logout() -> Response:
    resp = RedirectResponse("/ui", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


def _explanation(r: dict[str, Any]) -> str:
    x = r["explanation"]
    rows = "".join(f"<tr><td>{e(a['query'])}</td><td>{e(a['listed'])}</td><td>{e(a['how'])}"
                   f"</td><td>{a['similarity']:.2f}</td><td>{a['weight']:.1f}</td></tr>"
                   for a in x["aligned"])
    extra = []
    if x["unmatched_query"]:
        extra.append("query words not in the listed name: " + e(" ".join(x["unmatched_query"])))
    if x["unmatched_listed"]:
        extra.append("listed words not in the query: " + e(" ".join(x["unmatched_listed"])))
    if x["ignored"]:
        extra.append("ignored (legal forms, stopwords): " + e(" ".join(x["ignored"])))
    for ev in x["evidence"]:
        extra.append(f"{e(ev['attribute'])}: {e(ev['query'])} vs {e(ev['listed'])} "
                     f"({ev['effect']:+.2f})")
    notes = "".join(f"<li>{n}</li>" for n in extra)
    return (f'<table class="expl"><caption>name score {x["name_score"]:.2f}, matched '
            f'name “{e(r["matched_name"])}”</caption><tr><th>query</th><th>listed</th>'
            f"<th>how</th><th>similarity</th><th>weight</th></tr>{rows}</table>"
            f"<ul class=notes>{notes}</ul>")


def _restrictions(listings: list[dict[str, Any]]) -> str:
    items = "".join(
        f"<li><b>{e(x['authority'])} · {e(x['list'])}</b>"
        f"{' · ' + e(x['program']) if x['program'] else ''}"
        f"{' · listed ' + e(x['listed_on']) if x['listed_on'] else ''}"
        f"<div class=restriction>{e(x['restriction'])}</div>"
        f"<div class=basis>{e(x['legal_basis'] or x['citation'] or '')}</div></li>"
        for x in listings)
    return f"<ul class=listings>{items}</ul>"


@router.get("")
async def search_page(request: Request, q: str = "", country: str = "") -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    service = _service(request)
    form = f"""<form method="get" action="/ui" class="search" role="search">
<input type="search" name="q" id="q" value="{e(q)}" placeholder="Name to screen" required
 maxlength="{service.settings.max_name_length}" autofocus>
<input type="text" name="country" value="{e(country)}" placeholder="Country (hint)" size=10>
<button type="submit">Screen</button></form>"""
    if not q.strip():
        return _page("Search", form, who)
    try:
        screener = service.ready()
        query = make_query(q, None, country or None, None)
        s = service.screen(screener, query, limit=service.settings.limit,
                           threshold=service.settings.threshold)
        await service.record(screener, who, "ui", {"q": [s]},
                             threshold=service.settings.threshold,
                             limit=service.settings.limit)
    except EntityscreenError as exc:
        return _error(exc, who)
    if not s.results:
        return _page("Search", f"{form}<p class=none>No listed party resembles “{e(q)}”.</p>",
                     who)
    hits = []
    for r in s.results:
        badge = ('<span class="badge match">MATCH</span>' if r["match"]
                 else '<span class="badge below">below threshold</span>')
        hits.append(
            f'<article class="hit"><h3><a href="/ui/parties/{quote(r["id"], safe="")}">'
            f'{e(r["name"])}</a> <span class=score>{r["score"]:.2f}</span> {badge}</h3>'
            f'<p class=meta>{e(r["type"])} · {e(", ".join(r["countries"]))} · id '
            f'{e(r["id"])}</p>{_explanation(r)}{_restrictions(r["listings"])}</article>')
    matched = sum(1 for r in s.results if r["match"])
    note = (f'<p class=queued>{matched} match(es) sent to the <a href="/ui/review">review '
            "queue</a>.</p>" if matched else "")
    return _page(f"Search: {q}", form + note + "".join(hits), who)


def _history(service: Service, party_id: str) -> str:
    store = service.ready().store
    rows, before = [], None
    for version, data in store.party_history(party_id):
        if data is None:
            what = "not listed" if before is None else "removed"
            before = None if before is None else ""
        else:
            fp = fingerprint(party_from_dict(json.loads(data)))
            what = ("listed" if not before else "unchanged" if fp == before else "changed")
            before = fp
        rows.append(f"<tr><td>{e(version.source)}</td><td>{version.version}</td>"
                    f"<td>{e(version.published or '?')}</td><td>{e(version.fetched_at[:16])}"
                    f"</td><td>{e(what)}</td></tr>")
    return ("<table class=history><tr><th>source</th><th>version</th><th>published</th>"
            f"<th>imported</th><th>this party</th></tr>{''.join(rows)}</table>")


@router.get("/parties/{party_id}")
async def party_page(request: Request, party_id: str) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    service = _service(request)
    try:
        party = service.ready().party(party_id)
        if party is None:
            raise NotFoundError(f"no listed party with id {party_id!r}")
    except EntityscreenError as exc:
        return _error(exc, who)
    names = "".join(f"<li>{e(n.value)} <small>{e(n.kind.value)}"
                    f"{' · ' + e(n.script) if n.script else ''}</small></li>"
                    for n in party.names)
    facts = []
    if party.countries:
        facts.append(f"countries: {e(', '.join(party.countries))}")
    if party.birth_dates:
        facts.append(f"born: {e(', '.join(party.birth_dates))}")
    facts += [f"{e(i.type)}: {e(i.value)}" for i in party.identifiers]
    facts += [f"address: {e(a.text)}" for a in party.addresses]
    reviews = "".join(_item_row(i, who, compact=True) for i in service.reviews.of_party(party.id))
    body = (f"<h2>{e(party.name)}</h2><p class=meta>{e(party.type.value)} · id {e(party.id)}"
            f"</p><h3>Names</h3><ul>{names}</ul>"
            f"<ul>{''.join(f'<li>{f}</li>' for f in facts)}</ul>"
            f"<h3>Listings</h3>{_restrictions([listing_to_result(x) for x in party.listings])}"
            f"{'<p>' + e(party.remarks) + '</p>' if party.remarks else ''}"
            f"<h3>History</h3>{_history(service, party.id)}"
            f"<h3>Review decisions</h3><table class=queue>{reviews}</table>")
    return _page(party.name, body, who)


def _item_row(item: Item, who: ApiKey, compact: bool = False) -> str:
    q = item.query
    query = e(q.get("name")) + (f" <small>{e(q.get('country'))}</small>"
                                if q.get("country") else "")
    if item.context is not None:  # raised by a bulk job
        c = item.context
        query += (f"<div><small>bulk job {e(c.get('job'))}, row {e(c.get('row'))}"
                  f"{', key ' + e(c.get('key')) if c.get('key') else ''}</small></div>")
    state = f'<span class="status {e(item.status)}">{e(item.status)}</span>'
    if item.decision:
        state += (f"<div>{e(item.decision)} by {e(item.decided_by)}: “{e(item.reason)}”"
                  f"{' · approved by ' + e(item.approved_by) if item.approved_by else ''}"
                  "</div>")
    action = ""
    if not compact and role_allows(who.role, "reviewer"):
        if item.status in ("open", "reopened"):
            action = f"""<form method="post" action="/ui/review/{item.id}" class="decide">
<input type="hidden" name="version" value="{item.version}">
<select name="decision" aria-label="decision"><option value="">decision…</option>
<option value="true_match">true match</option>
<option value="false_positive">false positive</option></select>
<input type="text" name="reason" placeholder="reason" aria-label="reason" required
 maxlength="2000"><button type="submit">Decide</button></form>"""
        elif item.status == "pending":
            action = f"""<form method="post" action="/ui/review/{item.id}/approval"
 class="approve"><input type="hidden" name="version" value="{item.version}">
<button type="submit" name="approve" value="yes">Approve</button>
<button type="submit" name="approve" value="no">Send back</button></form>"""
    return (f'<tr id="item-{item.id}"><td>#{item.id}</td><td>{query}</td>'
            f'<td><a href="/ui/parties/{quote(item.party_id, safe="")}">'
            f"{e(item.party_name)}</a></td><td>{item.score:.2f}</td><td>{state}</td>"
            f"<td>{action}</td></tr>")


@router.get("/review")
async def review_page(request: Request) -> Response:
    who = _who(request, "reviewer")
    if isinstance(who, Response):
        return who
    service = _service(request)
    items = service.reviews.queue()
    rows = "".join(_item_row(i, who) for i in items) or (
        '<tr><td colspan=6 class="none">Nothing to review.</td></tr>')
    four = " Four-eyes is on: a decision needs a second reviewer's approval." \
        if service.reviews.four_eyes else ""
    return _page("Review queue", f"<h2>Review queue</h2><p>Matches waiting for a decision."
                 f"{four}</p><table class=queue><tr><th></th><th>query</th><th>listed party"
                 f"</th><th>score</th><th>status</th><th></th></tr>{rows}</table>", who)


async def _form_int(request: Request, name: str) -> tuple[dict[str, str], int]:
    values = await _form(request)
    try:
        return values, int(values.get(name, ""))
    except ValueError:
        raise UsageError(f"the form lacks a valid {name}") from None


async def _review_post(request: Request, back: str,
                       act: Callable[[Service, ApiKey, dict[str, str], int], object]
                       ) -> Response:
    """A reviewer's form post on one item (decide, approve): the form's version and fields
    go to ``act``; then back to the queue, or the error page."""
    who = _who(request, "reviewer")
    if isinstance(who, Response):
        return who
    try:
        form, version = await _form_int(request, "version")
        act(_service(request), who, form, version)
    except EntityscreenError as exc:
        return _error(exc, who)
    return RedirectResponse(back, status_code=303)


@router.post("/review/{item_id}")
async def decide(request: Request, item_id: int) -> Response:
    return await _review_post(
        request, f"/ui/review#item-{item_id}",
        lambda service, who, form, version: service.decide(
            item_id, form.get("decision", ""), form.get("reason", ""), reviewer=who.actor,
            version=version))


@router.post("/review/{item_id}/approval")
async def approval(request: Request, item_id: int) -> Response:
    return await _review_post(
        request, "/ui/review",
        lambda service, who, form, version: service.reviews.approve(
            item_id, reviewer=who.actor, version=version, approve=form.get("approve") != "no"))
