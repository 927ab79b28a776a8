"""Who did it and to whom: each claim's perpetrators and targets.

An armed actor named in the claim's sentences is a perpetrator unless the sentence makes it a
victim ("soldiers were killed", "25 members of the Nusra Front"), only says who holds a place
("rebel-held"), is the reporter ("White Helmets teams documented"), the accuser ("the
opposition accused ...") or the subject of a peaceful protest. The agent of the event word
comes first. With no agent in its own sentences, the claim takes the accused of the nearest
accusation ("The opposition accused government forces of gassing hundreds").
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from marsad.contract.claim import ActorRef
from marsad.extract.lexicon import ACTOR, CASUALTY, EVENT, FACILITY, ORG, SPEECH, WEAPON, Match
from marsad.extract.stages.attribution import Attribution
from marsad.extract.stages.common import (
    GENERIC_TYPES,
    HARM_CATEGORIES,
    PROTEST_TYPES,
    by_length,
    edge_words,
    match_span,
    skip_aux_to,
)
from marsad.extract.stages.people import People
from marsad.extract.state import ClaimDraft, DocState, SentenceInfo
from marsad.extract.text import Tokens
from marsad.lang import LanguagePack

_VICTIM_GROUP_ACTOR = {
    "civilians": "civilians",
    "children": "civilians",
    "women": "civilians",
    "rescue_workers": "rescue_workers",
}
_NO_TOKENS: frozenset[int] = frozenset()
_OF_REACH = 6  # describing words between "of" and the group it counts ("of the al-Qaeda-linked")


@dataclass(slots=True)
class _Found:
    """The actors found so far for one claim, and each perpetrator's agent rank."""

    perpetrators: list[ActorRef]
    targets: list[ActorRef]
    seen: set[tuple[str, bool]]
    rank: list[int]


def _same_kind(a: str | None, b: str | None) -> bool:
    return a == b or a in GENERIC_TYPES or b in GENERIC_TYPES


