"""What the engine's stages know about a document while they read it.

One object per document (:class:`DocState`), one per sentence (:class:`SentenceInfo`), one per
group of sentences that becomes a claim (:class:`Group`) and one per claim being built
(:class:`ClaimDraft`). Each field says which stage writes it (the stages are in
:mod:`marsad.extract.stages`); every later stage only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marsad.contract.claim import (
    ActorRef,
    Count,
    DocumentMeta,
    FacilityRef,
    OrgRef,
    PersonMention,
    PlaceRef,
    Span,
    WeaponRef,
)
from marsad.extract.counts import CountMention
from marsad.extract.dates import DateMention
from marsad.extract.lexicon import Match
from marsad.extract.numbers import NumberMention
from marsad.extract.persons import PersonFound
from marsad.extract.text import Sentence, Tokens


@dataclass(slots=True)
class SentenceInfo:
    # -- Triggers ---------------------------------------------------------------------------
    sentence: Sentence
    # copies of sentence.index and sentence.paragraph: plain fields, read in every grouping and
    # claim-building loop, are cheaper than properties
    index: int
    paragraph: int
    char_start: int
    char_end: int
    matches: dict[str, list[Match]]
    fronted_place: bool = False  # opens on "In <Place>," (see Triggers.fronted_place)
    hypothetical: bool = False  # some trigger is negated or governed by a hypothetical cue
    # the context labels of its words (events.yaml senses), and whether one is quiet: only a
    # specific event word reports violence there ("an earthquake killed eight people")
    contexts: frozenset[str] = frozenset()
    quiet: bool = False
    # the triggers left live, and every (event type, match) they and the weapons name
    live_events: list[Match] = field(default_factory=list)
    candidates: list[tuple[str, Match]] = field(default_factory=list)
    # -- Boilerplate: the character range of page furniture (a tags line, related links), whose
    # matches it drops from the three fields above ------------------------------------------
    furniture: tuple[int, int] | None = None
    # -- EventTyping -----------------------------------------------------------------------
    event_type: str | None = None
    event_match: Match | None = None
    # every event type the sentence's live triggers name (a tally can list several means)
    all_types: frozenset[str] = frozenset()
    event_end: int = 0  # character offset where the chosen event word ends
    aggregate_cue: bool = False
    report_cue: bool = False
    background: bool = False  # also written by Figures and Eventful
    # -- Figures ---------------------------------------------------------------------------
    dates: list[DateMention] = field(default_factory=list)
    # whether `dates` were read (a sentence read and found undated is not read again when the
    # claims before and after it look back for a date: see ClaimDate.dates_of)
    dates_read: bool = False
    counts: list[CountMention] = field(default_factory=list)
    numbers: list[NumberMention] = field(default_factory=list)
    facility_figures: bool = False  # "11 schools and 6 health facilities were hit"
    # a total of its own: "documented at least four attacks", "the fourth attack this month"
    tally: bool = False
    such: bool = False  # "the second such attack": the kind reported just before
    # -- Eventful --------------------------------------------------------------------------
    eventful: bool = False
    follow_up: bool = False  # "A poultry market in Ariha was destroyed" (see Eventful)
    # -- Places ----------------------------------------------------------------------------
    places: list[PlaceRef] = field(default_factory=list)
    # -- read on first use -----------------------------------------------------------------
    persons_read: list[PersonFound] | None = None  # by People.persons_in
    # the first armed actor an accusation frame names, as (match, actor index): read once on
    # first use (see Actors.accused_in), though every claim without an agent looks again
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
    """Consecutive event sentences that report one event (written by Grouping)."""

    sentences: list[SentenceInfo]

    @property
    def last(self) -> SentenceInfo:
        return self.sentences[-1]


@dataclass(slots=True)
class DocState:
    # -- Engine.extract: the tokens and sentences -------------------------------------------
    tokens: Tokens
    meta: DocumentMeta | None
    sentences: list[Sentence]
    nodes: list[dict[str, Any] | None]  # the lexicon's first trie nodes per token
    anchor: date | None  # the publication date (Dateline fills it in when there is none)
    # -- Dateline --------------------------------------------------------------------------
    dateline: DateMention | None = None
    # -- Engine.extract: one per sentence, read by the sentence stages ------------------------
    infos: list[SentenceInfo] = field(default_factory=list)
    # -- Eventful: what "a year ago" is measured from -----------------------------------------
    reference: date | None = None
    # -- Grouping --------------------------------------------------------------------------
    groups: list[Group] = field(default_factory=list)
    # -- People: the sentences holding the title, whose names every claim records --------------
    named: list[SentenceInfo] = field(default_factory=list)


@dataclass(slots=True)
class ClaimDraft:
    """One claim being built from a group; each claim stage fills its fields in turn."""

    group: Group
    sents: list[SentenceInfo]
    # -- ClaimCounts ---------------------------------------------------------------------
    counts: list[Count] = field(default_factory=list)
    absurd: bool = False
    # sentences whose running total ("bringing the toll to 41") was left out beside the toll
    # of the incident itself
    running_left_out: set[int] = field(default_factory=set)
    # -- ClaimType -----------------------------------------------------------------------
    event_type: str | None = None
    event_evidence: Span | None = None
    # -- ClaimDate -----------------------------------------------------------------------
    date_mention: DateMention | None = None
    date_start: str | None = None
    date_end: str | None = None
    precision: int | None = None
    date_evidence: Span | None = None
    # -- ClaimScope ----------------------------------------------------------------------
    aggregate: bool = False
    # -- ClaimPlaces (People may drop a place that is part of a name) -------------------------
    places: list[PlaceRef] = field(default_factory=list)
    # -- Actors --------------------------------------------------------------------------
    perpetrators: list[ActorRef] = field(default_factory=list)
    targets: list[ActorRef] = field(default_factory=list)
    # -- Means ---------------------------------------------------------------------------
    weapons: list[WeaponRef] = field(default_factory=list)
    facilities: list[FacilityRef] = field(default_factory=list)
    # -- Sources -------------------------------------------------------------------------
    reported: list[OrgRef] = field(default_factory=list)
    # -- People --------------------------------------------------------------------------
    persons: list[PersonMention] = field(default_factory=list)
