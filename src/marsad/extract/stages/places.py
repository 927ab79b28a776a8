"""Where it happened: the gazetteer's places, given to the sentences they stand in, and each
claim's places.

A place that is part of an actor's, an organisation's or a person's name ("Sham" in "Hayat
Tahrir al-Sham") is no place. A claim takes the places of its own sentences, else of its
paragraph, else of the headline; a governorate that only addresses a settlement ("Saraqib in
Idlib") and a landmark that only locates others ("northwest of Aleppo") are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import compress
from typing import Protocol

from marsad.contract.claim import PlaceRef
from marsad.extract.lexicon import ACTOR, MONTH, ORG, WEEKDAY
from marsad.extract.stages.boilerplate import in_furniture
from marsad.extract.stages.common import AREA_PRECISIONS, place_key
from marsad.extract.stages.people import People
from marsad.extract.state import ClaimDraft, DocState, SentenceInfo
from marsad.extract.text import WORD, Tokens
from marsad.lang import PlaceWords


class PlaceLocator(Protocol):
    """Anything that finds places in a text. A locator whose class sets
    ``takes_word_offsets = True`` (the gazetteer does) is also handed the engine's word tokens as
    ``locate(text, words=(starts, ends))``, so it need not split the text a second time."""

    def locate(self, text: str) -> list[PlaceRef]: ...


class Places:
    def __init__(self, people: People) -> None:
        self.people = people
        self.words = _PlaceRules(people.pack.places)

    def attach(self, doc: DocState, locator: PlaceLocator | None) -> None:
        """Give each place the locator finds to the sentence it stands in."""
        if locator is None:
            return
        tokens, infos = doc.tokens, doc.infos
        if getattr(locator, "takes_word_offsets", False):
            places = locator.locate(tokens.text, words=_word_offsets(tokens))  # type: ignore[call-arg]
        else:
            places = locator.locate(tokens.text)
        if not places:
            return
        starts = [i.char_start for i in infos]
        for p in places:
            k = bisect_right(starts, p.evidence.start) - 1
            if (
                k >= 0
                and not _inside_name(tokens, infos[k], p)
                and not self.people.inside_person(tokens, infos[k], p)
                and not in_furniture(infos[k], p.evidence.start)
            ):
                infos[k].places.append(p)

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        """The claim's places: its sentences', else its paragraph's, else the headline's."""
        text, infos, sents = doc.tokens.text, doc.infos, draft.sents
        places = _dedupe_places([p for s in sents for p in s.places])
        drop_qualifiers = self.words.drop_qualifiers
        places = drop_qualifiers(text, places)
        if not places:
            same_para = [
                s
                for s in infos
                if s.paragraph == sents[0].paragraph and s.places and not s.eventful
            ]
            if same_para:
                nearest = min(same_para, key=lambda s: abs(s.index - sents[0].index))
                places = drop_qualifiers(text, _dedupe_places(nearest.places))
        if not places and infos[0].places and infos[0] not in sents:
            places = drop_qualifiers(text, _dedupe_places(infos[0].places))
        if not draft.aggregate:
            places = _drop_enclosing_areas(places)
        draft.places = places
        return True


_WORD_FLAGS = bytes(1 if kind == WORD else 0 for kind in range(256))


def _word_offsets(tokens: Tokens) -> tuple[list[int], list[int]]:
    """The (starts, ends) of the word tokens, picked out in C (token kinds are small ints)."""
    flags = bytes(tokens.kinds).translate(_WORD_FLAGS)
    return list(compress(tokens.starts, flags)), list(compress(tokens.ends, flags))


_Trie = dict[str, "_Trie"]  # a character to the rest; "" marks a word's end


def _alternatives(words: tuple[str, ...]) -> str:
    """A regex matching exactly ``words``, factored by shared prefixes ("north(?:east|west)"):
    a search tries one character per branch at each position instead of every word."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: _Trie) -> str:
    branches = [re.escape(ch) + _trie_pattern(rest) for ch, rest in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = "(?:" + "|".join(branches) + ")" if len(branches) > 1 or "" in node else branches[0]
    return body + "?" if "" in node else body


class _PlaceRules:
    """The address and landmark rules, compiled from the pack's place words."""

    def __init__(self, words: PlaceWords) -> None:
        # the words allowed between a settlement and the governorate that addresses it
        self.qualifier_gap = re.compile(
            rf"^(?:\s*(?:{_alternatives(words.address_glue)})\s*)*$", re.IGNORECASE
        )
        article = (
            rf"(?:(?:{_alternatives(words.landmark_articles)})\s+)?"
            if words.landmark_articles
            else ""
        )
        # a language may put the place right after the direction ("شمال حماة"): no link word
        link = rf"(?:{_alternatives(words.landmark_links)})\s+" if words.landmark_links else ""
        self.landmark_before = re.compile(
            rf"\b(?:{_alternatives(words.landmark_directions)})\s+{link}{article}$",
            re.IGNORECASE,
        )
        # the phrase can only end in a link or an article word (or a direction, when there
        # are no links): a look at the last characters spares the regex scan for most places
        enders = words.landmark_links or words.landmark_directions
        self.last_words = tuple(w.lower() for w in (*enders, *words.landmark_articles))
        self.last_width = max(map(len, self.last_words), default=0)

    def drop_qualifiers(self, text: str, places: list[PlaceRef]) -> list[PlaceRef]:
        """Drop a governorate that only locates a settlement next to it.

        In "Saraqib in Idlib", "Saraqeb, Idlib countryside" or "the Hama countryside town of
        Kafr Zita" the governorate is part of the settlement's address, not a second place of
        the event; "hospitals in Idlib and western Aleppo" names areas in their own right and
        keeps them. The words allowed between the two names are the pack's address glue.
        """
        fine = [p for p in places if p.precision not in AREA_PRECISIONS]
        if not fine:
            return places
        gap = self.qualifier_gap

        def qualifies(area: PlaceRef) -> bool:
            for f in fine:
                if f.admin1_pcode is None or f.admin1_pcode != area.admin1_pcode:
                    continue
                a, b = sorted(
                    [(area.evidence.start, area.evidence.end), (f.evidence.start, f.evidence.end)]
                )
                if b[0] >= a[1] and gap.match(text[a[1] : b[0]]):
                    return True
            return False

        kept = [p for p in places if p.precision not in AREA_PRECISIONS or not qualifies(p)]
        # "Kafr Hamra northwest of Aleppo", "villages east of Maarat al-Numan": the place after
        # "<direction> of" is a landmark that locates the others, not a place of the event.
        landmarks = [p for p in kept if self.after_landmark_words(text, p.evidence.start)]
        if landmarks and len(landmarks) < len(kept):
            kept = [p for p in kept if p not in landmarks]
        return kept

    def after_landmark_words(self, text: str, start: int) -> bool:
        """Whether "<direction> of (the)" ends right before character ``start``."""
        k = start
        while k > 0 and text[k - 1].isspace():
            k -= 1
        if k == start or not text[max(0, k - self.last_width) : k].lower().endswith(
            self.last_words
        ):
            return False
        return self.landmark_before.search(text, 0, start) is not None


def _drop_enclosing_areas(places: list[PlaceRef]) -> list[PlaceRef]:
    """One incident happens in one spot: a governorate or region that only encloses a
    settlement the claim also names ("In Idlib province, a car bomb exploded at the entrance of
    Sarmada", "#Idlib ... Russian jets hit the market in Maarat al-Numan") is its address, not a
    second place. Totals keep their areas ("31 attacks in the Idlib countryside, ... Maarat
    al-Numan"): there the area is where the total was counted."""
    inside = {
        p.admin1_pcode
        for p in places
        if p.precision not in AREA_PRECISIONS and p.admin1_pcode is not None
    }
    if not inside:
        return places
    # the settlement takes its area's rank: the area named first still says where the story is
    out: list[PlaceRef] = []
    for p in places:
        if p.precision in AREA_PRECISIONS and p.admin1_pcode in inside:
            settlement = next(
                q
                for q in places
                if q.precision not in AREA_PRECISIONS and q.admin1_pcode == p.admin1_pcode
            )
            p = settlement
        if p not in out:
            out.append(p)
    return out


def _inside_name(tokens: Tokens, info: SentenceInfo, place: PlaceRef) -> bool:
    """Whether a place mention is part of an actor's or an organisation's name, or is a date
    word.

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
    # a month or a weekday spelled like a village ("آذار") is the date
    for key in (MONTH, WEEKDAY):
        for m in info.matches.get(key, ()):
            start, end = tokens.starts[m.start], tokens.ends[m.end - 1]
            if start <= place.evidence.start and place.evidence.end <= end:
                return True
    return False


def _dedupe_places(places: list[PlaceRef]) -> list[PlaceRef]:
    out: list[PlaceRef] = []
    seen: set[str] = set()
    for p in places:
        k = place_key(p)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out
