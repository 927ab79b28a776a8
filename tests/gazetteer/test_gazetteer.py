"""The packaged Syria gazetteer: spellings, spans, precision, disambiguation, extension."""

from __future__ import annotations

import math
import random

import pytest

from marsad.contract.claim import PLACE_PRECISIONS, PlaceRef
from marsad.gazetteer import Gazetteer, Place, default_gazetteer, normalize_name


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def km(a: Place, b: Place) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def check_spans(text: str, refs: list[PlaceRef]) -> None:
    for r in refs:
        assert text[r.evidence.start : r.evidence.end] == r.evidence.text
        assert r.precision in PLACE_PRECISIONS


MAARAT = [
    "Maarat al-Numan",
    "Maaret al-Numan",
    "Ma'arrat al-Nu'man",
    "Maarat al-Nouman",
    "Maara al-Nouman",
    "Maarat Al Nouman",
    "Ma’arrat an-Nu’man",
    "معرة النعمان",
]


def test_spelling_variants_fold_to_one_key() -> None:
    assert len({normalize_name(s) for s in MAARAT[:-1]}) == 1
    assert normalize_name("Saraqeb") == normalize_name("Saraqib") == normalize_name("Sarakeb")
    assert normalize_name("Kfar Nabl") == normalize_name("Kafr Nubl")
    assert normalize_name("Daraya") != normalize_name("Daraa")


@pytest.mark.parametrize(
    "group",
    [MAARAT, ["Saraqeb", "Saraqib", "Sarakeb", "سراقب"], ["Kafranbel", "Kafr Nabl", "Kafr Nubl"]],
)
def test_spellings_resolve_to_one_place(gaz: Gazetteer, group: list[str]) -> None:
    resolved = {s: gaz.resolve_name(s) for s in group}
    assert all(p is not None for p in resolved.values()), resolved
    assert len({p.id for p in resolved.values() if p}) == 1
    located = set()
    for s in group:
        text = f"Shelling hit {s} on Monday, residents said."
        refs = gaz.locate(text)
        check_spans(text, refs)
        assert [r.evidence.text for r in refs] == [s]
        located.add(refs[0].gazetteer_id)
    assert located == {next(iter(resolved.values())).id}  # type: ignore[union-attr]


def test_arabic_name_and_clitic(gaz: Gazetteer) -> None:
    p = gaz.resolve_name("معرة النعمان")
    assert p is not None and p.admin1_pcode == "SY07" and p.kind in ("town", "city")
    text = "قصف على معرة النعمان وسراقب"
    refs = gaz.locate(text)
    check_spans(text, refs)
    assert [r.evidence.text for r in refs] == ["معرة النعمان", "سراقب"]


def test_spans_exact_with_context_words(gaz: Gazetteer) -> None:
    text = (
        "Warplanes struck Saraqib, the outskirts of Ariha and Kafranbel's market in Idlib "
        "province, while shells fell on western rural Aleppo and the Hama countryside."
    )
    refs = gaz.locate(text)
    check_spans(text, refs)
    by_text = {r.evidence.text: r for r in refs}
    assert by_text["Saraqib"].precision == "exact"
    assert by_text["Ariha"].precision == "near"
    assert by_text["Kafranbel"].precision == "exact"
    assert by_text["Idlib province"].precision == "governorate"
    assert by_text["western rural Aleppo"].precision == "region"
    assert by_text["western rural Aleppo"].admin1_pcode == "SY02"
    assert by_text["Hama countryside"].precision == "region"


def test_neighbouring_villages_are_distinct(gaz: Gazetteer) -> None:
    text = "Air strikes hit Kansafra and Al-Bara in Jabal al-Zawiya."
    refs = gaz.locate(text)
    ids = {r.evidence.text: r.gazetteer_id for r in refs}
    assert ids["Kansafra"] != ids["Al-Bara"]
    a, b = gaz.get(ids["Kansafra"] or ""), gaz.get(ids["Al-Bara"] or "")
    assert a is not None and b is not None
    assert a.admin1_pcode == b.admin1_pcode == "SY07"
    assert 1.0 < km(a, b) < 10.0


@pytest.mark.parametrize(
    "text",
    [
        "the market was hit at dawn",
        "Mark said the Rain had stopped at the Bab gate near a Tell.",
        "Al said the school was closed on Friday and the bakery in the old town burned.",
        "An attack at the station was reported as the army withdrew.",
    ],
)
def test_common_words_are_not_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.locate(text) == []


def test_stoplist_covers_one_word_place_names(gaz: Gazetteer) -> None:
    # The stoplist only matters if these really are place names in the data.
    for word in ("Bab", "Tell", "Al"):
        if gaz.candidates(word):
            assert gaz.locate(f"{word} was mentioned.") == [], word
    assert gaz.candidates("Bab"), "Al-Bab is also spelled Bab in the data"
    assert gaz.locate("Fighting near Al-Bab continued.")[0].evidence.text == "Al-Bab"


