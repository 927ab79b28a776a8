"""Invented records shared by the export, import and brief tests (no real names or rows).

``build_store`` fills a store with: three public incidents (one whose place name looks like a
spreadsheet formula, one quoting a restricted person in a public source), one restricted
incident, a restricted source on a public incident, and a public reported aggregate.
"""

from __future__ import annotations

from datetime import date

from marsad.contract import claim as contract
from marsad.contract.document import NewDocument
from marsad.contract.incident import Actor, Figure, IncidentView, SourceView
from marsad.store import Store

SECRET_PERSON = "Warda Halabiyya"  # invented; stored as a restricted person
SECRET_SOURCE = "Quiet Field Monitor Seven"  # invented restricted source
SECRET_PLACE = "Tall Mukhfi"  # invented place of a restricted incident
FORMULA_PLACE = '=HYPERLINK("http://example.invalid","click")'


def _span(text: str) -> contract.Span:
    return contract.Span(0, len(text), text)


def _public_document(store: Store) -> str:
    text = (
        f"Rescuers said {SECRET_PERSON} pulled two children from the rubble in Kafr Nubl. "
        "Since 5 October more than 60 civilians were killed across Idlib."
    )
    doc = store.add_document(
        NewDocument(
            original=text.encode(),
            original_name="statement.txt",
            media_type="text/plain",
            text=text,
            source="Northwest Relief Network",
            sensitivity="public",
            published="2023-10-20",
        ),
        actor="tester",
    ).document_id
    run = store.start_run(engine="test", engine_version="0", actor="tester")
    person_at = text.index(SECRET_PERSON)
    person = contract.PersonMention(
        SECRET_PERSON,
        contract.Span(person_at, person_at + len(SECRET_PERSON), SECRET_PERSON),
        role="defender",
    )
    total_text = text[text.index("Since") :]
    aggregate = contract.Claim(
        scope="aggregate",
        event_type="air_strike",
        evidence=_span(total_text),
        date_start="2023-10-05",
        date_end="2023-10-20",
        places=[contract.PlaceRef("Idlib", "governorate", _span("Idlib"), admin1_pcode="SY07")],
        counts=[contract.Count("killed", 61, None, "over", _span("more than 60"), "civilians")],
        reported_by=[contract.OrgRef("Northwest Relief Network", _span("x"))],
    )
    incident_claim = contract.Claim(
        scope="incident", event_type="air_strike", evidence=_span(text), persons=[person]
    )
    store.replace_claims(doc, [incident_claim, aggregate], run_id=run, actor="tester")
    return doc


def make_view(
    day: date,
    place: str,
    *,
    killed: tuple[int, int | None] = (3, 3),
    sensitivity: str = "public",
    sources: list[SourceView] | None = None,
    **kw: object,
) -> IncidentView:
    figures = {
        "killed": Figure(killed[0], killed[0], killed[1], [{"document_id": "d", "low": 1}]),
        "injured": Figure(5, 6, 8),
        "killed_children": Figure(1, 1, 2),
    }
    return IncidentView(
        id=None,
        event_type=str(kw.pop("event_type", "air_strike")),
        date_start=day,
        date_end=day,
        date_precision=1,
        place_name=place,
        place_precision="exact",
        admin1="Idlib",
        admin1_pcode="SY07",
        admin2="Ariha",
        admin2_pcode="SY0703",
        admin3_pcode="SY070300",
        lat=35.81,
        lon=36.61,
        perpetrators=[Actor("sy_gov_forces", "Syrian government forces", "state_forces")],
        targets=[Actor("civilians", "Civilians", "civilians")],
        weapons=list(kw.pop("weapons", ["air_dropped_bomb"])),  # type: ignore[call-overload]
        facilities=dict(kw.pop("facilities", {"school": 1})),  # type: ignore[call-overload]
        figures=figures,
        grade="fair",
        source_count=len(sources or []),
        sources=sources or [],
        sensitivity=sensitivity,
        **kw,  # type: ignore[arg-type]
    )


def build_store(store: Store) -> dict[str, int]:
    doc = _public_document(store)
    public_source = SourceView(
        doc,
        1,
        "Northwest Relief Network",
        "Strikes on Ariha",
        "https://example.invalid/ariha",
        "2023-10-20",
        "public",
        excerpt=f"{SECRET_PERSON} said the school was hit twice.",
    )
    secret_source = SourceView(
        "f" * 64, 2, SECRET_SOURCE, "field note", None, "2023-10-07", "restricted", "seen by us"
    )
    ids = {
        "ariha": store.save_incident(
            make_view(
                date(2023, 10, 6),
                "Ariha",
                killed=(4, 7),
                sources=[public_source, secret_source],
                weapons=["cluster_munition"],
                notes=f"Analyst spoke to {SECRET_PERSON}.",
            ),
            actor="tester",
        ),
        "formula": store.save_incident(
            make_view(date(2023, 10, 8), FORMULA_PLACE, killed=(2, None), sources=[public_source]),
            actor="tester",
        ),
        "sarmin": store.save_incident(
            make_view(
                date(2023, 10, 9),
                "Sarmin",
                killed=(6, 6),
                event_type="shelling",
                facilities={"medical": 2},
                weapons=["incendiary"],
            ),
            actor="tester",
        ),
        "secret": store.save_incident(
            make_view(date(2023, 10, 7), SECRET_PLACE, killed=(9, 9), sensitivity="restricted"),
            actor="tester",
        ),
    }
    for incident_id in ids.values():  # reviewed: public exports hold only reviewed incidents
        store.confirm_incident(incident_id, actor="tester")
    return ids