class Actors:
    def __init__(self, pack: LanguagePack, people: People, aux: frozenset[str]) -> None:
        self.pack = pack
        self.people = people
        self.aux = aux
        self.actors = pack.actors
        self.armed = frozenset(i for i, a in enumerate(pack.actors) if a.type in pack.armed_types)
        # Frame phrases grouped by length: one slice and one set lookup per length instead of a
        # slice per phrase (``frame_role`` runs for every actor mention).
        self.agent_phrases = by_length(pack.grammar.agent_phrases)
        self.responsibility_phrases = by_length(pack.grammar.responsibility_phrases)
        self.control_before = by_length(pack.grammar.control_before)
        # The words a phrase of each kind must end (agent, control) or open (responsibility)
        # with: one set lookup rules out nearly every mention before any slicing.
        self._agent_last = edge_words(pack.grammar.agent_phrases, -1)
        self._responsibility_first = edge_words(pack.grammar.responsibility_phrases, 0)
        self._control_before_last = edge_words(pack.grammar.control_before, -1)
        self.attribution = Attribution(pack.grammar, aux)

    def build(self, doc: DocState, draft: ClaimDraft) -> bool:
        tokens, sents = doc.tokens, draft.sents
        found = _Found([], [], set(), [])
        for s in sents:
            if s.matches.get(ACTOR):
                self._sentence_actors(tokens, s, found)
        perpetrators, targets = found.perpetrators, found.targets
        # The agent of the event word comes first ("regime air strikes on rebel-held areas",
        # "strikes by Russian jets"), not the first armed actor the passage happens to name.
        if len(perpetrators) > 1:
            # a stable sort: mentions of equal rank keep their order in the text
            order = sorted(range(len(perpetrators)), key=found.rank.__getitem__)
            perpetrators = [perpetrators[i] for i in order]
        if not perpetrators:
            perpetrators = self._accused_elsewhere(tokens, doc.infos, sents)
        if not perpetrators:
            perpetrators = self._lead_agent(tokens, doc.infos, draft)
        for count in draft.counts:
            actor_type = _VICTIM_GROUP_ACTOR.get(count.group)
            if (
                actor_type is not None
                and count.category in HARM_CATEGORIES
                and all(t.type != actor_type for t in targets)
            ):
                a = next(x for x in self.actors if x.id == actor_type)
                targets.append(ActorRef(a.id, a.name, a.type, count.evidence))
        draft.perpetrators, draft.targets = perpetrators, targets
        return True

    def _sentence_actors(self, tokens: Tokens, s: SentenceInfo, found: _Found) -> None:
        keys = tokens.keys
        matches = s.matches
        # The token sets below are built only from the matches a sentence has (most have
        # few kinds), so the common case makes no empty sets or generators.
        orgs = matches.get(ORG)
        org_tokens: AbstractSet[int] = (
            {t for m in orgs for t in range(m.start, m.end)} if orgs else _NO_TOKENS
        )
        count_spans = (
            [(c.start, c.end) for c in s.counts if c.category in HARM_CATEGORIES]
            if s.counts
            else []
        )
        casualties = matches.get(CASUALTY)
        casualty_at: AbstractSet[int] = {m.start for m in casualties} if casualties else _NO_TOKENS
        not_actor, person_starts = self._not_actor_tokens(tokens, s)
        protest_only = s.event_type in PROTEST_TYPES
        for m in matches[ACTOR]:
            if m.start in not_actor or m.end - 1 in not_actor or m.end in person_starts:
                continue
            if self.controls_place(tokens, m):
                continue  # "rebel-held districts": who holds the place, not who struck it
            in_count = bool(count_spans) and self._counted(keys, m, count_spans)
            # "soldiers were killed" (passive) makes them victims; "HTS arrested" does not
            after = skip_aux_to(tokens, m.end, self.aux)
            victim = in_count or (after > m.end and after in casualty_at)
            victim = victim or self._passive_group(tokens, s, m, casualty_at)
            victim = victim or self.owns_target(tokens, m)
            role = self.frame_role(tokens, m, after)
            for index in m.values:
                actor = self.actors[index]
                armed = index in self.armed
                inside_org = m.start in org_tokens and m.end - 1 in org_tokens
                if (inside_org or (not armed and m.start in org_tokens)) and not in_count:
                    continue  # "White Helmets teams documented ...": the reporter
                as_perpetrator = armed and not victim
                if as_perpetrator and role == "accuser":
                    continue  # "the opposition accused the army of ...": who speaks
                if as_perpetrator and protest_only:
                    continue  # a peaceful protest has no perpetrator ("chants for the FSA")
                key = (actor.id, as_perpetrator)
                if key in found.seen:
                    continue
                found.seen.add(key)
                ref = ActorRef(actor.id, actor.name, actor.type, match_span(tokens, m))
                if as_perpetrator:
                    ref.attribution = self.attribution.of(tokens, m, after)
                    found.rank.append(self.agent_rank(tokens, s, m, role))
                (found.perpetrators if as_perpetrator else found.targets).append(ref)

    def _counted(self, keys: list[str], m: Match, count_spans: list[tuple[int, int]]) -> bool:
        """Whether the mention names the group a harm count counts: inside the count ("30
        government fighters") or in an of-phrase after it ("25 members of the al-Qaeda-linked
        Nusra Front", "20 fighters of IS")."""
        g = self.pack.grammar
        if any(a <= m.start < b for a, b in count_spans):
            return True
        p, steps = m.start - 1, 0
        while p >= 0 and steps < _OF_REACH and keys[p] not in g.of_words:
            key = keys[p]
            if not (key.isalpha() or key == "-") or key in g.agent_words:
                return False  # "killed 25 civilians in attacks by IS": not the counted group
            p, steps = p - 1, steps + 1
        return p >= 0 and keys[p] in g.of_words and any(b == p for _, b in count_spans)

    def _passive_group(
        self, tokens: Tokens, s: SentenceInfo, m: Match, casualty_at: AbstractSet[int]
    ) -> bool:
        """Whether the mention names a group that a passive harm verb makes the victims of,
        over a word or two ("the Ahrar al-Sham militant group were killed"); a means of
        attack between ("Russian air strikes were killing") keeps the agent."""
        keys, aux = tokens.keys, self.aux
        for k in (m.end + 1, m.end + 2):
            if k >= len(keys) or not keys[k - 1].isalpha() or keys[k - 1] in aux:
                return False
            after = skip_aux_to(tokens, k, aux)
            passive = any(w in self.pack.grammar.passive_aux for w in keys[k:after])
            if passive and after in casualty_at:
                # not "the Daesh terrorist group has killed 33"; the set of means is built
                # only here, as few mentions get this far
                means = {x.start for kind in (EVENT, WEAPON) for x in s.matches.get(kind, ())}
                return not any(i in means for i in range(m.end, k))
        return False

    def _not_actor_tokens(
        self, tokens: Tokens, s: SentenceInfo
    ) -> tuple[set[int], AbstractSet[int]]:
        """Words that only describe a facility, a speaker or an audience are not actors
        ("civil-defence centres", "activist Lina Haddad said", "told reporters"), and the
        positions at a name and just before it."""
        not_actor: set[int] = set()
        facilities = s.matches.get(FACILITY)
        if facilities:
            not_actor.update(t for m in facilities for t in range(m.start, m.end))
        speech = s.matches.get(SPEECH)
        if speech:
            not_actor.update(m.end for m in speech)
        # the role word right before a name ("activist Lina Haddad") describes the person
        persons = self.people.persons_in(tokens, s)
        person_starts: AbstractSet[int] = (
            {p.start for p in persons} | {p.start - 1 for p in persons} if persons else _NO_TOKENS
        )
        return not_actor, person_starts

    def controls_place(self, tokens: Tokens, m: Match) -> bool:
        """Whether an actor mention only says who holds a place ("IS-held", "held by IS")."""
        g = self.pack.grammar
        keys = tokens.keys
        k = m.end
        if k < len(keys) and keys[k] == "-":
            k += 1
            if k < len(keys) and keys[k] in g.control_after:
                return True  # hyphenated only: "the rebels held the town" is an action
        if k < len(keys) and keys[k] in g.held_places:
            return True  # "pro-regime areas", "the rebel stronghold of Qusayr"
        b = _before_article(keys, m.start, g.definite_article)
        return _phrase_ends_at(keys, b, self._control_before_last, self.control_before)

    def owns_target(self, tokens: Tokens, m: Match) -> bool:
        """Whether the mention names the owner of what was hit ("struck a Hezbollah position",
        "a regime military convoy", "the headquarters of Ahrar al-Sham")."""
        g = self.pack.grammar
        keys, owned = tokens.keys, g.owned_targets
        k = m.end
        if k + 1 < len(keys) and keys[k] in ("'", "’") and keys[k + 1] == "s":
            k += 2
        b = m.start
        if b > 0 and keys[b - 1] == g.definite_article:
            b -= 1
        if b > 0 and keys[b - 1] in g.from_words:
            return False  # "shelling coming from regime positions": where the agent fired from
        if k < len(keys) and keys[k] in owned:
            return True
        # one describing word between, in a noun phrase that opens as the pack's target_openers
        if (
            k + 1 < len(keys)
            and keys[k + 1] in owned
            and keys[k][:1].isalpha()
            and m.start > 0
            and keys[m.start - 1] in g.target_openers
        ):
            return True
        return b > 1 and keys[b - 1] in g.of_words and keys[b - 2] in owned

    def agent_rank(self, tokens: Tokens, s: SentenceInfo, m: Match, role: str | None) -> int:
        """-1 for the agent of a harm verb ("killed by IS"), 0 when the mention is the agent of
        the sentence's event word (right before it, or after "by" just after it), 1 for a subject
        shortly before the event word, 2 otherwise. ``role`` is ``frame_role(tokens, m)``, which
        the caller has at hand."""
        agent_words = self.pack.grammar.agent_words
        if role == "accused":
            return 0  # "accused the regime of", "carried out by IS": the alleged agent
        # "SDF fighters killed 13 militants", "civilians killed by IS": the agent of a harm verb
        for c in s.matches.get(CASUALTY, ()):
            if 0 <= c.start - m.end <= 1:
                return 0
            if c.end <= m.start <= c.end + 2 and any(
                w in agent_words for w in tokens.keys[c.end : m.start]
            ):
                return -1  # "killed by IS": the text names who killed, which outranks all
        ev = s.event_match
        if ev is None:
            return 2
        if 0 <= ev.start - m.end <= 1 or m.start <= ev.start < m.end:
            return 0  # "regime air strikes", or the trigger inside the name ("Russian strikes")
        if ev.end <= m.start <= ev.end + 4:
            between = tokens.keys[ev.end : m.start]
            if any(w in agent_words for w in between):
                return 0
        if m.end <= ev.start and ev.start - m.end <= 6:
            return 1  # a subject before the verb ("the regime's warplanes bombed")
        k = m.end + (m.end < len(tokens) and tokens.keys[m.end] == "s")
        if k < len(tokens) and tokens.keys[k] in self.pack.grammar.instrument_words:
            return 1  # "Russia's jets struck ...": the owner of the means
        return 2

    def _accused_elsewhere(
        self, tokens: Tokens, infos: list[SentenceInfo], sents: list[SentenceInfo]
    ) -> list[ActorRef]:
        """The accused of another sentence, for an incident whose own sentences name no agent:
        news reports the blame apart from the toll. The nearest accusation is taken, the
        following one on a tie."""
        inside = {s.index for s in sents}
        first = sents[0].index
        best: SentenceInfo | None = None
        best_key = (len(infos) + 1, False)
        for s in infos:
            if (
                s.index in inside
                or ACTOR not in s.matches
                or s.background
                or (s.eventful and s.counts)  # another incident's toll and its agent
            ):
                continue
            key = (abs(s.index - first), s.index < first)
            # the nearest sentence that accuses someone (keys are distinct, so the first in
            # that order is the least key)
            if key < best_key and self.accused_in(tokens, s) is not None:
                best, best_key = s, key
        if best is None or best.accused is None:
            return []
        m, index = best.accused
        a = self.actors[index]
        attribution = self.attribution.of(tokens, m, skip_aux_to(tokens, m.end, self.aux))
        return [ActorRef(a.id, a.name, a.type, match_span(tokens, m), attribution)]

    def _lead_agent(
        self, tokens: Tokens, infos: list[SentenceInfo], draft: ClaimDraft
    ) -> list[ActorRef]:
        """The agent of the report's lead, for a claim whose own sentences name none: a report
        names the agent once ("A Russian air strike killed eight ... The jets targeted ...")
        and its later sentences give the detail. The nearest eventful sentence before the claim
        in its paragraph, else the first sentence, lends its first agent when it reports the
        same kind of event."""
        first = draft.sents[0]
        if draft.aggregate or any(s.fronted_place or s.tally or s.such for s in draft.sents):
            return []  # a total, or a report of its own ("In nearby Hass, ...")
        if self._separate(tokens, first):
            return []  # "In a separate strike ...": another incident, another agent
        before = [s for s in infos[: first.index] if s.paragraph == first.paragraph or s.index == 0]
        for s in reversed(before):
            if s.fronted_place:
                return []  # "In Hass, ...": the report moved to an incident of its own
            if not s.eventful or s.background or ACTOR not in s.matches:
                continue
            if not _same_kind(s.event_type, draft.event_type):
                return []  # the lead reports another kind of event
            found = _Found([], [], set(), [])
            self._sentence_actors(tokens, s, found)
            if not found.rank:
                return []
            # the best-ranked agent, the first named on a tie
            best = min(range(len(found.rank)), key=found.rank.__getitem__)
            return [found.perpetrators[best]] if found.rank[best] <= 0 else []
        return []

    def _separate(self, tokens: Tokens, s: SentenceInfo) -> bool:
        """Whether a sentence opens by setting its incident apart ("In a separate strike")."""
        words = self.pack.grammar.separate_words
        start = s.sentence.start
        return any(k in words for k in tokens.keys[start : min(s.sentence.end, start + 4)])

    def accused_in(self, tokens: Tokens, s: SentenceInfo) -> tuple[Match, int] | None:
        """The first armed actor of a sentence that an accusation frame names (read once)."""
        if not s.accused_read:
            s.accused_read = True
            for m in s.matches.get(ACTOR, ()):
                if self.frame_role(tokens, m) != "accused":
                    continue
                armed = next((index for index in m.values if index in self.armed), None)
                if armed is not None:
                    s.accused = (m, armed)
                    break
        return s.accused

    def frame_role(self, tokens: Tokens, m: Match, after: int | None = None) -> str | None:
        """ "accused" for the actor an accusation or agent frame names ("accused X of", "blamed
        X for", "carried out by X", "X claimed responsibility"), "accuser" for the subject of
        an accusing verb ("the opposition accused ..."), else None. ``after`` is
        ``skip_aux_to(tokens, m.end, self.aux)`` where the caller has it already."""
        g = self.pack.grammar
        keys = tokens.keys
        b = _before_article(keys, m.start, g.definite_article)
        if _phrase_ends_at(keys, b, self._agent_last, self.agent_phrases):
            return "accused"
        firsts = self._responsibility_first
        for k in (m.end, m.end + 1):
            if firsts is None or (k < len(keys) and keys[k] in firsts):
                for n, phrases in self.responsibility_phrases:
                    if tuple(keys[k : k + n]) in phrases:
                        return "accused"
        # "accused government forces of", "blaming the Islamic State group for", "accuse the
        # powerful Kurdish YPG of": the accusing verb up to three plain words before
        for k in range(b - 1, max(b - 4, -1), -1):
            key = keys[k]
            if key in g.accuse_verbs:
                return "accused"
            if not key[:1].isalpha() or key in g.of_words or key in g.agent_words:
                break
        # "the opposition accused", "Russia has accused": the accuser (not "X was blamed")
        if after is None:
            after = skip_aux_to(tokens, m.end, self.aux)
        if after < len(keys) and keys[after] in g.accuse_verbs:
            nxt = keys[after + 1] if after + 1 < len(keys) else ""
            if nxt not in g.agent_words and nxt not in g.blame_prepositions:
                return "accuser"
        return None


def _before_article(keys: list[str], b: int, article: str) -> int:
    """Where a mention starts, counting the definite article right before it."""
    return b - 1 if b > 0 and keys[b - 1] == article else b


def _phrase_ends_at(
    keys: list[str],
    b: int,
    last: frozenset[str] | None,
    grouped: tuple[tuple[int, frozenset[tuple[str, ...]]], ...],
) -> bool:
    """Whether one of the phrases ends right before token ``b``. The phrase sets are only
    looked at when the word there can end one of them (``last``), which is rare."""
    if last is not None and not (b > 0 and keys[b - 1] in last):
        return False
    return any(b >= n and tuple(keys[b - n : b]) in phrases for n, phrases in grouped)
