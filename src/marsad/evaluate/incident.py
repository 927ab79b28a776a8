"""Reading one "main incident" and its figures out of a document's claims.

FA-KES and UCDP describe each article or headline as one event, while the engine returns every
claim a text makes (background paragraphs and conflict timelines included). Two rules pick the
claim to compare; ``lead`` is the default and the one reported in ``docs/accuracy.md``:

* ``lead`` - the earliest ``incident`` claim that reports deaths, else the earliest
  ``aggregate`` claim that reports deaths, else the earliest incident claim, else the earliest
  aggregate claim. News leads with its main event, and later paragraphs recap older, larger
  tolls; a lead the engine reads as a total ("raids hit several neighbourhoods, killing 24")
  still beats a death-free side incident (talks, a troop movement) further down.
* ``largest`` - the ``incident`` claim with the largest killed figure (ties: earliest), else the
  earliest aggregate claim.

"Earliest" is by the start offset of the claim's evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from marsad.contract.claim import Claim, Count, PlaceRef

ARMED_ACTOR_TYPES = frozenset(
    {"state_forces", "foreign_state_forces", "militia", "non_state_armed_group"}
)


def count_value(count: Count) -> int | None:
    """The figure as the text states it: "over 33" is 33 (the schema stores low = 34), "up to 8"
    is 8; reference datasets record the stated number."""
    if count.low is None:
        return count.high
    return count.low - 1 if count.qualifier == "over" and count.low > 0 else count.low


def killed_figure(claim: Claim) -> int:
    """The largest killed figure on a claim (0 when it reports none)."""
    values = [count_value(c) for c in claim.counts if c.category == "killed"]
    return max((v for v in values if v is not None), default=0)


def _candidates(claims: list[Claim]) -> list[Claim]:
    incidents = [c for c in claims if c.scope == "incident"]
    return incidents or [c for c in claims if c.scope == "aggregate"]


def lead_incident(claims: list[Claim]) -> Claim | None:
    """The ``lead`` rule (module docstring)."""
    incidents = [c for c in claims if c.scope == "incident"]
    totals = [c for c in claims if c.scope == "aggregate"]
    for pool in (
        [c for c in incidents if killed_figure(c) > 0],
        [c for c in totals if killed_figure(c) > 0],
        incidents,
        totals,
    ):
        if pool:
            return min(pool, key=lambda c: c.evidence.start)
    return None


def largest_incident(claims: list[Claim]) -> Claim | None:
    """The ``largest`` rule (module docstring)."""
    return min(
        _candidates(claims), key=lambda c: (-killed_figure(c), c.evidence.start), default=None
    )


MainIncidentRule = Callable[[list[Claim]], Claim | None]
MAIN_INCIDENT_RULES: dict[str, MainIncidentRule] = {
    "lead": lead_incident,
    "largest": largest_incident,
}
DEFAULT_RULE = "lead"


def main_incident(claims: list[Claim], rule: str = DEFAULT_RULE) -> Claim | None:
    """The claim to compare with a one-event reference record."""
    return MAIN_INCIDENT_RULES[rule](claims)


# A conjunct that opens on the victims. A roundup joins incidents in one sentence ("Shells
# target Kafrayya and casualties in raids on the countryside of Aleppo"); the conjunct that
# reports the victims is the one a one-event record describes.
HARM_CONJUNCT = re.compile(
    r"(?:\band|,|\bleaving)\s+(?:(?:the|more|new|several|many|other)\s+)?"
    r"(?:dead|deaths|martyrs|casualties|human losses|bodies|victims)\b",
    re.IGNORECASE,
)
DEATH_WORDS = re.compile(
    r"\b(?:kill\w*|dead|deaths?|died|martyr\w*|casualt\w*|losses|bodies|massacre)\b",
    re.IGNORECASE,
)


def _harm_places(placed: list[PlaceRef], claim: Claim) -> list[PlaceRef]:
    """When ``placed`` spans several governorates and a later conjunct is the first to report
    deaths ("Shelling on Homs and martyrs in Idlib countryside"), the places named after it;
    else ``placed``."""
    if len({p.admin1_pcode or p.admin1 for p in placed}) < 2:
        return placed
    harm = HARM_CONJUNCT.search(claim.evidence.text)
    if harm is None or DEATH_WORDS.search(claim.evidence.text, 0, harm.start()):
        return placed
    cut = claim.evidence.start + harm.start()
    after = [p for p in placed if p.evidence.start >= cut]
    return after or placed


def main_place(main: Claim | None, claims: list[Claim]) -> PlaceRef | None:
    """The place that stands for the main incident's governorate.

    Of the main claim's places with a governorate, the first one in the governorate most of them
    lie in; else the same over the document's claims in order.
    """
    ordered = ([main] if main else []) + sorted(claims, key=lambda c: c.evidence.start)
    for claim in ordered:
        placed = _harm_places([p for p in claim.places if p.admin1_pcode or p.admin1], claim)
        if not placed:
            continue
        # the governorate most of the claim's places lie in ("Jisreen, Kafr Batna and Douma"
        # outvote a "Damascus" named for the capital); ties go to the first named
        votes: dict[str | None, int] = {}
        for p in placed:
            votes[p.admin1_pcode or p.admin1] = votes.get(p.admin1_pcode or p.admin1, 0) + 1
        best = max(votes.values())
        return next(p for p in placed if votes[p.admin1_pcode or p.admin1] == best)
    return None


def killed_in_group(claim: Claim | None, group: str) -> int | None:
    """The killed figure a claim gives for one victim group, if it gives one."""
    if claim is None:
        return None
    count = claim.count("killed", group)
    return count_value(count) if count else None


# "territory_change": stored data from before captures were split by who gains
BATTLE_EVENT_TYPES = frozenset(
    {
        "armed_clash",
        "government_regains_territory",
        "non_state_overtakes_territory",
        "territory_change",
    }
)
# Victim groups that are civilians whatever the event (disjoint, so their counts add up).
CIVILIAN_GROUPS = ("children", "women", "rescue_workers", "journalists")


def dead_are_combatants(claim: Claim) -> bool:
    """True when the claim's unqualified dead are fighters: every named target is an armed
    actor, or the event is a battle that names no civilian target."""
    if claim.targets:
        return all(t.type in ARMED_ACTOR_TYPES for t in claim.targets)
    return claim.event_type in BATTLE_EVENT_TYPES


def civilian_and_combatant_deaths(claim: Claim | None) -> tuple[int, int]:
    """(civilians killed, non-civilians killed) as FA-KES counts them; 0 where nothing is said.

    An explicit civilian or combatant count wins. A count for "all" victims goes to combatants
    when :func:`dead_are_combatants`, else to civilians (less any combatants counted apart).
    """
    if claim is None:
        return 0, 0
    civilians = killed_in_group(claim, "civilians")
    combatants = killed_in_group(claim, "combatants")
    everyone = killed_in_group(claim, "all")
    if everyone is not None:
        if dead_are_combatants(claim):
            combatants = combatants if combatants is not None else everyone
        elif civilians is None:
            civilians = max(0, everyone - (combatants or 0))
    if civilians is None and everyone is None:
        # "killing five women and a child", "four aid workers were killed": groups that are
        # civilians by definition add up to the civilian toll when no total is given
        parts = [killed_in_group(claim, g) for g in CIVILIAN_GROUPS]
        if any(p is not None for p in parts):
            civilians = sum(p or 0 for p in parts)
    return civilians or 0, combatants or 0
