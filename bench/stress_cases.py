#!/usr/bin/env python3
"""Build a stress case file with kinds of name variation that dev.jsonl does not show.

    python bench/stress_cases.py [--home /tmp/es-stress] [--out bench/out/stress.jsonl] [--seed N]
    python3 /work/shared/eval/run.py bench/out/stress.jsonl \
        --cmd "entityscreen --home /tmp/es-stress search --json -" --out bench/out/stress-report.md

Cases have the format and contract of /work/shared/eval/dev.jsonl (see its README) and are
built from the real listed parties in the store, with a fixed seed. Each case also carries a
``note`` saying exactly what was done to the name (the runner ignores extra keys).

Positive categories: double-typo, translit-variant, initials, no-space-cjk, traditional,
cyrillic-query, word-order-org, abbrev, extra-words, diacritics, mixed-noise.
Negative categories: neg-faker (faker names in many locales), neg-near-miss2 (a listed name with
its distinctive word or surname swapped). Negatives pass the README's filter (token_sort_ratio
>= 90, token_set_ratio == 100, contained 2+ word name, 1-2 word names at >= 85) against every
listed name, also on romanised forms, so a careful analyst would clear them.

Once the engine has been tuned on one case file, it is no longer held out: build another with
``--seed`` (e.g. ``--seed 7 --out bench/out/stress-seed7.jsonl``) for an unseen sample.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from anyascii import anyascii
from faker import Faker
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process
from zhconv import convert

from entityscreen.model import NameKind, Party, PartyType
from entityscreen.screener import Screener
from entityscreen.settings import Settings

N_PER_CATEGORY = 40
Case = dict[str, object]
Variant = Callable[[random.Random, Party], tuple[str, str] | None]  # -> (query, note)

# ---------------------------------------------------------------- text helpers


def rnorm(s: str) -> str:
    """The runner's normalisation: NFKC, casefold, letters and digits of any script."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", s).casefold() if ch.isalnum())


def fnorm(s: str) -> str:
    """Like rnorm but keeping word boundaries, for the rapidfuzz negative filter."""
    s = unicodedata.normalize("NFKC", s).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in s).split())


def romanise(s: str) -> str:
    if all(ord(ch) < 0x250 for ch in s):
        return s
    if HAN.search(s):
        return " ".join(lazy_pinyin(convert(s, "zh-hans")))
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", anyascii(s))


def name_forms(s: str) -> set[str]:
    """The name and its romanisations, given names glued or not ('xu zhi hong', 'xu zhihong')."""
    out = {fnorm(s)}
    rom = fnorm(romanise(s))
    if rom != fnorm(s):
        toks = rom.split()
        out |= {rom, "".join(toks), " ".join([toks[0], "".join(toks[1:])]),
                " ".join(["".join(toks[:-1]), toks[-1]])}
    return out - {""}


def skeleton(s: str) -> str:
    """Consonants only, c/q as k, doubles collapsed, repeated words once: how a name sounds
    whatever the romanisation (Yazbeck/Yazbak, Mohammed Mohammed/Muhammad, an abjad name)."""
    s = re.sub(r"[aeiouy]|[^a-z ]", "", anyascii(s).lower().replace("c", "k").replace("q", "k"))
    return " ".join(dict.fromkeys(re.sub(r"(.)\1+", r"\1", t) for t in s.split() if t))


def match_case(src: str, new: str) -> str:
    if src.isupper():
        return new.upper()
    if src[:1].isupper():
        return new[:1].upper() + new[1:].lower()
    return new.lower()


LATIN = re.compile(r"^[\x20-\x7e\u00c0-\u024f\u1e00-\u1eff]+$")
HAN = re.compile(r"[\u4e00-\u9fff]")
MESSY = re.compile(r"a\.k\.a|f\.k\.a|\?|;|\ba\)|successor|subunit|\bsee\b", re.I)
LEGAL = {
    "ltd", "limited", "co", "company", "corp", "corporation", "inc", "incorporated", "llc", "ooo",
    "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "gmbh", "ag", "sa", "sarl", "srl",
    "spa", "bv", "nv", "plc", "llp", "lp", "fze", "fzco", "fzc", "pte", "pvt", "private", "sdn",
    "bhd", "kft", "tov", "ltda", "sas", "ab", "oy", "jv", "est", "establishment"
}
# Words of multi-word legal forms ("JOINT STOCK COMPANY", "OBSHCHESTVO S OGRANICHENNOI ..."),
# stripped only at the edges of a name when moving the legal form around.
LEGAL_EDGE = LEGAL | {
    "joint", "stock", "liability", "public", "closed", "open", "obshchestvo", "ogranichennoi",
    "ogranichennoy", "otvetstvennostyu", "aktsionernoe", "zakrytoe", "otkrytoe", "publichnoe",
    "san", "tic", "ticaret", "sanayi", "group",
}
# Short words that are legal-form words only inside a phrase: (word, the word that must follow).
LEGAL_INNER = {("s", "ogranichennoi"), ("s", "ogranichennoy"), ("ve", "tic"), ("ve", "ticaret")}
FUNCTION_WORDS = {"of", "and", "&", "for", "the", "de", "la", "le", "et", "y", "du", "des", "al"}
ORG_WORDS = LEGAL_EDGE | {
    "bank", "trading", "industries", "industry", "industrial", "institute", "university",
    "ministry", "bureau", "center", "centre", "technology", "technologies", "shipping",
    "international", "enterprise", "enterprises", "factory", "plant", "services", "holding",
    "holdings", "foundation", "organization", "organisation", "association", "office", "academy",
    "agency", "department", "electronics", "engineering", "network", "party", "army", "front",
    "brigade", "battalion", "movement", "committee", "council", "fund", "airlines", "logistics",
}


def org_like(name: str) -> bool:
    return bool(set(fnorm(name).split()) & ORG_WORDS)


def clean_latin(name: str) -> bool:
    return bool(LATIN.match(name)) and not MESSY.search(name) and 3 <= len(name) <= 90


def ptype(p: Party) -> str | None:
    return p.type.value if p.type in (PartyType.PERSON, PartyType.ORGANIZATION) else None


def person_forms(name: str) -> list[str]:
    """'LAST, First' <-> 'First LAST', as the README counts both for persons."""
    if "," in name:
        last, first = (x.strip() for x in name.split(",", 1))
        return [f"{first} {last}"] if first and last else []
    split = split_person(name)
    return [f"{' '.join(split[0])}, {' '.join(split[1])}"] if split else []


def split_person(name: str) -> tuple[list[str], list[str]] | None:
    """(surname tokens, given tokens) when the writing shows which is which, else None."""
    if "," in name:
        last, first = name.split(",", 1)
        sur, giv = last.split(), first.split()
    else:
        toks = name.split()
        k = len(toks)
        while k > 0 and toks[k - 1].isupper() and len(toks[k - 1]) > 1:
            k -= 1
        if k == 0 or k == len(toks) or any(t.isupper() for t in toks[:k]):
            return None
        sur, giv = toks[k:], toks[:k]
    return (sur, giv) if sur and giv else None


