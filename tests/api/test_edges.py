"""The HTTP edge: every error has one JSON shape, roles and keys are enforced, bad input
gets a clear 4xx (never a 500)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from tests.api.conftest import Server

ERROR_KEYS = {"status", "error", "detail", "fix"}
MATCH = {"queries": {"q": {"schema": "Company", "properties": {"name": ["Megvii"]}}}}


def _many(n: int) -> dict[str, object]:
    return {"queries": {f"q{i}": {"schema": "Person", "properties": {"name": ["A B"]}}
                        for i in range(n)}}


CASES = [
    # (key, method, path, body, status, error)
    (None, "GET", "/search?q=Megvii", None, 401, "unauthorized"),
    ("bad", "GET", "/search?q=Megvii", None, 401, "unauthorized"),
    ("screener", "GET", "/reviews", None, 403, "forbidden"),
    ("reviewer", "GET", "/audit/verify", None, 403, "forbidden"),
    ("screener", "POST", "/admin/reload", None, 403, "forbidden"),
    ("screener", "GET", "/no/such/endpoint", None, 404, "not_found"),
    ("screener", "DELETE", "/search", None, 405, "method_not_allowed"),
    ("screener", "GET", "/search", None, 422, "usage_error"),
    ("screener", "GET", "/search?q=Megvii&limit=0", None, 422, "usage_error"),
    ("screener", "GET", "/search?q=Megvii&limit=abc", None, 422, "usage_error"),
    ("screener", "GET", "/search?q=" + "x" * 1001, None, 422, "usage_error"),
    ("screener", "GET", "/search/no_such_list?q=Megvii", None, 404, "not_found_error"),
    ("screener", "GET", "/search?q=Megvii&schema=Spaceship", None, 422, "usage_error"),
    ("screener", "GET", "/search?q=Megvii&threshold=2", None, 422, "usage_error"),
    ("screener", "GET", "/entities/us_csl:nope", None, 404, "not_found_error"),
    ("screener", "POST", "/match/default", b'{"queries": {', 422, "usage_error"),
    ("screener", "POST", "/match/default", b"", 422, "usage_error"),
    ("screener", "POST", "/match/default", b"\xff\xfe{}", 422, "usage_error"),
    ("screener", "POST", "/match/default", b"[1, 2]", 422, "usage_error"),
    ("screener", "POST", "/match/default",
     json.dumps({"queries": {"q": {"schema": "Spaceship", "properties": {"name": ["X"]}}}}),
     422, "usage_error"),
    ("screener", "POST", "/match/default",
     json.dumps({"queries": {"q": {"schema": "Person", "properties": {"name": [1]}}}}),
     422, "usage_error"),
    ("screener", "POST", "/match/default",
     json.dumps({"queries": {"q": {"schema": "Person", "properties": {}}}}), 422,
     "usage_error"),
    ("screener", "POST", "/match/default", json.dumps(_many(10_000)), 413, "too_large_error"),
    ("screener", "POST", "/match/default",
     json.dumps({"queries": {}, "pad": "x" * 1_100_000}), 413, "too_large_error"),
    ("screener", "POST", "/match/default?algorithm=nope", json.dumps(MATCH), 422,
     "usage_error"),
    ("reviewer", "POST", "/reviews/999999/decision",
     json.dumps({"decision": "true_match", "reason": "r", "version": 1}), 404,
     "not_found_error"),
    ("reviewer", "POST", "/reviews/1/decision", json.dumps({"decision": "maybe"}), 422,
     "usage_error"),
    ("reviewer", "POST", "/reviews/1/approval", b'{"approve": "perhaps"}', 422, "usage_error"),
    ("screener", "GET", "/screen/doesnotexist", None, 404, "not_found_error"),
    ("screener", "POST", "/screen?filename=x.exe", b"a,b\n", 422, "usage_error"),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "status", "error"), CASES)
def test_every_error_has_one_json_shape(server: Server, who: str | None, method: str,
                                        path: str, body: object, status: int,
                                        error: str) -> None:
    headers = {}
    if who == "bad":
        headers["Authorization"] = "Bearer es_00000000_not-a-key"
    elif who is not None:
        headers["Authorization"] = f"Bearer {server.keys[who]}"
    res = httpx.request(method, server.url + path, content=body, headers=headers,  # type: ignore[arg-type]
                        timeout=60)
    assert res.status_code == status, res.text
    assert res.headers["content-type"].startswith("application/json")
    data = res.json()
    assert set(data) == ERROR_KEYS
    assert data["status"] == status and data["error"] == error
    assert isinstance(data["detail"], str) and data["detail"]


def test_an_oversized_body_without_a_length_is_cut_off(server: Server) -> None:
    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to refuse early
        yield b'{"queries": {}, "pad": "'
        for _ in range(200):
            yield b"x" * 10_000
        yield b'"}'

    res = server.client().post("/match/default", content=chunks(),
                               headers={"Content-Type": "application/json"})
    assert res.status_code == 413 and res.json()["error"] == "too_large_error"
    bad = server.client().post("/screen", files={"other": ("x.csv", b"a\n", "text/csv")})
    assert bad.status_code == 422 and "no file in the form" in bad.json()["detail"]


def test_both_header_forms_and_role_order(server: Server) -> None:
    for scheme in ("ApiKey", "Bearer", "bearer"):
        for who in ("screener", "reviewer", "admin"):
            res = httpx.get(server.url + "/search", params={"q": "Megvii"},
                            headers={"Authorization": f"{scheme} {server.keys[who]}"})
            assert res.status_code == 200, (scheme, who, res.text)
    res = httpx.get(server.url + "/search", params={"q": "Megvii"},
                    headers={"Authorization": f"Basic {server.keys['admin']}"})
    assert res.status_code == 401
    assert server.client("reviewer").get("/reviews").status_code == 200
    assert server.client("admin").get("/reviews").status_code == 200
    assert server.client("admin").get("/audit/verify").status_code == 200


def test_rate_limit_per_key(server: Server) -> None:
    slow = server.client("slow")
    codes = [slow.get("/algorithms").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    res = slow.get("/algorithms")
    assert res.json()["error"] == "rate_limited" and int(res.headers["retry-after"]) >= 1
    # other keys are not held back by this one's limit
    assert server.client("screener").get("/algorithms").status_code == 200


def test_health_needs_no_key_and_docs_are_served(server: Server) -> None:
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(server.url + "/readyz").json() == {"status": "ok"}
    spec = httpx.get(server.url + "/openapi.json").json()
    for path in ("/search/{dataset}", "/match/{dataset}", "/entities/{entity_id}",
                 "/algorithms", "/lists", "/healthz", "/readyz", "/screen", "/reviews"):
        assert path in spec["paths"], path
    assert "queries" in json.dumps(spec["paths"]["/match/{dataset}"])
    docs = httpx.get(server.url + "/docs")
    assert docs.status_code == 200
    # the docs page works offline: its scripts and styles come from this server, not a CDN
    assert "cdn." not in docs.text and "/docs-assets/swagger-ui-bundle.js" in docs.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        got = httpx.get(f"{server.url}/docs-assets/{asset}")
        assert got.status_code == 200 and len(got.content) > 10_000


def test_search_answer(server: Server) -> None:
    res = server.client().get("/search", params={"q": "SenseTime", "limit": 3})
    data = res.json()
    top = data["results"][0]
    assert top["match"] and top["score"] >= 0.82
    assert "SENSETIME" in top["name"].upper() or "Sensetime" in top["name"]
    assert top["explanation"]["aligned"] and top["listings"][0]["restriction"]
    assert top["caption"] == top["name"] and top["schema"] and top["target"] is True
    assert {s["source"] for s in data["data"]["sources"]} >= {"us_csl", "un_sc"}
    only = server.client().get("/search/un_sc", params={"q": "SenseTime"}).json()
    assert all("un_sc" in r["datasets"] for r in only["results"])


def test_lists_show_versions(server: Server) -> None:
    data = server.client().get("/lists").json()
    by = {s["source"]: s for s in data["sources"]}
    assert by["uk_ofsi"]["records"] == 4686 and by["un_sc"]["published"] == "2026-02-27"
    assert data["algorithm"] == "entityscreen-2"


SLOW = [  # (who, request line and headers, the start of a body that never ends)
    ("screener", b"POST /match/default HTTP/1.1\r\nContent-Type: application/json\r\n",
     b'{"queries"'),
    ("screener", b"POST /screen?filename=x.csv HTTP/1.1\r\n", b"name\nSenseTime\n"),
    ("screener", b"POST /screen HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\n",
     b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\nname\n'),
    ("reviewer", b"POST /reviews/1/decision HTTP/1.1\r\nContent-Type: application/json\r\n",
     b'{"decision"'),
    (None, b"POST /ui/login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n",
     b"key=es_"),
]


@pytest.mark.parametrize(("who", "head", "start"), SLOW)
def test_a_slow_client_gets_408_and_holds_no_one_up(server: Server,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    who: str | None, head: bytes,
                                                    start: bytes) -> None:
    import socket
    from urllib.parse import urlsplit

    from entityscreen.api import edges

    monkeypatch.setattr(edges, "BODY_TIMEOUT", 1.0)
    where = urlsplit(server.url)
    auth = b"Authorization: Bearer " + server.keys[who].encode() + b"\r\n" if who else b""
    with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
        sock.sendall(head + b"Host: x\r\nContent-Length: 1000\r\n" + auth + b"\r\n" + start)
        # meanwhile the server answers others
        assert server.client().get("/search", params={"q": "Megvii"}).status_code == 200
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith((b"}", b">")):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    head_, _, body = reply.partition(b"\r\n\r\n")
    assert head_.startswith(b"HTTP/1.1 408"), reply[:300]
    if who is not None:  # the API's JSON shape (the page answers with a page)
        data = json.loads(body)
        assert set(data) == ERROR_KEYS and data["error"] == "request_timeout"


def test_page_sign_in_and_form_caps(server: Server) -> None:
    bad = httpx.post(server.url + "/ui/login", data={"key": "es_00000000_nope"})
    assert bad.status_code == 401 and "Unknown or revoked API key" in bad.text
    huge = httpx.post(server.url + "/ui/login", data={"key": "x" * 1_100_000})
    assert huge.status_code == 413 and "the limit is 1,000,000" in huge.text
    ok = httpx.post(server.url + "/ui/login", data={"key": server.keys["screener"]})
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = httpx.get(server.url + "/ui", params={"q": "<b>Megvii</b>"}, cookies=ok.cookies)
    assert page.status_code == 200 and "<b>Megvii</b>" not in page.text
    assert "&lt;b&gt;Megvii&lt;/b&gt;" in page.text
    # a form post from another site with the cookie is refused
    forged = httpx.post(server.url + "/ui/review/1", data={"version": "1"},
                        cookies=ok.cookies, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403


def test_a_client_gone_mid_body_is_a_usage_error_not_an_internal_one() -> None:
    import asyncio

    from starlette.requests import Request

    from entityscreen.api.edges import read_body
    from entityscreen.errors import UsageError

    messages = iter([{"type": "http.request", "body": b'{"que', "more_body": True},
                     {"type": "http.disconnect"}])

    async def receive() -> dict[str, object]:
        return next(messages)

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(UsageError, match="closed the connection"):
        asyncio.run(read_body(request, 1000))
