"""A small store for the web tests (documents, claims, persons, incidents at every sensitivity,
three accounts), and tests of the store methods the web application adds: accounts, review,
counts and redaction. All texts and names here are invented for the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from marsad.contract import claim as contract
from marsad.contract.document import NewDocument
from marsad.contract.incident import Actor, Figure, IncidentFilter, IncidentView, SourceView
from marsad.store import Store

PASSWORD = "correct-horse-1"
USERS = {"viewer": "lina_viewer", "analyst": "omar_analyst", "admin": "rima_admin"}
PROTECTED_PERSON = "Zeinab Qudsiyya"  # named in a public document; the person is restricted
RESTRICTED_PERSON = "Haddad Marwani"  # named in a restricted document
RESTRICTED_PLACE = "Wadi Hidden Orchard"  # the place of the restricted incident
INTERNAL_PLACE = "Tell Internal Grove"  # the place of the internal incident
# strings a viewer (public clearance) must never receive
HIDDEN_FROM_VIEWER = (PROTECTED_PERSON, RESTRICTED_PERSON, RESTRICTED_PLACE, INTERNAL_PLACE)

PUBLIC_TEXT = (
    "Marsad test bulletin.\n"
    "On 12 March 2024 warplanes struck the vegetable market in Maarrat Misrin, killing 7 "
    "civilians, 2 of them children, and wounding 15. "
    f"A volunteer, {PROTECTED_PERSON}, said rescuers searched the rubble until dawn.\n"
)
RESTRICTED_TEXT = (
    f"Field note. On 14 March 2024 gunmen seized three activists at {RESTRICTED_PLACE}; "
    f"{RESTRICTED_PERSON} was among those taken.\n"
)


def span(text: str, needle: str, occurrence: int = 0) -> contract.Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return contract.Span(start, start + len(needle), needle)


@dataclass
class Seeded:
    public_doc: str
    restricted_doc: str
    public_incident: int
    internal_incident: int
    restricted_incident: int
    public_claim: int
    restricted_claim: int


def seed(store: Store) -> Seeded:
    for role, name in USERS.items():
        store.add_user(name, PASSWORD, role, actor="test-setup")
    pub = store.add_document(
        NewDocument(
            original=PUBLIC_TEXT.encode(),
            original_name="bulletin.txt",
            media_type="text/plain",
            text=PUBLIC_TEXT,
            title="Market strike bulletin",
            source="Test Monitor",
            published="2024-03-12",
            language="en",
            sensitivity="public",
        ),
        actor="test-setup",
    ).document_id
    res = store.add_document(
        NewDocument(
            original=RESTRICTED_TEXT.encode(),
            original_name="field-note.txt",
            media_type="text/plain",
            text=RESTRICTED_TEXT,
            title="Field note",
            source="Field Network",
            published="2024-03-14",
            language="en",
            sensitivity="restricted",
        ),
        actor="test-setup",
    ).document_id
    run = store.start_run(engine="test", engine_version="0", actor="test-setup")
    sentence = PUBLIC_TEXT[PUBLIC_TEXT.index("On 12") : PUBLIC_TEXT.index("15.") + 3]
    pub_claim = contract.Claim(
        scope="incident",
        event_type="air_strike",
        evidence=span(PUBLIC_TEXT, sentence),
        date_start="2024-03-12",
        date_end="2024-03-12",
        date_precision=1,
        date_evidence=span(PUBLIC_TEXT, "12 March 2024"),
        places=[
            contract.PlaceRef(
                "Maarrat Misrin",
                "exact",
                span(PUBLIC_TEXT, "Maarrat Misrin"),
                admin1="Idleb",
                admin1_pcode="SY07",
            )
        ],
        counts=[
            contract.Count("killed", 7, 7, "exact", span(PUBLIC_TEXT, "7"), group="civilians"),
            contract.Count("injured", 15, 15, "exact", span(PUBLIC_TEXT, "15")),
        ],
        persons=[contract.PersonMention(PROTECTED_PERSON, span(PUBLIC_TEXT, PROTECTED_PERSON))],
    )
    (pub_claim_id,) = store.replace_claims(pub, [pub_claim], run_id=run, actor="test-setup")
    res_claim = contract.Claim(
        scope="incident",
        event_type="abduction",
        evidence=span(RESTRICTED_TEXT, RESTRICTED_TEXT.strip()[12:]),
        date_start="2024-03-14",
        persons=[
            contract.PersonMention(RESTRICTED_PERSON, span(RESTRICTED_TEXT, RESTRICTED_PERSON))
        ],
    )
    (res_claim_id,) = store.replace_claims(res, [res_claim], run_id=run, actor="test-setup")

    public_incident = store.save_incident(
        IncidentView(
            id=None,
            event_type="air_strike",
            date_start=date(2024, 3, 12),
            date_end=date(2024, 3, 12),
            date_precision=1,
            place_name="Maarrat Misrin",
            place_precision="exact",
            admin1="Idleb",
            admin1_pcode="SY07",
            admin2_pcode="SY0700",
            admin3_pcode="SY070000",
            lat=36.01,
            lon=36.67,
            perpetrators=[Actor("unknown_aircraft", "Unidentified aircraft", "unknown")],
            weapons=["air_dropped_bomb"],
            facilities={"market": 1},
            figures={
                "killed": Figure(
                    7,
                    7,
                    9,
                    [
                        {
                            "document_id": pub,
                            "claim_id": pub_claim_id,
                            "source": "Test Monitor",
                            "low": 7,
                            "high": 7,
                        }
                    ],
                ),
                "injured": Figure(15, 15, 15, []),
            },
            grade="weak",
            source_count=1,
            independent_source_count=1,
            sources=[
                SourceView(
                    pub,
                    pub_claim_id,
                    "Test Monitor",
                    "Market strike bulletin",
                    None,
                    "2024-03-12",
                    "public",
                    PUBLIC_TEXT.strip(),
                ),
            ],
            sensitivity="public",
        ),
        [pub_claim_id],
        actor="test-setup",
    )
    internal_incident = store.save_incident(
        IncidentView(
            id=None,
            event_type="shelling",
            date_start=date(2024, 3, 13),
            date_end=date(2024, 3, 13),
            place_name=INTERNAL_PLACE,
            admin1="Idleb",
            admin1_pcode="SY07",
            perpetrators=[Actor("sy_gov_forces", "Government forces", "state_forces")],
            weapons=["artillery"],
            figures={"killed": Figure(2, 3, 4, [])},
            grade="contested",
            sensitivity="internal",
        ),
        actor="test-setup",
    )
    restricted_incident = store.save_incident(
        IncidentView(
            id=None,
            event_type="abduction",
            date_start=date(2024, 3, 14),
            date_end=date(2024, 3, 14),
            place_name=RESTRICTED_PLACE,
            admin1="Hama",
            admin1_pcode="SY05",
            perpetrators=[Actor("unknown_gunmen", "Unidentified gunmen", "unknown")],
            figures={"detained": Figure(3, 3, 3, [])},
            sources=[
                SourceView(
                    res,
                    res_claim_id,
                    "Field Network",
                    "Field note",
                    None,
                    "2024-03-14",
                    "restricted",
                    RESTRICTED_TEXT.strip(),
                ),
            ],
            sensitivity="restricted",
        ),
        [res_claim_id],
        actor="test-setup",
    )
    return Seeded(
        pub,
        res,
        public_incident,
        internal_incident,
        restricted_incident,
        pub_claim_id,
        res_claim_id,
    )


@pytest.fixture
def seeded(store: Store) -> tuple[Store, Seeded]:
    return store, seed(store)


# -- accounts --------------------------------------------------------------------------------


def test_passwords_are_argon2id_and_tokens_stored_hashed(seeded: tuple[Store, Seeded]) -> None:
    store, _ = seeded
    from sqlalchemy import select

    from marsad.store.models import ApiToken, User

    assert store.authenticate(USERS["viewer"], PASSWORD) is not None
    assert store.authenticate(USERS["viewer"], "wrong-password") is None
    assert store.authenticate("nobody", PASSWORD) is None
    token = store.create_token(USERS["analyst"], actor=USERS["analyst"])
    with store.reading() as session:
        hashes = list(session.execute(select(User.password_hash)).scalars())
        stored = list(session.execute(select(ApiToken.token_hash)).scalars())
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert token not in stored and len(stored[0]) == 64
    account = store.account_for_token(token)
    assert account is not None and account.role == "analyst"
    assert store.account_for_token(token, session_only=True) is None
    assert store.revoke_token(actor="rima_admin", token=token)
    assert store.account_for_token(token) is None
    assert not store.revoke_token(actor="rima_admin", token=token)
    actions = [e.action for e in store.history("user", USERS["analyst"])]
    assert actions == ["user_add", "token_create", "token_revoke"]


def test_bad_accounts_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="role"):
        store.add_user("x_user", PASSWORD, "superuser", actor="t")
    with pytest.raises(ValueError, match="8 characters"):
        store.add_user("x_user", "short", "viewer", actor="t")
    store.add_user("x_user", PASSWORD, "viewer", actor="t")
    with pytest.raises(ValueError, match="exists"):
        store.add_user("x_user", PASSWORD, "viewer", actor="t")
    session = store.open_session(store.authenticate("x_user", PASSWORD))  # type: ignore[arg-type]
    assert store.account_for_token(session, session_only=True) is not None
    store.set_user_active("x_user", False, actor="t")
    assert store.account_for_token(session) is None
    assert store.authenticate("x_user", PASSWORD) is None


# -- reads, counts, redaction ----------------------------------------------------------------


def test_counts_cover_only_visible_incidents(seeded: tuple[Store, Seeded]) -> None:
    store, _ = seeded
    public = IncidentFilter(max_sensitivity="public")
    everything = IncidentFilter(max_sensitivity="restricted")
    assert store.incident_totals(public) == {"incidents": 1, "killed": 7, "injured": 15}
    assert store.incident_totals(everything)["incidents"] == 3
    by_area = {r.key: r.incidents for r in store.incident_counts(public, "area")}
    assert by_area == {"SY07": 1}
    by_perp = {r.key for r in store.incident_counts(everything, "perpetrator")}
    assert by_perp == {"unknown_aircraft", "sy_gov_forces", "unknown_gunmen"}
    assert [r.key for r in store.incident_counts(everything, "day")] == [
        "2024-03-12",
        "2024-03-13",
        "2024-03-14",
    ]
    with pytest.raises(ValueError, match="dimension"):
        store.incident_counts(public, "colour")


def test_pages_are_keyset_and_stable(seeded: tuple[Store, Seeded]) -> None:
    store, s = seeded
    f = IncidentFilter(max_sensitivity="restricted")
    first, key = store.incident_page(f, limit=2)
    assert [v.id for v in first] == [s.restricted_incident, s.internal_incident]
    assert key is not None
    rest, end = store.incident_page(f, after=key, limit=2)
    assert [v.id for v in rest] == [s.public_incident] and end is None
    weapon = IncidentFilter(max_sensitivity="restricted", weapons=["artillery"])
    assert [v.id for v in store.incident_page(weapon, limit=1)[0]] == [s.internal_incident]


def test_protected_names_are_masked_for_public_readers(seeded: tuple[Store, Seeded]) -> None:
    store, s = seeded
    doc = store.visible_document(s.public_doc, "public")
    assert doc is not None and doc.redacted
    assert PROTECTED_PERSON not in doc.text and "Maarrat Misrin" in doc.text
    assert len(doc.text) == len(PUBLIC_TEXT)  # masked in place: evidence offsets still hold
    assert all(c["data"]["persons"] == [] for c in doc.claims)
    cleared = store.visible_document(s.public_doc, "restricted")
    assert cleared is not None and PROTECTED_PERSON in cleared.text
    assert store.visible_document(s.restricted_doc, "internal") is None
    view = store.visible_incident(s.public_incident, "public")
    assert view is not None and PROTECTED_PERSON not in view.sources[0].excerpt
    claims, _ = store.claims_page("public")
    assert [c["id"] for c in claims] == [s.public_claim]
    people, _ = store.persons_page()
    assert {p.name for p in people} == {PROTECTED_PERSON, RESTRICTED_PERSON}


def test_list_data_equals_the_views_it_replaces(seeded: tuple[Store, Seeded]) -> None:
    """The API's list items are built straight from rows (no views): for every clearance and
    filter they equal the views' JSON, redaction and hidden sources included, page by page."""
    from marsad.web.api import incident_json

    store, s = seeded
    for level in ("public", "internal", "restricted"):
        for extra in ({}, {"weapons": ["artillery"]}, {"perpetrators": ["unknown-actor"]}):
            f = IncidentFilter(max_sensitivity=level, **extra)  # type: ignore[arg-type]
            key = None
            while True:
                views, view_key = store.incident_page(f, after=key, limit=1)
                items, item_key = store.incident_page_data(f, after=key, limit=1)
                assert items == [incident_json(v) for v in views]
                assert item_key == view_key
                if item_key is None:
                    break
                key = item_key
    public, _ = store.incident_page_data(IncidentFilter(), limit=10)
    assert [i["id"] for i in public] == [s.public_incident]
    assert PROTECTED_PERSON not in str(public)


