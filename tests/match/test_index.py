"""The name index: built on several cores it is the same index, and retrieval finds names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from entityscreen.match.analysis import analyze

# Run in a fresh interpreter: the build forks only when its caller has no other thread, and
# earlier tests (servers, clusters) may leave threads behind in this one.
_COMPARE = """
import sys
from itertools import islice
from pathlib import Path
from entityscreen.match import building
from entityscreen.match.index import Index
from entityscreen.store import Store

def content(index):
    return {
        "names": (index.name_text, index.name_tokens, index.name_kinds,
                  index.name_party.tolist()),
        "parties": (index.party_ids, index.party_types, index.party_countries),
        "postings": {k: index.postings[k].tolist() for k in index.postings.keys},
        "df": index.df, "vocab": index.vocab,
        "weights": [index.name_weights[i] for i in range(index.n_names)],
        "deletes": {k: index.by_delete[k].tolist() for k in index.by_delete.keys},
        "idents": {k: index.party_idents[k].tolist() for k in index.party_idents.keys},
    }

store = Store.open(Path(sys.argv[1]), create=False)
parties = list(islice(store.parties(), 4000))  # real listed parties
building.PARALLEL_MIN_NAMES = 100
building.CHUNK = 300  # many chunks: their order must hold
forked = []
real_pool = building.ProcessPoolExecutor
def pool(*args, **kwargs):
    forked.append(args)
    return real_pool(*args, **kwargs)
building.ProcessPoolExecutor = pool
inline = Index.build(parties, workers=1)
assert not forked
parallel = Index.build(parties, workers=2)
assert forked, "the build did not use worker processes"
assert inline.n_names > 4000, inline.n_names
assert content(parallel) == content(inline), "the parallel build differs"
print("same", inline.n_names)
"""


@pytest.mark.slow
def test_parallel_build_equals_inline_build(screener) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([sys.executable, "-c", _COMPARE, str(screener.settings.db_path)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("same ")


def test_weights_are_the_rarity_of_each_token(screener) -> None:  # type: ignore[no-untyped-def]
    index = screener.index
    nid = index.candidates(analyze("Hikvision"), 8)[0]
    tokens = index.name_tokens[nid].split(" ")
    kinds = index.analysis(nid).kinds
    assert index.name_weights[nid] == tuple(
        index.weight(t, k) for t, k in zip(tokens, kinds, strict=True))
    assert "hikvision" in tokens
