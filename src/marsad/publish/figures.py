"""Headline figures for a brief, summed over incidents as ranges, with careful wording.

Each incident's figure is already a range (the lowest and highest value its visible sources
give; an open upper end when a source said "over" or "at least"). A total is the sum of the
lows and the sum of the highs; one open upper end makes the total's upper end open too, and the
figure is then worded "at least". The rules are spelt out in :data:`METHOD` for the brief.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from marsad.contract.incident import IncidentView

STRIKE_EVENTS = frozenset({"air_strike", "shelling"})
PROHIBITED_WEAPONS: tuple[str, ...] = ("cluster_munition", "incendiary", "chemical")


@dataclass
class Range:
    """``low``..``high``; ``high`` None means no upper bound is known."""

    low: int = 0
    high: int | None = 0

    def add(self, low: int | None, high: int | None) -> None:
        self.low += low or 0
        if self.high is None:
            return
        if high is None and low is not None:
            self.high = None
        else:
            self.high += high if high is not None else (low or 0)

    @property
    def is_lower_bound(self) -> bool:
        return self.high is None

    def words(self, strings: dict[str, str]) -> str:
        """ "12", "at least 12" or "between 12 and 15", in the brief's language."""
        if self.high is None:
            return strings["at_least"].format(n=self.low)
        if self.high == self.low:
            return strings["exactly"].format(n=self.low)
        return strings["between"].format(low=self.low, high=self.high)


@dataclass
class Totals:
    """Everything the headline needs, accumulated one incident at a time (streaming)."""

    incidents: int = 0
    strikes: Range = field(default_factory=Range)
    killed: Range = field(default_factory=Range)
    killed_children: Range = field(default_factory=Range)
    killed_women: Range = field(default_factory=Range)
    injured: Range = field(default_factory=Range)
    facilities: dict[str, Range] = field(default_factory=dict)
    prohibited: Counter[str] = field(default_factory=Counter)
    with_disagreement: int = 0

    def add(self, view: IncidentView) -> None:
        self.incidents += 1
        strikes = view.figures.get("strikes")
        if strikes is not None and strikes.low is not None:
            self.strikes.add(strikes.low, strikes.high)
        elif view.event_type in STRIKE_EVENTS:
            # a strike incident with no stated number: one strike at least, perhaps more
            self.strikes.add(1, None)
        for name in ("killed", "killed_children", "killed_women", "injured"):
            f = view.figures.get(name)
            if f is not None and f.low is not None:
                getattr(self, name).add(f.low, f.high)
        for kind, n in view.facilities.items():
            self.facilities.setdefault(kind, Range()).add(n or 1, n if n else None)
        weapons = set(view.weapons)
        if view.event_type == "chemical_weapon":
            weapons.add("chemical")
        for weapon in PROHIBITED_WEAPONS:
            if weapon in weapons:
                self.prohibited[weapon] += 1
        if any(f.low != f.high for f in view.figures.values() if f.low is not None):
            self.with_disagreement += 1

    def facilities_total(self) -> Range:
        total = Range()
        for r in self.facilities.values():
            total.add(r.low, r.high)
        return total


METHOD: tuple[str, ...] = (
    "Incidents: resolved incident records in the period and area, at the sensitivity level "
    "stated in the footer. Each incident may combine several reports of the same event.",
    "Each incident's figure is a range from the lowest to the highest number its sources give. "
    "A total adds the lows and adds the highs. When any source gives only a lower bound "
    "('over 20', 'at least 5') the total has no upper bound and is worded 'at least'.",
    "Incidents with no reported number add nothing to that figure, so every total is a count "
    "of what was reported, not an estimate of what happened.",
    "Strikes: the number of strikes a source states; an air strike or shelling incident with "
    "no stated number counts as at least one.",
    "Facilities hit: facilities named in the incident records, by type; a type named without "
    "a number counts as at least one.",
    "Prohibited weapons: incidents in which a source reports cluster munitions, incendiary "
    "weapons or chemical agents. A report is not a confirmation of use.",
    "Reported totals are quoted as their sources gave them, beside the totals computed from "
    "incidents on record; they differ because sources count different periods, areas and "
    "events, and many incidents are never reported one by one.",
    "Boundaries on the map are approximate and schematic (derived from administrative "
    "centres), and places are shown at the precision the sources allow.",
)
