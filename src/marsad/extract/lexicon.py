"""The phrase matcher: every lexicon phrase of a language pack in one token trie.

One walk per token position finds, for every *kind* of entry (event trigger, actor, weapon, ...),
the longest phrase starting there; overlaps are then resolved per kind, left to right, longest
first. Different kinds may overlap ("Russian warplanes" is an actor, "warplanes" an air-strike
trigger), which is what lets one phrase carry several facts without listing every combination.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import Any

from marsad.extract.text import JOINER, Tokens, tokenize
from marsad.lang import LanguagePack

_TERMINAL = "\0"

# Kinds of lexicon entry (the strings are only used inside the engine).
EVENT = "event"
FORCE = "force"
ACTOR = "actor"
WEAPON = "weapon"
FACILITY = "facility"
ORG = "org"
CASUALTY = "casualty"
COUNT_NOUN = "count_noun"
GROUP = "group"
QUALIFIER = "qualifier"
VAGUE = "vague"
MONTH = "month"
WEEKDAY = "weekday"
RELATIVE = "relative"
MONTH_PART = "month_part"
ROLE = "role"
CUE_HYPOTHETICAL = "cue_hypothetical"
CUE_ACTION = "cue_action"
CUE_BACKGROUND = "cue_background"
CUE_WAR_TOTAL = "cue_war_total"
CUE_NEGATION = "cue_negation"
CUE_AGGREGATE = "cue_aggregate"
CUE_REPORT = "cue_report"
CUE_CROWD = "cue_crowd"
CUE_SUBSET = "cue_subset"
CUE_INCLUDING = "cue_including"
SPEECH = "speech"


@dataclass(slots=True, unsafe_hash=True)
class Match:
    """One phrase found in a sentence. Never changed once made, but not ``frozen``: a frozen
    dataclass sets each field through ``object.__setattr__``, which made building Matches a few
    per cent of all extraction time. ``unsafe_hash`` keeps the field-based hash a frozen one
    had."""

    kind: str
    values: tuple[Any, ...]  # several when one phrase means several things ("Russian and Syrian")
    start: int  # first token
    end: int  # one past the last token

    @property
    def value(self) -> Any:
        return self.values[0]


def phrase_keys(phrase: str) -> list[str]:
    """Token keys of a lexicon phrase, tokenised exactly like document text."""
    toks = tokenize(phrase)
    return [k for k, kind in zip(toks.keys, toks.kinds, strict=True) if kind != JOINER]


class PhraseMatcher:
    def __init__(
        self, definite_article: str = "", keep_article_before: frozenset[str] = frozenset()
    ):
        self.root: dict[str, Any] = {}
        self.definite_article = definite_article
        self.keep_article_before = keep_article_before

    def add(self, phrase: str, kind: str, value: Any) -> None:
        keys = phrase_keys(phrase)
        if not keys:
            return
        if (
            keys[0] == self.definite_article
            and len(keys) > 1
            and keys[1] not in self.keep_article_before
        ):
            # "the regime" is found as "regime": fewer phrases open on the commonest word.
            keys = keys[1:]
        node = self.root
        for key in keys:
            node = node.setdefault(key, {})
        payload: dict[str, list[Any]] = node.setdefault(_TERMINAL, {})
        values = payload.setdefault(kind, [])
        if value not in values:
            values.append(value)

    def first_nodes(self, tokens: Tokens) -> list[dict[str, Any] | None]:
        """For every token, the trie node its key opens (None for most), looked up in C."""
        return list(map(self.root.get, tokens.keys))

    def match(
        self,
        tokens: Tokens,
        start: int,
        end: int,
        nodes: list[dict[str, Any] | None] | None = None,
    ) -> dict[str, list[Match]]:
        """All non-overlapping (per kind) longest matches in tokens [start, end).

        ``nodes`` (from :meth:`first_nodes`, computed once per document) lets the loop visit
        only the tokens that open some phrase.
        """
        keys, kinds = tokens.keys, tokens.kinds
        if nodes is None:
            nodes = self.first_nodes(tokens)
        found: dict[str, list[Match]] = {}
        last_end: dict[str, int] = {}
        for i in compress(range(start, end), nodes[start:end]):
            node = nodes[i]
            assert node is not None
            hits: list[tuple[int, dict[str, tuple[Any, ...]]]] | None = None
            j = i
            while True:
                payload = node.get(_TERMINAL)
                if payload is not None:
                    if hits is None:
                        hits = [(j + 1, payload)]
                    else:
                        hits.append((j + 1, payload))
                j += 1
                while j < end and kinds[j] == JOINER:
                    j += 1
                if j >= end:
                    break
                nxt = node.get(keys[j])
                if nxt is None:
                    break
                node = nxt
            if hits is None:
                continue  # most visits: a common word that opens no phrase here
            best = hits[0][1] if len(hits) == 1 else None
            if best is not None:
                stop = hits[0][0]
                for kind, values in best.items():
                    if last_end.get(kind, -1) > i:
                        continue
                    found.setdefault(kind, []).append(Match(kind, values, i, stop))
                    last_end[kind] = stop
                continue
            longest: dict[str, tuple[int, tuple[Any, ...]]] = {}
            for stop, payload in hits:
                for kind, values in payload.items():
                    longest[kind] = (stop, values)
            for kind, (stop, values) in longest.items():
                if last_end.get(kind, -1) > i:
                    continue
                found.setdefault(kind, []).append(Match(kind, values, i, stop))
                last_end[kind] = stop
        return found

    def freeze(self) -> None:
        """Turn payload value lists into tuples (shared by every Match, never copied)."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            for key, child in node.items():
                if key == _TERMINAL:
                    node[key] = {kind: tuple(values) for kind, values in child.items()}
                else:
                    stack.append(child)


