"""Which event sentences report the same event: consecutive ones are grouped into one claim,
and a new claim starts where the date, the event family, the place or an already-seen figure
changes. A headline restates the report's main event, so it is a claim of its own only when the
body holds none."""

from __future__ import annotations

from marsad.contract.claim import EVENT_FAMILIES
from marsad.extract.counts import CountMention
from marsad.extract.dates import DateMention
from marsad.extract.stages.common import (
    CALM_FAMILIES,
    GENERIC_TYPES,
    HARM_CATEGORIES,
    PROTEST_TYPES,
    is_headline,
    place_key,
)
from marsad.extract.state import DocState, Group, SentenceInfo


class Grouping:
    def run(self, doc: DocState) -> None:
        groups: list[Group] = []
        for info in doc.infos:
            if not info.eventful:
                continue
            if groups and self.compatible(groups[-1], info):
                groups[-1].sentences.append(info)
            else:
                groups.append(Group([info]))
        first = doc.infos[0]
        if (
            len(groups) > 1
            and groups[0].sentences == [first]
            and (is_headline(doc.tokens, first, doc.infos) or doc.dateline is not None)
        ):
            groups.pop(0)
        doc.groups = groups

    def compatible(self, group: Group, info: SentenceInfo) -> bool:
        last = group.last
        types: set[str] = {s.event_type for s in group.sentences if s.event_type}
        if info.tally and any(s.counts for s in group.sentences):
            return False  # "The group documented at least four attacks ...": a total of its own
        if info.follow_up:
            # damage at a place of its own is another strike; at the same place (or none), it
            # is what the attack just reported did
            own = {place_key(p) for p in info.places if p.precision in ("exact", "near")}
            before = {place_key(p) for s in group.sentences for p in s.places}
            return not (own and before and not own & before)
        # Far apart: only the same kind of event with no figures or dates of its own joins.
        near = info.paragraph == last.paragraph or info.index - last.index <= 3
        if not near:
            return (
                info.event_type in types
                and not info.counts
                and not info.dates
                and all(not s.counts for s in group.sentences)
            )
        if not _same_family(types, info):
            return False
        mine = info.best_date()
        # _is_period(group) is asked only where a rule needs it (rarely): it looks at every
        # sentence of the group
        if mine is not None:
            for s in group.sentences:
                theirs = s.best_date()
                if theirs is not None and not _overlap(mine, theirs):
                    return False
        if not _figures_fit(group, info, mine):
            return False
        return _places_fit(group, info, mine)


def _same_family(types: set[str], info: SentenceInfo) -> bool:
    specific = types - GENERIC_TYPES
    if info.event_type and info.event_type not in GENERIC_TYPES and specific:
        families = {EVENT_FAMILIES.get(t) for t in specific}
        if EVENT_FAMILIES.get(info.event_type) not in families:
            return False
    # "... 1,460 attacks ... More than 307,000 people fled": a calm event after only generic
    # violence is a new claim
    return not (
        info.event_type is not None
        and types
        and not specific
        and EVENT_FAMILIES.get(info.event_type) in CALM_FAMILIES
    )


def _figures_fit(group: Group, info: SentenceInfo, mine: DateMention | None) -> bool:
    seen: dict[tuple[str | None, str], list[CountMention]] = {}
    for s in group.sentences:
        for c in s.counts:
            if c.parent is None:
                seen.setdefault((c.category, c.group), []).append(c)
    for c in info.counts:
        if c.parent is None and (c.category, c.group) in seen:
            if mine is None and all(_hedges(c, o) for o in seen[(c.category, c.group)]):
                continue  # "unconfirmed reports put the wounded at up to 12"
            if _is_period(group) and all(
                c.low is not None and o.low is not None and c.low < o.low
                for o in seen[(c.category, c.group)]
            ):
                continue  # "14 attacks ... 6 air strikes, 5 bombardments": a breakdown
            return False
    return True


def _places_fit(group: Group, info: SentenceInfo, mine: DateMention | None) -> bool:
    if (
        info.fronted_place
        and info.event_type is not None
        and any(c.category in HARM_CATEGORIES for c in info.counts)
        and any(s.counts or s.places for s in group.sentences)
        and not (mine is None and _is_period(group))
    ):
        return False  # "In Hass, four people were killed ...": the report's next incident
    mine_places = {place_key(p) for p in info.places if p.precision in ("exact", "near")}
    if mine_places:
        theirs_places = {
            place_key(p)
            for s in group.sentences
            for p in s.places
            if p.precision in ("exact", "near")
        }
        if (
            theirs_places
            and not (mine_places & theirs_places)
            and (info.counts or _protest_moves(info, mine_places - theirs_places))
            and info.event_type is not None
            and not (mine is None and _is_period(group))
        ):
            # a new place with new figures is a new incident; a place named only in
            # passing ("three remain in intensive care in Idlib city") is not
            return False
    return True


def _is_period(group: Group) -> bool:
    """A group that reports a total over a period or many places."""
    for s in group.sentences:
        d = s.best_date()
        if d is not None and (d.since or (d.days or 0) > 7):
            return True
        if s.aggregate_cue and s.counts:
            return True
        if any(c.category == "places_targeted" and (c.low or 0) > 1 for c in s.counts):
            return True
    return False


def _hedges(c: CountMention, other: CountMention) -> bool:
    """A bound or estimate ("up to 12", "about 10") that the figure already given fits in is
    another estimate of the same toll, not a second incident."""
    if c.qualifier not in ("up_to", "about", "nearly"):
        return False
    low = other.low if other.low is not None else other.high
    if low is None:
        return False
    return (c.high is None or c.high >= low) and (c.low is None or c.low <= (other.high or low))


def _overlap(a: DateMention, b: DateMention) -> bool:
    if a.first is None or b.first is None:
        return True
    a_last = a.last or a.first
    b_last = b.last or b.first
    return a.first <= b_last and b.first <= a_last


def _protest_moves(info: SentenceInfo, new_places: set[str]) -> bool:
    """Whether a protest sentence reports protests in new places: "Protests also spread to Azaz
    and al-Bab", "Smaller demonstrations took place in Binnish" name the place within a few
    words after the protest word; "banners bearing the names of towns hit, including Ariha"
    names places the protest is about."""
    ev = info.event_match
    if info.event_type not in PROTEST_TYPES or ev is None:
        return False
    for p in info.places:
        if place_key(p) in new_places and 0 <= p.evidence.start - info.event_end < 40:
            return True
    return False
