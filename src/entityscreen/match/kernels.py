"""The compiled parts of retrieval and scoring (numba), loaded only by processes that screen
many names (``Index.compile``): importing this module imports numba (~0.2 s) and loads the
machine code numba cached on disk (compiled once, ~20 s, on first use after an install).

Each function here has a Python reference it must equal: ``match.accumulate`` for the first
three, ``QueryMatcher.align_prepared`` for :func:`score_names` (see ``match.batch``).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from entityscreen.match.batch import EXACT, FUZZY, INITIAL, MERGED


@numba.njit(cache=True, nogil=True)
def gather_lists(flat: Any, lens: Any, gains: Any, acc: Any, common: int,
                 touched: Any) -> int:
    n = 0
    pos = 0
    for k in range(lens.shape[0]):
        length = lens[k]
        gain = gains[k]
        if length > common and n > 0:
            for p in range(pos, pos + length):
                i = flat[p]
                if acc[i] > 0:
                    acc[i] += gain
        else:
            for p in range(pos, pos + length):
                i = flat[p]
                if acc[i] == 0:
                    touched[n] = i
                    n += 1
                acc[i] += gain
        pos += length
    touched[:n].sort()
    return n


@numba.njit(cache=True, nogil=True)
def credit_ids(ids: Any, words: Any, exact: Any, acc: Any, gain: Any) -> None:
    for i in ids:
        k = np.searchsorted(words, i)
        if k < words.shape[0] and words[k] == i:
            k = np.searchsorted(exact, i)
            if k == exact.shape[0] or exact[k] != i:
                acc[i] += gain


@numba.njit(cache=True, nogil=True)
def rank_ids(ids: Any, acc: Any, owner: Any, limit: int, pool: int, min_parties: int,
             floor: float, out: Any) -> int:
    n = ids.shape[0]
    scores = np.empty(n, np.float32)
    for k in range(n):
        scores[k] = -acc[ids[k]]
        acc[ids[k]] = 0
    order = np.argsort(scores, kind="mergesort")  # stable: ties by ascending id
    seen: set[int] = set()
    m = 0
    for k in range(min(n, pool)):
        nid = ids[order[k]]
        pidx = owner[nid]
        if pidx not in seen:
            if len(seen) == limit or (len(seen) >= min_parties
                                      and np.float64(-scores[order[k]]) < floor):
                break
            seen.add(pidx)
        out[m] = nid
        m += 1
    return m


@numba.njit(cache=True, nogil=True)
def merges(len_a: int, len_b: int, sim: float, how: int, merge_min: float,
           part_min: int) -> bool:
    return sim >= merge_min and (how == EXACT or (
        how == FUZZY and len_a >= part_min and len_b >= part_min))


@numba.njit(cache=True, nogil=True)
def score_names(nids: Any, persons: Any, start: Any, token_key: Any, token_len: Any,
                weight: Any, pair_key: Any, word: Any, naming: Any, compact_key: Any,
                s_kid: Any, s_qi: Any, s_sim: Any, s_how: Any,
                p_kid: Any, p_qi: Any, p_sim: Any,
                qw: Any, q_word: int, q_compact: int, params: Any, part_min: int,
                out: Any) -> None:
    """``QueryMatcher.align_prepared``'s score of each name ``nids[c]`` into ``out[c]``:
    the same options in the same order, the same greedy picks, the same floats added in
    the same order (see ``match.batch`` for the arguments)."""
    missing_person, missing_other = params[0], params[1]
    contained_extra, contained_min_weight = params[2], params[3]
    merge_min, compact_equal, close_min = params[4], params[5], params[6]
    # the options of each listed key, grouped by key (in the order they were made)
    so = np.argsort(s_kid, kind="mergesort")
    s_kid, s_qi, s_sim, s_how = s_kid[so], s_qi[so], s_sim[so], s_how[so]
    po = np.argsort(p_kid, kind="mergesort")
    p_kid, p_qi, p_sim = p_kid[po], p_qi[po], p_sim[po]
    ns, np_ = s_kid.shape[0], p_kid.shape[0]
    nq = qw.shape[0]
    full_q = (np.int64(1) << nq) - 1
    # a name's options: each token with each option of its key, each adjacent pair too
    longest = 1
    for c in range(nids.shape[0]):
        longest = max(longest, start[nids[c] + 1] - start[nids[c]])
    cap = (2 * longest) * (ns + np_) + 1
    o_value = np.empty(cap, np.float64)
    o_sim = np.empty(cap, np.float64)
    o_how = np.empty(cap, np.int8)
    o_qm = np.empty(cap, np.int64)
    o_cm = np.empty(cap, np.int64)
    o_first = np.empty(cap, np.int64)  # the listed token (first of a merged pair)
    o_multi = np.empty(cap, np.bool_)  # a merged pair of listed tokens
    for c in range(nids.shape[0]):
        nid = nids[c]
        person = persons[nid]
        a = start[nid]
        n = start[nid + 1] - a
        m = 0
        for step in range(2 if n > 1 else 1):
            for j in range(n if step == 0 else n - 1):
                key = token_key[a + j] if step == 0 else pair_key[a - nid + j]
                lo = np.searchsorted(s_kid, key)
                while lo < ns and s_kid[lo] == key:
                    i, sim, how = s_qi[lo], s_sim[lo], s_how[lo]
                    lo += 1
                    if step == 0:
                        if how == INITIAL and not person:
                            continue
                        value = sim * (qw[i] + weight[a + j])
                        qm, cm, multi, how_o = np.int64(1) << i, np.int64(1) << j, False, how
                    else:
                        if not merges(token_len[a + j], token_len[a + j + 1], sim, how,
                                      merge_min, part_min):
                            continue
                        value = sim * (qw[i] + weight[a + j] + weight[a + j + 1])
                        qm, cm, multi, how_o = (np.int64(1) << i, np.int64(3) << j, True,
                                                np.int8(MERGED))
                    o_value[m], o_sim[m], o_how[m] = value, sim, how_o
                    o_qm[m], o_cm[m], o_first[m], o_multi[m] = qm, cm, j, multi
                    m += 1
                if step == 0 and np_ > 0:
                    lo = np.searchsorted(p_kid, key)
                    while lo < np_ and p_kid[lo] == key:
                        i, sim = p_qi[lo], p_sim[lo]
                        lo += 1
                        o_value[m] = sim * (qw[i] + qw[i + 1] + weight[a + j])
                        o_sim[m], o_how[m] = sim, np.int8(MERGED)
                        o_qm[m], o_cm[m] = np.int64(3) << i, np.int64(1) << j
                        o_first[m], o_multi[m] = j, False
                        m += 1
        if m == 0:
            out[c] = 0.0
            continue
        # the greedy pick: best value first, ties in the order made (a stable sort)
        order = np.argsort(-o_value[:m], kind="mergesort")
        c_word = word[nid]
        used_q = np.int64(0)
        used_c = np.int64(0)
        close = np.int64(0)
        num = 0.0
        word_aligned = False
        for k in order:
            qm, cm = o_qm[k], o_cm[k]
            if used_q & qm or used_c & cm:
                continue
            used_q |= qm
            used_c |= cm
            num += o_value[k]
            how = o_how[k]
            if o_sim[k] >= close_min and (how == EXACT or o_multi[k]
                                          or token_len[a + o_first[k]] > 5):
                close |= cm
            if not word_aligned and how != INITIAL and q_word & qm and c_word & cm:
                word_aligned = True
        same_compact = q_compact >= 0 and q_compact == compact_key[nid]
        if not word_aligned:
            out[c] = compact_equal if same_compact else 0.0
            continue
        missing = missing_person if person else missing_other
        extra = 1.0
        if used_q != full_q and not person:
            # the whole listed name of an organisation in the query: is every naming
            # token close, and either two or more of them with a word, or one long word?
            nm = naming[nid]
            contained = False
            if nm != 0 and (nm & ~close) == 0:
                if nm & (nm - 1):
                    contained = (c_word & nm) != 0
                else:
                    j = 0
                    while (nm >> j) != 1:
                        j += 1
                    contained = ((c_word >> j) & 1) == 1 and token_len[a + j] >= 5
            if contained:
                heaviest = 0.0
                for j in range(n):
                    if (c_word >> j) & 1:
                        heaviest = max(heaviest, weight[a + j])
                if heaviest >= contained_min_weight:
                    extra = contained_extra
        den = 0.0
        for i in range(nq):
            den += qw[i] if (used_q >> i) & 1 else extra * qw[i]
        listed = 0.0
        for j in range(n):
            listed += weight[a + j] if (used_c >> j) & 1 else missing * weight[a + j]
        den += listed
        score = num / den if den else 0.0
        if same_compact:
            score = max(score, compact_equal)
        out[c] = min(1.0, score)


@numba.njit(cache=True, nogil=True)
def best_by_party(nids: Any, scores: Any, owner: Any, keep: Any, parties: Any, names: Any,
                  best: Any) -> int:
    """Each party's best name among ``nids`` (see ``match.batch.best_by_party``) into
    ``parties``, ``names`` and ``best``; returns how many parties."""
    m = 0
    for c in range(nids.shape[0]):
        score = scores[c]
        pidx = owner[nids[c]]
        if not score > 0:
            at = np.searchsorted(keep, pidx)
            if at == keep.shape[0] or keep[at] != pidx:
                continue
        slot = -1
        for s in range(m):
            if parties[s] == pidx:
                slot = s
                break
        if slot < 0:
            parties[m], names[m], best[m] = pidx, nids[c], score
            m += 1
        elif best[slot] < score:
            names[slot], best[slot] = nids[c], score
    return m
