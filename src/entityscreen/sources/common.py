"""Small helpers every parser shares: decoding, dates, countries, scripts, alias splitting.

Parsers are pure: bytes in, :class:`~entityscreen.model.Party` out. They raise
:class:`~entityscreen.errors.SourceFormatError` naming file, line/record and field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import cache

import pycountry

from entityscreen.errors import SourceFormatError

__all__ = [
    "country_code",
    "decode",
    "iso_date",
    "script_of",
    "split_aliases",
]


def decode(data: bytes, file: str) -> str:
    """Decode a publisher's text file: UTF-8 (with or without BOM), else Windows-1252.

    Strips the DOS end-of-file marker (Ctrl-Z, 0x1A) OFAC appends to its legacy files.
    """
    if not data:
        raise SourceFormatError(file, "the file is empty", fix="download it again")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SourceFormatError(
                file,
                f"byte {exc.start} is neither UTF-8 nor Windows-1252",
                fix="is this the publisher's original file?",
            ) from None
    return text.replace("\x1a", "")


_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d")


def iso_date(text: str | None, *, day_first: bool = False) -> str | None:
    """Parse a publisher's date into ISO form; partial dates keep their precision.

    ``"10 Dec 2021"`` -> ``"2021-12-10"``, ``"1957"`` -> ``"1957"``, ``"Mar 1960"`` ->
    ``"1960-03"``. Returns None for anything that is not a date.
    """
    if not text:
        return None
    t = text.strip().rstrip(".")
    if not t:
        return None
    if t[:19].count("T") == 1 and len(t) >= 10 and t[4] == "-":
        t = t[:10]
    formats: tuple[str, ...] = _DATE_FORMATS
    if day_first:
        formats = ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y", "%d-%m-%Y")
    for fmt in formats:
        try:
            return datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            continue
    if re.fullmatch(r"(1[89]|20)\d\d", t):
        return t
    m = re.fullmatch(r"([A-Za-z]{3})[a-z]* (\d{4})", t)
    if m and m.group(1).lower() in _MONTHS:
        return f"{m.group(2)}-{_MONTHS.index(m.group(1).lower()) + 1:02d}"
    return None


def today() -> str:
    return date.today().isoformat()


# Names publishers use that pycountry does not know under that spelling.
_COUNTRY_ALIASES = {
    "russia": "RU",
    "iran": "IR",
    "north korea": "KP",
    "korea, north": "KP",
    "korea north": "KP",
    "democratic people's republic of korea": "KP",
    "dprk": "KP",
    "south korea": "KR",
    "korea, south": "KR",
    "republic of korea": "KR",
    "syria": "SY",
    "burma": "MM",
    "laos": "LA",
    "vietnam": "VN",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "moldova": "MD",
    "macau": "MO",
    "hong kong": "HK",
    "taiwan": "TW",
    "turkey": "TR",
    "czech republic": "CZ",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo": "CG",
    "republic of the congo": "CG",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "kosovo": "XK",
    "crimea": "UA",
    "united kingdom": "GB",
    "uk": "GB",
    "united states": "US",
    "usa": "US",
    "uae": "AE",
    "brunei": "BN",
    "cape verde": "CV",
    "micronesia": "FM",
    "the gambia": "GM",
    "gambia": "GM",
    "the bahamas": "BS",
    "bahamas": "BS",
    "vatican": "VA",
    "swaziland": "SZ",
    "macedonia": "MK",
    "netherlands antilles": "AN",
    "region: kurdistan": "IQ",
    "bosnia-herzegovina": "BA",
    "cote d ivoire": "CI",
    "congo, republic of the": "CG",
    "man, isle of": "IM",
    "bahamas, the": "BS",
    "palestinian authority": "PS",
    "gaza strip": "PS",
    "north macedonia, the republic of": "MK",
    "korea, democratic people's republic of": "KP",
    "korea, republic of": "KR",
    "congo (democratic republic)": "CD",
    "congo (republic)": "CG",
}


@cache
def _country_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        for attr in ("name", "official_name", "common_name", "alpha_3"):
            value = getattr(c, attr, None)
            if value:
                table[value.casefold()] = code
        table[code.casefold()] = code
    for k, v in _COUNTRY_ALIASES.items():
        table[k] = v
    return table


def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a country name or code as publishers write it; None if unknown."""
    if not text:
        return None
    t = text.strip().strip(".").casefold()
    if not t:
        return None
    table = _country_table()
    if t in table:
        return table[t]
    t2 = re.sub(r"^(?:the|region:)\s+", "", t)
    t2 = re.sub(r"\s*\(.*\)$", "", t2)
    return table.get(t2)


_SCRIPT_NAMES = {
    "LATIN": "Latin",
    "CYRILLIC": "Cyrillic",
    "GREEK": "Greek",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "CJK": "Han",
    "HANGUL": "Hangul",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "GEORGIAN": "Georgian",
    "ARMENIAN": "Armenian",
    "THAI": "Thai",
    "DEVANAGARI": "Devanagari",
    "ETHIOPIC": "Ethiopic",
}


def script_of(text: str) -> str | None:
    """The main script of a name (most letters), from Unicode character names."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        uname = unicodedata.name(ch, "")
        first = uname.split(" ", 1)[0]
        script = _SCRIPT_NAMES.get(first)
        if script is None and uname.startswith("FULLWIDTH LATIN"):
            script = "Latin"
        if script is None:
            script = "Other"
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda k: counts[k])


def split_aliases(text: str | None, sep: str = ";") -> list[str]:
    """Split a multi-valued alias field: ``"A; B; and C"`` -> ``["A", "B", "C"]``.

    Entity List alias lists also come as ``"X, and Y"`` inside one item; those are split too.
    """
    if not text:
        return []
    out: list[str] = []
    for part in text.split(sep):
        for piece in re.split(r",\s+and\s+", part):
            piece = piece.strip()
            piece = re.sub(r"^and\s+", "", piece).strip()
            if piece and piece not in out:
                out.append(piece)
    return out
