"""Stage 1 of a sentence: the lexicon's matches, and which event words in it are live.

A trigger is dead when a negation right before it or opening the sentence denies it ("No such
attack took place") or a hypothetical or call-to-action cue governs it ("may result in an
attack", "we call on them to halt the bombardment"). Live triggers, weapons that imply an event
type and forces that break up a protest give the sentence's candidate event types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marsad.extract.lexicon import (
    CUE_ACTION,
    CUE_HYPOTHETICAL,
    CUE_NEGATION,
    EVENT,
    FORCE,
    WEAPON,
    Match,
    PhraseMatcher,
)
from marsad.extract.stages.common import PROTEST_TYPES
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Sentence, Tokens
from marsad.lang import LanguagePack

_GOVERNS = 6  # tokens after a hypothetical or call-to-action cue that it governs


class Triggers:
    def __init__(self, pack: LanguagePack, matcher: PhraseMatcher) -> None:
        self.pack = pack
        self.matcher = matcher

    def read(
        self, tokens: Tokens, sent: Sentence, nodes: list[dict[str, Any] | None]
    ) -> SentenceInfo:
        s, e = sent.start, sent.end
        matches = self.matcher.match(tokens, s, e, nodes)
        cs, ce = sent.char_span(tokens)
        info = SentenceInfo(sent, sent.index, sent.paragraph, cs, ce, matches)
        info.fronted_place = self.fronted_place(tokens, sent)
        live = _liveness(matches, s)
        triggers = matches.get(EVENT, [])
        if live is not None:
            events = [m for m in triggers if live(m)]
            info.hypothetical = len(events) < len(triggers)
        else:
            # most sentences have no cue at all, so every trigger is live (only read below)
            events = triggers
        info.live_events = events
        types: list[tuple[str, Match]] = [(t, m) for m in events for t in m.values]
        weapons = matches.get(WEAPON)
        if weapons:
            weapon_implies = self.pack.weapon_implies
            for w in weapons:
                implied = weapon_implies.get(w.value)
                if implied is not None and (live is None or live(w)):
                    types.append((implied, w))
        forces = matches.get(FORCE)
        if forces and any(t in PROTEST_TYPES for t, _ in types):
            excessive = [f for f in forces if "excessive" in f.values]
            if excessive:
                types.append(("excessive_force_against_protesters", excessive[0]))
            else:
                types.append(("protest_with_intervention", forces[0]))
        info.candidates = types
        return info

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
