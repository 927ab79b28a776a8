"""Small things several stages share: evidence spans, place keys, phrase look-up tables and the
classes of event types the rules treat alike."""

from __future__ import annotations

from marsad.contract.claim import PlaceRef, Span
from marsad.extract.lexicon import Match
from marsad.extract.state import SentenceInfo
from marsad.extract.text import Tokens

PROTEST_TYPES = frozenset({"peaceful_protest"})
NON_VIOLENT = frozenset(
    {"peaceful_protest", "threat", "displacement", "strategic_development", "arrest"}
)
HARM_CATEGORIES = frozenset({"killed", "injured", "casualties", "missing", "detained"})
# Means of attack from a distance: a total that lists several of them is typed `attack`.
MEANS_TYPES = frozenset({"air_strike", "shelling"})
GENERIC_TYPES = frozenset({"attack"})  # compatible with any family when grouping
# families that never share a claim with violence, not even with a generic "attacks"
CALM_FAMILIES = frozenset({"protest", "strategic"})
AREA_PRECISIONS = frozenset({"governorate", "region"})


def span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def match_span(tokens: Tokens, m: Match) -> Span:
    s, e = tokens.starts[m.start], tokens.ends[m.end - 1]
    return Span(s, e, tokens.text[s:e])


def place_key(p: PlaceRef) -> str:
    return p.gazetteer_id or p.name.lower()


def skip_aux_to(tokens: Tokens, p: int, aux: frozenset[str]) -> int:
    keys = tokens.keys
    steps = 0
    while p < len(keys) and steps < 4 and keys[p] in aux:
        p += 1
        steps += 1
    return p


def by_length(
    phrases: tuple[tuple[str, ...], ...],
) -> tuple[tuple[int, frozenset[tuple[str, ...]]], ...]:
    """Phrases (token-key tuples) as (length, set of phrases of that length) pairs."""
    lengths = sorted({len(p) for p in phrases})
    return tuple((n, frozenset(p for p in phrases if len(p) == n)) for n in lengths)


def edge_words(phrases: tuple[tuple[str, ...], ...], at: int) -> frozenset[str] | None:
    """The first (``at=0``) or last (``at=-1``) words of phrases; None when some phrase is
    empty, as an empty phrase is found anywhere and no word rules it out."""
    if not all(phrases):
        return None
    return frozenset(p[at] for p in phrases)


def is_headline(tokens: Tokens, first: SentenceInfo, infos: list[SentenceInfo]) -> bool:
    """A first line without sentence-final punctuation, followed by more text."""
    last_key = tokens.keys[first.sentence.end - 1]
    return len(infos) > 1 and last_key not in (".", "!", "?", '"', "”", "'", "’")
