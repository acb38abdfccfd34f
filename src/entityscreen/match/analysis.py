"""Turn a name into weighted-comparable tokens: what is a legal form, a stopword, a word.

Shared by the index (listed names) and the query side, so both see the same tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise

from entityscreen.normalize import (
    abbreviations,
    clean,
    fold_homoglyphs,
    generic_words,
    legal_forms,
    places,
    romanize,
    stopwords,
    tokens,
)

__all__ = [
    "GENERIC",
    "LEGAL",
    "PLACE",
    "STOP",
    "WORD",
    "Analyzed",
    "analyze",
    "name_variants",
    "names_an_organisation",
    "skeleton",
    "split_country",
    "with_country_hint",
]

WORD, LEGAL, STOP, PLACE, GENERIC = "word", "legal", "stop", "place", "generic"
# Longest legal form, in tokens ("obshchestvo s ogranichennoy otvetstvennostyu" = 4).
_MAX_FORM = 5
# Names longer than this many tokens are cut for scoring: caps the work per comparison.
MAX_TOKENS = 24


@dataclass(frozen=True, slots=True)
class Analyzed:
    tokens: tuple[str, ...]
    kinds: tuple[str, ...]  # WORD, LEGAL, STOP, PLACE or GENERIC per token
    compact: str  # all word tokens joined without spaces (catches any split/merge)
    # each two adjacent tokens merged ("cloud walk" -> "cloudwalk"), made once per name
    pairs: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # the tokens, then the pairs: what a comparison with another name looks up
    keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        toks = self.tokens
        pairs = tuple(a + b for a, b in pairwise(toks))
        object.__setattr__(self, "pairs", pairs)
        object.__setattr__(self, "keys", toks + pairs)


@lru_cache(maxsize=65536)
def analyze(text: str) -> Analyzed:
    full = abbreviations()
    toks = [
        x for t in tokens(romanize(fold_homoglyphs(clean(text))))[:MAX_TOKENS]
        for x in full.get(t, (t,))
    ][:MAX_TOKENS]
    kinds = [WORD] * len(toks)
    forms = legal_forms()
    starts = _form_starts()
    stops = stopwords()
    geo = places()
    generic = generic_words()
    i = 0
    while i < len(toks):
        for size in range(min(_MAX_FORM, len(toks) - i) if toks[i] in starts else 0, 0, -1):
            if tuple(toks[i : i + size]) in forms and not _initials(toks, i, size):
                # A legal form is only a legal form when something else names the party.
                if len(toks) > size:
                    for j in range(i, i + size):
                        kinds[j] = LEGAL
                i += size
                break
        else:
            if toks[i] in stops and len(toks) > 1:
                kinds[i] = STOP
            elif toks[i] in geo and len(toks) > 1:
                kinds[i] = PLACE
            elif toks[i] in generic and len(toks) > 1:
                kinds[i] = GENERIC
            i += 1
    if WORD not in kinds:
        # nothing but places and generic words ("Information Technology Institute"): those
        # words are then what names the party
        kinds = [WORD if k in (PLACE, GENERIC) else k for k in kinds]
    compact = "".join(t for t, k in zip(toks, kinds, strict=True) if k in (WORD, PLACE, GENERIC))
    return Analyzed(tuple(toks), tuple(kinds), compact)


@cache
def _form_starts() -> frozenset[str]:
    """The first tokens of the legal forms: a token not among them starts none."""
    return frozenset(form[0] for form in legal_forms())


def names_an_organisation(a: Analyzed) -> bool:
    """Whether a legal form in the name says the party is an organisation ("Andreev
    Limited", "Rossi SRL"). Forms of single letters do not: "Telnykh S. L." may as well be a
    person's initials as a Spanish company's S.L."""
    return any(k == LEGAL and len(t) > 1 for t, k in zip(a.tokens, a.kinds, strict=True))


def _initials(toks: list[str], i: int, size: int) -> bool:
    """Whether the legal form of single letters at ``toks[i:i+size]`` ("s a", "k k") reads as
    initials or an acronym instead: it starts the name ("E. K. Muller"; dotted letter forms
    follow the name) or more single letters follow it ("A.S.P. Builders"). Letters before it
    do not count: "T.G.A. D.O.O." and "Resources I B.V." end in a legal form. The legal-form
    table cannot say this, as it depends on where the letters stand."""
    if any(len(t) != 1 for t in toks[i : i + size]):
        return False
    end = i + size
    return i == 0 or (end < len(toks) and len(toks[end]) == 1)


_PAREN_AKA = re.compile(
    r"\((?:a\.?k\.?a\.?|f\.?k\.?a\.?|n\.?k\.?a\.?|also known as|formerly(?: known as)?|"
    r"previously|aka|fka)[\s:,]*([^()]+)\)",
    re.IGNORECASE,
)
# Entity List boilerplate after a name: "..., and any successor, sub-unit, or subsidiary thereof"
_BOILERPLATE = re.compile(
    r",?\s+(?:and|including)\s+(?:any|all|its)\s+(?:successors?|sub-?units?|subsidiar\w*|"
    r"affiliates?)\b.*$",
    re.IGNORECASE,
)
_INLINE_AKA = re.compile(r"[,;]?\s+(?:a\.k\.a\.|f\.k\.a\.|aka|fka)[,:]?\s+", re.IGNORECASE)


def name_variants(name: str) -> list[str]:
    """The forms under which a listed name is indexed, the listed form first.

    Splits ``X (a.k.a. Y)`` into X and Y, and repairs UTF-8 read as Windows-1252 (mojibake
    such as ``Ã©`` for ``é``), because lists do contain such names.
    """
    out = [name]
    stripped = _BOILERPLATE.sub("", name)
    if stripped != name:
        out.append(stripped)
        name = stripped
    m = _PAREN_AKA.search(name)
    if m:
        out.append(_PAREN_AKA.sub(" ", name).strip())
        out.extend(p.strip() for p in re.split(r";|,\s*(?:a\.k\.a\.|f\.k\.a\.)", m.group(1)))
    elif _INLINE_AKA.search(name):
        out.extend(p.strip() for p in _INLINE_AKA.split(name))
    if not out[0].isascii():
        name = out[0]
        try:
            fixed = name.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            fixed = name
        if fixed != name:
            out.append(fixed)
    seen: set[str] = set()
    return [v for v in out if v and not (v in seen or seen.add(v))]  # type: ignore[func-returns-value]


_SKELETON_RULES = (
    ("kh", "h"), ("ks", "x"), ("iy", "y"), ("yy", "y"), ("ph", "f"), ("ck", "k"),
    ("dzh", "j"), ("zh", "j"), ("ts", "c"), ("w", "v"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
)


_NO_VOWELS = str.maketrans("", "", "aeiouy")
_RUNS = re.compile(r"(.)\1+", re.DOTALL)


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """A transliteration-tolerant key: common spelling alternatives folded, vowels after the
    first letter dropped, doubled letters collapsed (Tuniyaz/Tuniyazi, Erken/Erkin -> same)."""
    t = token
    for a, b in _SKELETON_RULES:
        t = t.replace(a, b)
    if not t:
        return t
    # the first letter, then the consonants, each run of one letter kept once
    return _RUNS.sub(r"\1", t[0] + t[1:].translate(_NO_VOWELS))


_VOWEL_RUN = re.compile(r"[aeiouy]+")
_DOUBLED = re.compile(r"([^V])\1+")


def vowel_slots(token: str) -> str:
    """The skeleton's spelling folds, with each run of vowels kept as one mark ``V``: where
    vowels stand between the consonants. Mohammed and Muhammad have the same slots (mVhVmVd);
    Castro and Castor do not (kVstrV, kVstVr)."""
    t = token
    for a, b in _SKELETON_RULES:
        t = t.replace(a, b)
    return _DOUBLED.sub(r"\1", _VOWEL_RUN.sub("V", t))


def with_country_hint(text: str, q: Analyzed) -> tuple[Analyzed, str | None]:
    """``q`` (the analysis of ``text``) with the words of a country written after the name
    ("Agnes NANDUTU (Uganda)") read as places, which only locate, and that country's ISO code
    (None: no such country, and ``q`` unchanged)."""
    name, hinted = split_country(text)
    if not hinted or not q.tokens:
        return q, None
    head = analyze(name)
    tail = q.tokens[len(head.tokens):]
    return Analyzed(head.tokens + tail, head.kinds + (PLACE,) * len(tail), head.compact), hinted


_TAIL_PAREN = re.compile(r"^(?P<name>.*\S)\s*\((?P<tail>[^()]+)\)\s*$")
_TAIL_COMMA = re.compile(r"^(?P<name>.*\S)\s*,\s*(?P<tail>[^,]+?)\s*$")


def split_country(name: str) -> tuple[str, str | None]:
    """A country written after a query name, as screeners often do ("Agnes NANDUTU (Uganda)",
    "X Ltd, United States"), is a country hint, not part of the name: returns the name
    without it and the ISO code, or the name unchanged and None."""
    if "(" not in name and "," not in name:
        return name, None  # most names: neither pattern can match
    from entityscreen.sources.common import country_code

    for pattern in (_TAIL_PAREN, _TAIL_COMMA):
        m = pattern.match(name)
        if m:
            tail = m.group("tail").strip()
            if pattern is _TAIL_COMMA and " " not in tail and "," not in m.group("name"):
                continue  # "SMITH, Jordan": a one-word tail after the only comma is a name
            code = country_code(tail) if len(tail) > 2 else None
            if code and analyze(m.group("name")).tokens:
                return m.group("name"), code
    return name, None
