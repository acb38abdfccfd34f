"""Token comparisons and name analysis, as tables."""

from __future__ import annotations

import pytest

from entityscreen.match.analysis import LEGAL, STOP, WORD, analyze, name_variants, skeleton
from entityscreen.match.features import token_similarity, variant_similarity


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        ("hikvision", "hikvision", "exact"),
        ("hikvision", "hikvsion", "fuzzy transliteration"),  # deletion
        ("sensetime", "snesetime", "fuzzy transliteration"),  # transposition
        ("tuniyaz", "tuniyazi", "fuzzy transliteration"),
        ("erken", "erkin", "fuzzy transliteration"),
        ("shokhrat", "shohrat", "fuzzy transliteration"),
        ("mohammed", "muhammad", "transliteration"),
        ("q", "quanguo", "initial"),
    ],
)
def test_similar_tokens(a: str, b: str, how: str) -> None:
    sim, got = token_similarity(a, b)
    assert got in how.split()
    assert sim >= 0.75


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("dahua", "huawei"),
        ("durun", "shunfeng"),
        ("plant2", "plant3"),
        ("co", "ca"),  # short tokens must be equal
        ("sensata", "sensetime"),
        ("hikma", "hikvision"),
        ("boeing", "bing"),
    ],
)
def test_different_tokens(a: str, b: str) -> None:
    assert token_similarity(a, b)[0] == 0.0


# Analysis reads every spelling of a given name in data/name_variants.csv as the line's first
# ("Alexey" -> "aleksei"), and inflections as the word ("industrial" -> "industry");
# variant_similarity also compares a token without such spellings with each of them, so a
# typo of a spelling is a typo again.
@pytest.mark.parametrize(
    ("a", "b", "sim", "how"),
    [
        ("alezey", "aleksei", 0.833, "variant"),  # one letter from "alexey"
        ("aleksei", "alezey", 0.833, "variant"),  # either side
        ("hasszan", "hasan", 0.857, "variant"),  # "hassan"
        ("mpohammed", "muhammad", 0.889, "variant"),  # "mohammed"
        ("mohamnad", "muhammad", 0.875, "variant"),  # "mohammad" (plain: 0.75 fuzzy)
        ("o", "aleksandr", 0.85, "initial"),  # "O." for "Oleksandr"
        ("aleksei", "aleksei", 1.0, "exact"),
        ("kuzmin", "kuzin", 0.833, "fuzzy"),  # no given name: as token_similarity
        # inflections of generic words (data/abbreviations.csv) are spellings too
        ("inxustrial", "industry", 0.9, "variant"),  # "industrial"
        ("cenfre", "center", 0.833, "variant"),  # "centre"
        # data/name_spellings.csv: spellings analysis leaves apart, one name all the same
        ("halyna", "galina", 1.0, "variant"),  # Ukrainian / Russian
        ("ihar", "igor", 1.0, "variant"),  # Belarusian / Russian ("ihor" is read as "igor")
        ("halyma", "galina", 0.833, "variant"),  # a typo of "halyna"
    ],
)
def test_variant_similarity(a: str, b: str, sim: float, how: str) -> None:
    assert variant_similarity(a, b) == (pytest.approx(sim, abs=1e-3), how)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("aleksei", "aleksandr"),  # two names of the table are two names
        ("alezey", "aleksandr"),  # a typo of one name is not the other
        ("x", "aleksandr"),  # no spelling starts with x
        ("olga", "oleg"),
        ("galina", "aleksei"),
        ("tecj", "technology"),  # abbreviations ("tech") are not compared: too short to tell
    ],
)
def test_variant_similarity_keeps_names_apart(a: str, b: str) -> None:
    assert variant_similarity(a, b)[0] == token_similarity(a, b)[0] == 0.0


def test_skeleton_folds_transliteration_variants() -> None:
    assert skeleton("tuniyaz") == skeleton("tuniyazi")
    assert skeleton("aleksandr") == skeleton("alexandr")


def test_analysis_marks_legal_forms_and_stopwords() -> None:
    a = analyze("Institute of Physics Co., Ltd.")
    assert a.tokens == ("institute", "of", "physics", "co", "ltd")
    assert a.kinds == (WORD, STOP, WORD, LEGAL, LEGAL)
    assert a.compact == "institutephysics"


def test_a_name_made_only_of_a_legal_form_keeps_it_as_a_word() -> None:
    assert analyze("Co., Ltd.").kinds == (WORD, WORD)


@pytest.mark.parametrize(
    ("listed", "variants"),
    [
        ("RADIOAVIONIKA (a.k.a. RADIOAVIONICA)",
         ["RADIOAVIONIKA (a.k.a. RADIOAVIONICA)", "RADIOAVIONIKA", "RADIOAVIONICA"]),
        ("Plain Name", ["Plain Name"]),
        ("SociÃ©tÃ© GÃ©nÃ©rale", ["SociÃ©tÃ© GÃ©nÃ©rale", "Société Générale"]),
    ],
)
def test_name_variants(listed: str, variants: list[str]) -> None:
    assert name_variants(listed) == variants


@pytest.mark.parametrize(("a", "b"), [("i", "iii"), ("iii", "ii"), ("iv", "vi")])
def test_roman_numerals_must_be_equal(a: str, b: str) -> None:
    assert token_similarity(a, b)[0] == 0.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Volodymyr ZELENSKYY", "Vladimir ZELENSKYY"),  # Ukrainian / Russian form
        ("Oleksandr", "Aleksandr"),
        ("Abdul Husayn", "Abdul Hussein"),
        ("KOREA COMPLEX EQUIP IMPORT CORP", "KOREA COMPLEX EQUIPMENT IMPORT CORP"),
        ("EKO SHPG LTD LIABILITY CO.", "EKO SHIPPING LIMITED LIABILITY COMPANY"),
        ("Xinnuo Dianzi Keji Youxian Gongsi", "Xinnuo Electronics Technology Co Ltd"),
    ],
)
def test_variants_analyse_alike(a: str, b: str) -> None:
    assert analyze(a).compact == analyze(b).compact  # legal forms aside, the same words


@pytest.mark.parametrize(("a", "b", "how"), [
    ("mohammed", "muhammad", "transliteration"),  # vowels changed where they stand
    ("erken", "erkin", "transliteration"),
    ("song", "sung", "transliteration"),
    ("castro", "castor", "fuzzy"),  # a vowel moved: a typo, or another word
    ("ross", "rose", "fuzzy"),  # a vowel added
])
def test_slotted_similarity_keeps_transliterations_where_the_vowels_stand(
        a: str, b: str, how: str) -> None:
    from entityscreen.match.features import slotted_similarity

    sim, got = slotted_similarity(a, b)
    assert got == how
    assert sim <= token_similarity(a, b)[0]  # never more alike than entityscreen-1 says
    if how == "fuzzy":
        assert sim < 0.85
