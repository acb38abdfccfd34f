"""The PyPI package yente-client, unmodified, against a running entityscreen server."""

from __future__ import annotations

import pytest
from tests.api.conftest import Server

yente_client = pytest.importorskip("yente_client")


def test_yente_client_works_unmodified(server: Server) -> None:
    from yente_client import Client
    from yente_client.entities import Company, Person

    with Client(api_key=server.keys["screener"], base_url=server.url) as client:
        assert client.healthz().status == "ok"
        assert client.readyz().status == "ok"

        found = client.search("SenseTime", limit=3)
        assert found.total.value == len(found.results) >= 1
        assert any("sensetime" in r.caption.lower() for r in found.results)

        match = client.match(Company(name="Megvii Technology", country="cn"))
        top = match.top
        assert top is not None and top.match and top.score >= 0.9
        assert "megvii" in top.caption.lower()
        assert "megvii" in (top.explanations["name_match"].candidate or "").lower()
        assert match.limit >= 1

        person = client.match(Person(name="Kim Jong Un"), threshold=0.5, limit=2)
        assert len(person.results) <= 2
        assert all(r.schema_ in ("Person", "LegalEntity") for r in person.results[:1])

        fetched = client.fetch(top.id)
        assert fetched.id == top.id and fetched.caption == top.caption
        assert fetched.datasets and fetched.properties["name"] == [top.caption]

        algos = client.algorithms()
        assert algos.default == "entityscreen-2"
        assert [a.name for a in algos.algorithms] == ["entityscreen-1", "entityscreen-2"]


def test_yente_client_errors_carry_the_detail(server: Server) -> None:
    from yente_client import Client
    from yente_client.exceptions import AuthenticationError, NotFoundError

    with (Client(api_key="es_00000000_wrong", base_url=server.url) as client,
          pytest.raises(AuthenticationError, match="unknown or revoked")):
        client.search("SenseTime")
    with (Client(api_key=server.keys["screener"], base_url=server.url) as client,
          pytest.raises(NotFoundError, match="no listed party")):
        client.fetch("us_csl:nope")