# ---------------------------------------------------------------- the universe


class Universe:
    def __init__(self, parties: list[Party]) -> None:
        self.parties = sorted(parties, key=lambda p: p.id)
        self.primaries = [fnorm(p.name) for p in self.parties]
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.df: Counter[str] = Counter()
        for i, p in enumerate(self.parties):
            for key in self.keys(p):
                self.by_key[key].append(i)
            for n in p.names:
                self.df.update(set(fnorm(n.value).split()))
        # Every listed name and alias, weak ones too, plus romanised forms: the negative filter.
        raw = {n.value for p in self.parties for n in p.names}
        forms = {f for x in raw for f in name_forms(x)}
        self.all_names = sorted(f for f in forms if f)
        self.contained = {
            " ".join(t for t in f.split() if t not in LEGAL) for f in self.all_names
        }
        self.contained = {c for c in self.contained if len(c.split()) >= 2}
        self.skeletons = sorted({skeleton(romanise(x)) for x in raw} - {""})
        self.skeletons2 = [x for x in self.skeletons if len(x.split()) >= 2]

    @staticmethod
    def keys(p: Party) -> set[str]:
        names = [n.value for n in p.names if n.kind is not NameKind.WEAK_ALIAS]
        return {" ".join(sorted(fnorm(x).split())) for x in names if len(fnorm(x).split()) >= 2}

    def expect(self, p: Party) -> list[str]:
        """Names of the party, its person forms, and the same party's listings in other files."""
        group = [p]
        primary_key = " ".join(sorted(fnorm(p.name).split()))
        for key in self.keys(p):
            for i in self.by_key.get(key, ()):
                other = self.parties[i]
                if other.id != p.id and (
                    key == primary_key or " ".join(sorted(fnorm(other.name).split())) == key
                ):
                    group.append(other)
        # Another file's listing of the same party often spells it a little differently
        # (Evgeny/Yevgeny): near-identical primary names of 3+ words and the same type.
        size = len(primary_key.split())
        if size >= 3:
            for hit, _, i in process.extract(fnorm(p.name), self.primaries, limit=10,
                                             scorer=fuzz.token_set_ratio, score_cutoff=93):
                other = self.parties[i]
                if (other.id != p.id and len(hit.split()) == size
                        and other.type in (p.type, PartyType.UNKNOWN)):
                    group.append(other)
        out: list[str] = []
        for q in group:
            for n in q.names:
                out.append(n.value)
                if q.type is PartyType.PERSON:
                    out.extend(person_forms(n.value))
        return list(dict.fromkeys(out))

    def close_to_listed(self, query: str) -> str | None:
        """The README's negative filter; returns the listed name that rules the query out."""
        forms = name_forms(query)
        for f in forms:
            hit = process.extractOne(f, self.all_names, scorer=fuzz.token_sort_ratio,
                                     score_cutoff=85 if len(f.split()) <= 2 else 90)
            if hit:
                return hit[0]
            hit = process.extractOne(f, self.all_names, scorer=fuzz.token_set_ratio,
                                     score_cutoff=100)
            if hit:
                return hit[0]
            toks = f.split()
            for i in range(len(toks)):
                for j in range(i + 2, len(toks) + 1):
                    if " ".join(toks[i:j]) in self.contained:
                        return " ".join(toks[i:j])
        # Consonant skeletons: for abjad queries always, else for names of 2+ words.
        sk = skeleton(romanise(query))
        abjad = bool(re.search(r"[\u0590-\u06ff]", query))
        if sk and (abjad or len(sk.split()) >= 2):
            hit = process.extractOne(sk, self.skeletons if abjad else self.skeletons2,
                                     scorer=fuzz.token_sort_ratio, score_cutoff=90)
            if hit:
                return hit[0]
        return None


def stratified(rng: random.Random, parties: list[Party]) -> Iterator[Party]:
    """Parties of every source and type, groups weighted by the square root of their size."""
    groups: dict[tuple[str, str], list[Party]] = defaultdict(list)
    for p in parties:
        groups[(p.id.split(":")[0], p.type.value)].append(p)
    pools = [groups[k] for k in sorted(groups)]
    for g in pools:
        rng.shuffle(g)
    while any(pools):
        live = [g for g in pools if g]
        g = rng.choices(live, weights=[math.sqrt(len(x)) for x in live])[0]
        yield g.pop()


def pick_name(rng: random.Random, p: Party, ok: Callable[[str], bool]) -> str | None:
    """The primary name most of the time, else a strong alias; only names ``ok`` accepts."""
    names = [n.value for n in p.names if n.kind is not NameKind.WEAK_ALIAS and ok(n.value)]
    if not names:
        return None
    if names[0] == p.name and rng.random() < 0.65:
        return names[0]
    return rng.choice(names)


# ---------------------------------------------------------------- keyboard typos

ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEAR: dict[str, str] = {}
for r, row in enumerate(ROWS):
    for c, ch in enumerate(row):
        near = [row[c + d] for d in (-1, 1) if 0 <= c + d < len(row)]
        for rr in (r - 1, r + 1):
            if 0 <= rr < len(ROWS):
                near += [ROWS[rr][c + d] for d in (-1, 0) if 0 <= c + d < len(ROWS[rr])]
        NEAR[ch] = "".join(near)


def typo(rng: random.Random, tok: str, pos: int) -> str:
    """One keyboard-realistic typo at letter ``pos`` (substitution, deletion, insertion, swap)."""
    ch = tok[pos]
    near = NEAR.get(ch.lower(), "e")
    sub = match_case(ch, rng.choice(near)) if ch.isalpha() else ch
    op = rng.choice(["sub", "sub", "del", "ins", "swap"])
    if op == "sub":
        return tok[:pos] + sub + tok[pos + 1:]
    if op == "del":
        return tok[:pos] + tok[pos + 1:]
    if op == "ins":
        return tok[:pos] + sub + tok[pos:]
    if pos + 1 < len(tok) and tok[pos + 1] != ch:
        return tok[:pos] + tok[pos + 1] + ch + tok[pos + 2:]
    return tok[:pos] + sub + tok[pos + 1:]


