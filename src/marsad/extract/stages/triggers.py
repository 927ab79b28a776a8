"""Stage 1 of a sentence: the lexicon's matches, and which event words in it are live.

A trigger is dead when a negation right before it or opening the sentence denies it ("No such
attack took place") or a hypothetical or call-to-action cue governs it ("may result in an
attack", "we call on them to halt the bombardment"). A word is no trigger in another sense: a
month ("on 3 March"), a phrase that reports no event ("a demonstration of resolve"), an attack
on words ("attacked the proposal"). Live triggers, weapons that imply an event type, words that
report a type only in a context ("seized" with "firearms") and forces that break up a protest
give the sentence's candidate event types; in a quiet context (a disaster, an accident, sport)
only the specific triggers do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marsad.extract.lexicon import (
    CONDITIONAL,
    CONTEXT,
    CUE_ACTION,
    CUE_HYPOTHETICAL,
    CUE_NEGATION,
    EVENT,
    EXCESSIVE,
    FORCE,
    MONTH,
    NOT_EVENT,
    WEAPON,
    Match,
    PhraseMatcher,
)
from marsad.extract.stages.common import GENERIC_TYPES, PROTEST_TYPES
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Sentence, Tokens
from marsad.lang import LanguagePack

_GOVERNS = 6  # tokens after a hypothetical or call-to-action cue that it governs
_OBJECT_WINDOW = 5  # tokens after an attack or fight word in which an abstract object is looked for


class Triggers:
    def __init__(self, pack: LanguagePack, matcher: PhraseMatcher) -> None:
        self.pack = pack
        self.matcher = matcher
        self.month_context = pack.grammar.month_context
        self.quiet = pack.senses.quiet
        self.quiet_types = GENERIC_TYPES | pack.senses.quiet_types
        self.abstract = pack.senses.abstract_objects
        self.verbal = pack.senses.verbal_types
        self.capture = pack.senses.capture
        g = pack.grammar
        self.determiners = g.articles | {g.definite_article}

    def read(
        self, tokens: Tokens, sent: Sentence, nodes: list[dict[str, Any] | None]
    ) -> SentenceInfo:
        s, e = sent.start, sent.end
        matches = self.matcher.match(tokens, s, e, nodes)
        cs, ce = sent.char_span(tokens)
        info = SentenceInfo(sent, sent.index, sent.paragraph, cs, ce, matches)
        info.fronted_place = self.fronted_place(tokens, sent)
        if MONTH in matches:
            self._drop_months(tokens, sent, matches)
        contexts = matches.get(CONTEXT)
        if contexts:
            info.contexts = frozenset(v for m in contexts for v in m.values)
            info.quiet = not self.quiet.isdisjoint(info.contexts)
        if CUE_HYPOTHETICAL in matches and EVENT in matches:
            _drop_cues_in_events(matches)
        live = _liveness(matches, s)
        triggers = matches.get(EVENT, [])
        if live is not None:
            events = [m for m in triggers if live(m)]
            info.hypothetical = len(events) < len(triggers)
        else:
            # most sentences have no cue at all, so every trigger is live (only read below)
            events = triggers
        events, blocked = self._senses(tokens, events, e)
        if events:
            events = self._no_captured_things(tokens, events, s)
        info.live_events = events
        types: list[tuple[str, Match]] = [(t, m) for m in events for t in m.values]
        if info.quiet:
            weak, drop = self.pack.weak_triggers, self.quiet_types
            keys = tokens.keys
            types = [
                (t, m)
                for t, m in types
                if t not in drop and " ".join(keys[m.start : m.end]) not in weak
            ]
        else:
            self._weapon_types(matches, live, blocked, types)
        conditional = matches.get(CONDITIONAL)
        if conditional:
            for c in conditional:
                for event_type, context in c.values:
                    if context in info.contexts and (live is None or live(c)):
                        types.append((event_type, c))
        forces = None if info.quiet else matches.get(FORCE)
        if forces and any(t in PROTEST_TYPES for t, _ in types):
            excessive = [f for f in forces if EXCESSIVE in f.values]
            if excessive:
                types.append(("excessive_force_against_protesters", excessive[0]))
            else:
                types.append(("protest_with_intervention", forces[0]))
        info.candidates = types
        return info

    def _weapon_types(
        self,
        matches: dict[str, list[Match]],
        live: Callable[[Match], bool] | None,
        blocked: list[Match],
        types: list[tuple[str, Match]],
    ) -> None:
        weapons = matches.get(WEAPON)
        if not weapons:
            return
        weapon_implies = self.pack.weapon_implies
        for w in weapons:
            implied = weapon_implies.get(w.value)
            if implied is None or (live is not None and not live(w)):
                continue
            # "drone footage", "stun grenades": a weapon word inside a phrase of no event
            if any(b.start <= w.start < b.end for b in blocked):
                continue
            types.append((implied, w))

    def _senses(
        self, tokens: Tokens, events: list[Match], end: int
    ) -> tuple[list[Match], list[Match]]:
        """The event words meant as events, and the phrases found to report none."""
        blocked = [m for m in events if NOT_EVENT in m.values]
        if blocked:
            events = [m for m in events if NOT_EVENT not in m.values]
        keys = tokens.keys
        abstract, verbal = self.abstract, self.verbal
        kept = []
        for m in events:
            if not verbal.isdisjoint(m.values) and not abstract.isdisjoint(
                keys[m.end : min(end, m.end + _OBJECT_WINDOW)]
            ):
                continue  # "attacked the government's proposal": words, not violence
            kept.append(m)
        return kept, blocked

    def _no_captured_things(self, tokens: Tokens, events: list[Match], s: int) -> list[Match]:
        """A one-word capture after an article describes what was taken ("four citizens among
        the captured sailors"), it tells no capture of ground ("captured the town")."""
        capture, determiners, keys = self.capture, self.determiners, tokens.keys
        return [
            m
            for m in events
            if not (
                m.end == m.start + 1
                and m.start > s
                and capture in m.values
                and keys[m.start - 1] in determiners
            )
        ]

    def _drop_months(self, tokens: Tokens, sent: Sentence, matches: dict[str, list[Match]]) -> None:
        """Drop the event words and hypothetical cues that are month names here ("on 3 March",
        "in May 2019"): a capitalised month next to a number or after a month context word."""
        starts = {m.start for m in matches[MONTH]}
        for kind in (EVENT, CUE_HYPOTHETICAL):
            found = matches.get(kind)
            if found and any(m.start in starts for m in found):
                kept = [m for m in found if not self._is_month(tokens, sent, m, starts)]
                if kept:
                    matches[kind] = kept
                else:
                    del matches[kind]

    def _is_month(self, tokens: Tokens, sent: Sentence, m: Match, starts: set[int]) -> bool:
        i = m.start
        if i not in starts or m.end != i + 1 or not tokens.text[tokens.starts[i]].isupper():
            return False
        keys = tokens.keys
        after = keys[i + 1] if i + 1 < sent.end else ""
        if after[:1].isdigit():
            return True
        return i > sent.start and (keys[i - 1][:1].isdigit() or keys[i - 1] in self.month_context)

    def fronted_place(self, tokens: Tokens, sent: Sentence) -> bool:
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


def _drop_cues_in_events(matches: dict[str, list[Match]]) -> None:
    """A hypothetical cue inside an event phrase is part of its name, not a hypothetical
    ("two would-be suicide bombers blew themselves up")."""
    inside = {i for m in matches[EVENT] for i in range(m.start, m.end)}
    kept = [c for c in matches[CUE_HYPOTHETICAL] if c.start not in inside]
    if kept:
        matches[CUE_HYPOTHETICAL] = kept
    else:
        del matches[CUE_HYPOTHETICAL]


def _liveness(matches: dict[str, list[Match]], s: int) -> Callable[[Match], bool] | None:
    """Whether a match is live, or None when the sentence has no cue (every match is)."""
    negations = matches.get(CUE_NEGATION)
    hypotheticals = matches.get(CUE_HYPOTHETICAL)
    actions = matches.get(CUE_ACTION)
    if not (negations or hypotheticals or actions):
        return None
    negated_until = {m.end for m in negations or ()}
    # "No such attack took place": a negation opening the sentence negates all of it.
    sentence_negated = any(m.start <= s + 1 for m in negations or ())
    # Cues of hypotheticals and calls to action govern the triggers just after them.
    governing = [m.end for m in hypotheticals or ()]
    governing += [m.end for m in actions or ()]

    def live(m: Match) -> bool:
        if sentence_negated or any(m.start - k in negated_until for k in (0, 1, 2)):
            return False
        return not any(0 <= m.start - g <= _GOVERNS for g in governing)

    return live
