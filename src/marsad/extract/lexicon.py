"""The phrase matcher: every lexicon phrase of a language pack in one token trie.

One walk per token position finds, for every *kind* of entry (event trigger, actor, weapon, ...),
the longest phrase starting there; overlaps are then resolved per kind, left to right, longest
first. Different kinds may overlap ("Russian warplanes" is an actor, "warplanes" an air-strike
trigger), which is what lets one phrase carry several facts without listing every combination.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import Any

from marsad.extract.text import JOINER, WORD, Tokens, tokenize
from marsad.lang import LanguagePack, WritingSystem

# The key under which a trie node keeps what ends there. Token keys are never empty, so this one
# can never be mistaken for a next token (as "\0", a token of its own, could).
_TERMINAL = ""

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
CONTEXT = "context"  # values: context labels (events.yaml senses.contexts)
CONDITIONAL = "conditional"  # values: (event type, context) pairs
# The value of an EVENT match that reports no event ("a demonstration of resolve"): longer than
# the event word it opens on, it hides that word from the sentence's event words.
NOT_EVENT = ""
# Values of FORCE entries: force against protesters, or an intervention against a protest.
EXCESSIVE = "excessive"
INTERVENTION = "intervention"


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


def phrase_keys(
    phrase: str, writing: WritingSystem | None = None, known: frozenset[str] | None = None
) -> list[str]:
    """Token keys of a lexicon phrase, tokenised exactly like document text (``known``: the
    pack's words, for a script whose clitics are split off them)."""
    toks = tokenize(phrase, writing, known)
    return [k for k, kind in zip(toks.keys, toks.kinds, strict=True) if kind != JOINER]


# What a trie node keeps under _TERMINAL once frozen: the (kind, values) pairs of the phrases ending
# there, and whether the node is a leaf (no longer phrase runs on from it), so the commonest hit,
# a one-word phrase such as "killed", is taken without looking at the next token.
_Pairs = tuple[tuple[str, tuple[Any, ...]], ...]
_Entry = tuple[_Pairs, bool]


class PhraseMatcher:
    def __init__(
        self,
        definite_article: str = "",
        keep_article_before: frozenset[str] = frozenset(),
        writing: WritingSystem | None = None,
        known: frozenset[str] | None = None,
    ):
        self.root: dict[str, Any] = {}
        self.writing = writing
        self.known = known
        self.definite_article = definite_article
        self.keep_article_before = keep_article_before
        # Payloads as added ({kind: [values]}), by node; freeze() compiles them into the trie.
        self._payloads: dict[int, tuple[dict[str, Any], dict[str, list[Any]]]] = {}
        self._frozen = False

    def add(self, phrase: str, kind: str, value: Any) -> None:
        keys = phrase_keys(phrase, self.writing, self.known)
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
        payload = self._payloads.setdefault(id(node), (node, {}))[1]
        values = payload.setdefault(kind, [])
        if value not in values:
            values.append(value)
        self._frozen = False

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
        if not self._frozen:
            self.freeze()
        keys, kinds = tokens.keys, tokens.kinds
        if nodes is None:
            nodes = self.first_nodes(tokens)
        found: dict[str, list[Match]] = {}
        for i in compress(range(start, end), nodes[start:end]):
            node: dict[str, Any] = nodes[i]  # type: ignore[assignment]  # not None: compress
            entry: _Entry | None = node.get(_TERMINAL)
            if entry is not None and entry[1]:
                pairs, stop = entry[0], i + 1  # a leaf: the phrase is this one token
            else:
                j = i + 1
                while j < end and kinds[j] == JOINER:
                    j += 1
                nxt = node.get(keys[j]) if j < end else None
                if nxt is None:
                    # Most visits: "the", "of", "were" ... open phrases that do not go on here.
                    if entry is None:
                        continue
                    pairs, stop = entry[0], i + 1
                elif entry is None and (last := nxt.get(_TERMINAL)) is not None and last[1]:
                    pairs, stop = last[0], j + 1  # a two-word phrase that cannot go on
                else:
                    hits = [] if entry is None else [(i + 1, entry[0])]
                    self._walk(nxt, j, end, keys, kinds, hits)
                    if not hits:
                        continue
                    if len(hits) > 1:
                        self._add_longest(found, hits, i)
                        continue
                    stop, pairs = hits[0]
            # Per kind, a match is kept unless the last one kept overlaps it.
            for kind, values in pairs:
                kept = found.get(kind)
                if kept is None:
                    found[kind] = [Match(kind, values, i, stop)]
                elif kept[-1].end <= i:
                    kept.append(Match(kind, values, i, stop))
        return found

    @staticmethod
    def _walk(
        node: dict[str, Any],
        j: int,
        end: int,
        keys: list[str],
        kinds: list[int],
        hits: list[tuple[int, _Pairs]],
    ) -> None:
        """Add to ``hits`` (as (stop, pairs), shortest first) every phrase that goes on to token
        j, whose trie node is ``node``; joiners between words are stepped over."""
        while True:
            entry: _Entry | None = node.get(_TERMINAL)
            if entry is not None:
                hits.append((j + 1, entry[0]))
            j += 1
            while j < end and kinds[j] == JOINER:
                j += 1
            if j >= end:
                return
            nxt = node.get(keys[j])
            if nxt is None:
                return
            node = nxt

    @staticmethod
    def _add_longest(
        found: dict[str, list[Match]],
        hits: list[tuple[int, _Pairs]],
        i: int,
    ) -> None:
        """Keep, per kind, the longest of several phrases starting at token i."""
        longest: dict[str, tuple[int, tuple[Any, ...]]] = {}
        for stop, pairs in hits:
            for kind, values in pairs:
                longest[kind] = (stop, values)
        for kind, (stop, values) in longest.items():
            kept = found.get(kind)
            if kept is None:
                found[kind] = [Match(kind, values, i, stop)]
            elif kept[-1].end <= i:
                kept.append(Match(kind, values, i, stop))

    def freeze(self) -> None:
        """Compile the payloads into the trie: value lists become tuples (shared by every
        Match, never copied), and each node learns whether it is a leaf."""
        for node, payload in self._payloads.values():
            node.pop(_TERMINAL, None)
            pairs = tuple((kind, tuple(values)) for kind, values in payload.items())
            node[_TERMINAL] = (pairs, not node)
        self._frozen = True


def _strings(value: Any) -> list[str]:
    """Every string inside a pack value (a section, a table, a list of phrases, a word set)."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in _strings(getattr(value, f.name))]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, tuple | list | frozenset | set):
        return [s for item in value for s in _strings(item)]
    return []


@lru_cache(maxsize=8)
def pack_vocabulary(pack: LanguagePack) -> frozenset[str]:
    """The key of every word the pack lists, in any file: a word written with clitics in front
    is split off them only when what is left is one of these (see text.tokenize)."""
    writing = pack.writing
    keys: set[str] = set()
    for field in dataclasses.fields(pack):
        if field.name in ("code", "writing", "extra"):
            continue
        for string in _strings(getattr(pack, field.name)):
            toks = tokenize(string, writing)
            keys.update(k for k, kind in zip(toks.keys, toks.kinds, strict=True) if kind == WORD)
    # a listed word written with a clitic ("للنظام" in a phrase) is split like text is, when
    # what is left is listed too
    vocabulary = frozenset(keys)
    return frozenset(k for k in vocabulary if not _splits(k, writing, vocabulary))


def _splits(word: str, writing: WritingSystem, known: frozenset[str]) -> bool:
    toks = tokenize(word, writing, known - {word})
    return len(toks) > 1


# The pack fields read as written: the phrases build_matcher tokenises like text, and the place
# words matched against the text itself; every other word the engine compares with token keys.
RAW_FIELDS = frozenset(
    {
        "event_triggers", "excessive_force_cues", "intervention_cues", "hypothetical_cues",
        "call_to_action_cues", "background_cues", "war_total_cues", "negation_cues",
        "aggregate_cues", "running_total_cues", "report_cues", "crowd_cues", "subset_cues",
        "including_cues", "actors", "weapons", "facilities", "organisations", "casualty_words",
        "count_nouns", "victim_groups", "qualifiers", "vague_quantities", "months", "weekdays",
        "relative_days", "month_parts", "speech_verbs", "role_cues", "senses", "places",
    }
)  # fmt: skip


@lru_cache(maxsize=8)
def keyed_pack(pack: LanguagePack) -> LanguagePack:
    """``pack`` with every word the engine compares with token keys directly written as its
    key: in a script whose keys are normalised (lang/ar: folded letters, no article), the data
    may then spell words as people write them. The phrases build_matcher reads stay as written
    (it tokenises them itself). A pack whose keys are only lower case is returned as it is."""
    writing = pack.writing
    if not writing.normalises_keys:
        return pack
    changes = {
        f.name: _keyed(getattr(pack, f.name), writing)
        for f in dataclasses.fields(pack)
        if f.name not in RAW_FIELDS and f.name not in ("code", "writing", "extra")
    }
    return dataclasses.replace(pack, **changes)


def _keyed(value: Any, writing: WritingSystem) -> Any:
    if isinstance(value, str):
        if value.isascii():
            return value  # identifiers and ASCII words are keys already
        toks = tokenize(value, writing)
        return " ".join(k for k, kind in zip(toks.keys, toks.kinds, strict=True) if kind != JOINER)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{f.name: _keyed(getattr(value, f.name), writing) for f in dataclasses.fields(value)},
        )
    if isinstance(value, dict):
        return {_keyed(k, writing): _keyed(v, writing) for k, v in value.items()}
    if isinstance(value, frozenset):
        return frozenset(_keyed(v, writing) for v in value)
    if isinstance(value, tuple):
        return tuple(_keyed(v, writing) for v in value)
    return value


def clitic_vocabulary(pack: LanguagePack) -> frozenset[str] | None:
    """What ``tokenize`` needs as ``known`` for this pack: None where no clitics attach."""
    return pack_vocabulary(pack) if pack.writing.preposition_clitics else None


def _add_all(m: PhraseMatcher, phrases: tuple[str, ...], kind: str, value: Any) -> None:
    for p in phrases:
        m.add(p, kind, value)


@lru_cache(maxsize=8)
def build_matcher(pack: LanguagePack) -> PhraseMatcher:
    """The compiled matcher for a pack (built once per pack; packs are immutable)."""
    grammar = pack.grammar
    m = PhraseMatcher(
        grammar.definite_article,
        grammar.keep_definite_before,
        pack.writing,
        clitic_vocabulary(pack),
    )
    for event_type, phrases in pack.event_triggers.items():
        _add_all(m, phrases, EVENT, event_type)
    senses = pack.senses
    _add_all(m, senses.not_events, EVENT, NOT_EVENT)
    for label, phrases in senses.contexts.items():
        _add_all(m, phrases, CONTEXT, label)
    for event_type, context, phrases in senses.conditional:
        _add_all(m, phrases, CONDITIONAL, (event_type, context))
    _add_all(m, pack.excessive_force_cues, FORCE, EXCESSIVE)
    _add_all(m, pack.intervention_cues, FORCE, INTERVENTION)
    _add_all(m, pack.hypothetical_cues, CUE_HYPOTHETICAL, True)
    _add_all(m, pack.call_to_action_cues, CUE_ACTION, True)
    _add_all(m, pack.background_cues, CUE_BACKGROUND, True)
    _add_all(m, pack.war_total_cues, CUE_WAR_TOTAL, True)
    _add_all(m, pack.negation_cues, CUE_NEGATION, True)
    _add_all(m, pack.aggregate_cues, CUE_AGGREGATE, True)
    _add_all(m, pack.running_total_cues, CUE_AGGREGATE, True)
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
