"""``marsad eval syrianarchive-ar | arabic-events | investigations`` on small invented files.

The scoring is checked with stand-in engines whose answers are known, so these tests pass
before the Arabic language pack exists and do not move with its quality; a stand-in that raises
``LanguagePackError`` plays the missing pack. One test runs the real engine on English rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli.evaluate import app
from marsad.contract.claim import EVENT_TYPES, Claim, Count, DocumentMeta, PlaceRef, Span, WeaponRef
from marsad.evaluate.arabic_archive import governorate_label, score_arabic_archive
from marsad.evaluate.arabic_events import (
    ASSAULT_EVENT_TYPES,
    PROTEST_EVENT_TYPES,
    score_arabic_events,
)
from marsad.evaluate.files import EvalFileError
from marsad.evaluate.investigations import score_investigations
from marsad.evaluate.markdown_text import read_markdown
from marsad.evaluate.report import summary_line, tables_for
from marsad.lang import LanguagePackError
from paths import TESTS

DATA = TESTS / "data" / "eval_ar"
SP = Span(0, 1, "x")


def claim(
    event_type: str = "air_strike",
    pcode: str | None = None,
    point: tuple[float, float] | None = None,
    place_id: str | None = None,
    weapons: tuple[str, ...] = (),
    dates: tuple[str, str] | None = None,
    killed: int | None = None,
) -> Claim:
    places = []
    if pcode or point or place_id:
        lat, lon = point or (None, None)
        places = [
            PlaceRef("P", "exact", SP, gazetteer_id=place_id, admin1_pcode=pcode, lat=lat, lon=lon)
        ]
    counts = [Count("killed", killed, killed, "exact", SP)] if killed is not None else []
    return Claim(
        scope="incident",
        event_type=event_type,
        evidence=SP,
        places=places,
        weapons=[WeaponRef(w, SP) for w in weapons],
        counts=counts,
        date_start=dates[0] if dates else None,
        date_end=dates[1] if dates else None,
    )


class FakeEngine:
    """The claims listed for the first key word the text contains; a text with a word of
    ``refuse`` raises LanguagePackError as ``extract`` does for a language without a pack."""

    def __init__(self, table: dict[str, list[Claim]], refuse: tuple[str, ...] = ()) -> None:
        self.table = table
        self.refuse = refuse
        self.calls: list[tuple[str, DocumentMeta]] = []

    def __call__(self, text: str, meta: DocumentMeta) -> list[Claim]:
        self.calls.append((text, meta))
        if any(word in text for word in self.refuse):
            raise LanguagePackError(f"no language pack for {meta.language!r}")
        return next((claims for key, claims in self.table.items() if key in text), [])


def no_pack_for_arabic(text: str, meta: DocumentMeta) -> list[Claim]:
    raise LanguagePackError("no language pack for 'ar'")


# --- Syrian Archive summaries --------------------------------------------------------------


ARCHIVE_ENGINE = {
    # Arabic: right on every measure, wrong on every measure, a far place, refused
    "سراقب": [claim("chemical_weapon", "SY07", (35.87, 36.80), None, ("chemical",),
                    ("2018-02-04", "2018-02-04"))],
    "كفر نايا": [claim("shelling", "SY05", None, None, (), ("2016-09-20", "2016-09-20"))],
    "اللطامنة": [claim("shelling", "SY05", (36.2, 37.1), None, ("rocket",),
                       ("2015-04-20", "2015-04-30"))],
    # English: right wherever a measure applies
    "Saraqib": [claim("chemical_weapon", "SY07", (35.86, 36.80), None, ("chemical",),
                      ("2018-02-04", "2018-02-04"))],
    "Kafr Naya": [claim("chemical_weapon", "SY02", None, None, ("chemical",),
                        ("2016-09-16", "2016-09-16"))],
    "Latamneh": [claim("shelling", "SY05", (35.32, 36.62), None, ("rocket",),
                       ("2015-04-26", "2015-04-26"))],
}  # fmt: skip


def test_arabic_governorates_map_to_the_english_scorers_labels() -> None:
    assert governorate_label("ادلب : سراقب") == "idlib"
    assert governorate_label("إدلب : سراقب") == "idlib"
    assert governorate_label("حلب : كفر نايا") == "aleppo"
    assert governorate_label("ريف دمشق : دوما") == "damascus"  # one label, as in FA-KES
    assert governorate_label("Hama : Latamneh") == "hama"
    assert governorate_label("") == "unknown"


def test_archive_scores_each_language_on_the_same_records() -> None:
    engine = FakeEngine(ARCHIVE_ENGINE, refuse=("تسجيلات",))
    result = score_arabic_archive(DATA / "incidents.jsonl", extractor=engine)
    assert result["records_scored"] == 4
    assert result["warnings"]["rows"] == [5]  # no Arabic text at all
    ar, en = result["languages"]["ar"], result["languages"]["en"]
    assert ar["no_claim"] == {"rows": 1, "share": 0.25}
    assert ar["no_language_pack"] == {"rows": 1, "share": 0.25}
    assert ar["governorate"] == {"correct": 2, "total": 3, "accuracy": pytest.approx(2 / 3)}
    assert ar["place_within_10km"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert ar["date_right"] == {"correct": 2, "total": 3, "accuracy": pytest.approx(2 / 3)}
    # the rocket-launcher label has no Marsad weapon: two records with a mapped label
    assert ar["weapons"]["main_claim"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert ar["weapons"]["unmapped_labels"] == {"Rockets launchers": 1}
    assert en["no_claim"]["rows"] == 1 and en["no_language_pack"]["rows"] == 0
    for key in ("governorate", "place_within_10km", "date_right"):
        assert en[key]["accuracy"] == 1.0, key
    assert en["weapons"]["main_claim"]["accuracy"] == 1.0
    assert result["extraction_errors"] == 0  # a missing pack is not an engine failure


def test_archive_documents_are_title_and_summary_without_publication_date() -> None:
    engine = FakeEngine(ARCHIVE_ENGINE)
    score_arabic_archive(DATA / "incidents.jsonl", extractor=engine)
    texts: dict[str, list[str]] = {"ar": [], "en": []}
    for text, meta in engine.calls:
        texts[meta.language].append(text)
        assert meta.published is None
    assert texts["ar"][0].startswith("هجوم بغاز الكلور على سراقب\n")
    assert texts["ar"][3] == "قصف صاروخي على اللطامنة"  # a title alone is a document
    assert texts["en"][0].startswith("Chlorine attack on Saraqib\n")


def test_archive_examples_name_the_language_and_the_miss() -> None:
    engine = FakeEngine(ARCHIVE_ENGINE, refuse=("تسجيلات",))
    result = score_arabic_archive(DATA / "incidents.jsonl", extractor=engine, examples=3)
    arabic = [e for e in result["examples"] if e["language"] == "ar"]
    assert [e["code"] for e in arabic] == ["INV002", "INV003", "INV004"]
    assert any(f.startswith("governorate hama for aleppo") for f in arabic[0]["failures"])
    assert arabic[1]["failures"] == ["no language pack"]
    assert any(f.startswith("main place") for f in arabic[2]["failures"])


def test_archive_with_the_real_engine_on_english_rows() -> None:
    result = score_arabic_archive(DATA / "incidents.jsonl", extractor=None)
    english = {o["url"]: o for o in result["outcomes"] if o["language"] == "en"}
    first = english["INV001"]
    assert first["governorate_right"] is True
    assert first["place_within_10km"] is True
    assert first["weapon_right"] is True


# --- assault and protest sentences -----------------------------------------------------------


EVENTS_ENGINE = {
    "قصف الطيران": [claim("air_strike")],
    "قتل مسلحون": [claim("attack")],
    "اعتقال": [claim("arrest")],
    "مظاهرة": [claim("peaceful_protest")],
}


def test_event_type_sets_are_marsad_types_and_keep_arrests_and_threats_out() -> None:
    assert set(EVENT_TYPES) >= ASSAULT_EVENT_TYPES
    assert set(EVENT_TYPES) >= PROTEST_EVENT_TYPES
    assert not {"arrest", "threat", "peaceful_protest"} & ASSAULT_EVENT_TYPES
    assert "armed_clash" in ASSAULT_EVENT_TYPES and "air_strike" in ASSAULT_EVENT_TYPES


def test_events_precision_recall_f1_over_yes_and_no_sentences() -> None:
    result = score_arabic_events([DATA], extractor=FakeEngine(EVENTS_ENGINE))
    assault, protest = result["sets"]["assault"], result["sets"]["protest"]
    # assault: two yes found, the arrest is no assault, the figurative "bombing" is a false yes
    assert (assault["tp"], assault["predicted"], assault["reference"]) == (2, 3, 2)
    assert assault["precision"] == pytest.approx(2 / 3)
    assert assault["recall"] == 1.0
    assert assault["f1"] == pytest.approx(0.8)
    assert assault["rows"] == 6 and assault["rows_scored"] == 5  # the ambiguous one left out
    assert assault["per_label"]["ambiguous"] == {"rows": 1, "said_yes": 1}
    assert assault["per_label"]["easy no"] == {"rows": 2, "said_yes": 1}
    # protest: the sit-in has no key word, so one yes of two is found
    assert (protest["tp"], protest["predicted"], protest["reference"]) == (1, 1, 2)
    assert protest["f1"] == pytest.approx(2 / 3)


def test_events_without_a_pack_score_f1_zero_and_count_the_refusals() -> None:
    result = score_arabic_events(
        [DATA / "assault_gsr.csv", DATA / "protest_gsr.csv"], extractor=no_pack_for_arabic
    )
    for s in result["sets"].values():
        assert s["tp"] == s["predicted"] == 0
        assert s["recall"] == 0.0 and s["precision"] is None and s["f1"] == 0.0
        assert s["no_language_pack"]["rows"] == s["rows"]
    assert result["extraction_errors"] == 0  # a missing pack is not an engine failure
    assert all("(no language pack)" in line for line in _event_example_lines(result))


def _event_example_lines(result: dict[str, object]) -> list[str]:
    from marsad.evaluate.arabic_events import example_lines

    examples = result["examples"]
    assert isinstance(examples, list) and examples
    return example_lines(examples)


def test_events_refuse_a_file_mixing_event_types(tmp_path: Path) -> None:
    text = (DATA / "protest_gsr.csv").read_text("utf-8")
    mixed = tmp_path / "mixed_gsr.csv"
    mixed.write_text(text.replace("PROTEST", "ASSAULT", 1), "utf-8")
    with pytest.raises(EvalFileError, match="one file per event type"):
        score_arabic_events([mixed], extractor=FakeEngine({}))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EvalFileError, match="no assault or protest file"):
        score_arabic_events([empty], extractor=FakeEngine({}))


# --- investigations ----------------------------------------------------------------------------


INVESTIGATION_ENGINE = {
    # the market: the same strike, two gazetteer ids some 5.6 km apart, the same toll
    "الفردوس": [claim("air_strike", "SY07", (35.0, 36.0), "A", killed=7)],
    "al-Firdaws": [claim("air_strike", "SY07", (35.05, 36.0), "B", killed=7)],
    # the hospital: the same place, tolls that differ
    "مستشفى": [claim("shelling", "SY07", place_id="H", killed=3)],
    "hospital": [claim("shelling", "SY07", place_id="H", killed=4)],
}


def test_markdown_reduced_to_the_words_a_reader_sees() -> None:
    record = json.loads((DATA / "investigations.jsonl").read_text("utf-8").splitlines()[0])
    doc = read_markdown(record["text_en"])
    assert doc.meta["title"] == "Air strike on the market of al-Firdaws"
    for markup in ("https://", "**", "##", "market-1.png", "](", "*This"):
        assert markup not in doc.text, markup
    assert "killing seven civilians according to the civil defence." in doc.text
    assert doc.text.splitlines()[0] == "What happened?"


def test_investigations_agreement_per_measure() -> None:
    engine = FakeEngine(INVESTIGATION_ENGINE)
    result = score_investigations(DATA / "investigations.jsonl", extractor=engine)
    assert result["pairs"] == 2 and result["records_without_english"] == 1
    assert result["pairs_with_claims_on_both_sides"] == 2
    agreement = {m: a["agree"] for m, a in result["agreement"].items()}
    assert agreement == {"event_type": 2, "place": 2, "toll": 1, "all_three": 1}
    assert result["agreement"]["toll"]["of_pairs"] == 0.5
    assert [e["path"] for e in result["examples"]] == ["investigations/hospital_ar.md"]
    languages_and_days = {(m.language, m.published) for _, m in engine.calls}
    assert languages_and_days == {("ar", "2019-03-12"), ("en", "2019-03-12"),
                                  ("ar", "2018-06-01"), ("en", "2018-06-01")}  # fmt: skip


def test_investigations_without_an_arabic_pack_agree_on_nothing() -> None:
    engine = FakeEngine(INVESTIGATION_ENGINE, refuse=("قصف", "قصفت"))
    result = score_investigations(DATA / "investigations.jsonl", extractor=engine)
    assert result["no_language_pack"] == {"ar": 2, "en": 0}
    assert result["pairs_with_claims_on_both_sides"] == 0
    assert all(a["agree"] == 0 for a in result["agreement"].values())
    assert result["agreement"]["toll"]["of_pairs_with_claims"] is None
    assert result["extraction_errors"] == 0


# --- presentation and the command line ---------------------------------------------------------


def test_every_arabic_result_has_tables_and_a_summary_line() -> None:
    results = [
        score_arabic_archive(DATA / "incidents.jsonl", extractor=FakeEngine(ARCHIVE_ENGINE)),
        score_arabic_events([DATA], extractor=FakeEngine(EVENTS_ENGINE)),
        score_investigations(DATA / "investigations.jsonl", extractor=FakeEngine({})),
    ]
    for result in results:
        tables = tables_for(result)
        assert tables and all(t.rows for t in tables)
        assert summary_line(result)
    head = tables_for(results[0])[0]
    assert head.columns[1] == "Arabic" and head.columns[3] == "English"


@pytest.mark.parametrize(
    ("command", "args", "key"),
    [
        ("syrianarchive-ar", ["incidents.jsonl"], "languages"),
        ("arabic-events", ["assault_gsr.csv", "protest_gsr.csv"], "sets"),
        ("investigations", ["investigations.jsonl"], "agreement"),
    ],
)
def test_commands_print_tables_and_write_json(
    tmp_path: Path, command: str, args: list[str], key: str
) -> None:
    out = tmp_path / "result.json"
    files = [str(DATA / a) for a in args]
    result = CliRunner().invoke(app, [command, *files, "--json", str(out), "--examples", "2"])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text("utf-8"))
    assert key in written and written["outcomes"]
    assert len(written["examples"]) <= 2 * (2 if command != "investigations" else 1)


def test_commands_exit_2_on_a_missing_file(tmp_path: Path) -> None:
    for command in ("syrianarchive-ar", "arabic-events", "investigations"):
        result = CliRunner().invoke(app, [command, str(tmp_path / "absent.jsonl")])
        assert result.exit_code == 2, command
        assert "file not found" in result.output
