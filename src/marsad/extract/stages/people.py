"""Named persons: read once per sentence on first use, and gathered for each claim.

A claim records the persons of its own sentences, of the sentences around it that report no
other event, and of the document's title. A place name inside a personal name ("al-Hasan" in
"Omar al-Hasan") is the person's, not a place.
"""

from __future__ import annotations

from marsad.contract.claim import DocumentMeta, PersonMention, PlaceRef, Span
from marsad.extract.lexicon import PhraseMatcher, clitic_vocabulary
from marsad.extract.persons import PersonFound, PersonReader
from marsad.extract.stages.common import is_headline
from marsad.extract.state import ClaimDraft, DocState, SentenceInfo
from marsad.extract.text import Tokens, split_sentences, tokenize
from marsad.lang import LanguagePack


class People:
    def __init__(self, pack: LanguagePack, reader: PersonReader, matcher: PhraseMatcher) -> None:
        self.pack = pack
        self.reader = reader
        self.matcher = matcher

    def persons_in(self, tokens: Tokens, info: SentenceInfo) -> list[PersonFound]:
        """Named persons of a sentence, read once and only where needed: before the counts of
        a sentence with figures (an age by a name is no count), for a sentence with a place
        (a name's words are no place) and for the sentences a claim uses."""
        if info.persons_read is None:
            sent = info.sentence
            info.persons_read = self.reader.read(tokens, sent.start, sent.end, info.matches)
        return info.persons_read

    def inside_person(self, tokens: Tokens, info: SentenceInfo, place: PlaceRef) -> bool:
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

    def title_sentences(self, doc: DocState) -> list[SentenceInfo]:
        """The sentences holding the document's title, whose names every claim records: the
        headline (a first line with no full stop) and, when the title the metadata gives is
        part of the text, the sentences it covers. (A title that is not part of the text has
        no offsets to give its names spans: see :meth:`persons_of_text`.)"""
        tokens, infos, meta = doc.tokens, doc.infos, doc.meta
        out = [infos[0]] if is_headline(tokens, infos[0], infos) else []
        title = _title(meta)
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
        tokens = tokenize(text, self.pack.writing, clitic_vocabulary(self.pack))
        out: list[PersonFound] = []
        nodes = self.matcher.first_nodes(tokens)
        for sent in split_sentences(tokens, self.pack.grammar.abbreviations):
            matches = self.matcher.match(tokens, sent.start, sent.end, nodes)
            out += self.reader.read(tokens, sent.start, sent.end, matches)
        return out

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        """The claim's persons; a place that is only part of a person's name leaves the claim."""
        pool = self._pool(doc, draft)
        if not pool:
            return True  # most claims: no names, so no place is part of one either
        places = draft.places
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
        draft.persons = out
        return True

    def _pool(
        self, doc: DocState, draft: ClaimDraft
    ) -> list[tuple[SentenceInfo, list[PersonFound]]]:
        """Each sentence that qualifies and names someone, with the names (read once)."""
        infos, g, named = doc.infos, draft.group, doc.named
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
        pool: list[tuple[SentenceInfo, list[PersonFound]]] = []
        titled = {t.index for t in named}
        window = infos[lo : hi + 1]
        for s in window + [t for t in named if t.index < lo or t.index > hi]:
            if (
                first <= s.index <= last
                or (not s.eventful and (s.paragraph == para or abs(s.index - last) <= 2))
                or s.index in titled
            ):
                found = s.persons_read  # usually read already (by Actors or another claim)
                if found is None:
                    found = self.persons_in(doc.tokens, s)
                if found:
                    pool.append((s, found))
        return pool


def _title(meta: DocumentMeta | None) -> str:
    return meta.title.strip() if meta is not None and meta.title else ""
