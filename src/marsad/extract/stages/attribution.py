"""Who says an actor did it: the ``attribution`` of an :class:`~marsad.contract.claim.ActorRef`.

The report may state it ("regime jets struck the market"), pass on someone's allegation
("alleged Russian air strikes", "the opposition accused the army of", "blamed on the rebels"),
repeat the actor's own claim ("IS claimed responsibility") or its denial ("Russia denied").
The cues are the pack's (``attribution_before``, ``attribution_after``, ``accuse_verbs`` in
grammar.yaml); the perpetrator is kept in every case, with the qualifier.
"""

from __future__ import annotations

from marsad.contract.claim import ATTRIBUTIONS
from marsad.extract.lexicon import Match
from marsad.extract.stages.common import by_length, edge_words
from marsad.extract.text import Tokens
from marsad.lang import Grammar, LanguagePackError

STATED = "stated"
ALLEGED = "alleged"
# the stronger qualifier wins when cues of several kinds surround one mention
_ORDER = ("denied", "claimed_by_perpetrator", ALLEGED)
_WINDOW = 4  # plain words before a mention that a cue there may stand among

_Table = tuple[tuple[str, tuple[tuple[int, frozenset[tuple[str, ...]]], ...]], ...]


def _table(cues: dict[str, tuple[tuple[str, ...], ...]]) -> _Table:
    unknown = set(cues) - set(ATTRIBUTIONS)
    if unknown:
        raise LanguagePackError(f"unknown attribution labels in grammar.yaml: {sorted(unknown)}")
    return tuple((label, by_length(cues[label])) for label in _ORDER if cues.get(label))


def _all(cues: dict[str, tuple[tuple[str, ...], ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(p for phrases in cues.values() for p in phrases)


class Attribution:
    def __init__(self, grammar: Grammar, aux: frozenset[str]) -> None:
        self.grammar = grammar
        self.aux = aux
        self.before = _table(grammar.attribution_before)
        self.after = _table(grammar.attribution_after)
        # the words a cue must end (before) or open (after) with: one set lookup rules out
        # nearly every position before any slicing
        self._before_last = edge_words(_all(grammar.attribution_before), -1) or frozenset()
        self._after_first = edge_words(_all(grammar.attribution_after), 0) or frozenset()

    def of(self, tokens: Tokens, m: Match, after: int) -> str:
        """The attribution of actor mention ``m``; ``after`` is the first position past it and
        its auxiliaries ("IS has claimed" -> "claimed")."""
        keys = tokens.keys
        found: set[str] = set()
        for k in {m.end, after}:
            if k < len(keys) and keys[k] in self._after_first:
                found.update(_label_at(self.after, keys, k, k))
        b = m.start
        if b > 0 and keys[b - 1] == self.grammar.definite_article:
            b -= 1
        for k in range(b - 1, max(b - 1 - _WINDOW, -1), -1):
            key = keys[k]
            if not key[:1].isalpha():
                break  # a cue beyond a comma or a full stop qualifies something else
            if key in self.grammar.accuse_verbs:
                found.add(ALLEGED)  # "accused government forces of gassing"
            if key in self._before_last:
                found.update(_label_at(self.before, keys, k + 1, None))
        return next((label for label in _ORDER if label in found), STATED)


def _label_at(table: _Table, keys: list[str], at: int, opens: int | None) -> list[str]:
    """The labels of the cues that open at ``opens`` (after a mention) or end at ``at``."""
    labels: list[str] = []
    for label, lengths in table:
        for n, phrases in lengths:
            start = opens if opens is not None else at - n
            if start >= 0 and tuple(keys[start : start + n]) in phrases:
                labels.append(label)
                break
    return labels
