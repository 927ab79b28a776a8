"""Page furniture: the parts of a sentence that are not report text.

Pages copied from news sites carry a tags line ("Tags Syria Islamic State barrel bombs"),
related links, share buttons ("Print Tweet"). With no full stop after them they run into the
report's own sentence, so the furniture is a character range of a sentence: from a cue of the
pack's ``furniture_cues`` written with a capital to the capitalised word nearest before the
first of its ``furniture_ends`` (function words, which a list of tags leaves out), else to the
sentence's end. Its lexicon matches are dropped, so its event words, actors and places are no
part of any claim; its figures stay, as a toll often opens right where a tags line ends.
"""

from __future__ import annotations

from marsad.extract.lexicon import Match
from marsad.extract.stages.common import by_length, edge_words
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack


class Boilerplate:
    def __init__(self, pack: LanguagePack) -> None:
        g = pack.grammar
        self.cues = by_length(g.furniture_cues)
        self.ends = g.furniture_ends
        self._cue_first = edge_words(g.furniture_cues, 0) or frozenset()

    def read(self, tokens: Tokens, info: SentenceInfo) -> None:
        """Mark the sentence's furniture (``info.furniture``) and drop the matches in it."""
        sent = info.sentence
        start = self._opening(tokens, sent.start, sent.end)
        if start is None:
            return
        end = self._resume(tokens, start, sent.end)
        info.furniture = (tokens.starts[start], tokens.ends[end - 1])

        def outside(m: Match) -> bool:
            return not start <= m.start < end

        matches = info.matches
        for kind, found in list(matches.items()):
            kept = [m for m in found if outside(m)]
            if kept:
                matches[kind] = kept
            else:
                del matches[kind]
        info.live_events = [m for m in info.live_events if outside(m)]
        info.candidates = [(t, m) for t, m in info.candidates if outside(m)]

    def _opening(self, tokens: Tokens, s: int, e: int) -> int | None:
        keys, first = tokens.keys, self._cue_first
        for i in range(s, e):
            if keys[i] in first and tokens.surface(i)[:1].isupper() and _at(self.cues, keys, i):
                return i
        return None

    def _resume(self, tokens: Tokens, start: int, e: int) -> int:
        """Where the report's text resumes after furniture opening at ``start``: at the
        capitalised word nearest before the first function word (the end of the sentence when
        none comes; just after the cue when no capitalised word comes before it)."""
        keys, ends = tokens.keys, self.ends
        f = next((i for i in range(start + 1, e) if keys[i] in ends), e)
        if f == e:
            return e
        for i in range(f, start, -1):
            if tokens.surface(i)[:1].isupper():
                return i
        return start + 1


def _at(
    lengths: tuple[tuple[int, frozenset[tuple[str, ...]]], ...], keys: list[str], i: int
) -> int:
    """The length of the longest phrase opening at ``i`` (0 when none does)."""
    for n, phrases in reversed(lengths):
        if tuple(keys[i : i + n]) in phrases:
            return n
    return 0


def in_furniture(info: SentenceInfo, char: int) -> bool:
    """Whether a character offset of the sentence lies in its page furniture."""
    span = info.furniture
    return span is not None and span[0] <= char < span[1]
