"""normalize(): pure, idempotent, and equal for the spellings a screener must treat as one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entityscreen.normalize import clean, describe_folding, fold_homoglyphs, normalize

SAME = [
    # (variant, canonical) — each pair must normalise to the same string
    ("Hіkvision", "Hikvision"),  # Cyrillic і
    ("НIKVISION", "HIKVISION"),  # Cyrillic Н inside a Latin word
    ("ＨＩＫＶＩＳＩＯＮ", "HIKVISION"),  # fullwidth
    ("Sense\u200bTime", "SenseTime"),  # zero-width space
    ("Sense\u00adTime", "SenseTime"),  # soft hyphen
    ("Mеgvii", "Megvii"),  # Cyrillic е
    ("\ufeffDahua", "Dahua"),  # BOM
    ("Zhejiang  Dahua\tTechnology", "zhejiang dahua technology"),
    ("Co., Ltd.", "co ltd"),
    ("AT&T", "at and t"),
    ("O'Brien", "obrien"),
    ("Société Générale", "societe generale"),
    ("曠視科技", "旷视科技"),  # Traditional = Simplified
    ("陈全国", "chen quanguo"),
    ("旷视科技有限公司", "kuangshi technology co ltd"),
    ("Шохрат Закир", "shokhrat zakir"),
]


@pytest.mark.parametrize(("variant", "canonical"), SAME)
def test_variants_normalise_alike(variant: str, canonical: str) -> None:
    assert normalize(variant) == normalize(canonical)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hangzhou Hikvision Digital Technology Co., Ltd.",
         "hangzhou hikvision digital technology co ltd"),
        ("ZAKIR, Shohrat", "zakir shohrat"),
        ("OOO 'BM-DIREKTSIYA'", "ooo bm direktsiya"),
        ("新疆生产建设兵团", "xinjiang production and construction corps"),
        ("", ""),
        ("., ,;", ""),
    ],
)
def test_normalize_table(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_words_in_another_script_are_not_folded_as_homoglyphs() -> None:
    # "Сова" is a Cyrillic word, not a disguised Latin one: it is transliterated, not folded.
    assert fold_homoglyphs("Сова") == "Сова"
    assert normalize("Сова") == "sova"


def test_clean_drops_unpaired_surrogates() -> None:
    assert clean("Dahua\ud800") == "Dahua"


def test_folding_is_explained() -> None:
    assert "look-alike letters from other scripts folded to Latin" in describe_folding("Hіkvision")
    assert "Chinese romanised (pinyin)" in describe_folding("旷视")


@given(st.text(max_size=60))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(max_size=60))
def test_normalize_output_is_plain_ascii_words(text: str) -> None:
    out = normalize(text)
    assert out == " ".join(out.split())
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in out)


def test_the_look_alike_table_holds_no_ascii_character() -> None:
    """fold_homoglyphs returns an ASCII name untouched without reading the table: an ASCII
    entry there (a digit for a letter, say) would silently never apply."""
    from entityscreen.normalize import _homoglyphs

    assert not [ch for ch in _homoglyphs() if ch.isascii()]
    assert fold_homoglyphs("Hangzhou Hikvision") == "Hangzhou Hikvision"
    assert fold_homoglyphs("Hangzhou Hіkvision") == "Hangzhou Hikvision"  # Cyrillic і
