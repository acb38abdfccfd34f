"""Field helpers for the OFSI ConList (:mod:`entityscreen.sources.uk_ofsi`): dates, countries,
numbered multi-values and the ``(Key):value`` sections of "Other Information".
"""

from __future__ import annotations

import re
from datetime import date as _date
from functools import lru_cache

from entityscreen.sources._xlsx import excel_serial_date
from entityscreen.sources.common import country_code, iso_date

__all__ = [
    "LANGS",
    "REF_RE",
    "TRUST_RE",
    "country",
    "country_list",
    "date",
    "info_sections",
    "numbered",
    "ref_matches",
]

# "Non-Latin Script Language" as OFSI writes it -> ISO 639-1.
LANGS = {
    "russian": "ru", "russia": "ru", "ukrainian": "uk", "ukraine": "uk", "belarusian": "be",
    "persian": "fa", "persian/farsi": "fa", "arabic": "ar", "chinese": "zh", "georgian": "ka",
    "hebrew": "he", "korean": "ko", "bulgarian": "bg", "turkish": "tr", "kazakh": "kk",
    "serbian": "sr", "spanish": "es", "thai": "th", "greek": "el", "bosnian": "bs",
    "japanese": "ja", "burmese": "my", "romanian": "ro",
}  # fmt: skip
# Country spellings in the ConList that country_code() does not resolve (or resolves wrongly:
# it strips "(Democratic Republic)" and would answer CG for the DRC).
_COUNTRIES = {
    "congo (democratic republic)": "CD",
    "occupied palestinian territories": "PS",
    "palestinian territories": "PS",
    "palestine": "PS",
    "guinea bissau": "GW",
    "bosnia-herzegovina": "BA",
    "britain": "GB",
    "russian": "RU",
    "german": "DE",
    "belrus": "BY",
    "repubic of moldova": "MD",
}
# Keys OFSI writes as "(Key):value" inside "Other Information".
_INFO_KEYS = (
    "UK Sanctions List Ref", "UK Statement of Reasons", "UN Ref", "Gender", "Phone number",
    "Email address", "Type of entity", "Website", "Parent company", "Business Reg No",
    "Subsidiaries", "IMO number", "Flag of ship", "Type of ship", "Tonnage of ship",
    "Length of ship", "Year built", "Current owners", "Fax", "Previous flags", "Tel",
)  # fmt: skip
_INFO_RE = re.compile(r"\((" + "|".join(re.escape(k) for k in _INFO_KEYS) + r")\):")
# "RUS1229"; a few rows carry a UN-style ref instead ("SDi.005").
REF_RE = re.compile(r"\b([A-Z]{3}\d{3,5}|[A-Z]{2}[a-z]\.\d{3})\b")
TRUST_RE = re.compile(
    r"Financial sanctions imposed in addition to an asset freeze:\s*(.+?)\s*"
    r"Date trust services sanctions imposed:\s*(\d{1,2}/\d{1,2}/\d{4})"
)
_NUMBERED = re.compile(r"\(\d+\)")


@lru_cache(maxsize=8192)
def date(text: str) -> str | None:
    """OFSI dates: ``dd/mm/yyyy``; unknown parts are zero (``00/00/1957`` -> ``1957``).

    Cached: the ConList repeats the same few thousand dates on 18k rows.
    """
    t = text.strip()
    if not t:
        return None
    parts = t.split("/")
    if all(p.isdigit() for p in parts) and len(parts[-1]) == 4:
        year = parts[-1]
        if len(parts) == 1:
            return year
        month = int(parts[-2])
        if not 1 <= month <= 12:
            return year
        if len(parts) == 2 or int(parts[0]) == 0:
            return f"{year}-{month:02d}"
        try:
            return _date(int(year), month, int(parts[0])).isoformat()
        except ValueError:  # 31/02/1970
            return f"{year}-{month:02d}"
    return excel_serial_date(t) or iso_date(t, day_first=True)


def country(text: str) -> str | None:
    t = text.strip().strip(".").strip()
    if not t:
        return None
    return _COUNTRIES.get(t.casefold()) or country_code(t)


def country_list(text: str) -> list[str]:
    """``"(1) Central African Republic. (2) Chad"`` / ``"Estonia, Russia"`` -> codes."""
    out: list[str] = []
    for part in _NUMBERED.split(text):
        part = part.strip(" .;,")
        if not part:
            continue
        code = country(part)
        pieces = [code] if code else [country(p) for p in re.split(r"[.,;]\s*", part)]
        out.extend(c for c in pieces if c and c not in out)
    return out


def numbered(text: str) -> list[str]:
    """``"(1) XX3966391 (2) EC3524065"`` -> ``["XX3966391", "EC3524065"]``."""
    out = []
    for part in _NUMBERED.split(text):
        part = part.strip(" .;,")
        if part and part not in out:
            out.append(part)
    return out


def info_sections(text: str) -> dict[str, str]:
    """Split "Other Information" into its ``(Key):value`` sections (known keys only)."""
    out: dict[str, str] = {}
    matches = list(_INFO_RE.finditer(text))
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        end = nxt.start() if nxt else len(text)
        out.setdefault(m.group(1), text[m.end() : end].strip())
    return out


# Regime -> the three-letter prefix of its UK Sanctions List Refs, for parties listed under
# several regimes ("INU0082 and SYR0310"). Regimes not here fall back to the Group ID.
_REF_CODES = {
    "Afghanistan": "AFG", "Belarus": "BEL", "Bosnia and Herzegovina": "BIH",
    "Central African Republic": "CAF", "Chemical Weapons": "CHW",
    "Counter-Terrorism (Domestic)": "CTD", "Counter-Terrorism (International)": "CTI",
    "Cyber": "CYB", "Democratic People's Republic of Korea": "DPR",
    "Democratic Republic of the Congo": "DRC", "Global Anti-Corruption": "GAC",
    "Global Human Rights": "GHR", "Guinea": "GUC", "Guinea-Bissau": "GUB", "Haiti": "HAI",
    "ISIL (Da'esh) and Al-Qaida": "AQD", "Iran": "IRN", "Iran (Nuclear)": "INU", "Iraq": "IRQ",
    "Libya": "LIB", "Mali": "MAL", "Myanmar": "MYA", "Nicaragua": "NIC", "Russia": "RUS",
    "Somalia": "SOM", "South Sudan": "SSU", "Sudan": "SUD", "Syria": "SYR", "Venezuela": "VEN",
    "Yemen": "YEM", "Zimbabwe": "ZIM",
}  # fmt: skip


def ref_matches(ref: str, regime: str) -> bool:
    return _REF_CODES.get(regime) == ref[:3]