# -- review ----------------------------------------------------------------------------------


def test_queue_puts_uncertain_and_severe_first(seeded: tuple[Store, Seeded]) -> None:
    store, s = seeded
    queue = store.review_queue(max_sensitivity="restricted")
    # public: weak grade, 7-9 killed, a market hit; internal: contested; restricted: no deaths
    assert [q.incident.id for q in queue][-1] == s.restricted_incident
    assert any("facilities" in r for r in queue[0].reasons + queue[1].reasons)
    assert all(
        q.incident.sensitivity == "public" for q in store.review_queue(max_sensitivity="public")
    )


def test_correction_keeps_machine_value_and_evidence(seeded: tuple[Store, Seeded]) -> None:
    store, s = seeded
    seq = store.correct_incident(
        s.public_incident, "killed.best", "8", actor="omar_analyst", reason="hospital list"
    )
    view = store.incident(s.public_incident, max_sensitivity="restricted")
    assert view is not None and view.figure("killed").best == 8
    c = view.corrections["killed.best"]
    assert (c["machine"], c["value"], c["actor"], c["ledger_seq"]) == (7, 8, "omar_analyst", seq)
    assert c["evidence"][0]["document_id"] == s.public_doc
    store.correct_incident(s.public_incident, "killed.best", "9", actor="rima_admin")
    again = store.incident(s.public_incident, max_sensitivity="restricted")
    assert again is not None and again.corrections["killed.best"]["machine"] == 7
    entry = store.history("incident", str(s.public_incident))[-1]
    assert (entry.action, entry.actor) == ("correct", "rima_admin")
    with pytest.raises(ValueError, match="whole number"):
        store.correct_incident(s.public_incident, "killed.best", "many", actor="x")
    with pytest.raises(ValueError, match="cannot correct"):
        store.correct_incident(s.public_incident, "sensitivity", "public", actor="x")


