"""The extraction engine: text in, claims out, through the stages of :mod:`.stages`.

One pass per stage and nothing quadratic in the text length: the text is tokenised and split
into sentences once, every lexicon phrase is matched per sentence with one trie walk, each
sentence is read (event word, dates, figures), the eventful ones are grouped, and each group
is built into a :class:`~marsad.contract.claim.Claim` with evidence spans everywhere.
"""

from __future__ import annotations

from marsad.contract.claim import Claim, DocumentMeta, PlaceRef, parse_iso_date
from marsad.extract.counts import CountReader
from marsad.extract.dates import DateReader
from marsad.extract.lexicon import PhraseMatcher, build_matcher, clitic_vocabulary, keyed_pack
from marsad.extract.persons import PersonFound, PersonReader
from marsad.extract.stages.actors import Actors
from marsad.extract.stages.assembly import Assembly
from marsad.extract.stages.boilerplate import Boilerplate
from marsad.extract.stages.claim_counts import ClaimCounts
from marsad.extract.stages.claim_type import ClaimType
from marsad.extract.stages.dates import ClaimDate, Dateline
from marsad.extract.stages.event_type import EventTyping
from marsad.extract.stages.eventful import Eventful
from marsad.extract.stages.figures import Figures
from marsad.extract.stages.grouping import Grouping
from marsad.extract.stages.means import Means
from marsad.extract.stages.people import People
from marsad.extract.stages.places import PlaceLocator, Places
from marsad.extract.stages.scope import ClaimScope
from marsad.extract.stages.sources import Sources
from marsad.extract.stages.triggers import Triggers
from marsad.extract.state import DocState, SentenceInfo
from marsad.extract.text import split_sentences, tokenize
from marsad.lang import LanguagePack

__all__ = ["Engine", "PlaceLocator"]


class Engine:
    """The engine for one language pack (compiled once, reused for every document)."""

    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack = keyed_pack(pack)
        self.matcher: PhraseMatcher = build_matcher(pack)
        self.known = clitic_vocabulary(pack)
        # the readers of dates, counts and names, which the stages share
        self.dates = dates = DateReader(pack)
        self.counts = counts = CountReader(pack)
        self.persons = PersonReader(pack)
        self.people = People(pack, self.persons, self.matcher)
        self.dateline = Dateline(self.matcher, dates)
        self.triggers = Triggers(pack, self.matcher)
        self.boilerplate = Boilerplate(pack)
        self.event_typing = EventTyping(pack)
        self.figures = Figures(pack, dates, counts, self.people)
        self.eventful = Eventful(pack)
        self.places = Places(self.people)
        self.grouping = Grouping()
        self.actors = Actors(pack, self.people, counts.aux)
        scope = ClaimScope()
        self.assembly = Assembly(
            (
                ClaimCounts(pack).build,
                ClaimType(pack).build,
                ClaimDate(dates).build,
                scope.build,
                self.places.build,
                scope.keeps,
                self.actors.build,
                Means(pack).build,
                Sources(pack).build,
                self.people.build,
            )
        )

    def extract(
        self, text: str, meta: DocumentMeta | None, locator: PlaceLocator | None
    ) -> list[Claim]:
        doc = self._document(text, meta)
        if doc is None:
            return []
        self.dateline.find(doc)
        doc.infos = [self._read_sentence(doc, i) for i in range(len(doc.sentences))]
        self.dateline.untie(doc)
        if not self.eventful.run(doc):
            return []
        self.places.attach(doc, locator)
        self.grouping.run(doc)
        doc.named = self.people.title_sentences(doc)
        return self.assembly.claims(doc)

    def places_of_text(
        self, text: str, meta: DocumentMeta | None, locator: PlaceLocator | None
    ) -> list[PlaceRef]:
        """Every place the engine keeps in a text, eventful or not: the locator's places less
        those inside a person's, an actor's or an organisation's name or in page furniture."""
        doc = self._document(text, meta)
        if doc is None:
            return []
        doc.infos = [self._read_sentence(doc, i) for i in range(len(doc.sentences))]
        self.places.attach(doc, locator)
        return [p for info in doc.infos for p in info.places]

    def _document(self, text: str, meta: DocumentMeta | None) -> DocState | None:
        """The text tokenised and split into sentences, or None when it has none."""
        tokens = tokenize(text, self.pack.writing, self.known)
        sentences = split_sentences(tokens, self.pack.grammar.abbreviations)
        if not sentences:
            return None
        anchor = parse_iso_date(meta.published) if meta is not None else None
        return DocState(tokens, meta, sentences, self.matcher.first_nodes(tokens), anchor)

    def _read_sentence(self, doc: DocState, k: int) -> SentenceInfo:
        info = self.triggers.read(doc.tokens, doc.sentences[k], doc.nodes)
        self.boilerplate.read(doc.tokens, info)
        self.event_typing.read(doc.tokens, info)
        self.figures.read(doc.tokens, info, doc.anchor)
        return info

    def persons_of_text(self, text: str) -> list[PersonFound]:
        """Every named person the rules find in a text, with offsets into it."""
        return self.people.persons_of_text(text)
