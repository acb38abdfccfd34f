"""Token comparisons: how alike two normalised tokens are, and how the likeness was found."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from entityscreen.match.analysis import skeleton, vowel_slots
from entityscreen.normalize import spellings

__all__ = ["slotted_similarity", "token_similarity", "variant_similarity"]

# Below this edit similarity two tokens are different words (one typo in a 5-letter word = 0.8).
MIN_FUZZY = 0.75
# Similarity given to tokens that differ only by transliteration (Tuniyaz/Tuniyazi, ks/x).
TRANSLIT = 0.92
# Similarity of an initial ("Q") to a word it abbreviates ("Quanguo").
INITIAL = 0.85


# Roman numerals distinguish entities ("Investments I Corp" vs "Investments III Corp"): like
# numbers, they must be equal, and "i" is then no initial.
ROMAN = frozenset(["ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "xiii", "xiv", "xv"])


def _vowels(token: str) -> int:
    return sum(1 for ch in token if ch in "aeiouy")


@lru_cache(maxsize=262144)
def token_similarity(a: str, b: str) -> tuple[float, str]:
    """(similarity in 0..1, how) for two normalised tokens."""
    if a == b:
        return 1.0, "exact"
    if a in ROMAN or b in ROMAN:
        return 0.0, "none"
    la, lb = len(a), len(b)
    if la == 1 or lb == 1:
        if (la == 1 and b.startswith(a)) or (lb == 1 and a.startswith(b)):
            return INITIAL, "initial"
        return 0.0, "none"
    short, long_ = (la, lb) if la < lb else (lb, la)
    if short <= 3 or short < 0.6 * long_:
        return 0.0, "none"  # edit similarity cannot reach 0.6 (it is at most short/long)
    if not (a + b).isalpha():
        return 0.0, "none"  # numbers must be equal: "Plant 2" is not "Plant 3"
    sim = OSA.normalized_similarity(a, b)
    fuzzy = sim - 0.1 if a[0] != b[0] else sim  # a changed first letter is usually a new word
    if fuzzy >= TRANSLIT:
        return fuzzy, "fuzzy"
    if sim >= 0.7 and skeleton(a) == skeleton(b) and abs(_vowels(a) - _vowels(b)) <= 1:
        return TRANSLIT, "transliteration"  # Mohammed/Muhammad, Aleksandr/Alexander
    if fuzzy >= MIN_FUZZY:
        return fuzzy, "fuzzy"
    return 0.0, "none"


@lru_cache(maxsize=262144)
def slotted_similarity(a: str, b: str) -> tuple[float, str]:
    """:func:`token_similarity`, where a transliteration must also keep the vowels where they
    stand (:func:`~entityscreen.match.analysis.vowel_slots`): Mohammed/Muhammad, Song/Sung
    and Erken/Erkin stay transliterations (0.92), while Castro/Castor or Ross/Rose, a moved
    or added vowel in a short word, are judged as the typos they are (0.83, 0.75)."""
    got = token_similarity(a, b)
    if got[1] != "transliteration" or vowel_slots(a) == vowel_slots(b):
        return got
    sim = OSA.normalized_similarity(a, b)
    fuzzy = sim - 0.1 if a[0] != b[0] else sim
    return (fuzzy, "fuzzy") if fuzzy >= MIN_FUZZY else (0.0, "none")


@lru_cache(maxsize=262144)
def variant_similarity(a: str, b: str) -> tuple[float, str]:
    """:func:`token_similarity`, and through other spellings
    (:func:`~entityscreen.normalize.spellings`: of a given name in ``data/name_variants.csv``
    or ``data/name_spellings.csv``, the inflections of a generic word in
    ``data/abbreviations.csv``): two spellings of one name are variants (1.0: "halyna",
    "galina"); a token without spellings is compared with each spelling of the other and
    the best taken.

    Analysis reads "Alexey" as "aleksei", so a typo of it ("Alezey", one letter from
    "alexey") is three edits from what the list holds; compared with the spellings it is a
    typo again ("Inxustrial" is one letter from "industrial", read as "industry"). What is
    found that way says ``"variant"`` (an initial stays ``"initial"``: "O" stands for
    "Oleksandr", read as "aleksandr"). Two tokens with spellings that are not each other's
    are two different names or words: their spellings are not compared.
    """
    best = slotted_similarity(a, b)
    if best[0] == 1.0:
        return best
    table = spellings()
    of_a, of_b = table.get(a), table.get(b)
    if of_a is not None and of_b is not None:
        return (1.0, "variant") if b in of_a else best
    for spelling in of_a or of_b or ():
        sim, how = (slotted_similarity(spelling, b) if of_a
                    else slotted_similarity(a, spelling))
        if sim > best[0]:
            best = (sim, "initial" if how == "initial" else "variant")
    return best