def test_corrections_survive_re_resolution(seeded: tuple[Store, Seeded]) -> None:
    store, s = seeded
    store.correct_incident(s.public_incident, "place_name", "Maarrat Misrin market", actor="omar")
    store.correct_incident(s.public_incident, "killed.best", 8, actor="omar")
    # resolution runs again and produces the machine values afresh (with a new machine figure)
    fresh = store.incident(s.public_incident, max_sensitivity="restricted")
    assert fresh is not None
    fresh.place_name, fresh.corrections = "Maarrat Misrin", {}
    fresh.figures["killed"] = Figure(6, 6, 9, fresh.figures["killed"].values)
    replayed = store.apply_corrections(fresh)
    assert replayed.place_name == "Maarrat Misrin market"
    assert replayed.figure("killed").best == 8
    assert replayed.corrections["killed.best"]["machine"] == 6
    store.save_incident(replayed, store.incident_claim_ids(s.public_incident), actor="resolver")
    stored = store.incident(s.public_incident)
    assert stored is not None and stored.figure("killed").best == 8


def test_decisions_are_recorded_for_the_resolver(seeded: tuple[Store, Seeded]) -> None:
    store, s = seeded
    store.record_merge([s.public_incident, s.internal_incident], actor="omar", reason="same")
    store.set_incident_sensitivity(s.internal_incident, "public", actor="rima", reason="cleared")
    with pytest.raises(ValueError, match="two"):
        store.record_split(s.public_incident, [[s.public_claim]], actor="omar")
    with pytest.raises(ValueError, match="not in this incident"):
        store.record_split(s.public_incident, [[s.public_claim], [s.restricted_claim]], actor="o")
    kinds = [(d["kind"], d["actor"]) for d in store.decisions()]
    assert kinds == [("merge", "omar"), ("sensitivity", "rima")]
    merge = store.decisions("merge")[0]["payload"]
    assert merge["claims"][str(s.public_incident)] == [s.public_claim]
    assert store.incident(s.internal_incident) is not None  # now public
    assert store.history("incident", str(s.internal_incident))[-1].action == "decide_sensitivity"


def test_bulk_insert_writes_one_ledger_entry_per_batch(store: Store) -> None:
    views = [
        IncidentView(
            id=None,
            event_type="shelling",
            date_start=date(2024, 1, 1 + i % 28),
            date_end=None,
            sensitivity="public",
        )
        for i in range(25)
    ]
    before = store.summary()["ledger_entries"]
    assert store.bulk_insert_incidents(views, actor="bench", batch=10) == 25
    assert store.summary()["ledger_entries"] - before == 3
    assert store.count_incidents() == 25
