"""Alerts: rules loaded from YAML, evaluated on what resolution writes, stored once, ledgered,
listed, shown to reviewers and delivered to a webhook and a command.

Claims are built as the extractor would write them (``resolve_claims``), stored through the
real store and resolved by the real ``resolve_store``; one test runs the project's example
reports through ``marsad process`` and ``marsad resolve``. Every place, person and outlet here
is invented."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.alerts import raise_alerts
from marsad.alerts.rules import RuleError, load_rule_file, parse_rules
from marsad.cli import app as cli_app
from marsad.config import database_url
from marsad.contract.claim import ActorRef, Claim, PlaceRef
from marsad.contract.document import NewDocument
from marsad.jobs.resolve import resolve_store
from marsad.store import Store
from marsad.store.alerts import StoredAlert, list_alerts
from marsad.web import create_app
from paths import REPO
from resolve_claims import RUSSIA, SYRIA, count, span, strike

EXAMPLES = REPO / "examples" / "reports"

# Invented villages: two in one sub-district (SY070101), one in the next (SY070102).
VILLAGES: dict[str, tuple[float, float, str, str]] = {
    "Tall Warda": (35.60, 36.40, "SY070101", "Wadi Ghar"),
    "Kafr Sinan": (35.75, 36.62, "SY070101", "Wadi Ghar"),
    "Ain Baida": (35.90, 36.80, "SY070101", "Wadi Ghar"),
    "Deir Samra": (36.05, 36.95, "SY070102", "Jisr Hamra"),
}


def village(name: str) -> PlaceRef:
    lat, lon, admin3_pcode, admin3 = VILLAGES[name]
    return PlaceRef(
        name=name,
        precision="exact",
        evidence=span(name),
        gazetteer_id=f"g:{name}",
        kind="village",
        admin1="Idlib",
        admin1_pcode="SY07",
        admin2="Harim Hills",
        admin2_pcode="SY0701",
        admin3=admin3,
        admin3_pcode=admin3_pcode,
        lat=lat,
        lon=lon,
    )


def at(where: str, day: str = "2023-10-06", **kw: Any) -> Claim:
    claim = strike(where=where, day=day, **kw)
    claim.places = [village(where)]
    return claim


_DOCS = iter(range(10**6))


def add(store: Store, text: str, claims: list[Claim], *, source: str = "Valley Monitor") -> None:
    n = next(_DOCS)
    doc = store.add_document(
        NewDocument(
            original=f"{n}\n{source}\n{text}".encode(),
            original_name=f"report-{n}.txt",
            media_type="text/plain",
            text=text,
            title=text[:50],
            source=source,
            published="2023-10-07",
            sensitivity="internal",
        ),
        actor="tester",
    )
    run = store.start_run(engine="test", engine_version="1", actor="tester")
    store.replace_claims(doc.document_id, claims, run_id=run, actor="tester")


def load(store: Store, text: str) -> int:
    from marsad.store.alerts import save_rule_set

    rule_set = parse_rules(text, "rules.yaml")
    return save_rule_set(store, rule_set, file_name="rules.yaml", sha256="0" * 64, actor="tester")


def alerts(store: Store) -> list[StoredAlert]:
    return list(reversed(list_alerts(store, max_sensitivity="restricted", limit=1000)))


def raised(store: Store) -> list[tuple[str, list[int]]]:
    return [(a.rule, a.incident_ids) for a in alerts(store)]


def incident_of(store: Store, where: str) -> int:
    from marsad.contract.incident import IncidentFilter

    found = [
        v.id
        for v in store.iter_incidents(IncidentFilter(max_sensitivity="restricted"))
        if v.place_name == where and v.id is not None
    ]
    assert len(found) == 1, (where, found)
    return found[0]


# -- one test per kind of rule -----------------------------------------------------------------


def test_event_type_rule_alerts_once_and_is_ledgered(store: Store) -> None:
    load(store, "rules:\n  - name: chemical weapon\n    when: {event_type: chemical_weapon}\n")
    add(store, "Gas was used on Tall Warda.", [at("Tall Warda", event_type="chemical_weapon")])
    add(store, "Shells fell on Deir Samra.", [at("Deir Samra", event_type="shelling")])
    resolve_store(store, actor="resolver")
    [alert] = alerts(store)
    gassed = incident_of(store, "Tall Warda")
    assert (alert.rule, alert.incident_ids) == ("chemical weapon", [gassed])
    assert alert.kind == "incident" and alert.subject == f"incident:{alert.incident_ids[0]}"
    [entry] = store.history("alert", str(alert.id))
    assert entry.action == "alert" and entry.seq == alert.ledger_seq
    assert json.loads(entry.payload)["incidents"] == alert.incident_ids
    assert store.verify().ok


def test_area_rule_by_name_spelling_and_by_pcode(store: Store) -> None:
    load(
        store,
        "rules:\n"
        "  - name: by name\n    when: {area: wadi-ghar}\n"  # folded like the gazetteer folds
        "  - name: by district code\n    when: {area: SY0701}\n"
        "  - name: elsewhere\n    when: {area: [Aleppo, SY02]}\n",
    )
    add(store, "A strike on Kafr Sinan.", [at("Kafr Sinan")])
    add(store, "A strike on Deir Samra.", [at("Deir Samra")])
    resolve_store(store, actor="resolver")
    kafr, deir = incident_of(store, "Kafr Sinan"), incident_of(store, "Deir Samra")
    assert sorted(raised(store)) == [
        ("by district code", [deir]),
        ("by district code", [kafr]),
        ("by name", [kafr]),
    ]


def test_facility_rule_any_attack_on_a_medical_facility(store: Store) -> None:
    load(store, "rules:\n  - name: medical facility hit\n    when: {facility: medical}\n")
    add(store, "The clinic in Ain Baida was hit.", [at("Ain Baida", facilities=("medical",))])
    add(store, "A school in Deir Samra was hit.", [at("Deir Samra", facilities=("school",))])
    resolve_store(store, actor="resolver")
    assert raised(store) == [("medical facility hit", [incident_of(store, "Ain Baida")])]


def test_perpetrator_rule_by_actor_id(store: Store) -> None:
    load(store, "rules:\n  - name: russian strikes\n    when: {perpetrator: ru_forces}\n")
    add(store, "Russian jets struck Tall Warda.", [at("Tall Warda", perpetrators=(RUSSIA,))])
    add(store, "Government jets struck Deir Samra.", [at("Deir Samra", perpetrators=(SYRIA,))])
    resolve_store(store, actor="resolver")
    assert raised(store) == [("russian strikes", [incident_of(store, "Tall Warda")])]


WINDOW_RULE = (
    "rules:\n  - name: strikes on one sub-district\n"
    "    when: {event_type: [air_strike, shelling], count_at_least: 3, within_hours: 24,"
    " per: admin3}\n"
)


def test_count_window_per_sub_district(store: Store) -> None:
    load(store, WINDOW_RULE)
    add(store, "Strike on Tall Warda.", [at("Tall Warda")])
    add(store, "Shelling of Kafr Sinan.", [at("Kafr Sinan", event_type="shelling")])
    add(store, "Strike on Deir Samra.", [at("Deir Samra")])  # the next sub-district
    add(store, "Strike on Ain Baida the day after.", [at("Ain Baida", day="2023-10-07")])
    resolve_store(store, actor="resolver")
    assert raised(store) == []  # two in SY070101 that day, one the next day, one next door

    add(store, "Strike on Ain Baida.", [at("Ain Baida", text="Morning strike on Ain Baida.")])
    resolve_store(store, actor="resolver")
    [alert] = alerts(store)
    assert alert.kind == "window"
    assert alert.subject == "window:admin3:SY070101:2023-10-06"
    assert len(alert.incident_ids) == 3
    assert alert.snapshot["window"]["count"] == 3
    assert {i["admin3_pcode"] for i in alert.snapshot["incidents"]} == {"SY070101"}

    # a fourth strike in the same sub-district and day belongs to the group already alerted
    add(store, "Evening strike on Tall Warda.", [at("Tall Warda", text="Evening strike.")])
    resolve_store(store, actor="resolver")
    assert len(alerts(store)) == 1


def threat(where: str, text: str) -> Claim:
    claim = at(where, event_type="threat", text=text, perpetrators=())
    claim.targets = [ActorRef("activists", "activists", "activists", span("activist"))]
    return claim


def test_threat_against_a_protected_person(store: Store) -> None:
    named = "Armed men threatened the activist Rima Haddoud in Kafr Sinan."
    add(store, named, [threat("Kafr Sinan", named)])
    nobody = "Armed men threatened shop owners in Deir Samra."
    add(store, nobody, [threat("Deir Samra", nobody)])
    store.add_protected_person("Rima Haddoud", aliases=["ريما حدود"], actor="analyst")
    load(
        store,
        "rules:\n  - name: threat against a protected person\n"
        "    when: {event_type: threat, protected_person: true}\n",
    )
    resolve_store(store, actor="resolver")
    [alert] = alerts(store)
    assert alert.incident_ids == [incident_of(store, "Kafr Sinan")]
    assert alert.snapshot["incidents"][0]["protected_person"] is True
    assert "Haddoud" not in json.dumps(alert.snapshot)


def test_no_double_alert_on_re_resolve_but_a_change_that_newly_matches_alerts(
    store: Store,
) -> None:
    load(
        store,
        "rules:\n  - name: any strike\n    when: {event_type: air_strike}\n"
        "  - name: medical facility hit\n    when: {facility: medical}\n",
    )
    add(store, "A strike on Tall Warda.", [at("Tall Warda", killed=count("killed", 2, 2))])
    first = resolve_store(store, actor="resolver")
    assert first.incident_ids and raised(store) == [("any strike", first.incident_ids)]
    resolve_store(store, actor="resolver", full=True)
    raise_alerts(store, first.incident_ids, actor="tester")  # asked again directly
    assert len(alerts(store)) == 1

    # a second outlet on the same strike adds that the clinic was hit: the incident is
    # updated, so the facility rule now matches it; the strike rule does not alert again
    add(
        store,
        "The strike on Tall Warda also hit the village clinic.",
        [at("Tall Warda", killed=count("killed", 2, 2), facilities=("medical",))],
        source="Hill Radio",
    )
    second = resolve_store(store, actor="resolver")
    assert second.incident_ids == first.incident_ids  # the same incident, updated
    assert raised(store) == [
        ("any strike", first.incident_ids),
        ("medical facility hit", first.incident_ids),
    ]


# -- delivery ----------------------------------------------------------------------------------


class _Hook(BaseHTTPRequestHandler):
    bodies: list[bytes]
    answers: list[int]

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        length = int(self.headers.get("Content-Length", "0"))
        self.server.bodies.append(self.rfile.read(length))  # type: ignore[attr-defined]
        status = self.server.answers.pop(0) if self.server.answers else 200  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.bodies = []  # type: ignore[attr-defined]
    server.answers = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(server: Any) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def test_webhook_receives_the_masked_payload(store: Store, hook: Any) -> None:
    store.add_protected_person("Rima Haddoud", actor="analyst")
    load(
        store,
        "rules:\n  - name: medical facility hit\n    when: {facility: medical}\n"
        f"deliver:\n  - webhook: {_url(hook)}\n    timeout: 5\n",
    )
    # a place name that is also a protected person's name reaches the payload only masked
    text = "The clinic of Rima Haddoud village was hit by a strike."
    claim = at("Ain Baida", facilities=("medical",), text=text)
    claim.places[0].name = "Rima Haddoud"
    add(store, text, [claim])
    report = resolve_store(store, actor="resolver")
    [body] = hook.bodies
    payload = json.loads(body)
    assert payload["rule"] == "medical facility hit"
    assert payload["incident_ids"] == report.incident_ids
    [incident] = payload["incidents"]
    assert incident["facilities"] == {"medical": None} and incident["event_type"] == "air_strike"
    assert "Haddoud" not in body.decode() and "█" in incident["place_name"]
    [alert] = alerts(store)
    [delivery] = alert.deliveries
    assert delivery["ok"] and delivery["attempts"] == 1 and delivery["status"] == 200


def test_webhook_failure_is_retried_once_then_recorded(store: Store, hook: Any) -> None:
    hook.answers.extend([500, 503])
    load(
        store,
        "rules:\n  - name: any strike\n    when: {event_type: air_strike}\n"
        f"deliver:\n  - webhook: {_url(hook)}\n    timeout: 5\n"
        "  - webhook: http://127.0.0.1:9/nobody-listens\n    timeout: 2\n",
    )
    add(store, "A strike on Tall Warda.", [at("Tall Warda")])
    resolve_store(store, actor="resolver")  # does not raise
    assert len(hook.bodies) == 2  # the first try and the retry
    [alert] = alerts(store)
    answered, refused = alert.deliveries
    assert (answered["ok"], answered["attempts"], answered["status"]) == (False, 2, 503)
    assert refused["ok"] is False and refused["error"].startswith("could not connect")
    entry = store.history("alert", str(alert.id))[-1]
    assert entry.action == "alert_delivery"
    assert [d["ok"] for d in json.loads(entry.payload)["deliveries"]] == [False, False]


def test_command_delivery_gets_the_payload_on_stdin(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "received.json"
    copy = f"import sys; open({str(out)!r}, 'wb').write(sys.stdin.buffer.read())"
    load(
        store,
        "rules:\n  - name: any strike\n    when: {event_type: air_strike}\n"
        f"deliver:\n  - command: {json.dumps([sys.executable, '-c', copy])}\n"
        f"  - command: {json.dumps([sys.executable, '-c', 'raise SystemExit(3)'])}\n"
        f"  - command: {json.dumps([sys.executable, '-c', 'import time; time.sleep(30)'])}\n"
        "    timeout: 0.5\n"
        "  - command: [/nonexistent/marsad-hook]\n",
    )
    add(store, "A strike on Tall Warda.", [at("Tall Warda")])
    report = resolve_store(store, actor="resolver")
    payload = json.loads(out.read_bytes())
    assert payload["rule"] == "any strike" and payload["incident_ids"] == report.incident_ids
    [alert] = alerts(store)
    copied, exit3, slow, missing = alert.deliveries
    assert copied["ok"] and copied["status"] == 0
    assert (exit3["ok"], exit3["status"]) == (False, 3)
    assert slow["ok"] is False and "still running" in slow["error"]
    assert missing["ok"] is False and missing["error"].startswith("could not start")


# -- rule files ----------------------------------------------------------------------------------


BAD_FILES = {
    "unknown-type.yaml": (
        "rules:\n  - name: gas\n    when: {event_type: nerve_gas}\n",
        ["rule 1 ('gas')", "event_type", "nerve_gas"],
    ),
    "unknown-field.yaml": (
        "rules:\n  - name: ok\n    when: {event_type: shelling}\n"
        "  - name: typo\n    when: {facilty: medical}\n",
        ["rule 2 ('typo')", "facilty"],
    ),
    "window-half.yaml": (
        "rules:\n  - name: many\n    when: {count_at_least: 3}\n",
        ["rule 1 ('many')", "within_hours"],
    ),
    "anchors.yaml": (
        "rules:\n  - &r {name: a, when: {event_type: shelling}}\n  - *r\n",
        ["line 2", "anchors"],
    ),
    "duplicate.yaml": (
        "rules:\n  - {name: a, when: {}}\n  - {name: a, when: {}}\n",
        ["rule 2 ('a')", "name", "rule 1"],
    ),
    "shell-string.yaml": (
        "rules:\n  - {name: a, when: {}}\ndeliver:\n  - command: logger -t marsad\n",
        ["deliver 1", "command", "never run through a shell"],
    ),
    "ftp-hook.yaml": (
        "rules:\n  - {name: a, when: {}}\ndeliver:\n  - webhook: ftp://example.org/x\n",
        ["deliver 1", "webhook", "http"],
    ),
    "not-yaml.yaml": ("rules: [\n", ["not valid YAML"]),
    "no-rules.yaml": ("deliver: []\n", ["rules", "at least one"]),
    "deep.yaml": ("rules: " + "[" * 20 + "]" * 20 + "\n", ["nested more than"]),
    "huge.yaml": ("# " + "x" * 300_000 + "\n", ["larger than"]),
}


def test_bad_rule_files_are_refused_naming_file_rule_and_field(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    good = tmp_path / "good.yaml"
    good.write_text("rules:\n  - name: gas\n    when: {event_type: chemical_weapon}\n")
    runner = CliRunner()
    assert runner.invoke(cli_app, ["alerts", "rules", str(good), "--db", db]).exit_code == 0
    for name, (text, needles) in BAD_FILES.items():
        path = tmp_path / name
        path.write_text(text)
        result = runner.invoke(cli_app, ["alerts", "rules", str(path), "--db", db])
        assert result.exit_code == 2, (name, result.output)
        message = " ".join(result.output.split())
        for needle in [str(path), *needles]:
            assert needle in message, (name, needle, message)
    store = Store(database_url(db))
    try:
        from marsad.store.alerts import current_rule_set

        found = current_rule_set(store)
        assert found is not None and [r.name for r in found[1].rules] == ["gas"]  # unchanged
    finally:
        store.close()


def test_rule_file_round_trips_and_warns_of_unknown_actors(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - name: chemical\n    when: [{event_type: chemical_weapon}, {weapon: chemical}]\n"
        "  - name: strikes\n    when: {event_type: [air_strike], count_at_least: 3,"
        " within_hours: 48, per: admin3}\n"
        "  - name: who\n"
        "    when: {perpetrator: [ru_forces, green_brigade], protected_person: true}\n"
        "deliver:\n  - webhook: https://hooks.example.org/a?token=secret\n"
        "  - command: [/usr/bin/logger, -t, marsad]\n    clearance: public\n",
        encoding="utf-8",
    )
    loaded = load_rule_file(path, known_actors=["ru_forces"])
    rs = loaded.rule_set
    from marsad.alerts.rules import RuleSet

    assert RuleSet.from_dict(json.loads(json.dumps(rs.to_dict()))) == rs
    assert rs.rules[1].window is not None and rs.rules[1].window.days == 2
    assert [w for w in rs.warnings if "green_brigade" in w]
    assert [t.label for t in rs.deliver] == [
        "webhook https://hooks.example.org",  # no path or query: they may hold a secret
        "command logger",
    ]
    with pytest.raises(RuleError, match="count over a window needs a single"):
        parse_rules(
            "rules:\n  - {name: x, when: [{count_at_least: 2, within_hours: 1}]}\n", "f.yaml"
        )


# -- the command line, the dashboard, the real pipeline -----------------------------------------


def test_examples_through_process_resolve_list_and_dashboard(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: air strikes\n    when: {event_type: air_strike}\n")
    runner = CliRunner()
    for args in (["alerts", "rules", str(rules)], ["process", str(EXAMPLES)], ["resolve"]):
        result = runner.invoke(cli_app, [*args, "--db", db])
        assert result.exit_code == 0, result.output
    listed = runner.invoke(cli_app, ["alerts", "list", "--json", "--db", db])
    assert listed.exit_code == 0
    lines = [json.loads(line) for line in listed.output.splitlines()]
    store = Store(database_url(db))
    try:
        from marsad.contract.incident import IncidentFilter

        strikes = sorted(
            v.id
            for v in store.iter_incidents(IncidentFilter(max_sensitivity="internal"))
            if v.event_type == "air_strike"
        )
        assert strikes and sorted(i for line in lines for i in line["incident_ids"]) == strikes
        assert all(line["rule"] == "air strikes" and not line["deliveries"] for line in lines)
        # evaluating again over every incident raises nothing new
        again = runner.invoke(cli_app, ["alerts", "evaluate", "--json", "--db", db])
        assert again.exit_code == 0 and json.loads(again.output)["alerts_raised"] == 0

        store.add_user("reviewer_a", "alerts-pass-1", "analyst", actor="setup")
        viewer = store.add_user("viewer_a", "alerts-pass-2", "viewer", actor="setup")
        analyst_token = store.create_token("reviewer_a", actor="setup")
        viewer_token = store.create_token(viewer.username, actor="setup")
    finally:
        store.close()
    with TestClient(create_app(database_url(db))) as client:
        page = client.get("/alerts", headers={"Authorization": f"Bearer {analyst_token}"})
        assert page.status_code == 200
        assert page.text.count('href="/incidents/') == len(strikes)
        refused = client.get("/alerts", headers={"Authorization": f"Bearer {viewer_token}"})
        assert refused.status_code == 403


def test_cli_list_is_json_lines_at_the_clearance_asked(tmp_path: Path) -> None:
    db = database_url(str(tmp_path / "m.db"))
    store = Store(db)
    try:
        load(store, "rules:\n  - name: any\n    when: {}\n")
        add(store, "A strike on Tall Warda.", [at("Tall Warda")])
        resolve_store(store, actor="resolver")
    finally:
        store.close()
    runner = CliRunner()
    internal = runner.invoke(cli_app, ["alerts", "list", "--json", "--db", db])
    [line] = [json.loads(x) for x in internal.output.splitlines()]
    assert line["incidents"][0]["place_name"] == "Tall Warda"
    public = runner.invoke(cli_app, ["alerts", "list", "--json", "--include", "public", "--db", db])
    assert public.exit_code == 0 and public.output == ""  # the incident is internal
    text = runner.invoke(cli_app, ["alerts", "list", "--db", db])
    assert "any: incidents" in text.output and "1 alerts" in text.output