def v_double_typo(rng: random.Random, p: Party) -> tuple[str, str] | None:
    name = pick_name(rng, p, lambda s: clean_latin(s) and len(rnorm(s)) >= 12)
    if not name:
        return None
    toks = name.split()
    long8 = [i for i, t in enumerate(toks) if sum(c.isalpha() for c in t) >= 8 and t.isalpha()]
    long6 = [i for i, t in enumerate(toks) if sum(c.isalpha() for c in t) >= 6 and t.isalpha()]
    if long8 and (len(long6) < 2 or rng.random() < 0.5):
        i = rng.choice(long8)
        a = rng.randrange(1, len(toks[i]) - 3)
        b = rng.randrange(a + 2, len(toks[i]) - 1)
        toks[i] = typo(rng, typo(rng, toks[i], b), a)
        how = f"two typos in {name.split()[i]!r}"
    elif len(long6) >= 2:
        i, j = rng.sample(long6, 2)
        for k in (i, j):
            toks[k] = typo(rng, toks[k], rng.randrange(1, len(toks[k]) - 1))
        how = f"a typo in {name.split()[i]!r} and in {name.split()[j]!r}"
    else:
        return None
    return " ".join(toks), how


# ---------------------------------------------------------------- transliteration variants

GROUPS = [
    "MOHAMMED MOHAMMAD MUHAMMAD MUHAMMED MOHAMED MOHAMAD MUHAMAD", "AHMED AHMAD",
    "YUSUF YOUSEF YOUSSEF YUSEF YOUSUF YOUSIF", "HUSSEIN HUSSAIN HUSAYN HUSEIN HOSSEIN",
    "HASSAN HASAN", "OMAR UMAR", "OSAMA USAMA OUSSAMA", "KHALID KHALED", "SAEED SAID SAYEED",
    "ABDULLAH ABDALLAH ABDULLA", "MAHMOUD MAHMUD MAHMOOD", "MUSTAFA MOSTAFA MUSTAPHA",
    "NASSER NASER NASIR", "IBRAHIM EBRAHIM IBRAHEEM", "YOUNIS YUNUS YOUNES", "ABU ABOU",
    "SULEIMAN SULAYMAN SOLEIMAN SULAIMAN", "RAHMAN REHMAN", "HAMID HAMEED", "MAJID MAJEED",
    "RASHID RASHEED", "JAMAL GAMAL DJAMAL", "MUSA MOUSSA MOUSA", "ISMAIL ISMAEL", "YAHYA YAHIA",
    "HAJI HAJJI HADJI", "FAISAL FAYSAL FEISAL", "HUSAIN HUSSAIN", "ALEKSANDR ALEXANDR ALEXANDER "
    "OLEKSANDR ALIAKSANDR", "SERGEY SERGEI SERHIY", "ALEKSEY ALEXEY ALEKSEI ALEXEI OLEKSIY",
    "ANDREY ANDREI ANDRIY", "DMITRY DMITRIY DMITRII DMITRI", "YURY YURI YURIY IURII",
    "NIKOLAY NIKOLAI MYKOLA", "MIKHAIL MYKHAILO MIKHAYLO", "YEVGENIY EVGENY EVGENIY YEVGENY",
    "VIKTOR VICTOR", "VALERY VALERIY VALERII", "GENNADY GENNADIY GENNADII",
    "ANATOLY ANATOLIY ANATOLII", "VYACHESLAV VIACHESLAV", "YULIA YULIYA IULIIA",
    "NATALIA NATALYA NATALIYA", "TATIANA TATYANA", "ELENA YELENA OLENA", "PYOTR PETR PETRO",
    "FEDOR FYODOR", "MAKSIM MAXIM", "GRIGORY GRIGORIY HRYHORIY", "VASILY VASILIY VASYL",
    "ILYA ILIA", "IGOR IHOR", "OLEG OLEH", "VLADIMIR VOLODYMYR", "KONSTANTIN KOSTIANTYN",
    "YEKATERINA EKATERINA KATERYNA", "ARTEM ARTYOM", "SEMYON SEMEN", "ARKADY ARKADIY",
    "ALEKSANDROVICH ALEXANDROVICH OLEKSANDROVYCH", "SERGEYEVICH SERGEEVICH SERHIYOVYCH",
    "ALEKSEYEVICH ALEKSEEVICH ALEXEEVICH", "NIKOLAYEVICH NIKOLAEVICH", "YURYEVICH YURIEVICH",
    "VALERYEVICH VALERIEVICH", "ANATOLYEVICH ANATOLIEVICH", "GENNADYEVICH GENNADIEVICH",
    "VIKTOROVICH VICTOROVICH", "MAKSIMOVICH MAXIMOVICH", "ANDREYEVICH ANDREEVICH",
]
VARIANTS = {w: [x for x in g.split() if x != w] for g in GROUPS for w in g.split()}
# Spelling rules applied inside tokens of 5+ letters: Russian/Ukrainian romanisations for
# people of the former USSR, Arabic/Persian ones (ou/u, ee/i, q/k, kh/h) for the others.
SLAVIC_RULES = [
    (r"EYEV$", "EEV"), (r"([AEIOU])EV$", r"\1YEV"), (r"IEV$", "IYEV"), (r"IYEV$", "IEV"),
    (r"SKIY$", "SKY"), (r"SKY$", "SKIY"), (r"IY$", "Y"), (r"II$", "IY"), (r"CHEV$", "CHOV"),
    (r"SHEV$", "SHOV"), (r"CHOV$", "CHEV"), (r"LEV$", "LYOV"), (r"KH", "H"), (r"X", "KS"),
    (r"KS", "X"), (r"^YE", "E"), (r"IA$", "IYA"), (r"IYA$", "IA"), (r"^DZH", "J"),
    (r"^J", "DZH"), (r"YU", "IU"), (r"YA", "IA"),
]
OTHER_RULES = [
    (r"KH", "H"), (r"OU", "U"), (r"EE([DMFLNR])$", r"I\1"), (r"OO", "U"), (r"^Q", "K"),
    (r"([^AEIOU])IA$", r"\1IYA"),
]
CIS = {"RU", "UA", "BY", "KZ", "UZ", "TJ", "KG", "TM", "AZ", "AM", "GE", "MD"}
PATRONYMIC = re.compile(r"(OVICH|EVICH|OVNA|EVNA|ICHNA|OGLY|KYZY)\b", re.I)
# "Abd al-X" / "Abdul X" / "Abdel X", but not Abdallah / Abdullah (Abd Allah is one name)
ABD = re.compile(r"\b(ABD[ -]?(?:AL|EL|UL)[ -]?|ABDUL ?|ABDEL ?)(?=[A-Z]{4})", re.I)


def translit_token(rng: random.Random, tok: str, rules: list[tuple[str, str]]) -> str | None:
    core = re.sub(r"[^A-Za-z-]", "", tok)
    up = core.upper()
    if up in VARIANTS:
        return tok.replace(core, match_case(core, rng.choice(VARIANTS[up])))
    if len(up) < 5:
        return None
    options = [(a, b) for a, b in rules if re.search(a, up)]
    if not options:
        return None
    a, b = rng.choice(options)
    return tok.replace(core, match_case(core, re.sub(a, b, up, count=1)))


