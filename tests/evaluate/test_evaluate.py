"""The evaluation harness on small invented fixtures: scoring math, mapping, file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli.evaluate import app
from marsad.contract.claim import (
    ActorRef,
    Claim,
    Count,
    DocumentMeta,
    PlaceRef,
    Span,
    WeaponRef,
    claim_from_dict,
)
from marsad.evaluate.fakes import dateline, parse_fakes_date, predict, score_fakes
from marsad.evaluate.files import EvalFileError, RowWarnings, read_csv
from marsad.evaluate.gold import align, read_gold, score_gold
from marsad.evaluate.incident import (
    civilian_and_combatant_deaths,
    count_value,
    main_incident,
    main_place,
)
from marsad.evaluate.mapping import (
    fakes_actor,
    fakes_cause,
    fakes_cause_of_article,
    fakes_governorate,
)
from marsad.evaluate.metrics import PRF, Accuracy, Confusion, CountScore, haversine_km
from marsad.evaluate.ucdp import (
    score_headlines,
    score_names_with,
    select_headline_rows,
    states_death_toll,
)
from paths import TESTS

FIXTURES = TESTS / "fixtures" / "eval"
SP = Span(0, 1, "x")


def claim(
    event_type: str = "air_strike",
    start: int = 0,
    end: int = 10,
    scope: str = "incident",
    killed: list[tuple[str, int]] | None = None,
    place: tuple[str, float, float] | None = None,
    perpetrator: tuple[str, str] | None = None,
    targets: list[str] | None = None,
    weapons: list[str] | None = None,
    dates: tuple[str, str] | None = None,
    trigger: str | None = None,
) -> Claim:
    return Claim(
        scope=scope,
        event_type=event_type,
        evidence=Span(start, end, "x" * (end - start)),
        counts=[Count("killed", n, n, "exact", SP, group=g) for g, n in killed or []],
        places=[PlaceRef("P", "exact", SP, admin1_pcode=place[0], lat=place[1], lon=place[2])]
        if place
        else [],
        perpetrators=[ActorRef(perpetrator[0], "A", perpetrator[1], SP)] if perpetrator else [],
        targets=[ActorRef(t, t, t, SP) for t in targets or []],
        weapons=[WeaponRef(w, SP) for w in weapons or []],
        date_start=dates[0] if dates else None,
        date_end=dates[1] if dates else None,
        event_type_evidence=Span(0, len(trigger), trigger) if trigger else None,
    )


class TableExtractor:
    """A stand-in engine: claims looked up by a word the text contains; records the metas."""

    def __init__(self, table: dict[str, list[Claim]]) -> None:
        self.table = table
        self.metas: list[DocumentMeta] = []

    def __call__(self, text: str, meta: DocumentMeta) -> list[Claim]:
        self.metas.append(meta)
        for key, claims in self.table.items():
            if key in text:
                return claims
        return []


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_arithmetic() -> None:
    acc = Accuracy()
    for ok in (True, False, True, True):
        acc.add(ok)
    assert acc.value == 0.75
    counts = CountScore()
    counts.add(5, 5)
    counts.add(3, 7)
    assert counts.exact_share == 0.5 and counts.mae == 2.0
    prf = PRF(tp=3, predicted=4, reference=6)
    assert prf.precision == 0.75 and prf.recall == 0.5 and prf.f1 == pytest.approx(0.6)
    assert PRF().f1 is None and Accuracy().value is None
    conf = Confusion()
    conf.add("a", "b")
    conf.add("a", "a")
    assert conf.to_dict() == {"a": {"a": 1, "b": 1}}
    # one degree of latitude is about 111 km
    assert haversine_km(35.0, 36.0, 36.0, 36.0) == pytest.approx(111.2, abs=0.3)


# --- mapping and the main-incident rule ------------------------------------------------------


def test_mapping_rules() -> None:
    assert fakes_governorate("SY07") == "idlib" and fakes_governorate("SY03") == "damascus"
    assert fakes_governorate(None) == "unknown"
    assert fakes_cause(claim("air_strike")) == "shelling"
    assert fakes_cause(claim("attack", weapons=["car_bomb"])) == "explosion"
    assert fakes_cause(claim("shelling", weapons=["chemical"])) == "chemical and toxic gases"
    assert fakes_cause(claim("attack", trigger="executed")) == "execution"
    assert fakes_cause(claim("armed_clash")) == "unknown"
    assert fakes_cause(claim("attack", weapons=["gunfire"])) == "shooting"
    assert fakes_cause(claim("suicide_bomb", weapons=["air_dropped_bomb"])) == "explosion"
    assert fakes_cause(None) == "unknown"
    assert fakes_actor(claim(perpetrator=("ru_forces", "foreign_state_forces"))).startswith(
        "syrian government"
    )
    assert fakes_actor(claim(perpetrator=("new_group", "non_state_armed_group"))) == (
        "armed opposition groups"
    )
    assert fakes_actor(claim()) == "unknown"


def test_main_incident_rules() -> None:
    quiet = claim(start=0, end=5)
    small = claim(start=10, end=20, killed=[("all", 3)])
    big = claim(start=50, end=60, killed=[("civilians", 12)])
    aggregate = claim(scope="aggregate", killed=[("all", 500)])
    claims = [big, quiet, small, aggregate]
    # lead: the first incident reporting deaths; largest: the biggest toll among incidents
    assert main_incident(claims) is small
    assert main_incident(claims, "largest") is big
    tie_a, tie_b = claim(start=30, end=40), claim(start=5, end=15)
    assert main_incident([tie_a, tie_b], "largest") is tie_b
    assert main_incident([tie_a, tie_b]) is tie_b
    assert main_incident([aggregate]) is aggregate
    assert main_incident([]) is None


def test_count_value_is_the_stated_figure() -> None:
    assert count_value(Count("killed", 34, None, "over", SP)) == 33
    assert count_value(Count("killed", 12, None, "at_least", SP)) == 12
    assert count_value(Count("killed", None, 8, "up_to", SP)) == 8


def test_civilian_and_combatant_split() -> None:
    armed = claim(killed=[("all", 20)], targets=["non_state_armed_group"])
    assert civilian_and_combatant_deaths(armed) == (0, 20)
    mixed = claim(killed=[("all", 20), ("combatants", 5)])
    assert civilian_and_combatant_deaths(mixed) == (15, 5)
    battle = claim("armed_clash", killed=[("all", 7)])
    assert civilian_and_combatant_deaths(battle) == (0, 7)
    battle_with_civilians = claim("armed_clash", killed=[("all", 7)], targets=["civilians"])
    assert civilian_and_combatant_deaths(battle_with_civilians) == (7, 0)
    explicit = claim(killed=[("all", 20), ("civilians", 9)])
    assert civilian_and_combatant_deaths(explicit) == (9, 0)
    assert civilian_and_combatant_deaths(None) == (0, 0)
    # no total: groups that are civilians by definition add up ("five women and a child")
    groups_only = claim(killed=[("women", 5), ("children", 1)])
    assert civilian_and_combatant_deaths(groups_only) == (6, 0)


def test_main_place_follows_the_majority_governorate() -> None:
    def placed(*pcodes: str) -> Claim:
        c = claim()
        c.places = [PlaceRef(f"P{k}", "exact", SP, admin1_pcode=p) for k, p in enumerate(pcodes)]
        return c

    many = placed("SY01", "SY03", "SY03")
    assert main_place(many, [many]) is many.places[1]
    tie = placed("SY01", "SY03")
    assert main_place(tie, [tie]) is tie.places[0]


def test_main_place_follows_the_conjunct_that_first_reports_deaths() -> None:
    from marsad.extract import extract

    meta = DocumentMeta(published="2016-06-01")
    roundup = "Shelling hits Talbiseh and martyrs in raids on the southern countryside of Idlib"
    claims = extract(roundup, meta)
    place = main_place(main_incident(claims), claims)
    assert place is not None and place.admin1_pcode == "SY07"
    # the first conjunct already reports the dead: it stays the main place
    toll_first = (
        "Shelling kills 4 in Talbiseh and martyrs in raids on the southern countryside of Idlib"
    )
    claims = extract(toll_first, meta)
    place = main_place(main_incident(claims), claims)
    assert place is not None and place.admin1_pcode == "SY04"


def test_generic_triggers_and_other_passages_tell_the_cause() -> None:
    # a generic "attack"-typed trigger still names the means
    assert fakes_cause(claim("attack", trigger="blast")) == "explosion"
    assert fakes_cause(claim("attack", trigger="strikes")) == "shelling"
    assert fakes_cause(claim("attack", trigger="gunmen")) == "shooting"
    # the article's other claims decide when the lead figure's sentence does not say
    lead = claim("attack", killed=[("all", 58)])
    gas = claim("chemical_weapon", start=20, end=30)
    assert fakes_cause_of_article(lead, [lead, gas]) == "chemical and toxic gases"
    assert fakes_cause_of_article(lead, [lead]) == "unknown"


# --- FA-KES ----------------------------------------------------------------------------------


def test_fakes_dates() -> None:
    assert parse_fakes_date("4/5/17").isoformat() == "2017-04-05"
    with pytest.raises(ValueError):
        parse_fakes_date("2017-04-05")
    assert str(dateline("Wed 05 Apr 2017 Title words")) == "2017-04-05"
    assert str(dateline("Posted on April 19 2017 by someone")) == "2017-04-19"
    assert str(dateline("Date of publication 7 July 2016 Text")) == "2016-07-07"
    assert dateline("No date here at all") is None


def test_score_fakes_counts_fields_and_skips_bad_rows() -> None:
    strike = claim(
        "air_strike",
        killed=[("civilians", 9), ("children", 3)],
        place=("SY07", 35.9, 36.6),
        perpetrator=("sy_gov_forces", "state_forces"),
        dates=("2017-03-03", "2017-03-03"),
    )
    # the second article's system reading is wrong on governorate and counts
    bomb = claim(
        "remote_explosive",
        killed=[("all", 5)],
        place=("SY05", 35.1, 36.7),
        weapons=["car_bomb"],
        targets=["non_state_armed_group"],
        dates=("2016-05-13", "2016-05-13"),
    )
    engine = TableExtractor({"Kafr Lusin": [strike], "Azaz": [bomb]})
    result = score_fakes(FIXTURES / "fakes_small.csv", extractor=engine)
    assert result["articles_scored"] == 2
    assert result["warnings"]["rows"] == [3, 4]
    assert "row 3" in result["warnings"]["reasons"][0]
    assert "nb_children" in result["warnings"]["reasons"][1]
    assert result["categories"]["governorate"]["accuracy"] == 0.5
    assert result["categories"]["cause"]["accuracy"] == 1.0
    assert result["categories"]["actor"]["accuracy"] == 1.0
    assert result["counts"]["noncivilians"] == {
        "exact": 1,
        "total": 2,
        "exact_match": 0.5,
        "mae": 0.5,
    }
    assert result["counts"]["civilians"]["exact_match"] == 1.0
    assert result["date"]["exact"]["accuracy"] == 0.5
    assert result["date"]["within_1_day"]["accuracy"] == 1.0
    assert result["confusion"]["governorate"]["aleppo"] == {"hama": 1}
    # the dateline became the publication date handed to the engine
    assert engine.metas[0].published == "2017-03-03" and engine.metas[1].published is None


def test_predict_with_no_claims_is_all_unknown() -> None:
    pred = predict([])
    assert (pred.governorate, pred.cause, pred.actor) == ("unknown", "unknown", "unknown")
    assert pred.counts == {"civilians": 0, "children": 0, "women": 0, "noncivilians": 0}


def test_missing_column_is_an_error_naming_file_and_column() -> None:
    with pytest.raises(EvalFileError, match=r"fakes_missing_column\.csv.*cause_of_death"):
        score_fakes(FIXTURES / "fakes_missing_column.csv", extractor=TableExtractor({}))


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("a,b\n1,2\n3,caf\xe9\n".encode("latin-1"))
    with pytest.raises(EvalFileError, match=r"latin1\.csv: not UTF-8.*line 3"):
        list(read_csv(bad, ["a"]))
    with pytest.raises(EvalFileError, match="file not found"):
        list(read_csv(tmp_path / "absent.csv", ["a"]))


def test_cli_exit_2_on_missing_column_and_json_out(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["fakes", str(FIXTURES / "fakes_missing_column.csv")])
    assert res.exit_code == 2
    assert "missing required column" in res.output
    out = tmp_path / "gold.json"
    res = runner.invoke(app, ["gold", str(FIXTURES / "gold_small.jsonl"), "--json-out", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["documents_scored"] == 1
    assert "Gold 1 documents" in res.output


# --- UCDP ------------------------------------------------------------------------------------


def test_headline_selection_and_toll_detection() -> None:
    warnings = RowWarnings("x")
    rows, steps = select_headline_rows(FIXTURES / "ucdp_small.csv", warnings)
    # row 4 has two sources, rows 2-3 share one article, row 5 is in Raqqa, row 7's date is bad
    assert steps == {
        "rows_in_file": 7,
        "northwest_admin1": 6,
        "single_source": 5,
        "article_of_one_event": 3,
        "usable": 2,
        "source_date_missing_or_placeholder": 1,
    }
    assert [r.row for r in rows] == [1, 6] and warnings.rows == [7]
    # no source_date: the event's start date stands in as the publication date
    assert rows[1].published.isoformat() == "2016-02-04"
    assert states_death_toll("Jets strike Tell Hamra killing 4")
    assert states_death_toll("Death toll rises to 40 in market blast")
    assert states_death_toll("Twelve civilians dead in shelling")
    assert not states_death_toll("Clashes in 2016 near the dam")
    assert not states_death_toll("Barrels on Kafr Tamra")


class PointLocator:
    """Finds a place in a text when it contains the given word."""

    def __init__(self, word: str) -> None:
        self.word = word

    def locate(self, text: str) -> list[PlaceRef]:
        return [PlaceRef(self.word, "exact", SP)] if self.word in text else []


def test_score_headlines_shares_of_all_and_of_place_naming_rows() -> None:
    near = claim(
        place=("SY07", 35.83, 36.62),  # about 3.6 km from the UCDP point
        killed=[("all", 4)],
        dates=("2016-02-01", "2016-02-01"),
    )
    engine = TableExtractor({"Tell Hamra": [near], "Kafr Tamra": [claim()]})
    result = score_headlines(
        FIXTURES / "ucdp_small.csv", extractor=engine, locator=PointLocator("Tell Hamra")
    )
    m = result["measures"]
    assert result["rows"] == 2 and result["rows_naming_a_place"] == 1
    assert m["place_within_10km"]["of_all_rows"] == 0.5
    assert m["place_within_10km"]["of_rows_naming_a_place"] == 1.0
    assert m["governorate_right"]["right_all"] == 1
    assert m["date_right"]["of_all_rows"] == 0.5
    assert m["toll_right"]["rows_all"] == 1 and m["toll_right"]["of_all_rows"] == 1.0


class NameTable:
    def __init__(self, table: dict[str, tuple[float, float]]) -> None:
        self.table = table

    def resolve_name(self, name: str, admin1_hint: str | None = None) -> PlaceRef | None:
        if name not in self.table:
            return None
        lat, lon = self.table[name]
        return PlaceRef(name, "exact", SP, lat=lat, lon=lon)


def test_score_names_with_distances_per_precision() -> None:
    resolver = NameTable(
        {
            "Tell Hamra village": (35.80, 36.62),  # ~1.8 km
            "Qasr Ahmar village": (35.35, 36.70),  # ~16.7 km
            "Raqqa town": (35.95, 39.01),
        }
    )
    result = score_names_with(FIXTURES / "ucdp_small.csv", resolver)
    groups = result["groups"]
    assert groups["all"]["rows"] == 6  # row 7 has where_prec 4
    assert groups["where_prec_2"] == {
        "rows": 2,
        "resolved": 0.5,
        "within_5km": 0.0,
        "within_25km": 0.5,
    }
    assert groups["where_prec_1"]["within_5km"] == pytest.approx(2 / 4)


# --- gold ------------------------------------------------------------------------------------


def test_alignment_uses_overlap_and_type() -> None:
    gold = [claim("air_strike", 0, 50), claim("shelling", 60, 100)]
    system = [claim("shelling", 55, 100), claim("air_strike", 0, 40), claim("attack", 200, 220)]
    assert align(system, gold) == [(0, 1), (1, 0)]


def test_score_gold_precision_recall_and_bad_lines() -> None:
    warnings = RowWarnings("g")
    docs = read_gold(FIXTURES / "gold_small.jsonl", warnings)
    assert len(docs) == 1 and warnings.rows == [2, 3]
    gold_claim = docs[0].claims[0]
    right = claim_from_dict(gold_claim.to_dict())
    right.counts[0].low = right.counts[0].high = 5  # wrong value, right span
    extra = claim("attack", 0, 20)
    engine = TableExtractor({"Tell Hamra": [right, extra]})
    result = score_gold(FIXTURES / "gold_small.jsonl", extractor=engine)
    assert result["claims"]["precision"] == 0.5 and result["claims"]["recall"] == 1.0
    assert result["value"]["event_type"]["tp"] == 1
    assert result["value"]["event_type"]["precision"] == 0.5
    assert result["value"]["counts"]["tp"] == 0 and result["span"]["counts"]["tp"] == 1
    assert result["value"]["dates"]["f1"] == 1.0
    assert result["value"]["places"]["f1"] == 1.0
    assert result["documents"][0]["disagreements"][0]["field"] == "counts"


def test_cli_ucdp_reports_skipped_rows_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "ucdp.json"
    res = CliRunner().invoke(
        app, ["ucdp", str(FIXTURES / "ucdp_small.csv"), "--no-names", "--json-out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "skipped 1 malformed row" in res.output and "row 7" in res.output
    assert "UCDP 2 headlines" in res.output
    result = json.loads(out.read_text())
    assert result["headlines"]["selection"]["usable"] == 2
    assert "name_only" not in result