def _add_all(m: PhraseMatcher, phrases: tuple[str, ...], kind: str, value: Any) -> None:
    for p in phrases:
        m.add(p, kind, value)


@lru_cache(maxsize=8)
def build_matcher(pack: LanguagePack) -> PhraseMatcher:
    """The compiled matcher for a pack (built once per pack; packs are immutable)."""
    m = PhraseMatcher(pack.grammar.definite_article, pack.grammar.keep_definite_before)
    for event_type, phrases in pack.event_triggers.items():
        _add_all(m, phrases, EVENT, event_type)
    _add_all(m, pack.excessive_force_cues, FORCE, "excessive")
    _add_all(m, pack.intervention_cues, FORCE, "intervention")
    _add_all(m, pack.hypothetical_cues, CUE_HYPOTHETICAL, True)
    _add_all(m, pack.call_to_action_cues, CUE_ACTION, True)
    _add_all(m, pack.background_cues, CUE_BACKGROUND, True)
    _add_all(m, pack.war_total_cues, CUE_WAR_TOTAL, True)
    _add_all(m, pack.negation_cues, CUE_NEGATION, True)
    _add_all(m, pack.aggregate_cues, CUE_AGGREGATE, True)
    _add_all(m, pack.report_cues, CUE_REPORT, True)
    _add_all(m, pack.crowd_cues, CUE_CROWD, True)
    _add_all(m, pack.subset_cues, CUE_SUBSET, True)
    _add_all(m, pack.including_cues, CUE_INCLUDING, True)
    for index, actor in enumerate(pack.actors):
        _add_all(m, actor.aliases, ACTOR, index)
    for weapon, phrases in pack.weapons.items():
        _add_all(m, phrases, WEAPON, weapon)
    for facility, phrases in pack.facilities.items():
        _add_all(m, phrases, FACILITY, facility)
    for index, org in enumerate(pack.organisations):
        _add_all(m, org.aliases, ORG, index)
    for category, phrases in pack.casualty_words.items():
        _add_all(m, phrases, CASUALTY, category)
    for category, phrases in pack.count_nouns.items():
        _add_all(m, phrases, COUNT_NOUN, category)
    for group, phrases in pack.victim_groups.items():
        _add_all(m, phrases, GROUP, group)
    for qualifier, phrases in pack.qualifiers.items():
        _add_all(m, phrases, QUALIFIER, qualifier)
    for phrase, low in pack.vague_quantities.items():
        m.add(phrase, VAGUE, low)
    for name, month in pack.months.items():
        m.add(name, MONTH, month)
    for name, day in pack.weekdays.items():
        m.add(name, WEEKDAY, day)
    for phrase in pack.relative_days:
        m.add(phrase, RELATIVE, phrase)
    for phrase in pack.month_parts:
        m.add(phrase, MONTH_PART, phrase)
    for verb in pack.speech_verbs:
        m.add(verb, SPEECH, True)
    for role, phrases in pack.role_cues.items():
        _add_all(m, phrases, ROLE, role)
    m.freeze()
    return m