def v_translit(rng: random.Random, p: Party) -> tuple[str, str] | None:
    if p.type is not PartyType.PERSON:
        return None
    name = pick_name(rng, p, lambda s: clean_latin(s) and len(s.split()) >= 2)
    if not name:
        return None
    own = {rnorm(n.value) for n in p.names}
    slavic = bool(set(p.countries) & CIS) or bool(PATRONYMIC.search(name))
    rules = SLAVIC_RULES if slavic else OTHER_RULES
    for _ in range(6):
        out = name
        m = ABD.search(out)
        if m and rng.random() < 0.5:
            new = rng.choice(["Abdul ", "Abd al-", "Abdel ", "Abdul", "Abd Al "])
            out = out[: m.start()] + match_case(m.group(0).strip(), new) + out[m.end():]
        toks = out.split()
        idx = list(range(len(toks)))
        rng.shuffle(idx)
        changed = 0
        for i in idx:
            new_tok = translit_token(rng, toks[i], rules)
            if new_tok and new_tok != toks[i]:
                toks[i] = new_tok
                changed += 1
                if changed == rng.choice([1, 2]):
                    break
        out = " ".join(toks)
        if rnorm(out) not in own:
            return out, "alternative romanisation"
    return None


# ---------------------------------------------------------------- initials


def v_initials(rng: random.Random, p: Party) -> tuple[str, str] | None:
    if p.type is not PartyType.PERSON:
        return None
    name = pick_name(rng, p, lambda s: clean_latin(s) and split_person(s) is not None)
    if not name:
        return None
    split = split_person(name)
    assert split
    sur, giv = split
    if sum(len(t) for t in sur) < (5 if len(giv) >= 2 else 6) or not all(
            t[:1].isalpha() for t in giv):
        return None
    ini = [("-".join(x[0].upper() for x in t.split("-"))) for t in giv]
    last = " ".join(sur)
    forms = [
        " ".join(i + "." for i in ini) + " " + last,
        "".join(i + "." for i in ini) + " " + last,
        last + " " + "".join(i + "." for i in ini),
        last + ", " + " ".join(i + "." for i in ini),
        " ".join(ini) + " " + last.title(),
    ]
    if len(giv) >= 2:
        forms.append(giv[0] + " " + " ".join(i + "." for i in ini[1:]) + " " + last)
    return rng.choice(forms), "given names as initials"


# ---------------------------------------------------------------- Han script and pinyin

PINYIN = set(lazy_pinyin("".join(chr(c) for c in range(0x4E00, 0x9FA6)))) - {""}
PINYIN = {s for s in PINYIN if s.isascii() and s.isalpha()}


def pinyin_split(tok: str) -> list[str] | None:
    """Split a token into pinyin syllables (fewest syllables), None when it is not pinyin."""
    t = tok.lower()
    best: list[list[str] | None] = [[]] + [None] * len(t)
    for i in range(1, len(t) + 1):
        for j in range(max(0, i - 6), i):
            prev = best[j]
            if prev is not None and t[j:i] in PINYIN and (j == 0 or t[j] not in "aeiouv") and (
                best[i] is None or len(prev) + 1 < len(best[i] or [])
            ):
                best[i] = [*prev, t[j:i]]
    out = best[-1]
    return out if out and "v" not in tok.lower() else None


def han_names(p: Party) -> list[str]:
    return [n.value for n in p.names if HAN.search(n.value)
            and not re.search(r"[\u3040-\u30ff]", n.value)]


# Words of Chinese company names, so pinyin is grouped as a writer would group it.
CN_WORDS = {
    "youxian", "gongsi", "gufen", "zeren", "keji", "jituan", "maoyi", "guoji", "jixie", "dianzi",
    "shiye", "xinxi", "chanye", "gongye", "jishu", "kongzhi", "shebei", "zhuangbei", "dongli",
    "jiqiren", "hangkong", "haiyun", "chuanwu", "xianggang", "shenzhen", "shukong", "jichuang",
    "huishe", "lianhe", "zhongguo", "konggu", "hangtian", "wuliu", "chuangxin", "jiqi", "shi",
}


def pinyin_of(han: str) -> list[str]:
    # simplified first: pypinyin's phrase data reads 长安 as chang'an but 長安 as zhang'an
    return [s for s in lazy_pinyin(convert(han, "zh-hans")) if s.isalpha()]


def chunk_pinyin(han: str, latin: list[str]) -> list[str]:
    """Pinyin of a Han name grouped into words: the Latin name's words and known company-name
    words where they fit, the rest in pairs (the fewest unknown chunks wins)."""
    syl = pinyin_of(han)
    words = {w.lower() for n in latin for w in re.findall(r"[A-Za-z]+", n)} | CN_WORDS
    best: list[tuple[float, list[str]]] = [(0.0, [])] + [(math.inf, [])] * len(syl)
    for i in range(len(syl)):
        cost, done = best[i]
        for k in (1, 2, 3, 4):
            chunk = "".join(syl[i:i + k])
            if i + k > len(syl):
                break
            step = 0.0 if chunk in words else {1: 1.5, 2: 1.0}.get(k, math.inf)
            if cost + step < best[i + k][0]:
                best[i + k] = (cost + step, [*done, chunk])
    return best[-1][1]


CHINESE = {"CN", "HK", "TW", "MO"}
HAN_SUFFIX = re.compile(
    r"(股份有限公司|有限责任公司|有限責任公司|有限公司|集团|集團|科技|会社|會社)")


def han_space(rng: random.Random, han: str) -> str:
    """A space where a writer would put one: before the company suffix, or after the surname."""
    m = HAN_SUFFIX.search(han)
    cut = m.start() if m and m.start() > 1 else (1 if len(han) <= 3 else 2)
    return han[:cut] + " " + han[cut:]