def test_governorate_mentions(gaz: Gazetteer) -> None:
    for text, span in [
        ("Clashes spread across Idlib province.", "Idlib province"),
        ("Clashes spread across Idlib governorate.", "Idlib governorate"),
        ("Clashes spread across Idlib.", "Idlib"),
    ]:
        (ref,) = gaz.locate(text)
        assert ref.evidence.text == span and ref.precision == "governorate"
        assert ref.admin1_pcode == "SY07" and ref.kind == "admin1"
    (city,) = gaz.locate("Protests in Idlib city grew.")
    assert city.precision == "exact" and city.kind == "city" and city.admin1_pcode == "SY07"
    (aleppo,) = gaz.locate("A car bomb exploded in Aleppo.")
    assert aleppo.kind == "city" and aleppo.precision == "exact"
    (region,) = gaz.locate("Shelling hit southern Idlib overnight.")
    assert region.precision == "region" and region.evidence.text == "southern Idlib"


def test_duplicates_disambiguated_by_context(gaz: Gazetteer) -> None:
    cands = gaz.candidates("Suran")
    assert {p.admin1_pcode for p in cands} >= {"SY02", "SY05"}
    hama = gaz.locate("Shelling hit Suran and Morek in the Hama countryside.")
    aleppo = gaz.locate("Turkish-backed fighters entered Suran after leaving Azaz in rural Aleppo.")
    assert hama[0].evidence.text == "Suran" and hama[0].admin1_pcode == "SY05"
    assert aleppo[0].evidence.text == "Suran" and aleppo[0].admin1_pcode == "SY02"
    assert gaz.resolve_name("Suran", admin1="Aleppo") is not None
    assert gaz.resolve_name("Suran", admin1="Aleppo").admin1_pcode == "SY02"  # type: ignore[union-attr]
    assert gaz.resolve_name("Suran", admin1="SY05").admin1_pcode == "SY05"  # type: ignore[union-attr]


def test_added_place_is_found() -> None:
    g = Gazetteer(
        [
            Place(
                id="test:qaryat-zaytun",
                name="Qaryat Zaytun",
                names=("Qaryat Zaytun",),
                kind="village",
                lat=10.0,
                lon=20.0,
                admin1="Nowhere",
                admin1_pcode="XX01",
            ),
        ]
    )
    assert g.locate("Nothing here.") == []
    g.add_places(
        [
            Place(
                id="test:wadi-nakhil",
                name="Wadi Nakhil",
                names=("Wadi Nakhil", "Wadi en-Nakhil"),
                kind="village",
                lat=10.5,
                lon=20.5,
            )
        ]
    )
    text = "Raids on Wadi en-Nakhil and Qaryat Zaytun."
    refs = g.locate(text)
    check_spans(text, refs)
    assert [r.gazetteer_id for r in refs] == ["test:wadi-nakhil", "test:qaryat-zaytun"]
    assert g.get("test:wadi-nakhil") is not None


def test_admin1_names_and_places_in_admin1(gaz: Gazetteer) -> None:
    names = gaz.admin1_names()
    assert len(names) == 14 and "Idlib" in names and "Aleppo" in names
    idlib = gaz.places_in_admin1("Idleb", kinds=["town", "city"])
    assert idlib and all(p.admin1_pcode == "SY07" for p in idlib)


def test_one_megabyte_of_text(gaz: Gazetteer) -> None:
    rng = random.Random(7)
    words = ["the", "strike", "hit", "Saraqib", "and", "Idlib", "province", "while", "Mark"]
    words += ["said", "al", "market", "Maarat", "al-Numan", "Aleppo", "12", "killed", ",", "سراقب"]
    text = " ".join(rng.choice(words) for _ in range(200_000))[:1_000_000]
    refs = gaz.locate(text)
    assert refs
    check_spans(text, refs[:1000])


@pytest.mark.parametrize(
    "text",
    [
        "The Syrian Network for Human Rights said so.",
        "More than 20 people died in July.",
        "BEIRUT - A suspected chemical attack was reported.",
        "state news agency SANA reported the blast.",
        "Daily Tally for Friday.",
    ],
)
def test_english_words_that_fold_like_villages_are_not_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.locate(text) == []


def test_real_spelling_variants_still_match(gaz: Gazetteer) -> None:
    found = gaz.locate("Shelling hit Saraqeb and Idleb.")
    assert [p.evidence.text for p in found] == ["Saraqeb", "Idleb"]
    assert {p.admin1_pcode for p in found} == {"SY07"}


def test_possessive_region(gaz: Gazetteer) -> None:
    (ref,) = gaz.locate("Jets struck Idlib's southern countryside at dawn.")
    assert ref.precision == "region"
    assert ref.evidence.text == "Idlib's southern countryside"
    assert ref.admin1_pcode == "SY07"


def test_place_naming_an_organisation_is_not_a_place(gaz: Gazetteer) -> None:
    found = gaz.locate("Shelling hit Douma, the Hama Media Center said.")
    assert [p.evidence.text for p in found] == ["Douma"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Aleppo town", "city"), ("Tallbisah  town", "town"), ("Deir ez Zor airport", "city")],
)
def test_resolve_name_drops_trailing_feature_word(gaz: Gazetteer, name: str, kind: str) -> None:
    place = gaz.resolve_name(name)
    assert place is not None and place.kind == kind
