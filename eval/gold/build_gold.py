"""Build ``eval/gold/gold.jsonl`` from the hand-written YAML sources in ``eval/gold/source/``.

Why a build step: annotators write evidence as the words themselves ("seven civilians"), which a
person can check by reading, and this script turns them into the character offsets the scorer
needs. Computing offsets by hand is error-prone; computing them here means ``gold.jsonl`` is never
edited by hand and can always be regenerated (``tests/evaluate/test_gold_set.py`` checks it is).

The script fails loudly, naming the report id and the field, when an evidence substring is not in
the text, a value is outside the schema vocabularies (``marsad.contract.claim``), an actor or
organisation id is not in the English language pack, or report ids repeat.

Usage::

    python eval/gold/build_gold.py            # write eval/gold/gold.jsonl
    python eval/gold/build_gold.py --check    # exit 1 if gold.jsonl is out of date
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from marsad.contract import claim as contract

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCE_DIR = HERE / "source"
GOLD_PATH = HERE / "gold.jsonl"
LANG_DIR = ROOT / "src" / "marsad" / "lang" / "en"

STYLES: tuple[str, ...] = (
    "ngo_statement",
    "civil_defence_tally",
    "wire_news",
    "local_news",
    "social_post",
    "multi_incident",
    "background_numbers",
)
PERSON_ROLES: tuple[str, ...] = (
    "victim",
    "witness",
    "activist",
    "defender",
    "official",
    "journalist",
    "unknown",
)
PLACE_KINDS: tuple[str, ...] = (
    "city",
    "town",
    "village",
    "neighbourhood",
    "admin1",
    "admin2",
    "admin3",
    "region",
)
ID_RE = re.compile(r"^[a-z]+(-[a-z0-9_]+)+$")
OCCURRENCE_RE = re.compile(r"^(?P<text>.*)@(?P<n>[1-9][0-9]*)$", re.DOTALL)

REPORT_KEYS = {"id", "style", "published", "text", "claims"}
CLAIM_KEYS = {
    "scope",
    "event_type",
    "evidence",
    "event_type_evidence",
    "date",
    "places",
    "perpetrators",
    "targets",
    "weapons",
    "facilities",
    "counts",
    "reported_by",
    "persons",
    "confidence",
}
DATE_KEYS = {"start", "end", "precision", "evidence"}
PLACE_KEYS = {
    "name",
    "precision",
    "evidence",
    "gazetteer_id",
    "kind",
    "admin1",
    "admin1_pcode",
    "admin2",
    "admin2_pcode",
    "admin3",
    "admin3_pcode",
    "lat",
    "lon",
}
COUNT_KEYS = {
    "category",
    "group",
    "low",
    "high",
    "qualifier",
    "evidence",
    "derived",
    "part_of",
    "perpetrator",
}


class GoldError(ValueError):
    """A source report that cannot become a gold document; the message names the report."""


def _load_pack_ids(name: str, list_key: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((LANG_DIR / name).read_text(encoding="utf-8"))
    return {str(entry["id"]): entry for entry in data[list_key]}


ACTORS = _load_pack_ids("actors.yaml", "actors")
ORGS = _load_pack_ids("orgs.yaml", "organisations")


class _Report:
    """Validation context for one report: its id (for messages) and its text (for spans)."""

    def __init__(self, rid: str, text: str) -> None:
        self.rid = rid
        self.text = text

    def fail(self, where: str, message: str) -> GoldError:
        return GoldError(f"report {self.rid!r}, {where}: {message}")

    def keys(self, obj: Any, allowed: set[str], required: Iterable[str], where: str) -> None:
        if not isinstance(obj, dict):
            raise self.fail(where, f"expected a mapping, got {type(obj).__name__}")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        missing = [k for k in required if obj.get(k) is None]
        if missing:
            raise self.fail(where, f"missing key(s) {', '.join(missing)}")

    def vocab(self, value: Any, allowed: Iterable[str], where: str) -> str:
        allowed = tuple(allowed)
        if value not in allowed:
            raise self.fail(where, f"{value!r} is not one of {', '.join(allowed)}")
        return str(value)

    def span(self, spec: Any, where: str) -> contract.Span:
        """Resolve an evidence substring (``"words"`` or ``"words@N"``) to offsets."""
        if not isinstance(spec, str) or not spec:
            raise self.fail(where, f"evidence must be a non-empty string, got {spec!r}")
        wanted, occurrence = spec, 1
        match = OCCURRENCE_RE.match(spec)
        if match and match.group("text"):
            wanted, occurrence = match.group("text"), int(match.group("n"))
        start = -1
        for _ in range(occurrence):
            start = self.text.find(wanted, start + 1)
            if start < 0:
                found = self.text.count(wanted)
                raise self.fail(
                    where,
                    f"evidence {wanted!r} occurrence {occurrence} not in text "
                    f"(found {found} time(s))",
                )
        return contract.Span(start, start + len(wanted), wanted)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


def _list(r: _Report, obj: dict[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise r.fail(f"{where}.{key}", "expected a list")
    return value


def _actor(r: _Report, item: Any, where: str) -> contract.ActorRef:
    r.keys(item, {"id", "evidence"}, ("id", "evidence"), where)
    entry = ACTORS.get(item["id"])
    if entry is None:
        raise r.fail(where, f"actor id {item['id']!r} is not in lang/en/actors.yaml")
    return contract.ActorRef(
        id=str(item["id"]),
        name=str(entry["name"]),
        type=str(entry["type"]),
        evidence=r.span(item["evidence"], where),
    )


def _claim(r: _Report, c: Any, where: str) -> contract.Claim:
    r.keys(c, CLAIM_KEYS, ("scope", "event_type", "evidence"), where)
    event_type = r.vocab(c["event_type"], contract.EVENT_TYPES, f"{where}.event_type")
    claim = contract.Claim(
        scope=r.vocab(c["scope"], ("incident", "aggregate"), f"{where}.scope"),
        event_type=event_type,
        evidence=r.span(c["evidence"], f"{where}.evidence"),
        acled_sub_event_type=contract.ACLED_SUB_EVENT_TYPES.get(event_type),
    )
    if c.get("event_type_evidence") is not None:
        claim.event_type_evidence = r.span(c["event_type_evidence"], f"{where}.event_type_evidence")
    if c.get("confidence") is not None:
        claim.confidence = float(c["confidence"])

    date = c.get("date")
    if date is not None:
        w = f"{where}.date"
        r.keys(date, DATE_KEYS, ("start", "precision"), w)
        try:
            start = _iso(date["start"])
            end = _iso(date.get("end")) or start
        except ValueError as exc:
            raise r.fail(w, f"bad ISO date ({exc})") from exc
        assert start is not None and end is not None
        if end < start:
            raise r.fail(w, f"end {end} is before start {start}")
        precision = date["precision"]
        if not isinstance(precision, int) or not 1 <= precision <= 5:
            raise r.fail(w, f"precision must be an integer 1..5, got {precision!r}")
        claim.date_start, claim.date_end, claim.date_precision = start, end, precision
        if date.get("evidence") is not None:
            claim.date_evidence = r.span(date["evidence"], w)

    for i, p in enumerate(_list(r, c, "places", where)):
        w = f"{where}.places[{i}]"
        r.keys(p, PLACE_KEYS, ("name", "precision", "evidence"), w)
        if p.get("kind") is not None:
            r.vocab(p["kind"], PLACE_KINDS, f"{w}.kind")
        extra = {k: v for k, v in p.items() if k not in {"name", "precision", "evidence"}}
        claim.places.append(
            contract.PlaceRef(
                name=str(p["name"]),
                precision=r.vocab(p["precision"], contract.PLACE_PRECISIONS, f"{w}.precision"),
                evidence=r.span(p["evidence"], w),
                **extra,
            )
        )
    for key in ("perpetrators", "targets"):
        refs = [_actor(r, a, f"{where}.{key}[{i}]") for i, a in enumerate(_list(r, c, key, where))]
        getattr(claim, key).extend(refs)
    for i, wpn in enumerate(_list(r, c, "weapons", where)):
        w = f"{where}.weapons[{i}]"
        r.keys(wpn, {"type", "evidence"}, ("type", "evidence"), w)
        claim.weapons.append(
            contract.WeaponRef(
                type=r.vocab(wpn["type"], contract.WEAPONS, f"{w}.type"),
                evidence=r.span(wpn["evidence"], w),
            )
        )
    for i, f in enumerate(_list(r, c, "facilities", where)):
        w = f"{where}.facilities[{i}]"
        r.keys(f, {"type", "evidence", "count"}, ("type", "evidence"), w)
        claim.facilities.append(
            contract.FacilityRef(
                type=r.vocab(f["type"], contract.FACILITY_TYPES, f"{w}.type"),
                evidence=r.span(f["evidence"], w),
                count=f.get("count"),
            )
        )
    counts = _list(r, c, "counts", where)
    for i, n in enumerate(counts):
        w = f"{where}.counts[{i}]"
        r.keys(n, COUNT_KEYS, ("category", "qualifier", "evidence"), w)
        low, high = n.get("low"), n.get("high")
        for name, value in (("low", low), ("high", high)):
            if value is not None and (not isinstance(value, int) or value < 0):
                raise r.fail(w, f"{name} must be a non-negative integer or null, got {value!r}")
        if low is None and high is None:
            raise r.fail(w, "low and high cannot both be null")
        if low is not None and high is not None and high < low:
            raise r.fail(w, f"high {high} is below low {low}")
        part_of = n.get("part_of")
        if part_of is not None and (
            not isinstance(part_of, int) or not 0 <= part_of < len(counts) or part_of == i
        ):
            raise r.fail(w, f"part_of {part_of!r} is not the index of another count")
        perpetrator = n.get("perpetrator")
        if perpetrator is not None and perpetrator not in ACTORS:
            raise r.fail(w, f"perpetrator {perpetrator!r} is not in lang/en/actors.yaml")
        claim.counts.append(
            contract.Count(
                category=r.vocab(n["category"], contract.COUNT_CATEGORIES, f"{w}.category"),
                low=low,
                high=high,
                qualifier=r.vocab(n["qualifier"], contract.QUALIFIERS, f"{w}.qualifier"),
                evidence=r.span(n["evidence"], w),
                group=r.vocab(n.get("group", "all"), contract.VICTIM_GROUPS, f"{w}.group"),
                derived=bool(n.get("derived", False)),
                part_of=part_of,
                perpetrator=perpetrator,
            )
        )
    for i, o in enumerate(_list(r, c, "reported_by", where)):
        w = f"{where}.reported_by[{i}]"
        r.keys(o, {"id", "name", "evidence"}, ("evidence",), w)
        oid = o.get("id")
        if oid is not None and oid not in ORGS:
            raise r.fail(w, f"organisation id {oid!r} is not in lang/en/orgs.yaml")
        org_name = o.get("name") or (ORGS[oid]["name"] if oid else None)
        if not org_name:
            raise r.fail(w, "an organisation needs an id or a name")
        claim.reported_by.append(
            contract.OrgRef(name=str(org_name), evidence=r.span(o["evidence"], w), id=oid)
        )
    for i, p in enumerate(_list(r, c, "persons", where)):
        w = f"{where}.persons[{i}]"
        r.keys(p, {"name", "role", "evidence"}, ("name", "evidence"), w)
        claim.persons.append(
            contract.PersonMention(
                name=str(p["name"]),
                evidence=r.span(p["evidence"], w),
                role=r.vocab(p.get("role", "unknown"), PERSON_ROLES, f"{w}.role"),
            )
        )
    return claim


def build_report(raw: Any, origin: str) -> dict[str, Any]:
    """One source report -> one gold document (``claims`` in ``Claim.to_dict()`` shape)."""
    rid = str(raw.get("id")) if isinstance(raw, dict) else f"<{origin}>"
    if not isinstance(raw, dict):
        raise GoldError(f"report {rid}: expected a mapping")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GoldError(f"report {rid!r} ({origin}): missing text")
    r = _Report(rid, text)
    r.keys(raw, REPORT_KEYS, ("id", "style", "text"), origin)
    if not ID_RE.match(rid):
        raise r.fail("id", "ids look like 'a-wire-001' (prefix, style, number)")
    try:
        published = _iso(raw.get("published"))
    except ValueError as exc:
        raise r.fail("published", f"bad ISO date ({exc})") from exc
    claims = raw.get("claims")
    if not isinstance(claims, list):
        raise r.fail("claims", "expected a list ([] when the report makes no claim)")
    dicts: list[dict[str, Any]] = []
    for i, c in enumerate(claims):
        claim = _claim(r, c, f"claims[{i}]")
        d = claim.to_dict()
        # The scorer reads gold through claim_from_dict: refuse anything that would not survive it.
        if contract.claim_from_dict(d) != claim:
            raise r.fail(f"claims[{i}]", "claim does not round-trip through claim_from_dict")
        dicts.append(d)
    return {
        "id": rid,
        "text": text,
        "published": published,
        "style": r.vocab(raw.get("style"), STYLES, "style"),
        "claims": dicts,
    }


def build(source_dir: Path = SOURCE_DIR) -> list[dict[str, Any]]:
    """All reports of every ``*.yaml`` in ``source_dir``, validated, sorted by id."""
    docs: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in sorted(source_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise GoldError(f"{path.name}: expected a YAML list of reports")
        for n, raw in enumerate(data):
            doc = build_report(raw, f"{path.name} item {n}")
            if doc["id"] in seen:
                first = seen[doc["id"]]
                raise GoldError(f"report {doc['id']!r}: id repeats ({first}, {path.name})")
            seen[doc["id"]] = path.name
            docs.append(doc)
    return sorted(docs, key=lambda d: d["id"])


def render(docs: list[dict[str, Any]]) -> str:
    """JSON Lines text, one document per line (stable, so the file can be checked for drift)."""
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE_DIR)
    parser.add_argument("--out", type=Path, default=GOLD_PATH)
    parser.add_argument("--check", action="store_true", help="fail if --out is out of date")
    args = parser.parse_args(argv)
    try:
        docs = build(args.source)
    except GoldError as exc:
        print(f"build_gold: {exc}", file=sys.stderr)
        return 2
    text = render(docs)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"build_gold: {args.out} is out of date; rerun build_gold.py", file=sys.stderr)
            return 1
        print(f"build_gold: {args.out} is up to date ({len(docs)} reports)")
        return 0
    args.out.write_text(text, encoding="utf-8")
    claims = sum(len(d["claims"]) for d in docs)
    print(f"build_gold: wrote {len(docs)} reports, {claims} claims to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