def cjk_variants(rng: random.Random, p: Party) -> list[tuple[str, str, str]]:
    """(kind, query, note) for the no-space-cjk category."""
    out = []
    latin = [n.value for n in p.names if clean_latin(n.value)]
    for han in han_names(p):
        glued = re.sub(r"[\s·・()（）]", "", han)
        if glued != han:
            out.append(("han", glued, "Han name without spaces or punctuation"))
        else:
            out.append(("han", han_space(rng, han), "Han name with a space"))
        if latin:
            syl = pinyin_of(han)
            if p.type is PartyType.PERSON:
                out.append(("pinyin", "".join(syl).upper(), "pinyin of the Han name, no spaces"))
                out.append(("pinyin", " ".join(syl).title(), "pinyin, a space per syllable"))
            else:
                words = chunk_pinyin(han, latin)
                out.append(("pinyin", " ".join(w.title() for w in words), "pinyin in words"))
                place = {w.lower() for n in latin for w in n.split()}
                if len(words) > 2 and words[0] in place and words[1] not in CN_WORDS:
                    out.append(("pinyin", "".join(words[:2]).title() + " " + " ".join(words[2:]),
                                "pinyin, place and brand glued"))
    for name in latin[:2] if set(p.countries) & (CHINESE | {"KP"}) else ():
        toks = name.replace(",", "").split()
        splits = [pinyin_split(t) for t in toks]
        if p.type is PartyType.PERSON and len(toks) in (2, 3):
            chinese = bool(set(p.countries) & CHINESE)
            if chinese and not all(splits):
                continue  # an English or Cantonese given name: not a pinyin name
            if len(toks) == 2 and all(t.isalpha() for t in toks) and len("".join(toks)) >= 7:
                glued = "".join(toks)
                out.append(("latin", rng.choice([glued.upper(), glued.capitalize()]),
                            "romanised name with spaces removed"))
            multi = [i for i, x in enumerate(splits) if x and len(x) >= 2]
            if multi and chinese:
                i = rng.choice(multi)
                toks2 = toks[:i] + [match_case(toks[i], x) for x in splits[i] or []]
                out.append(("latin", " ".join(toks2 + toks[i + 1:]),
                            "romanised given name split into syllables"))
            elif len(toks) == 3 and all(t.isalpha() for t in toks):
                # surname first (Korean order) unless the writing marks it last
                a = 0 if split_person(name) and "," not in name else 1
                given = match_case(toks[a], toks[a] + toks[a + 1])
                out.append(("latin", " ".join([*toks[:a], given, *toks[a + 2:]]),
                            "romanised given name glued"))
        elif p.type is PartyType.ORGANIZATION and set(p.countries) & CHINESE:
            # a brand in pinyin: mostly full syllables, and the Han name's pinyin if there is one
            han_pinyin = "".join("".join(pinyin_of(h)) for h in han_names(p))
            multi = [i for i, x in enumerate(splits) if x and len(x) >= 2
                     and sum(len(y) <= 2 for y in x) <= 1
                     and (not han_pinyin or toks[i].lower() in han_pinyin)
                     and fnorm(toks[i]) not in LEGAL_EDGE and len(toks[i]) >= 6]
            if multi:
                i = rng.choice(multi)
                parts = [match_case(toks[i], x) for x in splits[i] or []]
                out.append(("latin", " ".join(toks[:i] + parts + toks[i + 1:]),
                            "pinyin word split into syllables"))
    return out


def trad_variants(rng: random.Random, p: Party) -> list[tuple[str, str, str]]:
    out = []
    for han in han_names(p):
        for target, label in (("zh-hant", "Traditional"), ("zh-hans", "Simplified")):
            conv = convert(han, target)
            if conv == han:
                continue
            out.append(("conv", conv, f"converted to {label}"))
            if "(" in conv or "（" in conv:
                tweak = conv.replace("(", "（").replace(")", "）") if "(" in conv else (
                    conv.replace("（", " (").replace("）", ") "))
            else:
                tweak = han_space(rng, conv)
            out.append(("conv+", tweak.strip(), f"converted to {label}, spacing/brackets changed"))
            # people type a mix when their input method's default script differs
            half = len(han) // 2
            mixed = conv[:half] + han[half:]
            if mixed not in (han, conv):
                out.append(("mixed", mixed, f"first half converted to {label}"))
    return out


# ---------------------------------------------------------------- Cyrillic by reverse romanisation

