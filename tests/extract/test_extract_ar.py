"""The Arabic pack on the one engine: reports written for the project, read with exact spans."""

from __future__ import annotations

import time

import pytest

from marsad.contract.claim import Claim, DocumentMeta
from marsad.extract import extract, persons_in
from marsad.extract.lexicon import clitic_vocabulary
from marsad.extract.text import tokenize
from marsad.lang import load_language_pack

META = DocumentMeta(published="2023-10-06", language="ar")


def _one(text: str) -> Claim:
    claims = extract(text, META)
    assert len(claims) == 1, claims
    claim = claims[0]
    spans = [
        claim.evidence,
        *(c.evidence for c in claim.counts),
        *(p.evidence for p in claim.places),
    ]
    for span in spans:
        assert text[span.start : span.end] == span.text
    return claim


def _counts(claim: Claim) -> set[tuple[str, str, int | None, int | None]]:
    return {(c.category, c.group, c.low, c.high) for c in claim.counts}


def test_clitics_split_with_exact_offsets() -> None:
    pack = load_language_pack("ar")
    text = "وقُتل مدني بالغارات للنظام"
    tokens = tokenize(text, pack.writing, clitic_vocabulary(pack))
    pieces = [(tokens.surface(i), tokens.keys[i]) for i in range(len(tokens))]
    assert pieces[:2] == [("و", "و"), ("قُتل", "قتل")]  # marks stay in the text, not the key
    assert ("ب", "ب") in pieces and ("الغارات", "غارات") in pieces
    assert ("ل", "ل") in pieces and ("لنظام", "نظام") in pieces  # "لل": the article's alef


def test_a_civil_defence_tally() -> None:
    claim = _one(
        "وثّق الدفاع المدني السوري مقتل ١٢ مدنياً، بينهم ٥ أطفال، وإصابة ٣٠ آخرين، جراء قصف "
        "مدفعي لقوات النظام على مدينة سرمين شرقي إدلب، يوم الخميس ٥ تشرين الأول ٢٠٢٣."
    )
    assert claim.event_type == "shelling"
    assert {("killed", "civilians", 12, 12), ("killed", "children", 5, 5)} <= _counts(claim)
    assert [p.name for p in claim.places] == ["Sarmin"]
    assert [a.id for a in claim.perpetrators] == ["sy_gov_forces"]
    assert (claim.date_start, claim.date_end) == ("2023-10-05", "2023-10-05")
    assert [o.id for o in claim.reported_by] == ["white_helmets"]
    # "المدني" of the civil defence's name is no civilian killed
    assert ("killed", "civilians", 1, 1) not in _counts(claim)


def test_duals_singulars_and_relative_days() -> None:
    claim = _one(
        "استشهد طفلان وامرأة وأصيب 7 مدنيين بغارات جوية روسية استهدفت سوقاً شعبياً في مدينة "
        "أريحا مساء أمس."
    )
    assert claim.event_type == "air_strike"
    assert {("killed", "children", 2, 2), ("killed", "women", 1, 1)} <= _counts(claim)
    assert ("injured", "civilians", 7, 7) in _counts(claim)
    assert [a.id for a in claim.perpetrators] == ["ru_forces"]
    assert [f.type for f in claim.facilities] == ["market"]
    assert claim.date_start == claim.date_end == "2023-10-05"


def test_weekday_names_and_vague_tens() -> None:
    claim = _one("قتل عشرات المدنيين بالبراميل المتفجرة على بلدة كفرزيتا شمال حماة يوم الأحد.")
    assert claim.event_type == "air_strike"
    assert ("killed", "civilians", 20, None) in _counts(claim)
    assert [w.type for w in claim.weapons] == ["barrel_bomb"]
    assert [p.name for p in claim.places] == ["Kafr Zayta"]  # Hama only locates it
    assert claim.date_start == "2023-10-01"  # the Sunday before publication
    # "أحد" (one of them) is no Sunday
    other = _one("قتل أحد المدنيين بقصف على مدينة سراقب.")
    assert other.date_precision != 1


def test_persons_are_found_by_their_cues() -> None:
    text = "استشهد الطفل نادر الحمصي والسيدة ريم العكاوي جراء غارة على سراقب."
    assert {p.name for p in persons_in(text, META)} == {"نادر الحمصي", "ريم العكاوي"}
    assert {p.name for p in _one(text).persons} == {"نادر الحمصي", "ريم العكاوي"}


def test_a_common_word_is_no_village() -> None:
    claim = _one("أصيب ثلاثة مدنيين بجروح في قصف على مدينة سرمين.")
    assert [p.name for p in claim.places] == ["Sarmin"]  # not the village "Jruh" (wounds)


@pytest.mark.parametrize(
    "text",
    [
        "\ufed7\ufe98\ufede \ufea7\ufee4\ufeb4\ufe94 \ufee3\ufeaa\ufee7\ufef4\ufef4\ufee6",  # forms
        "\u202bقتل خمسة مدنيين\u202c في غارة على \u200fسراقب.",  # direction controls
        "Ù‚ØªÙ„ Ø®Ù…Ø³Ø© Ù…Ø¯Ù†ÙŠÙŠÙ†",  # UTF-8 read as Latin-1
    ],
)
def test_bad_arabic_input_gives_exact_spans(text: str) -> None:
    for claim in extract(text, META):
        for count in claim.counts:
            assert text[count.evidence.start : count.evidence.end] == count.evidence.text


def test_presentation_forms_read_as_letters() -> None:
    text = "\ufed7\ufe98\ufede \ufea7\ufee4\ufeb4\ufe94 \ufee3\ufeaa\ufee7\ufef4\ufef4\ufee6"
    (claim,) = extract(text, META)
    assert ("killed", "civilians", 5, 5) in _counts(claim)


def test_a_long_arabic_line_does_not_hang() -> None:
    text = "قتل مدني في سراقب، " * 5000  # one 95,000-character line
    started = time.perf_counter()
    claims = extract(text, META)
    assert claims and time.perf_counter() - started < 60  # a hang guard, not a speed goal
