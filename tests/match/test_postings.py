"""Posting lists: key -> sorted ids, and the union retrieval takes of several."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from entityscreen.match.postings import Postings, union

id_lists = st.lists(st.lists(st.integers(0, 2**31 - 1), max_size=40), min_size=1, max_size=6)


@given(id_lists)
def test_union_is_the_sorted_distinct_ids_of_all_lists(lists: list[list[int]]) -> None:
    arrays = [np.array(sorted(set(x)), dtype=np.int32) for x in lists]
    got = union(arrays)
    assert got.dtype == np.int32
    assert got.tolist() == sorted(set().union(*lists))


def test_postings_keep_each_keys_ids_sorted_and_find_those_present() -> None:
    p = Postings({"megvii": [7, 3, 5], "kuangshi": [3], "face": [1, 2]})
    assert p["megvii"].tolist() == [3, 5, 7]
    assert p.get("sensetime") is None
    assert p.present({"megvii", "sensetime"}) == {"megvii"}
    assert sorted(p.ids_of({"megvii", "kuangshi"})) == [3, 3, 5, 7]
    assert union([p["megvii"], p["kuangshi"], p["face"]]).tolist() == [1, 2, 3, 5, 7]