LAT2CYR = [
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"),
    ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("ei", "ей"), ("ey", "ей"),
    ("ai", "ай"), ("ay", "ай"), ("oi", "ой"), ("oy", "ой"), ("x", "кс"), ("j", "дж"), ("'", "ь"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("k", "к"), ("q", "к"), ("c", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"), ("h", "х"), ("y", "ы"),
]


def to_cyrillic(tok: str) -> str:
    t, out, i = tok.lower(), "", 0
    while i < len(t):
        for lat, cyr in LAT2CYR:
            if t.startswith(lat, i):
                # y after a vowel is й (Sergey); a final y after a consonant is ий (Dmitry)
                if lat == "y" and i > 0 and t[i - 1] in "aeiou":
                    cyr = "й"
                elif lat == "y" and i == len(t) - 1:
                    cyr = "ий"
                out += cyr
                i += len(lat)
                break
        else:
            out += t[i]
            i += 1
    letters = re.sub(r"[^A-Za-z]", "", tok)
    return match_case(letters, out) if letters else out


def v_cyrillic(rng: random.Random, p: Party) -> tuple[str, str] | None:
    slavic = set(p.countries) & {"RU", "UA", "BY"}
    if p.type is not PartyType.PERSON or not slavic:
        return None
    name = pick_name(rng, p, lambda s: clean_latin(s) and len(s.split()) >= 2)
    if not name:
        return None
    plain = name.replace(",", "") if rng.random() < 0.6 else name
    return " ".join(to_cyrillic(t) for t in plain.split()), "reverse-romanised to Cyrillic"


# ---------------------------------------------------------------- organisation word order

def legal_split(toks: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(leading legal tokens, core, trailing legal tokens)."""
    low = [rnorm(t) for t in toks]

    def legal(i: int) -> bool:
        nxt = low[i + 1] if i + 1 < len(low) else ""
        return low[i] in LEGAL_EDGE or (low[i], nxt) in LEGAL_INNER

    a, b = 0, len(toks)
    while a < b and legal(a):
        a += 1
    while b > a and legal(b - 1):
        b -= 1
    return toks[:a], toks[a:b], toks[b:]


def v_word_order(rng: random.Random, p: Party) -> tuple[str, str] | None:
    if p.type not in (PartyType.ORGANIZATION, PartyType.UNKNOWN):
        return None
    name = pick_name(rng, p, lambda s: clean_latin(s) and len(s.split()) >= 3 and org_like(s))
    if not name:
        return None
    lead, core, trail = legal_split(name.split())
    core = [t.rstrip(",") for t in core]
    if not core:
        return None
    options = []
    if trail:
        options.append((" ".join(trail).strip(", ") + " " + " ".join(core), "legal form in front"))
    if lead:
        options.append((" ".join(core) + ", " + " ".join(lead), "legal form moved to the end"))
    low = [t.lower() for t in core]
    if "of" in low[1:-1]:
        k = low.index("of")
        options.append((" ".join(core[k + 1:] + core[:k] + trail), "'A of B' -> 'B A'"))
    if len(core) >= 2 and not re.search(r"[(),&]", " ".join(core)):
        for rot, how in ((core[1:] + core[:1], "first word moved back"),
                         (core[-1:] + core[:-1], "last word moved front")):
            if rnorm(rot[0]) not in FUNCTION_WORDS and rnorm(rot[-1]) not in FUNCTION_WORDS:
                options.append((" ".join(rot + lead + trail), how))
    if not options:
        return None
    query, how = rng.choice(options)
    return (query, how) if rnorm(query) != rnorm(name) else None


# ---------------------------------------------------------------- abbreviations

ABBR = {
    "international": ["Intl", "Int'l", "Intl."], "corporation": ["Corp", "Corp."],
    "company": ["Co", "Co."], "and": ["&"], "technology": ["Tech"], "technologies": ["Tech"],
    "industries": ["Inds", "Ind."], "industrial": ["Indl", "Ind."], "engineering": ["Eng", "Engg"],
    "manufacturing": ["Mfg", "Mfg."], "institute": ["Inst", "Inst."], "university": ["Univ"],
    "association": ["Assn", "Assoc."], "brothers": ["Bros", "Bros."], "department": ["Dept"],
    "national": ["Natl", "Nat'l"], "electronics": ["Elec", "Electr."], "equipment": ["Equip"],
    "development": ["Dev", "Devt"], "management": ["Mgmt"], "services": ["Svcs", "Servs"],
    "trading": ["Trdg"], "import": ["Imp"], "export": ["Exp"], "incorporated": ["Inc"],
    "research": ["Res"], "scientific": ["Sci"], "science": ["Sci"], "holding": ["Hldg"],
    "holdings": ["Hldgs"], "machinery": ["Mach"], "aviation": ["Avn"], "shipping": ["Shpg"],
    "organization": ["Org"], "center": ["Ctr"], "centre": ["Ctr"], "laboratory": ["Lab"],
    "chemical": ["Chem"], "pharmaceutical": ["Pharm"], "construction": ["Constr"],
    "communications": ["Comms"], "telecommunications": ["Telecom"], "systems": ["Sys"],
    "limited": ["Ltd"], "investment": ["Invest"], "general": ["Gen"], "saint": ["St"],
}
EXPAND = {"&": "and", "intl": "International", "corp": "Corporation", "mfg": "Manufacturing",
          "tech": "Technology", "bros": "Brothers", "inc": "Incorporated"}
MINOR = {"limited", "company", "corporation", "incorporated"}


def v_abbrev(rng: random.Random, p: Party) -> tuple[str, str] | None:
    if p.type is PartyType.PERSON:
        return None
    name = pick_name(rng, p, lambda s: clean_latin(s) and bool(
        {fnorm(t) for t in s.split()} & (set(ABBR) - MINOR | set(EXPAND))))
    if not name:
        return None
    toks, done = name.split(), []
    for i, t in enumerate(toks):
        core = fnorm(t)
        tail = t[len(t.rstrip(",.")):] if core not in EXPAND else t[len(t.rstrip(",")):]
        if core in ABBR and rng.random() < 0.8:
            toks[i] = match_case(t, rng.choice(ABBR[core])) + tail.replace(".", "")
            if ABBR[core] == ["&"]:
                toks[i] = "&"
            done.append(core)
        elif (t.lower().rstrip(".,") in EXPAND or t == "&") and rng.random() < 0.8:
            key = "&" if t == "&" else t.lower().rstrip(".,")
            toks[i] = match_case(t, EXPAND[key]) if t != "&" else "and"
            done.append(key)
    if not set(done) - MINOR:
        return None
    return " ".join(toks), "abbreviated/expanded: " + ", ".join(done)


# ---------------------------------------------------------------- extra words

CITY = {
    "RU": "Moscow", "IR": "Tehran", "CN": "Beijing", "HK": "Hong Kong", "AE": "Dubai",
    "KP": "Pyongyang", "SY": "Damascus", "TR": "Istanbul", "BY": "Minsk", "UA": "Kyiv",
    "LB": "Beirut", "IQ": "Baghdad", "VE": "Caracas", "PK": "Karachi", "IN": "Mumbai",
    "MX": "Mexico City", "CU": "Havana", "SD": "Khartoum", "YE": "Sanaa", "AF": "Kabul",
    "MM": "Yangon", "LY": "Tripoli", "SG": "Singapore", "MY": "Kuala Lumpur", "DE": "Berlin",
    "GB": "London", "US": "New York", "TW": "Taipei", "KZ": "Almaty", "CO": "Bogota",
}


def country_name(cc: str) -> str:
    import pycountry

    c = pycountry.countries.get(alpha_2=cc)
    return getattr(c, "common_name", None) or getattr(c, "name", cc) if c else cc


def v_extra(rng: random.Random, p: Party) -> tuple[str, str] | None:
    name = pick_name(rng, p, clean_latin)
    if not name or p.type is PartyType.AIRCRAFT:
        return None
    cc = p.countries[0] if p.countries else rng.choice(sorted(CITY))
    city, country = CITY.get(cc, country_name(cc)), country_name(cc)
    if p.type is PartyType.PERSON or (p.type is PartyType.UNKNOWN and not org_like(name)):
        title = rng.choice(["Mr.", "Dr", "Mr", "Dr."])
        titled = name.replace(", ", f", {title} ", 1) if ", " in name else f"{title} {name}"
        forms = [titled, f"{name} ({country})", f"{name}, {city}"]
    elif p.type is PartyType.VESSEL:
        forms = [f"MV {name}", f"M/V {name}", f"{name} (vessel)", f"{name} tanker"]
    else:
        lead, _, trail = legal_split(name.split())
        forms = [f"{name} ({city})", f"{name}, {city} Branch", f"{name} - {city}",
                 f"{name} {country}", f"{name} Head Office", f"{name} Group",
                 f"{name}, {city}, {country}"]
        if not lead and not trail:
            forms.append(f"{name} (Pvt) Ltd")
    return rng.choice(forms), "extra words"


# ---------------------------------------------------------------- diacritics

ACCENT = {"e": "éèë", "a": "áàä", "o": "óöô", "u": "üú", "i": "íï", "n": "ñ", "c": "ç",
          "s": "şš", "g": "ğ", "z": "ž"}
TURKIC = {"s": "ş", "c": "ç", "g": "ğ", "i": "ı", "o": "ö", "u": "ü"}


def strip_marks(s: str) -> str:
    s = s.replace("ß", "ss").replace("ı", "i").replace("İ", "I")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def add_accents(rng: random.Random, s: str, k: int, table: dict[str, str]) -> str:
    pos = [i for i, c in enumerate(s) if c.lower() in table]
    chars = list(s)
    for i in rng.sample(pos, min(k, len(pos))):
        chars[i] = match_case(chars[i], rng.choice(table[chars[i].lower()]))
    return "".join(chars)


def v_diacritics(rng: random.Random, p: Party) -> tuple[str, str] | None:
    name = pick_name(rng, p, lambda s: clean_latin(s) and len(rnorm(s)) >= 6)
    if not name:
        return None
    if strip_marks(name) != name:
        return strip_marks(name), "diacritics removed"
    if "ss" in name.lower() and rng.random() < 0.5:
        i = name.lower().index("ss")
        return name[:i] + "ß" + name[i + 2:], "ss -> ß"
    turkic = bool(set(p.countries) & {"TR", "AZ"}) or rng.random() < 0.3
    out = add_accents(rng, name, rng.choice([1, 2, 3]), TURKIC if turkic else ACCENT)
    return (out, "accents added") if out != name else None


# ---------------------------------------------------------------- mixed noise

HOMO = dict(zip("aeopcxyABEKMHOPCTXIijs", "аеорсхуАВЕКМНОРСТХІіјѕ", strict=True))
GREEK = dict(zip("ABEZHIKMNOPTYXov", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧον", strict=True))
INVIS = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def noise(rng: random.Random, s: str, kind: str) -> str:
    if kind == "homoglyph":
        table = HOMO if rng.random() < 0.6 else GREEK
        return add_accents(rng, s, rng.choice([1, 2]), {k: v for k, v in table.items()})
    if kind == "invisible":
        for _ in range(rng.choice([1, 2])):
            pos = [i for i in range(1, len(s)) if s[i - 1].isalpha() and s[i].isalpha()]
            if pos:
                i = rng.choice(pos)
                s = s[:i] + rng.choice(INVIS) + s[i:]
        return s
    if kind == "case":
        return rng.choice([s.lower(), s.upper(), s.title(), s.swapcase()])
    if kind == "fullwidth":
        toks = s.split()
        i = rng.randrange(len(toks))
        toks[i] = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in toks[i])
        return " ".join(toks)
    if kind == "punct":
        return rng.choice([s.replace(" ", "  ", 1), s + ".", s.replace(",", ""),
                           s.replace(" ", "-", 1), '"' + s + '"'])
    if kind == "accent":
        return add_accents(rng, s, 1, ACCENT)
    toks = s.split()
    i = max(range(len(toks)), key=lambda j: len(toks[j]))
    if len(toks[i]) >= 6:
        toks[i] = typo(rng, toks[i], rng.randrange(1, len(toks[i]) - 1))
    return " ".join(toks)


def v_mixed(rng: random.Random, p: Party) -> tuple[str, str] | None:
    name = pick_name(rng, p, clean_latin)
    if not name:
        return None
    kinds = ["homoglyph", "invisible", "case", "fullwidth", "punct", "accent", "typo"]
    chosen = rng.choices(kinds, weights=[4, 4, 3, 1, 2, 1, 1], k=rng.choice([2, 3]))
    chosen = list(dict.fromkeys(chosen))
    if len(chosen) < 2:
        chosen.append("invisible" if chosen[0] != "invisible" else "homoglyph")
    order = ["typo", "accent", "homoglyph", "case", "fullwidth", "punct", "invisible"]
    out = name
    for k in sorted(chosen, key=order.index):
        out = noise(rng, out, k)
    return out, " + ".join(sorted(chosen, key=order.index))


# ---------------------------------------------------------------- negatives

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "pl_PL", "nl_NL",
           "tr_TR", "ru_RU", "uk_UA", "zh_CN", "zh_TW", "ja_JP", "ko_KR", "ar_AA", "fa_IR",
           "hi_IN", "vi_VN", "id_ID", "sv_SE", "cs_CZ", "el_GR", "he_IL", "th_TH", "es_MX"]
HOME = {"ru_RU": "RU", "uk_UA": "UA", "zh_CN": "CN", "zh_TW": "TW", "ja_JP": "JP",
        "ko_KR": "KR", "fa_IR": "IR", "ar_AA": None, "en_GB": "GB", "en_US": "US"}
ARABIC_SURNAMES = (
    "HADDAD KHOURY NASSAR SABBAGH HAMDAN SAWAYA TAHAN BAROUDI DARWISH FARHAT GHANEM JABBOUR "
    "KARAM MAALOUF NAJJAR RIZK TANNOUS ZAHER ABBOUD BITAR CHAMOUN DAHER FAYAD HELOU KASSAB LAHOUD "
    "MAKDISI NADER RAHAL SALIBA TOUMA YAZBECK AMINI BAGHERI DEHGHAN ESMAILI FARAHANI GHORBANI "
    "HOSSEINZADEH JAFARI KARIMI MORADI NAZARI SADEGHI VAZIRI YAZDANI ZAREI SHAHIN QURESHI"
)
PARTICLES = {"abu", "abou", "umm", "bin", "ibn", "ben", "al", "el", "haji", "mullah", "sheikh"}
KOREAN_SURNAMES = "KIM LEE PARK CHOI JUNG KANG CHO YOON JANG LIM HAN SEO SHIN KWON HWANG"
ARABIC_HINT = re.compile(
    r"\b(AL|EL|ABU|BIN|BEN|IBN|ABD\w*|MOHAM\w*|MUHAM\w*|AHMAD|AHMED|ALI)\b", re.I)
SURNAME_LOCALE = {"RU": "ru_RU", "BY": "ru_RU", "UA": "uk_UA", "IR": "fa_IR", "CN": "zh_CN",
                  "HK": "zh_CN", "TW": "zh_TW", "KP": "ko_KR", "KR": "ko_KR", "TR": "tr_TR",
                  "MX": "es_MX", "CO": "es_ES", "VE": "es_ES", "SY": "ar", "IQ": "ar",
                  "LB": "ar", "YE": "ar", "SA": "ar", "AE": "ar", "DE": "de_DE", "AF": "ar",
                  "PK": "ar", "LY": "ar", "SO": "ar", "SD": "ar"}


def new_surname(fakers: dict[str, Faker], rng: random.Random, p: Party, name: str,
                old: str) -> str:
    """Another surname of the same origin as the listed one (same gender for Slavic names)."""
    cc = p.countries[0] if p.countries else ""
    loc = SURNAME_LOCALE.get(cc) or (
        "ru_RU" if PATRONYMIC.search(name) else "ar" if ARABIC_HINT.search(name) else "en_US")
    if loc == "ar" or loc == "fa_IR":
        return rng.choice(ARABIC_SURNAMES.split())
    if loc == "ko_KR":
        return rng.choice(KOREAN_SURNAMES.split())
    f = fakers[loc]
    if loc in ("ru_RU", "uk_UA"):
        female = old.upper().endswith("A") or bool(re.search(r"(OVNA|EVNA)\b", name, re.I))
        return romanise(f.last_name_female() if female else f.last_name_male())
    return romanise(f.last_name())


def neg_faker(rng: random.Random, u: Universe, n: int) -> Iterator[Case]:
    fakers = {loc: Faker(loc) for loc in LOCALES}
    for i, loc in enumerate(LOCALES):
        fakers[loc].seed_instance(rng.randrange(1 << 30) + i)
    made = 0
    while made < n:
        loc = rng.choice(LOCALES)
        f = fakers[loc]
        person = rng.random() < 0.6
        query = f"{f.last_name()}, {f.first_name()}" if person and rng.random() < 0.2 else (
            f.name() if person else f.company())
        why = u.close_to_listed(query)
        if why:
            continue
        made += 1
        cc = HOME.get(loc, loc[-2:]) if rng.random() < 0.3 else None
        yield {"category": "neg-faker", "query": {
            "name": query, "type": ("person" if person else "organization")
            if rng.random() < 0.7 else None, "country": cc}, "expect": [],
            "note": f"faker {loc} {'person' if person else 'company'}"}


def distinctive(u: Universe, toks: list[str]) -> int | None:
    """The token (4+ letters, not a legal form) that the fewest listed names use."""
    best = [(u.df[fnorm(t)], -len(t), i) for i, t in enumerate(toks)
            if t.strip("\"'(),.").isalpha() and len(t) >= 4 and fnorm(t) not in LEGAL_EDGE]
    return min(best)[2] if best else None


def neg_near_miss(rng: random.Random, u: Universe, n: int) -> Iterator[Case]:
    locales = {*SURNAME_LOCALE.values(), "en_US", "ru_RU"} - {"ar"}
    fakers = {loc: Faker(loc) for loc in locales}
    for i, loc in enumerate(sorted(fakers)):
        fakers[loc].seed_instance(rng.randrange(1 << 30) + i)
    # brand words: English words and surnames of several countries, as real companies use them
    words = sorted({w for w in fakers["en_US"].get_words_list() if w.isalpha() and len(w) > 3})
    words += sorted({romanise(fakers[loc].last_name()).lower() for loc in sorted(fakers)
                     for _ in range(40)} - {""})
    syl = sorted(s for s in PINYIN if len(s) >= 3)
    made = Counter[str]()
    for p in stratified(rng, list(u.parties)):
        person = p.type is PartyType.PERSON
        kind = "person" if person else "organization"
        if made[kind] >= n // 2 or p.type in (PartyType.VESSEL, PartyType.AIRCRAFT):
            if min(made["person"], made["organization"]) >= n // 2:
                return
            continue
        name = pick_name(rng, p, lambda s: clean_latin(s) and len(s.split()) >= 2)
        if not name:
            continue
        toks = name.split()
        if p.type is PartyType.UNKNOWN and not org_like(name):
            person, kind = True, "person"
        if person:
            split = split_person(name)
            if not split:
                continue
            if sum(len(t) for t in split[1] if rnorm(t) not in PARTICLES) < 4:
                continue
            old = " ".join(split[0])
            new = new_surname(fakers, rng, p, name, old).replace(" ", "")
            query = name.replace(old, match_case(split[0][0], new), 1)
        else:
            i = distinctive(u, toks)
            if i is None:
                continue
            word = toks[i].strip("\"'(),.")
            size = len(word)
            chinese = bool(set(p.countries) & CHINESE) or pinyin_split(word)
            pool = [a + b for a in syl for b in syl[:40]] if chinese else words
            near = [w for w in pool if abs(len(w) - size) <= 1 and w != word.lower()]
            toks[i] = toks[i].replace(word, match_case(word, rng.choice(near or pool)))
            query = " ".join(toks)
        if rnorm(query) == rnorm(name) or u.close_to_listed(query):
            continue
        made[kind] += 1
        yield {"category": "neg-near-miss2", "query": {"name": query, "type": ptype(p),
               "country": None}, "expect": [], "note": f"from {name!r} ({p.id})"}


# ---------------------------------------------------------------- assembling


def positives(rng: random.Random, u: Universe, cat: str, fn: Variant, n: int) -> list[Case]:
    out: list[Case] = []
    seen: set[str] = set()
    for p in stratified(rng, list(u.parties)):
        got = fn(rng, p)
        if not got or rnorm(got[0]) in seen:
            continue
        query, note = got
        seen.add(rnorm(query))
        out.append(make_case(rng, u, cat, p, query, note))
        if len(out) >= n:
            break
    return out


def from_lists(rng: random.Random, u: Universe, cat: str,
               fn: Callable[[random.Random, Party], list[tuple[str, str, str]]],
               n: int) -> list[Case]:
    """Categories with few eligible parties: all their variants, balanced by kind and party."""
    by_kind: dict[str, list[tuple[Party, str, str]]] = defaultdict(list)
    for p in u.parties:
        for kind, query, note in fn(rng, p):
            by_kind[kind].append((p, query, note))
    for v in by_kind.values():
        rng.shuffle(v)
    out: list[Case] = []
    seen: set[str] = set()
    kinds = sorted(by_kind)
    while len(out) < n and any(by_kind.values()):
        for kind in kinds:
            if by_kind[kind] and len(out) < n:
                p, query, note = by_kind[kind].pop()
                if rnorm(query) not in seen:
                    seen.add(rnorm(query))
                    out.append(make_case(rng, u, cat, p, query, note))
    return out


def make_case(rng: random.Random, u: Universe, cat: str, p: Party, query: str,
              note: str) -> Case:
    country = p.countries[0] if p.countries and rng.random() < 0.5 else None
    return {"category": cat, "query": {"name": query, "type": ptype(p), "country": country},
            "expect": u.expect(p), "note": f"{note} ({p.id})"}


def build(u: Universe, seed: int, n: int, n_faker: int, n_near: int) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for cat, fn in [("double-typo", v_double_typo), ("translit-variant", v_translit),
                    ("initials", v_initials), ("cyrillic-query", v_cyrillic),
                    ("word-order-org", v_word_order), ("abbrev", v_abbrev),
                    ("extra-words", v_extra), ("diacritics", v_diacritics),
                    ("mixed-noise", v_mixed)]:
        cases += positives(random.Random(rng.random()), u, cat, fn, n)
    cases += from_lists(random.Random(rng.random()), u, "no-space-cjk", cjk_variants, n)
    cases += from_lists(random.Random(rng.random()), u, "traditional", trad_variants, n)
    cases += neg_faker(random.Random(rng.random()), u, n_faker)
    cases += neg_near_miss(random.Random(rng.random()), u, n_near)
    rng.shuffle(cases)
    return [{"id": f"stress-{i:04d}", **c} for i, c in enumerate(cases, 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", default="/tmp/es-stress")
    ap.add_argument("--out", default=str(Path(__file__).parent / "out" / "stress.jsonl"))
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--n", type=int, default=N_PER_CATEGORY, help="cases per positive category")
    ap.add_argument("--neg-faker", type=int, default=300)
    ap.add_argument("--neg-near-miss", type=int, default=60)
    args = ap.parse_args()
    with Screener.open(Settings.from_env(home=args.home)) as s:
        u = Universe(list(s.store.parties()))
    cases = build(u, args.seed, args.n, args.neg_faker, args.neg_near_miss)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    counts = Counter(str(c["category"]) for c in cases)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{len(cases)} cases -> {out}: {summary}")


if __name__ == "__main__":
    main()
