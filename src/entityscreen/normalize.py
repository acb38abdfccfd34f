"""Pure, idempotent text functions that put names from any script into one comparable form.

The pipeline, each step a function of its own so tests can pin it:

1. :func:`clean` — drop unpaired surrogates, zero-width/format/control characters and soft
   hyphens; Unicode NFKC (fullwidth ``Ｈｉｋ`` -> ``Hik``); collapse whitespace.
2. :func:`fold_homoglyphs` — inside Latin words, Cyrillic/Greek look-alikes become the Latin
   letter they imitate (``Hіkvision`` with Cyrillic і -> ``Hikvision``), from Unicode's
   confusables table (``data/homoglyphs.tsv``).
3. :func:`romanize` — Han runs: Traditional -> Simplified (zhconv), known terms translated or
   romanised from ``data/han_terms.tsv``, the rest in Hanyu Pinyin (pypinyin) joined by word;
   every other script (Cyrillic, Greek, Arabic, Hebrew, Hangul, Georgian, Thai...) and Latin
   diacritics via anyascii.
4. :func:`tokens` — casefold, ``&`` -> ``and``, apostrophes and dots dropped inside words,
   other punctuation splits words.

:func:`normalize` runs all four and joins the tokens with single spaces. Each step records
nothing; :func:`describe_folding` says which foldings applied, for explanations.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from anyascii import anyascii

__all__ = [
    "abbreviations",
    "clean",
    "describe_folding",
    "fold_homoglyphs",
    "generic_words",
    "legal_form_canonical",
    "legal_forms",
    "normalize",
    "places",
    "romanize",
    "spellings",
    "stopwords",
    "tokens",
]

_WS = re.compile(r"\s+")


def _data(name: str) -> str:
    return resources.files("entityscreen.data").joinpath(name).read_text("utf-8")


def clean(text: str) -> str:
    """Remove invisible and broken characters, apply NFKC, collapse whitespace."""
    if text.isprintable():  # no format, control or unassigned characters: the common case
        return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:  # unpaired surrogate (e.g. from bad JSON)
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cf", "Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r":
            continue  # zero-width space/joiner, BOM, soft hyphen, word joiner, controls
        out.append(ch)
    text = unicodedata.normalize("NFKC", "".join(out))
    return _WS.sub(" ", text).strip()


@cache
def _homoglyphs() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _data("homoglyphs.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        char, latin, *_ = line.split("\t")
        table[char] = latin
    return table


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def fold_homoglyphs(text: str) -> str:
    """Replace non-Latin look-alike letters inside Latin words by their Latin letter.

    A word is folded when most of its letters are Latin, or when every non-Latin letter in it
    has a Latin look-alike and the whole name is mostly Latin. Words genuinely in another script
    (``Сова``) are left to :func:`romanize`.
    """
    if text.isascii():  # the look-alikes are all outside ASCII: the common case
        return text
    table = _homoglyphs()
    if table.keys().isdisjoint(text):  # no look-alike at all
        return text
    letters = [ch for ch in text if ch.isalpha()]
    name_latin = sum(1 for ch in letters if _is_latin(ch)) * 2 > len(letters)
    words = text.split(" ")
    for i, word in enumerate(words):
        if not any(ch in table for ch in word):
            continue
        wl = [ch for ch in word if ch.isalpha()]
        latin = sum(1 for ch in wl if _is_latin(ch))
        foreign = [ch for ch in wl if not _is_latin(ch)]
        mappable = all(ch in table for ch in foreign)
        if latin > len(foreign) or (mappable and name_latin):
            words[i] = "".join(table.get(ch, ch) for ch in word)
    return " ".join(words)


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


@cache
def _han_terms() -> tuple[dict[str, str], int]:
    terms: dict[str, str] = {}
    for line in _data("han_terms.tsv").splitlines():
        if not line or line.startswith("#") or line.startswith("term\t"):
            continue
        term, latin, _pinyin = line.split("\t")
        terms[term] = latin
    return terms, max(len(t) for t in terms)


def _pinyin(chars: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return [s for s in lazy_pinyin(chars) if s.strip()]


def _han_run(run: str) -> str:
    """Romanise one run of Han characters (already Simplified)."""
    terms, longest = _han_terms()
    words: list[str] = []
    pending = ""

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        syllables = _pinyin(pending)
        if 2 <= len(syllables) <= 3 and len(pending) == len(run):
            # A short run with nothing recognised around it reads as a person's name:
            # surname, then the given name as one word (陈全国 -> chen quanguo).
            words.append(syllables[0])
            words.append("".join(syllables[1:]))
        else:
            words.append("".join(syllables))
        pending = ""

    i = 0
    while i < len(run):
        for size in range(min(longest, len(run) - i), 1, -1):
            latin = terms.get(run[i : i + size])
            if latin is not None:
                flush()
                words.append(latin)
                i += size
                break
        else:
            pending += run[i]
            i += 1
    flush()
    return " ".join(words)


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=4096)
def romanize(text: str) -> str:
    """Latin-script rendering of a name in any script (pinyin for Han, anyascii otherwise)."""
    if text.isascii():
        return text
    if _HAN_RUN.search(text):
        import zhconv

        text = zhconv.convert(text, "zh-cn")
        text = _HAN_RUN.sub(lambda m: f" {_han_run(m.group(0))} ", text)
    return anyascii(text)


# "A.B. KARLIN", "LAZUTKINA Y.V.": single letters with dots are initials, each its own word
_INITIALS = re.compile(r"(?<![a-z0-9])([a-z])\.(?=[a-z](?![a-z0-9]))")
_APOS = re.compile(r"['`´’‘ʼ]")
_DOTS = re.compile(r"(?<=\w)\.(?=\w)|\.")
_NONWORD = re.compile(r"[^0-9a-z]+")


def tokens(text: str) -> list[str]:
    """Lower-case ASCII word tokens of an already romanised text."""
    t = text.casefold().replace("&", " and ")
    t = _APOS.sub("", t)
    if "." in t:
        t = _INITIALS.sub(r"\1 ", t)
        t = _DOTS.sub("", t)
    return [tok for tok in _NONWORD.split(t) if tok]


def normalize(text: str) -> str:
    """The full pipeline: ``normalize("Hangzhou Hіkvision Digital Technology Co., Ltd.")``
    == ``"hangzhou hikvision digital technology co ltd"``. Idempotent."""
    return " ".join(tokens(romanize(fold_homoglyphs(clean(text)))))


@lru_cache(maxsize=65536)
def describe_folding(text: str) -> tuple[str, ...]:
    """Which foldings changed this text, in words, for explanations."""
    notes = []
    cleaned = clean(text)
    if len(cleaned) != len(_WS.sub(" ", text).strip()) or cleaned != unicodedata.normalize(
        "NFKC", cleaned
    ):
        notes.append("invisible or compatibility characters removed")
    folded = fold_homoglyphs(cleaned)
    if folded != cleaned:
        notes.append("look-alike letters from other scripts folded to Latin")
    if any(_is_han(ch) for ch in folded):
        notes.append("Chinese romanised (pinyin)")
    elif not folded.isascii():
        notes.append("transliterated to Latin")
    return tuple(notes)


@cache
def legal_forms() -> dict[tuple[str, ...], str]:
    """Legal-form token sequences -> canonical form, from ``data/legal_forms.csv``."""
    forms: dict[tuple[str, ...], str] = {}
    for line in _data("legal_forms.csv").splitlines():
        if not line or line.startswith("#") or line.startswith("form,"):
            continue
        form, canonical = line.split(",")
        forms[tuple(form.split())] = canonical
    return forms


def legal_form_canonical(words: tuple[str, ...]) -> str | None:
    return legal_forms().get(words)


@cache
def abbreviations() -> dict[str, tuple[str, ...]]:
    """Token -> the tokens it stands for: short or inflected generic words from
    ``data/abbreviations.csv`` ("shpg" -> "shipping"), and the pinyin of the Han terms
    ("keji" -> "technology", "youxiangongsi" -> "co ltd")."""
    table: dict[str, tuple[str, ...]] = {}
    for line in _data("han_terms.tsv").splitlines():
        if not line or line.startswith("#") or line.startswith("term\t"):
            continue
        _term, latin, pinyin = line.split("\t")
        latin_tokens = tuple(latin.split())
        # legal forms stay as written: the legal-form table knows "youxian gongsi"
        if pinyin != "".join(latin_tokens) and tuple(latin_tokens) not in legal_forms():
            table[pinyin] = latin_tokens
    for line in _data("abbreviations.csv").splitlines():
        if not line or line.startswith("#") or line.startswith("short,"):
            continue
        short, full = line.split(",")
        table[short] = tuple(full.split())
    # a word's first four letters or more stand for a generic business word when no other
    # such word starts so ("equip" -> "equipment", "mach" -> "machinery")
    starts: dict[str, set[str]] = {}
    for word in generic_words() | {full for fulls in table.values() for full in fulls}:
        for n in range(4, len(word) - 2):
            starts.setdefault(word[:n], set()).add(word)
    for prefix, words in starts.items():
        if len(words) == 1 and prefix not in table:
            table[prefix] = (next(iter(words)),)
    for line in _data("name_variants.csv").splitlines():
        if not line or line.startswith("#"):
            continue
        first, *others = line.split(",")
        for other in [first, *others]:
            table[other] = (first,)  # also undoes a prefix rule that caught a given name
    return table


@cache
def spellings() -> dict[str, tuple[str, ...]]:
    """Token as analysis writes it -> its other spellings: those analysis reads as it, of a
    given name (``data/name_variants.csv``: "aleksei" -> "alexei", "alexey", "oleksiy"...)
    and of a generic word (``data/abbreviations.csv``, inflections of five letters or more:
    "industry" -> "industries", "industrial"), and the further spellings of a given name in
    ``data/name_spellings.csv``, which analysis leaves as they are ("galina" -> "halyna",
    "halina"; "halyna" -> "galina", "halina"). A typo of a spelling is a typo of what the
    list holds (see ``features.variant_similarity``)."""
    table: dict[str, tuple[str, ...]] = {}
    for line in _data("name_variants.csv").splitlines():
        if not line or line.startswith("#"):
            continue
        first, *others = line.split(",")
        table[first] = tuple(o for o in others if o != first)
    forms: dict[str, list[str]] = {}
    for line in _data("abbreviations.csv").splitlines():
        if not line or line.startswith("#") or line.startswith("short,"):
            continue
        short, full = line.split(",")
        # shorter forms are abbreviations ("tech", "intl"): a typo of them is anyone's guess
        if len(short) >= 5 and short.isalpha() and " " not in full:
            forms.setdefault(full, []).append(short)
    for full, shorts in forms.items():
        table.setdefault(full, tuple(shorts))
    read_as = abbreviations()
    for line in _data("name_spellings.csv").splitlines():
        if not line or line.startswith("#"):
            continue
        names = line.split(",")
        # each as analysis writes it, with the spellings it already has
        written = list(dict.fromkeys(r[0] for r in (read_as.get(n, (n,)) for n in names)
                                     if len(r) == 1))
        group = dict.fromkeys([*written, *names, *(x for w in written for x in table.get(w, ()))])
        for name in written:
            known = table.get(name, ())
            table[name] = known + tuple(n for n in group if n != name and n not in known)
    return table


def _word_list(name: str) -> frozenset[str]:
    return frozenset(
        w.strip() for w in _data(name).splitlines() if w.strip() and not w.startswith("#")
    )


@cache
def places() -> frozenset[str]:
    """Place-name tokens that locate rather than identify a party (``data/places.txt``)."""
    return _word_list("places.txt")


@cache
def generic_words() -> frozenset[str]:
    """Words that say what a business does, not which one it is (``data/generic_words.txt``)."""
    return _word_list("generic_words.txt")


@cache
def stopwords() -> frozenset[str]:
    return _word_list("stopwords.txt")
