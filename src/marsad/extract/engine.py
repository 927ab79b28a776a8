"""The extraction engine: text in, claims out.

Pipeline, one pass per stage and nothing quadratic in the text length:

1. tokenise once and split sentences and paragraphs (:mod:`marsad.extract.text`);
2. match every lexicon phrase per sentence with one trie walk (:mod:`marsad.extract.lexicon`);
3. per sentence, read dates, numbers and counts, actors, weapons, facilities, organisations and
   named persons, and decide whether it reports an event (a trigger or a casualty figure that is
   not negated, hypothetical, a call to action or background history);
4. group consecutive event sentences into claims, starting a new claim where the date, the
   event family, the place or an already-seen figure changes;
5. attach places (from the gazetteer), fall back to the paragraph and the headline for dates and
   places, and build :class:`~marsad.schema.Claim` objects with evidence spans everywhere.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import compress
from typing import Any, Protocol

from marsad.extract.counts import CountMention, CountReader
from marsad.extract.dates import DateMention, DateReader, parse_iso
from marsad.extract.lexicon import (
    ACTOR,
    CASUALTY,
    COUNT_NOUN,
    CUE_ACTION,
    CUE_AGGREGATE,
    CUE_BACKGROUND,
    CUE_CROWD,
    CUE_HYPOTHETICAL,
    CUE_NEGATION,
    CUE_REPORT,
    CUE_WAR_TOTAL,
    EVENT,
    FACILITY,
    FORCE,
    ORG,
    SPEECH,
    WEAPON,
    Match,
    PhraseMatcher,
    build_matcher,
)
from marsad.extract.numbers import NumberMention
from marsad.extract.persons import PersonFound, PersonReader
from marsad.extract.text import WORD, Sentence, Tokens, split_sentences, tokenize
from marsad.lang import LanguagePack
from marsad.schema import (
    ACLED_SUB_EVENT_TYPES,
    EVENT_FAMILIES,
    ActorRef,
    Claim,
    Count,
    DocumentMeta,
    FacilityRef,
    OrgRef,
    PersonMention,
    PlaceRef,
    Span,
    WeaponRef,
)

_PROTEST_TYPES = frozenset({"peaceful_protest"})
_NON_VIOLENT = frozenset(
    {"peaceful_protest", "threat", "displacement", "strategic_development", "arrest"}
)
_EVENT_COUNT_CATEGORIES = frozenset(
    {"killed", "injured", "missing", "strikes", "facilities_hit", "crowd_size", "detained"}
)
_VICTIM_GROUP_ACTOR = {
    "civilians": "civilians",
    "children": "civilians",
    "women": "civilians",
    "rescue_workers": "rescue_workers",
}
_HARM_CATEGORIES = frozenset({"killed", "injured", "missing", "detained"})
_BACKGROUND_DAYS = 365
_WAR_TOTAL_DAYS = 2 * 365
_GOVERNS = 6  # tokens after a hypothetical or call-to-action cue that it governs
# Means of attack from a distance: a total that lists several of them is typed `attack`.
_MEANS_TYPES = frozenset({"air_strike", "shelling"})
_GENERIC_TYPES = frozenset({"attack"})  # compatible with any family when grouping
# families that never share a claim with violence, not even with a generic "attacks"
_CALM_FAMILIES = frozenset({"protest", "strategic"})
_FALLBACK_WINDOW_DAYS = 6


class PlaceLocator(Protocol):
    """Anything that finds places in a text. A locator whose class sets
    ``takes_word_offsets = True`` (the gazetteer does) is also handed the engine's word tokens as
    ``locate(text, words=(starts, ends))``, so it need not split the text a second time."""

    def locate(self, text: str) -> list[PlaceRef]: ...


@dataclass(slots=True)
class SentenceInfo:
    sentence: Sentence
    # copies of sentence.index and sentence.paragraph: plain fields, read in every grouping and
    # claim-building loop, are cheaper than properties
    index: int
    paragraph: int
    char_start: int
    char_end: int
    matches: dict[str, list[Match]]
    event_type: str | None = None
    event_match: Match | None = None
    # every event type the sentence's live triggers name (a tally can list several means)
    all_types: frozenset[str] = frozenset()
    dates: list[DateMention] = field(default_factory=list)
    # whether `dates` were read (a sentence read and found undated is not read again when the
    # claims before and after it look back for a date: see Engine._dates_of)
    dates_read: bool = False
    counts: list[CountMention] = field(default_factory=list)
    numbers: list[NumberMention] = field(default_factory=list)
    persons_read: list[PersonFound] | None = None  # filled on first use (see Engine.persons_in)
    places: list[PlaceRef] = field(default_factory=list)
    eventful: bool = False
    background: bool = False
    hypothetical: bool = False
    aggregate_cue: bool = False
    report_cue: bool = False
    facility_figures: bool = False  # "11 schools and 6 health facilities were hit"
    fronted_place: bool = False  # opens on "In <Place>," (see Engine._fronted_place)
    # a total of its own: "documented at least four attacks", "the fourth attack this month"
    tally: bool = False
    such: bool = False  # "the second such attack": the kind reported just before
    follow_up: bool = False  # "A poultry market in Ariha was destroyed" (see Engine._follow_ups)
    event_end: int = 0  # character offset where the chosen event word ends
    # the first armed actor an accusation frame names, as (match, actor index): read once on
    # first use (see Engine._accused_in), though every claim without an agent looks again
    accused: tuple[Match, int] | None = None
    accused_read: bool = False
    # (dates, event_match, best_date()) of the last best_date() call
    best_cache: tuple[list[DateMention], Match | None, DateMention | None] | None = None

    def best_date(self) -> DateMention | None:
        dates = self.dates
        if not dates:
            return None  # most sentences
        # Grouping and claim building ask many times; the answer depends only on the dates list
        # and the event word, both replaced (never changed in place) when they change, so an
        # answer is reused while both are the very same objects.
        cached = self.best_cache
        if cached is not None and cached[0] is dates and cached[1] is self.event_match:
            return cached[2]
        best = self._best_date()
        self.best_cache = (dates, self.event_match, best)
        return best

    def _best_date(self) -> DateMention | None:
        resolved = [d for d in self.dates if d.first is not None]
        if not resolved:
            return None
        for d in resolved:
            if d.since:
                return d
        # Of equally precise dates, the one nearest the event word tells when it happened:
        # "funerals were held on Saturday for the victims of Friday's air strike".
        at = self.event_match.start if self.event_match is not None else None
        return min(
            resolved,
            key=lambda d: (d.precision or 9, abs(d.start - at) if at is not None else d.start),
        )


@dataclass(slots=True)
class Group:
    sentences: list[SentenceInfo]

    @property
    def last(self) -> SentenceInfo:
        return self.sentences[-1]


class Engine:
    """The engine for one language pack (compiled once, reused for every document)."""

    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack
        self.matcher: PhraseMatcher = build_matcher(pack)
        self.dates = DateReader(pack)
        self.counts = CountReader(pack)
        self.persons = PersonReader(pack)
        self.priority = {t: i for i, t in enumerate(pack.event_priority)}
        self.actors = pack.actors
        self.armed = frozenset(i for i, a in enumerate(pack.actors) if a.type in pack.armed_types)
        # Frame phrases grouped by length: one slice and one set lookup per length instead of a
        # slice per phrase (``_frame_role`` runs for every actor mention).
        self._agent_phrases = _by_length(pack.grammar.agent_phrases)
        self._responsibility_phrases = _by_length(pack.grammar.responsibility_phrases)
        self._control_before = _by_length(pack.grammar.control_before)
        # The words a phrase of each kind must end (agent, control) or open (responsibility)
        # with: one set lookup rules out nearly every mention before any slicing.
        self._agent_last = _edge_words(pack.grammar.agent_phrases, -1)
        self._responsibility_first = _edge_words(pack.grammar.responsibility_phrases, 0)
        self._control_before_last = _edge_words(pack.grammar.control_before, -1)
        # damage phrases by their first word, in pack order (None: an empty phrase, see
        # _edge_words)
        self._damage_by_first: dict[str, list[tuple[str, ...]]] | None = None
        if all(pack.grammar.damage_phrases):
            self._damage_by_first = {}
            for ph in pack.grammar.damage_phrases:
                self._damage_by_first.setdefault(ph[0], []).append(ph)

    # -- per sentence ----------------------------------------------------------------------
    def _analyse(
        self,
        tokens: Tokens,
        sent: Sentence,
        anchor: date | None,
        nodes: list[dict[str, Any] | None],
    ) -> SentenceInfo:
        s, e = sent.start, sent.end
        matches = self.matcher.match(tokens, s, e, nodes)
        cs, ce = sent.char_span(tokens)
        info = SentenceInfo(sent, sent.index, sent.paragraph, cs, ce, matches)
        info.fronted_place = self._fronted_place(tokens, sent)
        negations = matches.get(CUE_NEGATION)
        hypotheticals = matches.get(CUE_HYPOTHETICAL)
        actions = matches.get(CUE_ACTION)
        triggers = matches.get(EVENT, [])
        live: Callable[[Match], bool] | None = None
        if negations or hypotheticals or actions:
            negated_until = {m.end for m in negations or ()}
            # "No such attack took place": a negation opening the sentence negates all of it.
            sentence_negated = any(m.start <= s + 1 for m in negations or ())
            # Cues of hypotheticals and calls to action govern the triggers just after them
            # ("may result in an attack", "we call on them to halt the bombardment").
            governing = [m.end for m in hypotheticals or ()]
            governing += [m.end for m in actions or ()]

            def live(m: Match) -> bool:
                if sentence_negated or any(m.start - k in negated_until for k in (0, 1, 2)):
                    return False
                return not any(0 <= m.start - g <= _GOVERNS for g in governing)

            events = [m for m in triggers if live(m)]
            info.hypothetical = len(events) < len(triggers)
        else:
            # most sentences have no cue at all, so every trigger is live (only read below)
            events = triggers
        types: list[tuple[str, Match]] = [(t, m) for m in events for t in m.values]
        weapons = matches.get(WEAPON)
        if weapons:
            weapon_implies = self.pack.weapon_implies
            for w in weapons:
                implied = weapon_implies.get(w.value)
                if implied is not None and (live is None or live(w)):
                    types.append((implied, w))
        forces = matches.get(FORCE)
        if forces and any(t in _PROTEST_TYPES for t, _ in types):
            excessive = [f for f in forces if "excessive" in f.values]
            if excessive:
                types.append(("excessive_force_against_protesters", excessive[0]))
            else:
                types.append(("protest_with_intervention", forces[0]))
        if types:
            # a weak trigger ("raids", "helicopters") gives way to any other specific type in
            # the sentence: "arrested 20 men in raids", "helicopters dropped leaflets warning"
            weak = self.pack.weak_triggers
            keys = tokens.keys
            is_weak = [" ".join(keys[m.start : m.end]) in weak for _, m in types]
            strong = types
            if True in is_weak:
                strong = [
                    tm
                    for tm, w in zip(types, is_weak, strict=True)
                    if not w and tm[0] not in _GENERIC_TYPES
                ]
            info.all_types = frozenset(t for t, _ in types)
            if len(types) == 1:
                best = types[0]
            else:
                priority = self.priority
                best = min(strong or types, key=lambda tm: priority.get(tm[0], 99))
            info.event_type, info.event_match = best
            info.event_end = tokens.ends[best[1].end - 1]
        info.aggregate_cue = CUE_AGGREGATE in matches
        info.report_cue = CUE_REPORT in matches
        info.background = CUE_BACKGROUND in matches
        has_figures = (
            CASUALTY in matches
            or COUNT_NOUN in matches
            or FACILITY in matches
            or CUE_CROWD in matches  # "a crowd of some 1,500 people"
        )
        if types or has_figures:
            info.dates = self.dates.read(tokens, s, e, matches, anchor)
            info.dates_read = True
            claimed: set[int] = set()
            for d in info.dates:
                claimed.update(range(d.start, d.end))
            if info.background:
                # "in the past" opening a date ("in the past 24 hours") is that date, not history
                info.background = any(
                    m.end - 1 not in claimed for m in matches.get(CUE_BACKGROUND, ())
                )
            # an age next to a name ("Rana Haddad, 34,") is no count; names are read first
            claimed.update(
                p.age for p in self.persons_in(tokens, info) if p.age is not None and not p.weak
            )
            violent = not info.all_types <= _NON_VIOLENT  # some type is violent
            info.counts, info.numbers = self.counts.read(tokens, s, e, claimed, matches, violent)
            facilities = matches.get(FACILITY)
            if facilities:
                number_ends = {n.end for n in info.numbers if n.low is not None}
                info.facility_figures = any(m.start in number_ends for m in facilities) and bool(
                    types or CASUALTY in matches or COUNT_NOUN in matches or info.numbers
                )
            self._read_tally(tokens, info, events)
            if (
                info.event_type not in (None, "displacement")
                and info.counts
                and all(c.category == "displaced" for c in info.counts)
            ):
                # "Thousands of residents fled the fighting", "the attacks had forced 150,000
                # people to flee": the only figure is of people fleeing, so the sentence
                # reports the flight; the violence it names is the cause
                flight = [m for t, m in types if t == "displacement"]
                if flight:
                    info.event_type, info.event_match = "displacement", flight[0]
                    info.event_end = tokens.ends[flight[0].end - 1]
        return info

    def _follow_ups(self, tokens: Tokens, infos: list[SentenceInfo]) -> None:
        """Make a sentence reporting damage to a facility ("A civil defence centre in al-Tamanah
        was also put out of action") right after an attack an event of the attack's type: it
        tells what the attack (or another strike of it) did, though it has no trigger of its
        own, and dropping it loses the facility and the place."""
        phrases = self.pack.grammar.damage_phrases
        if not phrases:
            return
        prev: SentenceInfo | None = None
        for info in infos:
            if info.eventful:
                prev = info
                continue
            if (
                prev is None
                or prev.event_type is None
                or prev.event_type in _NON_VIOLENT
                or info.event_type is not None
                or info.background
                or info.hypothetical
                or info.index - prev.index > 2
                or info.paragraph != prev.paragraph
            ):
                continue
            facilities = info.matches.get(FACILITY)
            if not facilities:
                continue
            keys = tokens.keys
            by_first = self._damage_by_first
            hit: tuple[int, int] | None = None
            for k in range(facilities[0].end, info.sentence.end):
                # only the phrases that open with this word can start here (in pack order)
                for ph in phrases if by_first is None else by_first.get(keys[k], ()):
                    if tuple(keys[k : k + len(ph)]) == ph:
                        hit = (k, k + len(ph))
                        break
                if hit is not None:
                    break
            if hit is None:
                continue
            info.eventful = True
            info.follow_up = True
            info.event_type = prev.event_type
            info.event_match = Match(EVENT, (prev.event_type,), hit[0], hit[1])
            info.event_end = tokens.ends[hit[1] - 1]

    def _read_tally(self, tokens: Tokens, info: SentenceInfo, events: list[Match]) -> None:
        """Mark a sentence that gives a total of events of its own: a count of attacks right
        after a tally verb ("The group documented at least four attacks", "recorded 21 attacks
        on vital facilities"), or an ordinal before an event word with a period date ("It was
        the fourth attack on health care this month": four attacks so far this month, a count
        added here)."""
        g = self.pack.grammar
        s = info.sentence.start
        for c in info.counts:
            if c.category != "strikes" or c.parent is not None:
                continue
            if any(tokens.keys[k] in g.tally_verbs for k in range(max(s, c.start - 4), c.start)):
                info.tally = True
                return
        if not g.ordinals or not events or info.counts:
            return
        best = info.best_date()
        if best is None or not (best.since or (best.days or 0) > 1):
            return
        for k in range(s, info.sentence.end):
            n = g.ordinals.get(tokens.keys[k])
            if n is None:
                continue
            # the event word follows within three words ("the third drone attack", "the
            # second such attack")
            ev = next((m for m in events if 0 < m.start - k <= 3), None)
            if ev is None:
                continue
            between = tokens.keys[k + 1 : ev.start]
            info.such = any(w in g.such_words for w in between)
            info.counts.append(
                CountMention(
                    category="strikes",
                    group="all",
                    low=n,
                    high=n,
                    qualifier="",
                    start=k,
                    end=ev.end,
                )
            )
            info.tally = True
            return

    def _decide_eventful(self, info: SentenceInfo, reference: date | None) -> None:
        counts = info.counts
        figures = info.facility_figures or (
            bool(counts)  # most sentences: no figures, and no generator to make
            and any(c.category in _EVENT_COUNT_CATEGORIES and not c.absurd for c in counts)
        )
        if info.event_type is None and not figures:
            return
        war_total = self.pack.war_total_above
        if CUE_WAR_TOTAL in info.matches or (
            bool(counts)
            and any(
                c.category == "killed" and (c.low or 0) > war_total and not c.absurd for c in counts
            )
        ):
            info.background = True
            return
        best = info.best_date()
        if best is not None and reference is not None and best.last is not None:
            if best.last < reference - timedelta(days=_BACKGROUND_DAYS):
                info.background = True
                return
            if (best.days or 0) > _BACKGROUND_DAYS and not figures:
                info.background = True
                return
            if (
                best.since
                and best.first is not None
                and best.first < reference - timedelta(days=_WAR_TOTAL_DAYS)
            ):
                # "more than 300,000 killed since 2011": a war-long total, context not news
                info.background = True
                return
        if info.background and not figures:
            return
        info.background = False
        if info.hypothetical and not figures and best is None:
            return
        info.eventful = True

    def _fronted_place(self, tokens: Tokens, sent: Sentence) -> bool:
        """Whether a sentence opens on a place name and a comma: "In nearby Maarshamsheh, ..."
        (capitalised words, or the fillers of grammar.yaml, between the opener and the comma)."""
        g = self.pack.grammar
        s, e = sent.start, sent.end
        if e - s < 4 or tokens.keys[s] not in g.fronted_place_openers:
            return False
        named = False
        for i in range(s + 1, min(e, s + 8)):
            key = tokens.keys[i]
            if key == ",":
                return named
            if key in g.fronted_place_fillers:
                continue
            word = tokens.surface(i)
            if not word[:1].isupper():
                return False
            named = True
        return False

    # -- grouping --------------------------------------------------------------------------
    def _compatible(self, group: Group, info: SentenceInfo) -> bool:
        last = group.last
        types = {s.event_type for s in group.sentences if s.event_type}
        if info.tally and any(s.counts for s in group.sentences):
            return False  # "The group documented at least four attacks ...": a total of its own
        if info.follow_up:
            # damage at a place of its own is another strike; at the same place (or none), it
            # is what the attack just reported did
            own = {_place_key(p) for p in info.places if p.precision in ("exact", "near")}
            before = {_place_key(p) for s in group.sentences for p in s.places}
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
        specific = types - _GENERIC_TYPES
        mine = info.best_date()
        # _is_period(group) is asked only where a rule needs it (rarely): it looks at every
        # sentence of the group
        if info.event_type and info.event_type not in _GENERIC_TYPES and specific:
            families = {EVENT_FAMILIES.get(t) for t in specific}
            if EVENT_FAMILIES.get(info.event_type) not in families:
                return False
        if (
            info.event_type is not None
            and types
            and not specific
            and EVENT_FAMILIES.get(info.event_type) in _CALM_FAMILIES
        ):
            return False  # "... 1,460 attacks ... More than 307,000 people fled": a new claim
        if mine is not None:
            for s in group.sentences:
                theirs = s.best_date()
                if theirs is not None and not _overlap(mine, theirs):
                    return False
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
        if (
            info.fronted_place
            and info.event_type is not None
            and any(c.category in _HARM_CATEGORIES for c in info.counts)
            and any(s.counts or s.places for s in group.sentences)
            and not (mine is None and _is_period(group))
        ):
            return False  # "In Hass, four people were killed ...": the report's next incident
        mine_places = {_place_key(p) for p in info.places if p.precision in ("exact", "near")}
        if mine_places:
            theirs_places = {
                _place_key(p)
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

    # -- claims ----------------------------------------------------------------------------
    def extract(
        self, text: str, meta: DocumentMeta | None, locator: PlaceLocator | None
    ) -> list[Claim]:
        tokens = tokenize(text)
        sentences = split_sentences(tokens, self.pack.grammar.abbreviations)
        if not sentences:
            return []
        anchor = parse_iso(meta.published) if meta is not None else None
        nodes = self.matcher.first_nodes(tokens)
        dateline = self._dateline(tokens, sentences[0], nodes)
        if anchor is None and dateline is not None:
            anchor = dateline.first
        infos = [self._analyse(tokens, s, anchor, nodes) for s in sentences]
        if dateline is not None:
            # The dateline says when the report was filed, not when the event happened.
            head = infos[0]
            others = [d for d in head.dates if d.start > dateline.start]
            if others:
                head.dates = others
        reference = anchor or _latest_explicit(infos)
        for info in infos:
            self._decide_eventful(info, reference)
        self._follow_ups(tokens, infos)
        if not any(i.eventful for i in infos):
            return []
        places: list[PlaceRef] = []
        if locator is not None:
            if getattr(locator, "takes_word_offsets", False):
                places = locator.locate(text, words=_word_offsets(tokens))  # type: ignore[call-arg]
            else:
                places = locator.locate(text)
        if places:
            starts = [i.char_start for i in infos]
            for p in places:
                k = bisect_right(starts, p.evidence.start) - 1
                if (
                    k >= 0
                    and not _inside_name(tokens, infos[k], p)
                    and not self._inside_person(tokens, infos[k], p)
                ):
                    infos[k].places.append(p)
        groups: list[Group] = []
        for info in infos:
            if not info.eventful:
                continue
            if groups and self._compatible(groups[-1], info):
                groups[-1].sentences.append(info)
            else:
                groups.append(Group([info]))
        # A headline restates the report's main event: it is a claim of its own only when the
        # body holds none.
        first = infos[0]
        if (
            len(groups) > 1
            and groups[0].sentences == [first]
            and (_is_headline(tokens, first, infos) or dateline is not None)
        ):
            groups.pop(0)
        named = self._title_sentences(tokens, infos, meta)
        claims: list[Claim] = []
        for g in groups:
            claim = self._build(tokens, g, infos, anchor, named)
            if claim is None:
                continue
            if claims and g.sentences[0].such:
                # "It was the second such attack ...": attacks of the kind just reported
                claim = replace(claim, event_type=claims[-1].event_type)
            if claims and claim.event_type == "displacement" and claim.date_evidence is None:
                prev = claims[-1]
                if prev.scope == "aggregate" and prev.event_type != "displacement":
                    # "Since 5 October, over 60 civilians were killed ... More than 120,000
                    # people have fled": the flight is counted over the same period
                    claim = replace(
                        claim,
                        scope="aggregate",
                        date_start=prev.date_start,
                        date_end=prev.date_end,
                        date_precision=prev.date_precision,
                    )
            claims.extend(_split_protest_list(claim))
        return claims

    def _dateline(
        self, tokens: Tokens, first: Sentence, nodes: list[dict[str, Any] | None]
    ) -> DateMention | None:
        """A full date in the first few tokens ("Wed 05 Apr 2017 ...") anchors relative dates."""
        end = min(first.end, first.start + 10)
        matches = self.matcher.match(tokens, first.start, end, nodes)
        for d in self.dates.read(tokens, first.start, end, matches, None):
            # "Wed 05 Apr 2017", "Published April 2 2017", "Date of publication 7 July 2016"
            if d.explicit_year and d.precision == 1 and d.start <= first.start + 4:
                return d
        return None

    def _build(
        self,
        tokens: Tokens,
        g: Group,
        infos: list[SentenceInfo],
        anchor: date | None,
        named: list[SentenceInfo] | None = None,
    ) -> Claim | None:
        text = tokens.text
        sents = g.sentences
        start, end = sents[0].char_start, sents[-1].char_end
        typed = [(s.event_type, s.event_match) for s in sents if s.event_type and s.event_match]
        counts: list[Count] = []
        absurd = False
        starts, ends = tokens.starts, tokens.ends
        for s in sents:
            if not s.counts:
                continue
            # a count's parent is a count of the same sentence: its number there -> its place
            # in ``counts``
            placed: dict[int, int] = {}
            for k, c in enumerate(s.counts):
                if c.absurd:
                    absurd = True
                    continue
                assert c.category is not None
                parent = placed.get(c.parent) if c.parent is not None else None
                perpetrator = self.actors[c.perpetrator].id if c.perpetrator is not None else None
                placed[k] = len(counts)
                counts.append(
                    Count(
                        category=c.category,
                        low=c.low,
                        high=c.high,
                        qualifier=c.qualifier,
                        evidence=_span(text, starts[c.start], ends[c.end - 1]),
                        group=c.group,
                        derived=c.derived,
                        part_of=parent,
                        perpetrator=perpetrator,
                    )
                )
        _nest_breakdowns(counts)
        event_type: str | None = None
        event_evidence: Span | None = None
        if typed:
            priority = self.priority
            et, em = (
                typed[0]
                if len(typed) == 1
                else min(typed, key=lambda tm: priority.get(tm[0] or "", 99))
            )
            event_type = et
            assert em is not None
            event_evidence = _span(text, tokens.starts[em.start], tokens.ends[em.end - 1])
        else:
            cats = {c.category for c in counts}
            if "crowd_size" in cats:
                event_type = "peaceful_protest"
            elif "strikes" in cats:
                event_type = "air_strike"
            elif cats & {"killed", "injured"}:
                event_type = "attack"
            elif "detained" in cats:
                event_type = "arrest"
            else:
                return None

        # dates: the group's own, else the paragraph before it, else the headline
        date_mention: DateMention | None = None
        date_info: SentenceInfo | None = None
        since_has_counts = False
        for s in sents:
            d = s.best_date()
            # "since ..." dates a total only where the sentence gives one ("threats since
            # early October" does not re-date the detention of 16 October).
            since = d is not None and d.since and bool(s.counts)
            held_since = date_mention is not None and date_mention.since and since_has_counts
            if d is not None and (
                date_mention is None
                or since
                or ((d.precision or 9) < (date_mention.precision or 9) and not held_since)
            ):
                since_has_counts = since
                date_mention, date_info = d, s
        if date_mention is None:
            for s in reversed(infos[: sents[0].index]):
                if s.paragraph != sents[0].paragraph and s.index != 0:
                    continue
                if s.background:
                    continue
                d = self._dates_of(tokens, s, anchor)
                if d is not None:
                    date_mention, date_info = d, s
                    break
        date_start = date_end = None
        precision: int | None = None
        date_evidence: Span | None = None
        if date_mention is not None and date_info is not None and date_mention.first is not None:
            date_start = date_mention.first.isoformat()
            date_end = date_mention.last.isoformat() if date_mention.last else None
            precision = date_mention.precision
            date_evidence = _span(
                text, tokens.starts[date_mention.start], tokens.ends[date_mention.end - 1]
            )
        elif anchor is not None:
            # Undated report: the event happened in the days before publication.
            date_start = (anchor - timedelta(days=_FALLBACK_WINDOW_DAYS)).isoformat()
            date_end = anchor.isoformat()
            precision = 3

        # scope
        # A cue ("so far", "in total") marks a total only in a sentence that gives figures.
        aggregate = any(s.aggregate_cue and s.counts for s in sents) or sents[0].tally
        if date_mention is not None and (date_mention.since or (date_mention.days or 0) > 7):
            aggregate = True
        if any(c.category == "places_targeted" and (c.low or 0) > 1 for c in counts):
            aggregate = True
        if aggregate and event_type in _MEANS_TYPES:
            means = {t for s in sents for t in s.all_types} & _MEANS_TYPES
            if len(means) > 1:
                # "37 airstrikes, 19 barrel bombs and 64 artillery shells", "shelling and
                # airstrikes have killed 70": a total over several means is attacks in general
                event_type = "attack"

        # places: the group's sentences, else the paragraph, else the headline/dateline
        places = _dedupe_places([p for s in sents for p in s.places])
        places = _drop_qualifiers(tokens.text, places)
        if not places:
            same_para = [
                s
                for s in infos
                if s.paragraph == sents[0].paragraph and s.places and not s.eventful
            ]
            if same_para:
                nearest = min(same_para, key=lambda s: abs(s.index - sents[0].index))
                places = _drop_qualifiers(tokens.text, _dedupe_places(nearest.places))
        if not places and infos[0].places and infos[0] not in sents:
            places = _drop_qualifiers(tokens.text, _dedupe_places(infos[0].places))
        if not aggregate:
            places = _drop_enclosing_areas(places)

        if aggregate and not counts:
            # "Air raids have intensified since 5 October": a trend with no figures is context.
            return None

        perpetrators, targets = self._actors(tokens, sents)
        if not perpetrators:
            perpetrators = self._accused_elsewhere(tokens, infos, sents)
        for count in counts:
            actor_type = _VICTIM_GROUP_ACTOR.get(count.group)
            if (
                actor_type is not None
                and count.category in _HARM_CATEGORIES
                and all(t.type != actor_type for t in targets)
            ):
                a = next(x for x in self.actors if x.id == actor_type)
                targets.append(ActorRef(a.id, a.name, a.type, count.evidence))

        weapons: list[WeaponRef] = []
        seen_w: set[str] = set()
        facilities: list[FacilityRef] = []
        seen_f: set[str] = set()
        for s in sents:
            for m in s.matches.get(WEAPON, ()):
                if m.value not in seen_w:
                    seen_w.add(m.value)
                    weapons.append(WeaponRef(m.value, _mspan(tokens, m)))
            facility_matches = s.matches.get(FACILITY)
            if not facility_matches:
                continue
            number_at = {n.end: n for n in s.numbers}
            for m in facility_matches:
                n = number_at.get(m.start)
                # "11 schools", "at least 7 camps": the least number the source gives
                fcount = n.low if n is not None and n.qualifier != "vague" else None
                if m.value not in seen_f:
                    seen_f.add(m.value)
                    facilities.append(FacilityRef(m.value, _mspan(tokens, m), fcount))

        reported = self._orgs(tokens, sents, infos)
        persons = self._persons(tokens, g, infos, places, named or [])

        confidence = 0.4
        confidence += 0.15 if counts else 0.0
        confidence += 0.1 if date_evidence is not None else 0.0
        confidence += 0.1 if places else 0.0
        confidence += 0.1 if perpetrators else 0.0
        confidence += 0.05 if reported else 0.0
        confidence -= 0.2 if absurd else 0.0
        confidence -= 0.1 if any(s.hypothetical for s in sents) else 0.0
        if not (counts or date_evidence or places or perpetrators or weapons or persons or targets):
            return None
        return Claim(
            scope="aggregate" if aggregate else "incident",
            event_type=event_type,
            evidence=_span(text, start, end),
            acled_sub_event_type=ACLED_SUB_EVENT_TYPES.get(event_type),
            date_start=date_start,
            date_end=date_end,
            date_precision=precision,
            date_evidence=date_evidence,
            places=places,
            perpetrators=perpetrators,
            targets=targets,
            weapons=weapons,
            counts=counts,
            facilities=facilities,
            reported_by=reported,
            persons=persons,
            event_type_evidence=event_evidence,
            confidence=round(max(0.05, min(0.95, confidence)), 2),
        )

    def _dates_of(self, tokens: Tokens, s: SentenceInfo, anchor: date | None) -> DateMention | None:
        if not s.dates and not s.eventful and not s.dates_read:
            sent = s.sentence
            s.dates = self.dates.read(tokens, sent.start, sent.end, s.matches, anchor)
            s.dates_read = True
        d = s.best_date()
        if d is not None and d.explicit_year is False and d.relative is False and d.days == 1:
            return d
        if d is not None and (d.precision or 9) <= 4:
            return d
        return None

    def _actors(
        self, tokens: Tokens, sents: list[SentenceInfo]
    ) -> tuple[list[ActorRef], list[ActorRef]]:
        perpetrators: list[ActorRef] = []
        targets: list[ActorRef] = []
        seen: set[tuple[str, bool]] = set()
        rank: list[int] = []
        keys = tokens.keys
        grammar = self.pack.grammar
        for s in sents:
            matches = s.matches
            actor_matches = matches.get(ACTOR)
            if not actor_matches:
                continue  # nothing below runs without an actor mention (names are costly)
            # The token sets below are built only from the matches a sentence has (most have
            # few kinds), so the common case makes no empty sets or generators.
            orgs = matches.get(ORG)
            org_tokens: AbstractSet[int] = (
                {t for m in orgs for t in range(m.start, m.end)} if orgs else _NO_TOKENS
            )
            count_spans = (
                [(c.start, c.end) for c in s.counts if c.category in _HARM_CATEGORIES]
                if s.counts
                else []
            )
            casualties = matches.get(CASUALTY)
            casualty_at: AbstractSet[int] = (
                {m.start for m in casualties} if casualties else _NO_TOKENS
            )
            # Words that only describe a facility, a speaker or an audience are not actors:
            # "civil-defence centres", "activist Lina Haddad said", "told reporters".
            not_actor: set[int] = set()
            facilities = matches.get(FACILITY)
            if facilities:
                not_actor.update(t for m in facilities for t in range(m.start, m.end))
            speech = matches.get(SPEECH)
            if speech:
                not_actor.update(m.end for m in speech)
            # the role word right before a name ("activist Lina Haddad") describes the person
            persons = self.persons_in(tokens, s)
            person_starts: AbstractSet[int] = (
                {p.start for p in persons} | {p.start - 1 for p in persons}
                if persons
                else _NO_TOKENS
            )
            protest_only = s.event_type in _PROTEST_TYPES
            for m in actor_matches:
                if m.start in not_actor or m.end - 1 in not_actor or m.end in person_starts:
                    continue
                if self._controls_place(tokens, m):
                    continue  # "rebel-held districts": who holds the place, not who struck it
                in_count = bool(count_spans) and any(a <= m.start < b for a, b in count_spans)
                if not in_count:
                    # "25 members of the Nusra Front", "20 fighters of IS": the group counted
                    p = m.start - 1
                    if p >= 0 and keys[p] == grammar.definite_article:
                        p -= 1
                    in_count = (
                        p >= 0
                        and keys[p] in grammar.of_words
                        and any(b == p for _, b in count_spans)
                    )
                # "soldiers were killed" (passive) makes them victims; "HTS arrested" does not
                after = _skip_aux_to(tokens, m.end, self.counts.aux)
                victim = in_count or (after > m.end and after in casualty_at)
                role = self._frame_role(tokens, m, after)
                for index in m.values:
                    actor = self.actors[index]
                    armed = index in self.armed
                    inside_org = m.start in org_tokens and m.end - 1 in org_tokens
                    if (inside_org or (not armed and m.start in org_tokens)) and not in_count:
                        continue  # "White Helmets teams documented ...": the reporter
                    as_perpetrator = armed and not victim
                    if as_perpetrator and role == "accuser":
                        continue  # "the opposition accused the army of ...": who speaks
                    if as_perpetrator and protest_only:
                        continue  # a peaceful protest has no perpetrator ("chants for the FSA")
                    key = (actor.id, as_perpetrator)
                    if key in seen:
                        continue
                    seen.add(key)
                    ref = ActorRef(actor.id, actor.name, actor.type, _mspan(tokens, m))
                    if as_perpetrator:
                        rank.append(self._agent_rank(tokens, s, m, role))
                    (perpetrators if as_perpetrator else targets).append(ref)
        # The agent of the event word comes first ("regime air strikes on rebel-held areas",
        # "strikes by Russian jets"), not the first armed actor the passage happens to name.
        if len(perpetrators) > 1:
            # a stable sort: mentions of equal rank keep their order in the text
            order = sorted(range(len(perpetrators)), key=rank.__getitem__)
            perpetrators = [perpetrators[i] for i in order]
        return perpetrators, targets

    def _controls_place(self, tokens: Tokens, m: Match) -> bool:
        """Whether an actor mention only says who holds a place ("IS-held", "held by IS")."""
        g = self.pack.grammar
        keys = tokens.keys
        k = m.end
        if k < len(keys) and keys[k] == "-":
            k += 1
            if k < len(keys) and keys[k] in g.control_after:
                return True  # hyphenated only: "the rebels held the town" is an action
        b = m.start
        if b > 0 and keys[b - 1] == g.definite_article:
            b -= 1
        last = self._control_before_last
        if last is None or (b > 0 and keys[b - 1] in last):
            for n, phrases in self._control_before:
                if b >= n and tuple(keys[b - n : b]) in phrases:
                    return True
        return False

    def _agent_rank(self, tokens: Tokens, s: SentenceInfo, m: Match, role: str | None) -> int:
        """-1 for the agent of a harm verb ("killed by IS"), 0 when the mention is the agent of
        the sentence's event word (right before it, or after "by" just after it), 1 for a subject
        shortly before the event word, 2 otherwise. ``role`` is ``_frame_role(tokens, m)``, which
        the caller has at hand."""
        agent_words = self.pack.grammar.agent_words
        if role == "accused":
            return 0  # "accused the regime of", "carried out by IS": the alleged agent
        # "SDF fighters killed 13 militants", "civilians killed by IS": the agent of a harm verb
        for c in s.matches.get(CASUALTY, ()):
            if 0 <= c.start - m.end <= 1:
                return 0
            if c.end <= m.start <= c.end + 2 and any(
                w in agent_words for w in tokens.keys[c.end : m.start]
            ):
                return -1  # "killed by IS": the text names who killed, which outranks all
        ev = s.event_match
        if ev is None:
            return 2
        if 0 <= ev.start - m.end <= 1 or m.start <= ev.start < m.end:
            return 0  # "regime air strikes", or the trigger inside the name ("Russian strikes")
        if ev.end <= m.start <= ev.end + 4:
            between = tokens.keys[ev.end : m.start]
            if any(w in agent_words for w in between):
                return 0
        if m.end <= ev.start and ev.start - m.end <= 6:
            return 1  # a subject before the verb ("the regime's warplanes bombed")
        k = m.end + (m.end < len(tokens) and tokens.keys[m.end] == "s")
        if k < len(tokens) and tokens.keys[k] in self.pack.grammar.instrument_words:
            return 1  # "Russia's jets struck ...": the owner of the means
        return 2

    def _accused_elsewhere(
        self, tokens: Tokens, infos: list[SentenceInfo], sents: list[SentenceInfo]
    ) -> list[ActorRef]:
        """The accused of another sentence, for an incident whose own sentences name no agent:
        news reports the blame apart from the toll ("The opposition accused government forces
        of gassing hundreds"). The nearest accusation is taken, the following one on a tie."""
        inside = {s.index for s in sents}
        first = sents[0].index
        best: SentenceInfo | None = None
        best_key = (len(infos) + 1, False)
        for s in infos:
            if (
                s.index in inside
                or ACTOR not in s.matches
                or s.background
                or (s.eventful and s.counts)  # another incident's toll and its agent
            ):
                continue
            key = (abs(s.index - first), s.index < first)
            # the nearest sentence that accuses someone (keys are distinct, so the first in
            # that order is the least key)
            if key < best_key and self._accused_in(tokens, s) is not None:
                best, best_key = s, key
        if best is None or best.accused is None:
            return []
        m, index = best.accused
        a = self.actors[index]
        return [ActorRef(a.id, a.name, a.type, _mspan(tokens, m))]

    def _accused_in(self, tokens: Tokens, s: SentenceInfo) -> tuple[Match, int] | None:
        """The first armed actor of a sentence that an accusation frame names (read once)."""
        if not s.accused_read:
            s.accused_read = True
            for m in s.matches.get(ACTOR, ()):
                if self._frame_role(tokens, m) != "accused":
                    continue
                armed = next((index for index in m.values if index in self.armed), None)
                if armed is not None:
                    s.accused = (m, armed)
                    break
        return s.accused

    def _frame_role(self, tokens: Tokens, m: Match, after: int | None = None) -> str | None:
        """ "accused" for the actor an accusation or agent frame names ("accused X of", "blamed
        X for", "carried out by X", "X claimed responsibility"), "accuser" for the subject of
        an accusing verb ("the opposition accused ..."), else None. ``after`` is
        ``_skip_aux_to(tokens, m.end, self.counts.aux)`` where the caller has it already."""
        g = self.pack.grammar
        keys = tokens.keys
        b = m.start
        if b > 0 and keys[b - 1] == g.definite_article:
            b -= 1
        # the phrase sets are only looked at when the word next to the mention can end (or
        # open) one of their phrases, which is rare
        last = self._agent_last
        if last is None or (b > 0 and keys[b - 1] in last):
            for n, phrases in self._agent_phrases:
                if b >= n and tuple(keys[b - n : b]) in phrases:
                    return "accused"
        firsts = self._responsibility_first
        for k in (m.end, m.end + 1):
            if firsts is None or (k < len(keys) and keys[k] in firsts):
                for n, phrases in self._responsibility_phrases:
                    if tuple(keys[k : k + n]) in phrases:
                        return "accused"
        # "accused government forces of", "blaming the Islamic State group for", "accuse the
        # powerful Kurdish YPG of": the accusing verb up to three plain words before
        for k in range(b - 1, max(b - 4, -1), -1):
            key = keys[k]
            if key in g.accuse_verbs:
                return "accused"
            if not key[:1].isalpha() or key in g.of_words or key in g.agent_words:
                break
        # "the opposition accused", "Russia has accused": the accuser (not "X was blamed")
        if after is None:
            after = _skip_aux_to(tokens, m.end, self.counts.aux)
        if after < len(keys) and keys[after] in g.accuse_verbs:
            nxt = keys[after + 1] if after + 1 < len(keys) else ""
            if nxt not in g.agent_words and nxt not in ("on", "for"):
                return "accuser"
        return None

    def _orgs(
        self, tokens: Tokens, sents: list[SentenceInfo], infos: list[SentenceInfo]
    ) -> list[OrgRef]:
        out: list[OrgRef] = []
        seen: set[str] = set()
        candidates = list(sents)
        first, last = sents[0].index, sents[-1].index
        for k in (first - 1, last + 1):
            if 0 <= k < len(infos):
                s = infos[k]
                if s.report_cue and not s.eventful and s.paragraph == sents[0].paragraph:
                    candidates.append(s)
        for s in candidates:
            for m in s.matches.get(ORG, ()):
                org = self.pack.organisations[m.value]
                if org.id in seen:
                    continue
                seen.add(org.id)
                out.append(OrgRef(org.name, _mspan(tokens, m), org.id))
        return out

    def persons_in(self, tokens: Tokens, info: SentenceInfo) -> list[PersonFound]:
        """Named persons of a sentence, read once and only where needed: before the counts of
        a sentence with figures (an age by a name is no count), for a sentence with a place
        (a name's words are no place) and for the sentences a claim uses."""
        if info.persons_read is None:
            sent = info.sentence
            info.persons_read = self.persons.read(tokens, sent.start, sent.end, info.matches)
        return info.persons_read

    def _inside_person(self, tokens: Tokens, info: SentenceInfo, place: PlaceRef) -> bool:
        """Whether a place mention is part of a person's name ("al-Hasan" in "Omar al-Hasan",
        "Idlibi" in "Rana Idlibi"): then it is no place. A person found only by a loose cue
        ("including Kafr Nabl") whose words are all the place's is no person instead."""
        persons = self.persons_in(tokens, info)
        a, b = place.evidence.start, place.evidence.end
        for k, person in enumerate(persons):
            if person.char_start < b and a < person.char_end:
                if person.weak and a <= person.char_start and person.char_end <= b:
                    del persons[k]
                    return False
                return True
        return False

    def _title_sentences(
        self, tokens: Tokens, infos: list[SentenceInfo], meta: DocumentMeta | None
    ) -> list[SentenceInfo]:
        """The sentences holding the document's title, whose names every claim records: the
        headline (a first line with no full stop) and, when the title the metadata gives is
        part of the text, the sentences it covers. (A title that is not part of the text has
        no offsets to give its names spans: see :meth:`persons_of_text`.)"""
        out = [infos[0]] if _is_headline(tokens, infos[0], infos) else []
        title = meta.title.strip() if meta is not None and meta.title else ""
        at = tokens.text.find(title) if title else -1
        if at >= 0:
            out += [
                s
                for s in infos
                if s.char_start < at + len(title) and at < s.char_end and s is not infos[0]
            ]
        return out

    def persons_of_text(self, text: str) -> list[PersonFound]:
        """Every named person the rules find in a text, with offsets into it: for a title the
        engine gets only as metadata, or any text read apart from a document's claims."""
        tokens = tokenize(text)
        out: list[PersonFound] = []
        nodes = self.matcher.first_nodes(tokens)
        for sent in split_sentences(tokens, self.pack.grammar.abbreviations):
            matches = self.matcher.match(tokens, sent.start, sent.end, nodes)
            out += self.persons.read(tokens, sent.start, sent.end, matches)
        return out

    def _persons(
        self,
        tokens: Tokens,
        g: Group,
        infos: list[SentenceInfo],
        places: list[PlaceRef],
        named: list[SentenceInfo],
    ) -> list[PersonMention]:
        first, last = g.sentences[0].index, g.last.index
        para = g.sentences[0].paragraph
        # Only the group's paragraph and two sentences either side can qualify (paragraphs
        # are runs of consecutive sentences), so the scan stays within that window.
        lo = min(first, max(0, last - 2))
        while lo > 0 and infos[lo - 1].paragraph == para:
            lo -= 1
        hi = min(len(infos) - 1, last + 2)
        while hi + 1 < len(infos) and infos[hi + 1].paragraph == para:
            hi += 1
        # each sentence that qualifies and names someone, with the names (read once)
        pool: list[tuple[SentenceInfo, list[PersonFound]]] = []
        titled = {t.index for t in named}
        window = infos[lo : hi + 1]
        for s in window + [t for t in named if t.index < lo or t.index > hi]:
            if (
                first <= s.index <= last
                or (not s.eventful and (s.paragraph == para or abs(s.index - last) <= 2))
                or s.index in titled
            ):
                found = s.persons_read  # usually read already (by _actors or another claim)
                if found is None:
                    found = self.persons_in(tokens, s)
                if found:
                    pool.append((s, found))
        if not pool:
            return []  # most claims: no names, so no place is part of one either
        place_spans = [(p.evidence.start, p.evidence.end) for p in places]
        all_place_spans = place_spans + [
            (p.evidence.start, p.evidence.end) for s, _ in pool for p in s.places
        ]
        # A place name that is only part of a longer personal name ("Lamis Haddour") is the
        # person's name, not a place: the person wins, the place goes.
        persons_spans = [(p.char_start, p.char_end) for _, found in pool for p in found]
        inside = {
            (a, b)
            for a, b in all_place_spans
            if any(pa <= a and b <= pb and (pa, pb) != (a, b) for pa, pb in persons_spans)
        }
        if inside:
            places[:] = [p for p in places if (p.evidence.start, p.evidence.end) not in inside]
            all_place_spans = [sp for sp in all_place_spans if sp not in inside]
        out: list[PersonMention] = []
        seen: set[str] = set()
        for _, found in pool:
            for p in found:
                ps = Span(p.char_start, p.char_end, p.name)
                if any(a < ps.end and ps.start < b for a, b in all_place_spans):
                    continue
                key = p.name.lower()
                if key in seen:
                    continue
                seen.add(key)
                out.append(PersonMention(p.name, ps, p.role))
        return out


_TOTAL_GROUPS = frozenset({"all", "civilians"})
_NO_TOKENS: frozenset[int] = frozenset()


_WORD_FLAGS = bytes(1 if kind == WORD else 0 for kind in range(256))


def _word_offsets(tokens: Tokens) -> tuple[list[int], list[int]]:
    """The (starts, ends) of the word tokens, picked out in C (token kinds are small ints)."""
    flags = bytes(tokens.kinds).translate(_WORD_FLAGS)
    return list(compress(tokens.starts, flags)), list(compress(tokens.ends, flags))


def _by_length(
    phrases: tuple[tuple[str, ...], ...],
) -> tuple[tuple[int, frozenset[tuple[str, ...]]], ...]:
    """Phrases (token-key tuples) as (length, set of phrases of that length) pairs."""
    lengths = sorted({len(p) for p in phrases})
    return tuple((n, frozenset(p for p in phrases if len(p) == n)) for n in lengths)


def _edge_words(phrases: tuple[tuple[str, ...], ...], at: int) -> frozenset[str] | None:
    """The first (``at=0``) or last (``at=-1``) words of phrases; None when some phrase is
    empty, as an empty phrase is found anywhere and no word rules it out."""
    if not all(phrases):
        return None
    return frozenset(p[at] for p in phrases)


def _nest_breakdowns(counts: list[Count]) -> None:
    """A smaller figure of the same kind for a narrower group, after a total, is part of that total:
    "killing three civilians ... A man, his wife and their son died", "five civilians were killed:
    four farm workers and a boy"."""
    totals: dict[str, int] = {}
    for k, c in enumerate(counts):
        if c.part_of is not None or c.derived:
            continue
        parent = totals.get(c.category)
        if parent is not None:
            p = counts[parent]
            if (
                (c.group != p.group or c.evidence.start > p.evidence.end)
                and c.low is not None
                and p.low is not None
                and c.low < p.low
                and (c.high is None or p.high is None or c.high <= p.high)
            ):
                c.part_of = parent
                continue
        if c.group in _TOTAL_GROUPS:
            totals.setdefault(c.category, k)


def _is_headline(tokens: Tokens, first: SentenceInfo, infos: list[SentenceInfo]) -> bool:
    """A first line without sentence-final punctuation, followed by more text."""
    last_key = tokens.keys[first.sentence.end - 1]
    return len(infos) > 1 and last_key not in (".", "!", "?", '"', "”", "'", "’")


def _skip_aux_to(tokens: Tokens, p: int, aux: frozenset[str]) -> int:
    keys = tokens.keys
    steps = 0
    while p < len(keys) and steps < 4 and keys[p] in aux:
        p += 1
        steps += 1
    return p


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


def _latest_explicit(infos: list[SentenceInfo]) -> date | None:
    latest: date | None = None
    for i in infos:
        for d in i.dates:
            if d.explicit_year and d.last is not None and (latest is None or d.last > latest):
                latest = d.last
    return latest


def _place_key(p: PlaceRef) -> str:
    return p.gazetteer_id or p.name.lower()


_QUALIFIER_GAP = re.compile(
    r"^(?:\s*(?:,|in|of|the|town|city|village|area|countryside|province|governorate|rural)\s*)*$",
    re.IGNORECASE,
)
_AREA_PRECISIONS = frozenset({"governorate", "region"})
_LANDMARK_BEFORE = re.compile(
    r"\b(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?"
    r"(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _drop_qualifiers(text: str, places: list[PlaceRef]) -> list[PlaceRef]:
    """Drop a governorate that only locates a settlement next to it.

    In "Saraqib in Idlib", "Saraqeb, Idlib countryside" or "the Hama countryside town of Kafr
    Zita" the governorate is part of the settlement's address, not a second place of the event;
    "hospitals in Idlib and western Aleppo" names areas in their own right and keeps them. The
    words allowed between the two names are the address glue of ``_QUALIFIER_GAP``.
    """
    fine = [p for p in places if p.precision not in _AREA_PRECISIONS]
    if not fine:
        return places

    def qualifies(area: PlaceRef) -> bool:
        for f in fine:
            if f.admin1_pcode is None or f.admin1_pcode != area.admin1_pcode:
                continue
            a, b = sorted(
                [(area.evidence.start, area.evidence.end), (f.evidence.start, f.evidence.end)]
            )
            if b[0] >= a[1] and _QUALIFIER_GAP.match(text[a[1] : b[0]]):
                return True
        return False

    kept = [p for p in places if p.precision not in _AREA_PRECISIONS or not qualifies(p)]
    # "Kafr Hamra northwest of Aleppo", "villages east of Maarat al-Numan": the place after
    # "<direction> of" is a landmark that locates the others, not a place of the event.
    landmarks = [p for p in kept if _after_landmark_words(text, p.evidence.start)]
    if landmarks and len(landmarks) < len(kept):
        kept = [p for p in kept if p not in landmarks]
    return kept


def _after_landmark_words(text: str, start: int) -> bool:
    """Whether "<direction> of (the)" ends right before character ``start``.

    The regex searches from the start of the text, so a cheap look at the last word first (the
    phrase can only end in "of" or "the") spares that scan for nearly every place.
    """
    k = start
    while k > 0 and text[k - 1].isspace():
        k -= 1
    if k == start or not text[max(0, k - 3) : k].lower().endswith(("of", "the")):
        return False
    return _LANDMARK_BEFORE.search(text, 0, start) is not None


def _protest_moves(info: SentenceInfo, new_places: set[str]) -> bool:
    """Whether a protest sentence reports protests in new places: "Protests also spread to Azaz
    and al-Bab", "Smaller demonstrations took place in Binnish" name the place within a few
    words after the protest word; "banners bearing the names of towns hit, including Ariha"
    names places the protest is about."""
    ev = info.event_match
    if info.event_type not in _PROTEST_TYPES or ev is None:
        return False
    for p in info.places:
        if _place_key(p) in new_places and 0 <= p.evidence.start - info.event_end < 40:
            return True
    return False


def _split_protest_list(claim: Claim) -> list[Claim]:
    """ "Smaller demonstrations took place in Binnish, Jisr al-Shughur and Atarib": a list of
    towns with no figures is one protest per town (each its own crowd, its own intervention or
    none), as ACLED codes them. A protest with figures stays whole: the crowd size belongs to
    the place it was counted in, and the text does not say which."""
    exact = [p for p in claim.places if p.precision == "exact"]
    ev = claim.event_type_evidence
    if claim.event_type not in _PROTEST_TYPES or claim.counts or len(exact) < 2 or ev is None:
        return [claim]
    if len(exact) != len(claim.places):
        return [claim]
    # the towns must be the list right after the protest word, in its sentence
    text, base = claim.evidence.text, claim.evidence.start
    for p in exact:
        between = text[ev.end - base : p.evidence.start - base]
        if p.evidence.start < ev.end or len(between) > 60 or ". " in between:
            return [claim]
    return [replace(claim, places=[p]) for p in exact]


def _drop_enclosing_areas(places: list[PlaceRef]) -> list[PlaceRef]:
    """One incident happens in one spot: a governorate or region that only encloses a
    settlement the claim also names ("In Idlib province, a car bomb exploded at the entrance of
    Sarmada", "#Idlib ... Russian jets hit the market in Maarat al-Numan") is its address, not a
    second place. Totals keep their areas ("31 attacks in the Idlib countryside, ... Maarat
    al-Numan"): there the area is where the total was counted."""
    inside = {
        p.admin1_pcode
        for p in places
        if p.precision not in _AREA_PRECISIONS and p.admin1_pcode is not None
    }
    if not inside:
        return places
    # the settlement takes its area's rank: the area named first still says where the story is
    out: list[PlaceRef] = []
    for p in places:
        if p.precision in _AREA_PRECISIONS and p.admin1_pcode in inside:
            settlement = next(
                q
                for q in places
                if q.precision not in _AREA_PRECISIONS and q.admin1_pcode == p.admin1_pcode
            )
            p = settlement
        if p not in out:
            out.append(p)
    return out


def _inside_name(tokens: Tokens, info: SentenceInfo, place: PlaceRef) -> bool:
    """Whether a place mention is part of an actor's or an organisation's name.

    "Sham" in "Hayat Tahrir al-Sham", "Damascus" in an outlet called after the city, "Aleppo" in
    "Aleppo Media Center" name the group, not where the event happened.
    """
    for key in (ACTOR, ORG):
        for m in info.matches.get(key, ()):
            start, end = tokens.starts[m.start], tokens.ends[m.end - 1]
            inside = start <= place.evidence.start and place.evidence.end <= end
            # a name that is only the place ("Damascus" for the government) leaves it a place
            if inside and (start, end) != (place.evidence.start, place.evidence.end):
                return True
    return False


def _dedupe_places(places: list[PlaceRef]) -> list[PlaceRef]:
    out: list[PlaceRef] = []
    seen: set[str] = set()
    for p in places:
        k = _place_key(p)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def _mspan(tokens: Tokens, m: Match) -> Span:
    s, e = tokens.starts[m.start], tokens.ends[m.end - 1]
    return Span(s, e, tokens.text[s:e])
