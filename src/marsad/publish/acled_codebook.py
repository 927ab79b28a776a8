"""Who is actor 1 and actor 2 of an ACLED row, their inter codes, the interaction code and civilian
targeting, by ACLED's codebook (the choices are written out in ``docs/publishing.md``).

* Protests have the protesters as actor 1 ("Protesters (Syria)", inter 6) and whoever
  intervened as actor 2; riots have the rioters (inter 5). Other events have the perpetrator as
  actor 1 and who was hit as actor 2.
* Associated actors are the ones that acted together with actor 1 (or 2). When sources
  disagree on the perpetrator the attribution is disputed: actor 1 is the unidentified armed
  group and the notes say who each side of the dispute names.
* The interaction code is the two inter codes, smaller first (17), or actor 1's code times ten
  when there is no actor 2 (60 for a peaceful protest).
* Civilian targeting is marked only for events where civilians can be the target (violence
  against civilians, remote violence, excessive force against protesters, mob violence), and
  only when the targets are civilians or civilians were killed or injured.
"""

from __future__ import annotations

from dataclasses import dataclass

from marsad.contract.incident import Actor, IncidentView
from marsad.publish.partner_actors import UNARMED_TYPES, actor_table

UNIDENTIFIED_ACTOR = "Unidentified Armed Group (Syria)"
PROTESTERS_ACTOR = "Protesters (Syria)"
RIOTERS_ACTOR = "Rioters (Syria)"
UNIDENTIFIED_INTER = 3  # ACLED codes unidentified armed groups as political militias
PROTESTERS_INTER, RIOTERS_INTER = 6, 5

# ACLED's inter codes for Marsad's actor types; a type not listed is coded as a political militia.
INTER_CODES: dict[str, int] = {
    "state_forces": 1,
    "non_state_armed_group": 2,
    "militia": 3,
    "protesters": 6,
    "civilians": 7,
    "rescue_workers": 7,
    "journalists": 7,
    "activists": 7,
    "foreign_state_forces": 8,
}
PROTEST_SUB_EVENTS = frozenset(
    {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}
)
RIOT_SUB_EVENTS = frozenset({"Violent demonstration", "Mob violence"})
_TARGETING_EVENT_TYPES = frozenset({"Violence against civilians", "Explosions/Remote violence"})
_TARGETING_SUB_EVENTS = frozenset({"Excessive force against protesters", "Mob violence"})
_CIVILIAN_FIGURES = ("killed_civilians", "killed_children", "killed_women", "injured_civilians")
# resolution's note when independent sources blame different parties (resolve/incident.py)
DISPUTE_NOTE = "perpetrator:"


@dataclass(frozen=True)
class RowActors:
    actor1: str
    assoc_actor_1: str
    inter1: int
    actor2: str
    assoc_actor_2: str
    inter2: int  # 0: no actor 2
    disputed: tuple[str, ...] = ()  # the perpetrators sources disagree on

    @property
    def interaction(self) -> int:
        if not self.inter2:
            return self.inter1 * 10
        return int("".join(sorted(f"{self.inter1}{self.inter2}")))


def acled_name(actor: Actor) -> str:
    return actor_table().export_name("acled", actor.id, actor.name)


def inter_code(actor: Actor) -> int:
    return INTER_CODES.get(actor.type, UNIDENTIFIED_INTER)


def _names(actors: list[Actor], leave_out: str) -> str:
    names = dict.fromkeys(acled_name(a) for a in actors)
    return "; ".join(n for n in names if n != leave_out)


def attribution_disputed(view: IncidentView) -> bool:
    return any(d.startswith(DISPUTE_NOTE) for d in view.disagreements)


def row_actors(view: IncidentView, sub_event_type: str) -> RowActors:
    armed = [a for a in view.perpetrators if a.type not in UNARMED_TYPES]
    hit = [a for a in view.targets if a.type not in ("protesters",)]
    if sub_event_type in PROTEST_SUB_EVENTS or sub_event_type in RIOT_SUB_EVENTS:
        riot = sub_event_type in RIOT_SUB_EVENTS
        first = RIOTERS_ACTOR if riot else PROTESTERS_ACTOR
        code = RIOTERS_INTER if riot else PROTESTERS_INTER
        if sub_event_type == "Peaceful protest" or sub_event_type == "Violent demonstration":
            return RowActors(first, "", code, "", "", 0)
        other = hit if sub_event_type == "Mob violence" else armed
        if not other:
            return RowActors(first, "", code, "", "", 0)
        second = acled_name(other[0])
        return RowActors(first, "", code, second, _names(other[1:], second), inter_code(other[0]))
    actor2, assoc2, inter2 = "", "", 0
    if view.targets:
        actor2 = acled_name(view.targets[0])
        assoc2, inter2 = _names(view.targets[1:], actor2), inter_code(view.targets[0])
    if not armed or attribution_disputed(view):
        disputed = tuple(a.name for a in armed) if armed else ()
        unknown = (UNIDENTIFIED_ACTOR, "", UNIDENTIFIED_INTER)
        return RowActors(*unknown, actor2, assoc2, inter2, disputed)
    actor1 = acled_name(armed[0])
    return RowActors(
        actor1, _names(armed[1:], actor1), inter_code(armed[0]), actor2, assoc2, inter2
    )


def civilian_targeting(view: IncidentView, event_type: str, sub_event_type: str) -> bool:
    if event_type not in _TARGETING_EVENT_TYPES and sub_event_type not in _TARGETING_SUB_EVENTS:
        return False
    if any(t.type in UNARMED_TYPES for t in view.targets):
        return True
    return any((view.figure(name).low or 0) > 0 for name in _CIVILIAN_FIGURES)
