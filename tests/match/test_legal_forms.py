"""Legal forms (data/legal_forms.csv) as name analysis sees them, as tables."""

from __future__ import annotations

import re

import pytest

from entityscreen.match import analysis
from entityscreen.match.analysis import LEGAL, analyze
from entityscreen.model import PartyType, Query
from entityscreen.normalize import _data, legal_forms


def legal_tokens(name: str) -> list[str]:
    a = analyze(name)
    return [t for t, k in zip(a.tokens, a.kinds, strict=True) if k == LEGAL]


@pytest.mark.parametrize(
    ("name", "legal"),
    [
        ("Servicios Ibéricos S.L.N.E", "s l n e"),
        ("Servicios Ibéricos SLNE", "slne"),
        ("Obras y Proyectos Norte S.L.", "s l"),
        ("Obras y Proyectos Norte S.L.U.", "s l u"),
        ("Da Silva S.A.S.", "s a s"),  # all three letters, not "s a" and a stray "s"
        ("Albertine Holding S.A.S.U", "s a s u"),
        ("Banco Universal, C.A.", "c a"),
        ("Lucero Import S.A.C.", "s a c"),
        ("Consultores del Norte S. en C.", "s en c"),
        ("Grupo Norte S. de R.L. de C.V.", "s de r l de c v"),
        ("Grupo Norte S.A.P.I. de C.V.", "s a p i de c v"),
        ("Grupo Norte SAPI de CV", "sapi de cv"),
        ("Agricola Boreal S.P.R. de R.L.", "s p r de r l"),
        ("Rossi e Bianchi S.r.l.s.", "s r l s"),
        ("Huawei Technologies France SASU", "sasu"),
        ("Martin Immobilier SCI", ""),  # bare "sci" is also "Sci-Tech": left a word
        ("Martin Immobilier S.C.I.", "s c i"),
        ("Kerman Aviation GIE", "gie"),
        ("Verein der Freunde e.V.", "e v"),
        ("Gotthard OHG mbH", "ohg mbh"),
        ("Rosemann Stiftung & Co. KGaA", "co kgaa"),
        ("Jelvetach UG (haftungsbeschränkt)", "ug haftungsbeschrankt"),
        ("Europakontakt e.K.", "e k"),
        ("Ascotec Japan K.K.", "k k"),
        ("Ascotec Japan Kabushiki Gaisha", "kabushiki gaisha"),
        ("Nordic Shipping AB (publ)", "ab publ"),
        ("Bul Partners Travel ООД", "ood"),
        ("Aksu İnşaat Ltd. Şti.", "ltd sti"),
        ("Aksu İnşaat A.Ş.", "a s"),
        ("Rocha Comercio Ltda. - ME", "ltda me"),
        ("Kowalski i Syn Sp. j.", "sp j"),
        ("Ashtian Tablo P.J.S.", "p j s"),
        ("Acme Dental P.L.L.C.", "p l l c"),
        ("Thinh Cuong Cong Ty TNHH", "cong ty tnhh"),
    ],
)
def test_legal_forms_are_recognised(name: str, legal: str) -> None:
    assert " ".join(legal_tokens(name)) == legal


@pytest.mark.parametrize(
    "name",
    [
        "A. B. Smith",  # initials before a name are never a legal form
        "S. L. Ortega",
        "E. K. Müller",
        "S.A. Smith",
        "A.S.P. Builders",  # an acronym: more letters follow "a s"
        "Colorado Cessa, F. A.",
        "Ei Ei Phyo",  # bare "ei" is a Burmese name, not France's EI
        "Åsa Lindberg",  # bare "asa" (Norway's ASA) is also Åsa
        "Guangdong Sci-Tech",
        "YK-AGA",  # aircraft registration, not Japan's YK
        "S.L.",  # a name that is only a legal form keeps it as words
    ],
)
def test_initials_and_name_words_stay_words(name: str) -> None:
    assert legal_tokens(name) == []


def test_a_legal_form_may_follow_an_acronym() -> None:
    assert legal_tokens("T.G.A. D.O.O.") == ["d", "o", "o"]
    assert legal_tokens("Fleurette Africa Resources I B.V.") == ["b", "v"]


def test_legal_form_table_is_well_formed() -> None:
    """Normalised forms (lower-case ASCII tokens, one space apart), each listed once, none
    longer than analysis looks for (a longer one would silently never match)."""
    rows = [line for line in _data("legal_forms.csv").splitlines()
            if line and not line.startswith("#") and not line.startswith("form,")]
    forms = [row.split(",")[0] for row in rows]
    assert len(forms) == len(set(forms)) == len(legal_forms())
    for row in rows:
        form, canonical = row.split(",")
        assert re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)*", form), row
        assert canonical.strip() == canonical and canonical, row
        assert len(form.split()) <= analysis._MAX_FORM, row


@pytest.mark.parametrize(
    ("query", "form"),
    [
        (Query("Megvii Technology S.L."), ["s", "l"]),
        (Query("Megvii Technology S.L.N.E.", type=PartyType.ORGANIZATION, country="ES"),
         ["s", "l", "n", "e"]),
        (Query("Megvii Technology K.K."), ["k", "k"]),
        (Query("Megvii Technology Ltd. Şti."), ["ltd", "sti"]),
    ],
)
def test_a_foreign_legal_form_still_finds_the_party(  # type: ignore[no-untyped-def]
    screener, query: Query, form: list[str]
) -> None:
    hits = screener.search(query, limit=3)
    assert hits and hits[0].match, query
    assert "megvii" in hits[0].explanation.matched_name.lower()
    assert list(hits[0].explanation.ignored) == form  # down-weighted, said so


def test_leading_initials_still_find_a_person(screener) -> None:  # type: ignore[no-untyped-def]
    # "S. L." before the surname are initials, so the query is not taken for a company
    hits = screener.search(Query("S. L. Telnykh"), limit=3)
    assert hits and hits[0].match
    assert "telnykh" in hits[0].explanation.matched_name.lower()


@pytest.mark.parametrize("name", ["Telnykh S. L.", "TELNYKH, S.L."])
def test_trailing_initials_that_spell_a_form_still_find_a_person(  # type: ignore[no-untyped-def]
    screener, name: str
) -> None:
    # "S. L." after a surname may be a person's initials as well as a Spanish S.L.: a form of
    # single letters does not make the untyped query a company (which the person would lose)
    hits = screener.search(Query(name), limit=3)
    assert hits and hits[0].match, name
    assert "telnykh" in hits[0].explanation.matched_name.lower()
    assert hits[0].score >= 0.9


@pytest.mark.parametrize(
    ("name", "organisation"),
    [("Rossi SRL", True), ("Andreev Limited", True), ("Megvii Technology Co., Ltd.", True),
     ("Telnykh S. L.", False), ("Rodrigues S/A", False), ("John Smith", False)],
)
def test_which_legal_forms_say_organisation(name: str, organisation: bool) -> None:
    assert analysis.names_an_organisation(analysis.analyze(name)) is organisation
