"""The name index: built on several cores it is the same index, and retrieval finds names."""

from __future__ import annotations

import threading
from itertools import islice

import pytest

from entityscreen.match import building
from entityscreen.match.analysis import analyze
from entityscreen.match.index import Index


def _content(index: Index) -> dict[str, object]:
    postings = {k: index.postings[k].tolist() for k in index.postings.keys}
    weights = [index.name_weights[i] for i in range(index.n_names)]
    return {
        "names": (index.name_text, index.name_tokens, index.name_kinds,
                  index.name_party.tolist()),
        "parties": (index.party_ids, index.party_types, index.party_countries),
        "postings": postings, "df": index.df, "weights": weights, "vocab": index.vocab,
        "deletes": {k: index.by_delete[k].tolist() for k in index.by_delete.keys},
        "idents": {k: index.party_idents[k].tolist() for k in index.party_idents.keys},
    }


@pytest.mark.slow
def test_parallel_build_equals_inline_build(screener, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    parties = list(islice(screener.store.parties(), 4000))  # real listed parties
    monkeypatch.setattr(building, "PARALLEL_MIN_NAMES", 100)
    monkeypatch.setattr(building, "CHUNK", 300)  # many chunks: their order must hold
    assert threading.active_count() == 1  # else the build would (rightly) not fork
    inline = Index.build(parties, workers=1)
    parallel = Index.build(parties, workers=2)
    assert inline.n_names > 4000
    assert _content(parallel) == _content(inline)


def test_weights_are_the_rarity_of_each_token(screener) -> None:  # type: ignore[no-untyped-def]
    index = screener.index
    nid = index.candidates(analyze("Hikvision"), 8)[0]
    tokens = index.name_tokens[nid].split(" ")
    kinds = index.analysis(nid).kinds
    assert index.name_weights[nid] == tuple(
        index.weight(t, k) for t, k in zip(tokens, kinds, strict=True))
    assert "hikvision" in tokens
